// The live benchmark's edge, in its own process so its CPU and memory are its own: the real
// startEdge (connectors, model, KPI, historian, live server) on a plant file, demo auth.
// Talks to the benchmark over IPC: {type:'ready', port}, then answers {type:'sample'} with
// CPU time, memory after a full GC, and the live server's counters.
// Usage: node --expose-gc --import tsx bench/live-edge.ts <plant.json> <dataDir> [--no-gate] [--inline-reads]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlant } from '../edge/config/load-plant.js';
import { startEdge } from '../edge/edge-runtime.js';

const [plantFile, dataDir] = process.argv.slice(2);
const plant = parsePlant(JSON.parse(readFileSync(plantFile!, 'utf8')), plantFile!);
const edge = await startEdge({
  plant, port: 0, host: '127.0.0.1', dbFile: join(dataDir!, 'twinline.db'), dataDir: dataDir!, uiDir: join(dataDir!, 'no-ui'),
  log: (level, m) => { if (level !== 'info') process.stderr.write(`[edge] ${level} ${m}\n`); },
  auth: { mode: 'demo', secret: 'bench-secret-0123456789-0123456789-abc' },
  live: { gateSlowClients: !process.argv.includes('--no-gate') },
  readWorker: !process.argv.includes('--inline-reads'),
});
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (msg: { type: string; gc?: boolean }) => {
  if (msg.type === 'sample') {
    if (msg.gc) gc?.();
    process.send!({ type: 'sample', cpu: process.cpuUsage(), mem: process.memoryUsage(), live: edge.live.stats(), devices: edge.devices(), historian: edge.historian.stats() });
  } else if (msg.type === 'stop') {
    void edge.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', port: edge.port });
