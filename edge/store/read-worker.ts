// The read worker: a worker thread with its own read-only connection to the historian's file
// (WAL lets it read while the main thread writes), running the read functions of reads.ts one
// request at a time. Heavy history and report queries run here, so the main event loop keeps
// acquisition, alarms and the live feed moving. Started by read-worker-client.ts.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { readFunctionsOn, type ReadName } from './reads.js';

export interface ReadRequest {
  id: number;
  name: ReadName;
  args: unknown[];
}
export type ReadReply =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

const port = parentPort!;
const { file } = workerData as { file: string };
const sqlite = new Database(file, { readonly: true, fileMustExist: true });
// A checkpoint of the writer may hold the WAL briefly; wait for it rather than fail.
sqlite.pragma('busy_timeout = 5000');
const fns = readFunctionsOn(sqlite);

port.on('message', (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    reply = { id: req.id, ok: true, value: (fns[req.name] as (...a: unknown[]) => unknown)(...req.args) };
  } catch (err) {
    const e = err as Error;
    reply = { id: req.id, ok: false, error: { name: e.name ?? 'Error', message: e.message ?? String(err) } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies ReadReply);
