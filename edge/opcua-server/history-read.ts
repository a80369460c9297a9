// HistoryRead (Part 11) on the tag variables, from the historian: raw values, and processed
// Average/Minimum/Maximum per interval (history-aggregates.ts). Bounded: at most 10,000 raw values
// per node and call — more come with a continuation point the client sends back for the next
// page (Part 11 §6.4) — and processed reads refuse windows holding more than 200,000 raw samples.
import { randomBytes } from 'node:crypto';
import {
  DataType, DataValue, HistoryData, HistoryReadResult, ObjectIds, ReadProcessedDetails, ReadRawModifiedDetails, StatusCodes, Variant,
  type UAVariable,
} from 'node-opcua';
import type { RawPoint } from '../../shared/history-api.js';
import type { DataType as TagDataType } from '../../shared/plant-schema.js';
import { QUALITY_STATUS } from './machinery-states.js';
import { processedHistory, type AggregateKind } from './history-aggregates.js';

export const MAX_RAW_VALUES = 10_000;
export const MAX_PROCESSED_INPUT = 200_000;
/** Continuation points a session may hold at once (the server's MaxHistoryContinuationPoints); older ones lapse. */
export const MAX_CONTINUATION_POINTS = 10;

/** The historian's raw samples of a tag in [from, to), oldest first, at most `limit` (everything recorded until now). */
export type RawHistory = (tagId: string, from: number, to: number, limit: number) => Promise<RawPoint[]>;

const AGGREGATES = new Map<number, AggregateKind>([
  [ObjectIds.AggregateFunction_Average, 'average'],
  [ObjectIds.AggregateFunction_Minimum, 'minimum'],
  [ObjectIds.AggregateFunction_Maximum, 'maximum'],
]);

const UA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean, int16: DataType.Int16, uint16: DataType.UInt16, int32: DataType.Int32, uint32: DataType.UInt32,
  float32: DataType.Float, float64: DataType.Double, string: DataType.String,
};

/** Where the next page of a raw read starts: the rest of [from, to), read forwards or backwards. */
interface RawCursor { tagId: string; from: number; to: number; reversed: boolean; limit: number; after?: number }

/**
 * Continuation points of one session, by their opaque bytes. They hold only where to go on, so
 * a point never pins data in memory; the historian's retention may drop what it pointed at.
 */
export class ContinuationPoints {
  private readonly points = new Map<string, RawCursor>();
  add(cursor: RawCursor): Buffer {
    const bytes = randomBytes(16);
    this.points.set(bytes.toString('hex'), cursor);
    // Map keeps insertion order: the oldest lapses first.
    while (this.points.size > MAX_CONTINUATION_POINTS) this.points.delete(this.points.keys().next().value!);
    return bytes;
  }
  /** The cursor, removed: a continuation point is good for one call. */
  take(point: Buffer): RawCursor | undefined {
    const key = point.toString('hex');
    const cursor = this.points.get(key);
    this.points.delete(key);
    return cursor;
  }
  get size() { return this.points.size; }
}

/** Part 11 leaves a time unspecified with DateTime.MinValue; node-opcua gives it as year 1601 or null. */
function timeOf(d: Date | null | undefined): number | undefined {
  const t = d?.getTime();
  return t === undefined || Number.isNaN(t) || t <= 0 ? undefined : t;
}

const result = (statusCode: typeof StatusCodes.Good, dataValues: DataValue[] = [], continuationPoint?: Buffer) =>
  new HistoryReadResult({ statusCode, historyData: new HistoryData({ dataValues }), ...(continuationPoint ? { continuationPoint } : {}) });

/** One page of a raw read and, when more remain, the cursor of the next. */
async function rawPage(raw: RawHistory, c: RawCursor): Promise<{ points: RawPoint[]; next: RawCursor | null }> {
  if (!c.reversed) {
    // Timestamps are unique per tag (the historian replaces a sample at the same instant): the next
    // page starts at the last one's time and leaves that one out.
    const fetched = await raw(c.tagId, c.from, c.to, c.limit + (c.after === undefined ? 1 : 2));
    const points = c.after === undefined ? fetched : fetched.filter((p) => p.ts > c.after!);
    if (points.length <= c.limit) return { points, next: null };
    const page = points.slice(0, c.limit);
    const last = page[page.length - 1]!.ts;
    return { points: page, next: { ...c, from: last, after: last } };
  }
  const points = await raw(c.tagId, c.from, c.to, MAX_PROCESSED_INPUT);
  const page = points.slice(-c.limit).reverse();
  const more = points.length > c.limit || points.length === MAX_PROCESSED_INPUT;
  return { points: page, next: more && page.length ? { ...c, to: page[page.length - 1]!.ts } : null };
}

export interface HistoryReadCall {
  /** The continuation point the client sent back, if any. */
  continuationPoint: Buffer | null;
  /** The client only frees its continuation point (Part 11 §6.4: ReleaseContinuationPoints). */
  release: boolean;
  /** The calling session's continuation points. */
  points: ContinuationPoints;
}

