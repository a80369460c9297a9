// Fuzzes what an OPC UA client sends the edge's HistoryRead (edge/opcua-server/history-read.ts):
// random time ranges (forwards, backwards, open-ended), page sizes, continuation points made up
// or replayed, released or reused, on one tag or another. Whatever comes in, the answer is one of
// the statuses Part 11 allows; paging with the points handed out gives exactly the history in the
// range, in order, none twice; and a session never holds more than its ten points.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadRawModifiedDetails, StatusCodes, type HistoryData, type HistoryReadResult } from 'node-opcua';
import { ContinuationPoints, MAX_CONTINUATION_POINTS, answerHistoryRead, type RawHistory } from '../../edge/opcua-server/history-read.js';
import type { RawPoint } from '../../shared/history-api.js';
import { fuzzParameters, seedNote } from './support/fuzz-settings.js';

const T0 = Date.parse('2026-12-02T08:00:00Z');

/** A historian stand-in holding `points` of tag `t` (unique, sorted timestamps), answering as HistoryQueries.raw does. */
function fakeHistory(points: RawPoint[]): RawHistory {
  return async (tagId, from, to, limit) => (tagId === 't' ? points.filter((p) => p.ts >= from && p.ts < to).slice(0, limit) : []);
}

const history = fc.uniqueArray(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 })
  .map((offsets) => offsets.sort((a, b) => a - b).map((o): RawPoint => ({ ts: T0 + o, value: o / 10, quality: 'good' })));
const time = fc.oneof(fc.constant(null), fc.integer({ min: -500, max: 5_500 }).map((o) => new Date(T0 + o)));

const ALLOWED = new Set(['Good', 'BadContinuationPointInvalid', 'BadInvalidTimestampArgument', 'BadHistoryOperationUnsupported']);
const timesOf = (r: HistoryReadResult) => ((r.historyData as HistoryData).dataValues ?? []).map((v) => v.sourceTimestamp!.getTime());

describe(`OPC UA HistoryRead paging under hostile requests (${seedNote})`, () => {
  it('pages give exactly the range\'s history in order, once; any other request gets a Part 11 status', async () => {
    await fc.assert(fc.asyncProperty(
      history, time, time, fc.integer({ min: 0, max: 40 }),
      fc.array(fc.oneof(
        fc.record({ kind: fc.constant('made-up' as const), bytes: fc.uint8Array({ maxLength: 40 }), release: fc.boolean(), tag: fc.constantFrom('t', 'u') }),
        fc.record({ kind: fc.constant('replay' as const), release: fc.boolean() }),
      ), { maxLength: 5 }),
      async (points, startTime, endTime, numValuesPerNode, noise) => {
        const raw = fakeHistory(points);
        const session = new ContinuationPoints();
        const details = new ReadRawModifiedDetails({ startTime, endTime, numValuesPerNode, returnBounds: false });
        const now = () => T0 + 10_000;
        const read = (continuationPoint: Buffer | null, release = false, tag = 't') =>
          answerHistoryRead(raw, tag, 'float64', details, { continuationPoint, release, points: session }, now);

        const first = await read(null);
        expect(ALLOWED.has(first.statusCode.name)).toBe(true);
        if (first.statusCode !== StatusCodes.Good) {
          expect(startTime === null && endTime === null).toBe(true);
          return;
        }
        const start = startTime?.getTime();
        const end = endTime?.getTime();
        const from = Math.min(start ?? 0, end ?? now());
        const to = Math.max(start ?? 0, end ?? now());
        const reversed = start !== undefined && end !== undefined && start > end;
        const expected = points.filter((p) => p.ts >= from && p.ts < to).map((p) => p.ts);
        if (reversed) expected.reverse();

        const pages = [timesOf(first)];
        const used: Buffer[] = [];
        let point = first.continuationPoint?.length ? first.continuationPoint : null;
        let noiseAt = 0;
        while (point) {
          // Between pages: made-up points and replays of spent ones are refused, and do not disturb the real one.
          const n = noise[noiseAt++];
          if (n?.kind === 'made-up') {
            const r = await read(Buffer.from(n.bytes), n.release, n.tag);
            expect(ALLOWED.has(r.statusCode.name)).toBe(true);
            if (n.bytes.length > 0) expect(r.statusCode.name).toBe('BadContinuationPointInvalid');
          } else if (n?.kind === 'replay' && used.length) {
            expect((await read(used[used.length - 1]!, n.release)).statusCode.name).toBe('BadContinuationPointInvalid');
          }
          const r = await read(point);
          expect(r.statusCode.name).toBe('Good');
          used.push(point);
          pages.push(timesOf(r));
          point = r.continuationPoint?.length ? r.continuationPoint : null;
          // Paging always moves on: never more pages than samples (plus the empty last one).
          expect(pages.length).toBeLessThanOrEqual(points.length + 1);
          expect(session.size).toBeLessThanOrEqual(MAX_CONTINUATION_POINTS);
        }
        const limit = numValuesPerNode > 0 ? numValuesPerNode : 10_000;
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
        expect(pages.flat()).toEqual(expected);
      },
    ), fuzzParameters(150));
  });

  it('a session holds at most ten continuation points; the oldest lapse', async () => {
    const points = Array.from({ length: 50 }, (_, i): RawPoint => ({ ts: T0 + i, value: i, quality: 'good' }));
    const session = new ContinuationPoints();
    const details = new ReadRawModifiedDetails({ startTime: new Date(T0), endTime: new Date(T0 + 50), numValuesPerNode: 1, returnBounds: false });
    const handed: Buffer[] = [];
    for (let i = 0; i < MAX_CONTINUATION_POINTS + 3; i++) {
      handed.push((await answerHistoryRead(fakeHistory(points), 't', 'float64', details, { continuationPoint: null, release: false, points: session })).continuationPoint!);
    }
    expect(session.size).toBe(MAX_CONTINUATION_POINTS);
    const oldest = await answerHistoryRead(fakeHistory(points), 't', 'float64', details, { continuationPoint: handed[0]!, release: false, points: session });
    expect(oldest.statusCode.name).toBe('BadContinuationPointInvalid');
    const newest = await answerHistoryRead(fakeHistory(points), 't', 'float64', details, { continuationPoint: handed[handed.length - 1]!, release: false, points: session });
    expect(timesOf(newest)).toEqual([T0 + 1]);
  });
});
