// The Socket.IO half of test/fuzz/edge-api.fuzz.test.ts. Fuzzes every Socket.IO event of a real edge (required-login mode, real simulator, real
// SQLite file, its own process) with random and schema-aware mutated payloads, as each role,
// anonymous and with bad or expired tokens. The events are the live server's own: its exported
// event table when it has one, else the list it sends back for an unknown event ("known: …").
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRequestSchema, COMMAND_MIN_ROLE, type CommandKind } from '../../../shared/command-api.js';
import { JoinRequestSchema } from '../../../shared/live-protocol.js';
import { ROLES, type Role } from '../../../shared/auth-api.js';
import type { EdgeProcess } from './edge-process.js';
import type { FuzzEdge } from './fuzz-edge.js';
import { baseline, invariantProblems, type InvariantState } from './invariants.js';
import { anyJson, mutated, valid, wrongValue } from './json-schema-arbitrary.js';
import { Findings } from './findings.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './fuzz-settings.js';

let edge: EdgeProcess;
let tokens: Record<string, string>;
let expired: string;
let events: string[];
let eventSource: string;
let state: InvariantState;
const findings = new Findings('Socket.IO');
const ACK_MS = 5000;

/**
 * Payload schemas of the events whose payload is a shared/ zod schema. An event the server
 * declares that is not here is fuzzed with random payloads only.
 */
const PAYLOADS: Record<string, z.ZodType> = { join: JoinRequestSchema, leave: JoinRequestSchema, command: CommandRequestSchema };
const jsonSchemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

type Caller = { kind: 'role'; role: Role } | { kind: 'anonymous' } | { kind: 'bad-token' } | { kind: 'expired' };

function open(caller: Caller): Socket {
  const token = caller.kind === 'role' ? tokens[caller.role] : caller.kind === 'bad-token' ? `${tokens.admin!.slice(0, -3)}AAA` : caller.kind === 'expired' ? expired : undefined;
  return io(edge.url, { transports: ['websocket'], reconnection: false, timeout: 5000, auth: token ? { token } : {} });
}

function connected(s: Socket): Promise<'connected' | 'refused'> {
  return new Promise((resolve) => {
    s.once('connect', () => resolve('connected'));
    s.once('connect_error', () => resolve('refused'));
  });
}

/** The live server's declared events: its exported table, else what it lists after an unknown event. */
async function discoverEvents(): Promise<{ events: string[]; source: string }> {
  const exported = await edge.socketEvents();
  if (exported?.length) return { events: exported, source: 'the live server\'s declared event table (LIVE_EVENT_ACCESS)' };
  const s = open({ kind: 'role', role: 'operator' });
  await connected(s);
  const listed = await new Promise<string[] | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 5000);
    s.on('protocol-error', (e: { error: string }) => {
      const m = /known: ([^)]*)\)/.exec(e.error);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.split(',').map((x) => x.trim()).filter(Boolean));
      }
    });
    s.emit('no-such-event-from-the-fuzzer', {});
  });
  s.disconnect();
  // Last resort, derived by hand from edge/live/live-server.ts: kept in step with it only while neither of the above works.
  return listed?.length ? { events: listed, source: 'the live server\'s "known events" answer' } : { events: ['join', 'leave', 'command'], source: 'a list derived from edge/live/live-server.ts' };
}

interface Emit {
  event: string;
  args: unknown[];
  withAck: boolean;
}

const payloadFor = (event: string): fc.Arbitrary<unknown> => {
  const schema = Object.hasOwn(PAYLOADS, event) ? PAYLOADS[event] : undefined;
  const json = schema ? jsonSchemaOf(schema) : null;
  return fc.oneof(
    { weight: json ? 4 : 0, arbitrary: json ? mutated(json) : fc.constant(null) },
    { weight: json ? 3 : 0, arbitrary: json ? valid(json) : fc.constant(null) },
    { weight: 2, arbitrary: wrongValue() },
    { weight: 1, arbitrary: anyJson(4) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)) },
  );
};

const emitArb = (): fc.Arbitrary<Emit> =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...events) }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('connect', 'disconnect', 'error', '__proto__', 'constructor', 'x'.repeat(5000))) })
    .chain((event) => fc.record({ event: fc.constant(event), args: fc.array(payloadFor(event), { minLength: 0, maxLength: 3 }), withAck: fc.boolean() }))
    .map((e) => {
      // fast-check prints this in a failure report instead of 200 kB of filler.
      Object.defineProperty(e, fc.toStringMethod, { value: () => describeEmit({ kind: 'anonymous' }, e), enumerable: false });
      return e;
    });

const callerArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ROLES).map((role) => ({ kind: 'role', role }) as Caller) },
  { weight: 1, arbitrary: fc.constantFrom<Caller>({ kind: 'anonymous' }, { kind: 'bad-token' }, { kind: 'expired' }) },
);

const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

const describeEmit = (c: Caller, e: Emit) =>
  `${c.kind === 'role' ? c.role : c.kind} emits "${e.event.slice(0, 40)}" ${JSON.stringify(e.args, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v))?.slice(0, 300)}${e.withAck ? ' with ack' : ''}`;

/** Registers the Socket.IO fuzz tests against the edge `fuzzEdge()` returns (started by the test file). */
export function describeSocketFuzz(fuzzEdge: () => FuzzEdge): void {
  describe(`Socket.IO events under fuzz (${seedNote})`, () => {
    beforeAll(async () => {
      await fuzzEdge().refreshTokens(); // the REST half may have logged some out
      ({ edge, tokens, expired } = fuzzEdge());
      ({ events, source: eventSource } = await discoverEvents());
      state = await baseline(edge);
    }, 60_000);
    afterAll(() => findings.report(seedNote));

    it('finds the events the live server declares', () => {
      expect(events, eventSource).toEqual(expect.arrayContaining(['join', 'command']));
    });

    it('answers every event within bounds, grants nothing above the caller\'s role, and the invariants hold after each batch', async () => {
      await fc.assert(
        fc.asyncProperty(callerArb, fc.array(emitArb(), { minLength: 1, maxLength: 10 }), async (caller, batch) => {
          const s = open(caller);
          const outcome = await connected(s);
          if (caller.kind !== 'role' && outcome === 'connected') findings.add(`connect ${caller.kind}`, `${caller.kind} caller was let in to the live feed`);
          if (caller.kind === 'role' && outcome === 'refused') findings.add(`refused ${caller.role}`, `${caller.role} with a valid token was refused`);
          if (outcome === 'connected') {
            for (const e of batch) {
              if (!s.connected) break; // a too-large message closes that client only, by design
              if (RESERVED.has(e.event)) continue; // socket.io-client throws rather than send these names: nothing reaches the server
              const acked = e.withAck && events.includes(e.event)
                ? await new Promise<unknown>((resolve) => {
                  const timer = setTimeout(() => resolve(Symbol.for('timeout')), ACK_MS);
                  s.emit(e.event, ...e.args, (answer: unknown) => { clearTimeout(timer); resolve(answer); });
                  s.once('disconnect', () => { clearTimeout(timer); resolve(Symbol.for('closed')); });
                })
                : (s.emit(e.event, ...e.args), undefined);
              if (edge.death()) {
                findings.add('death', `${describeEmit(caller, e)} → the edge died: ${edge.death()}`);
                throw new Error(edge.death()!);
              }
              if (acked === Symbol.for('timeout')) findings.add(`no-ack ${e.event}`, `${describeEmit(caller, e)} → no acknowledgement within ${ACK_MS} ms`);
              const answer = acked as { ok?: boolean; status?: number } | undefined;
              if (answer && typeof answer === 'object' && typeof answer.status === 'number' && answer.status >= 500 && answer.status !== 502 && answer.status !== 503) {
                findings.add(`${answer.status} ${e.event}`, `${describeEmit(caller, e)} → ${JSON.stringify(answer).slice(0, 200)}`);
              }
              // A command carried out for a role below its minimum is a leak.
              const raw = (e.args[0] as { kind?: unknown } | null | undefined)?.kind;
              const kind = typeof raw === 'string' && Object.hasOwn(COMMAND_MIN_ROLE, raw) ? (raw as CommandKind) : undefined;
              if (e.event === 'command' && answer?.ok === true && caller.kind === 'role' && kind && ROLES.indexOf(caller.role) < ROLES.indexOf(COMMAND_MIN_ROLE[kind])) {
                findings.add(`leak command ${kind}`, `${describeEmit(caller, e)} → carried out, but ${kind} needs ${COMMAND_MIN_ROLE[kind]}`);
              }
            }
          }
          s.disconnect();
          for (const p of await invariantProblems(edge, state)) findings.add(`invariant ${p.slice(0, 40)}`, `after ${describeEmit(caller, batch.at(-1)!)}: ${p}`);
          if (edge.death()) throw new Error(edge.death()!);
        }),
        fuzzParameters(25, 0.4),
      );
      expect(findings.list()).toEqual([]);
    }, fuzzTimeout(60_000, 0.4));
  });
}
