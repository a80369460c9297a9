// Fuzzes what a client can send a real edge: every REST route and every Socket.IO event
// (support/rest-fuzz.ts, support/socket-fuzz.ts), on one edge in its own process — required-login
// mode, the real simulator, a real SQLite file — started once for both (it takes most of the time).
import { afterAll, beforeAll } from 'vitest';
import { startFuzzEdge, type FuzzEdge } from './support/fuzz-edge.js';
import { describeRestFuzz } from './support/rest-fuzz.js';
import { describeSocketFuzz } from './support/socket-fuzz.js';

let fuzzEdge: FuzzEdge;

beforeAll(async () => {
  fuzzEdge = await startFuzzEdge();
}, 180_000);

afterAll(async () => {
  await fuzzEdge?.edge.stop();
});

describeRestFuzz(() => fuzzEdge);
describeSocketFuzz(() => fuzzEdge);