export async function answerHistoryRead(raw: RawHistory, tagId: string, type: TagDataType, details: unknown, call: HistoryReadCall, now = Date.now): Promise<HistoryReadResult> {
  if (details instanceof ReadRawModifiedDetails) {
    if (details.isReadModified) return result(StatusCodes.BadHistoryOperationUnsupported);
    let cursor: RawCursor;
    if (call.continuationPoint?.length) {
      const known = call.points.take(call.continuationPoint);
      if (!known || known.tagId !== tagId) return result(StatusCodes.BadContinuationPointInvalid);
      if (call.release) return result(StatusCodes.Good);
      cursor = known;
    } else {
      if (call.release) return result(StatusCodes.Good);
      const start = timeOf(details.startTime);
      const end = timeOf(details.endTime);
      if (start === undefined && end === undefined) return result(StatusCodes.BadInvalidTimestampArgument);
      const limit = Math.min(details.numValuesPerNode > 0 ? details.numValuesPerNode : MAX_RAW_VALUES, MAX_RAW_VALUES);
      const from = Math.min(start ?? 0, end ?? now());
      const to = Math.max(start ?? 0, end ?? now());
      cursor = { tagId, from, to, reversed: start !== undefined && end !== undefined && start > end, limit };
    }
    const { points, next } = await rawPage(raw, cursor);
    const dataType = UA_TYPES[type];
    return result(StatusCodes.Good, points.map((p) => new DataValue({
      value: p.value === null ? new Variant({ dataType: DataType.Null }) : new Variant({ dataType, value: p.value }),
      statusCode: StatusCodes[QUALITY_STATUS[p.quality]],
      sourceTimestamp: new Date(p.ts),
      serverTimestamp: new Date(p.ts),
    })), next ? call.points.add(next) : undefined);
  }
  if (details instanceof ReadProcessedDetails) {
    // Processed reads are bounded instead of paged: no continuation points of ours to free or follow.
    if (call.continuationPoint?.length) return result(StatusCodes.BadContinuationPointInvalid);
    if (call.release) return result(StatusCodes.Good);
    const aggregate = details.aggregateType?.[0];
    const kind = aggregate && aggregate.namespace === 0 ? AGGREGATES.get(Number(aggregate.value)) : undefined;
    if (!kind) return result(StatusCodes.BadAggregateNotSupported);
    if (type === 'string' || type === 'bool') return result(StatusCodes.BadAggregateNotSupported);
    const start = timeOf(details.startTime);
    const end = timeOf(details.endTime);
    if (start === undefined || end === undefined || end <= start) return result(StatusCodes.BadInvalidTimestampArgument);
    const interval = details.processingInterval > 0 ? details.processingInterval : end - start;
    const points = await raw(tagId, start, end, MAX_PROCESSED_INPUT + 1);
    if (points.length > MAX_PROCESSED_INPUT) return result(StatusCodes.BadTooManyOperations);
    let values;
    try {
      values = processedHistory(points, start, end, interval, kind);
    } catch {
      return result(StatusCodes.BadTooManyOperations);
    }
    return result(StatusCodes.Good, values.map((v) => new DataValue({
      value: v.value === null ? new Variant({ dataType: DataType.Null }) : new Variant({ dataType: DataType.Double, value: v.value }),
      statusCode: StatusCodes[v.status],
      sourceTimestamp: new Date(v.ts),
      serverTimestamp: new Date(v.ts),
    })));
  }
  return result(StatusCodes.BadHistoryOperationUnsupported);
}

/** Answers HistoryRead on `variable` from the historian; `pointsOf` gives the calling session's continuation points. */
export function installHistoryRead(
  variable: UAVariable, tagId: string, type: TagDataType, raw: RawHistory, pointsOf: (session: unknown) => ContinuationPoints, log: (m: string) => void,
): void {
  // node-opcua calls it promise-style (the server) or with a callback (its own helpers): serve both.
  variable.historyRead = ((context: { session?: unknown } | null, details: unknown, _indexRange: unknown, _encoding: unknown,
    continuation: { continuationPoint?: Buffer | null; releaseContinuationPoints?: boolean } | undefined, callback?: (err: Error | null, r?: HistoryReadResult) => void) => {
    const call: HistoryReadCall = {
      continuationPoint: continuation?.continuationPoint ?? null, release: continuation?.releaseContinuationPoints === true, points: pointsOf(context?.session),
    };
    const answer = answerHistoryRead(raw, tagId, type, details, call).catch((err: unknown) => {
      log(`history read of ${tagId} failed: ${(err as Error).message}`);
      return result(StatusCodes.BadInternalError);
    });
    if (typeof callback === 'function') void answer.then((r) => callback(null, r));
    else return answer;
  }) as typeof variable.historyRead;
}
