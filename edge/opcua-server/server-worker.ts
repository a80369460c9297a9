// The OPC UA server's worker thread: runs ua-server.ts, applies the main thread's batches of
// model changes, and reaches auth, commands and the historian by request and reply
// (worker-protocol.ts). Started by edge-opcua-server.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, HostCall, ServerHost, ToWorker, WorkerData } from './worker-protocol.js';
import { readTagBatch, tagIdsOf } from './worker-protocol.js';
import { startUaServer, type UaServer } from './ua-server.js';
import { routeLibraryOutput } from '../logger.js';

const port = parentPort!;
const data = workerData as WorkerData;
const send = (m: FromWorker) => port.postMessage(m);
const tagIds = tagIdsOf(data.plant);

let nextId = 1;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function request<T>(call: HostCall): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ t: 'request', id, ...call });
  });
}

const host: ServerHost = {
  login: (...args) => request({ call: 'login', args }),
  command: (...args) => request({ call: 'command', args }),
  historyRaw: (...args) => request({ call: 'historyRaw', args }),
  log: (level, message) => send({ t: 'log', level, message }),
};
// node-opcua in this thread prints through the edge's log (JSON lines), not to the console.
void routeLibraryOutput(host.log);

// Messages that arrive while the address space is being built wait for it (in order).
let server: UaServer | null = null;
const early: ToWorker[] = [];
port.on('message', (m: ToWorker) => {
  if (m.t === 'reply') {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(m.message));
    return;
  }
  if (!server) early.push(m);
  else handle(server, m);
});

function applyChanges(s: UaServer, m: Extract<ToWorker, { t: 'changes' }>) {
  if (m.tags) readTagBatch(m.tags, (position, value, quality, ts) => {
    const tagId = tagIds[position];
    if (tagId !== undefined) s.setTag(tagId, value, quality, ts);
  });
  for (const [machineId, state] of m.states) s.setState(machineId, state);
  send({ t: 'applied', seq: m.seq });
}

function handle(s: UaServer, m: ToWorker) {
  switch (m.t) {
    case 'changes': applyChanges(s, m); break;
    case 'kpis': s.setKpis(m.kpis); break;
    case 'alarm': s.alarm(m.event); break;
    case 'stop':
      void s.stop().catch((err: Error) => host.log('warn', `opc ua server: shutdown: ${err.message}`)).finally(() => {
        send({ t: 'stopped' });
        port.close();
      });
      break;
    default: break;
  }
}

try {
  const s = await startUaServer({ plant: data.plant, settings: data.settings, dataDir: data.dataDir, host, alarms: data.alarms, onSessions: (count) => send({ t: 'sessions', count }) });
  applyChanges(s, { t: 'changes', seq: 0, tags: data.tags, states: data.states });
  s.setKpis(data.kpis);
  server = s;
  for (const m of early.splice(0)) handle(s, m);
  send({ t: 'listening', port: s.port, endpointUrl: s.endpointUrl, namespaceUri: s.namespaceUri });
} catch (err) {
  send({ t: 'failed', message: (err as Error).message ?? String(err) });
}
