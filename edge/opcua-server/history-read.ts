// HistoryRead (Part 11) on the tag variables, from the historian: raw values, and processed
// Average/Minimum/Maximum per interval (history-aggregates.ts). Bounded: at most 10,000 raw values
// per node and call, and processed reads refuse windows holding more than 200,000 raw samples.
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

/** What HistoryRead needs of the historian (edge/store HistoryQueries). */
export interface TagHistory {
  raw(tag: string, from: number, to: number, limit?: number): RawPoint[];
  /** Commits what the historian has queued, so a read sees everything recorded until now. */
  catchUp(): void;
}

const AGGREGATES = new Map<number, AggregateKind>([
  [ObjectIds.AggregateFunction_Average, 'average'],
  [ObjectIds.AggregateFunction_Minimum, 'minimum'],
  [ObjectIds.AggregateFunction_Maximum, 'maximum'],
]);

const UA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean, int16: DataType.Int16, uint16: DataType.UInt16, int32: DataType.Int32, uint32: DataType.UInt32,
  float32: DataType.Float, float64: DataType.Double, string: DataType.String,
};

/** Part 11 leaves a time unspecified with DateTime.MinValue; node-opcua gives it as year 1601 or null. */
function timeOf(d: Date | null | undefined): number | undefined {
  const t = d?.getTime();
  return t === undefined || Number.isNaN(t) || t <= 0 ? undefined : t;
}

const result = (statusCode: typeof StatusCodes.Good, dataValues: DataValue[] = []) =>
  new HistoryReadResult({ statusCode, historyData: new HistoryData({ dataValues }) });

export function answerHistoryRead(history: TagHistory, tagId: string, type: TagDataType, details: unknown, now = Date.now): HistoryReadResult {
  if (details instanceof ReadRawModifiedDetails) {
    if (details.isReadModified) return result(StatusCodes.BadHistoryOperationUnsupported);
    const start = timeOf(details.startTime);
    const end = timeOf(details.endTime);
    if (start === undefined && end === undefined) return result(StatusCodes.BadInvalidTimestampArgument);
    const limit = Math.min(details.numValuesPerNode > 0 ? details.numValuesPerNode : MAX_RAW_VALUES, MAX_RAW_VALUES);
    const from = Math.min(start ?? 0, end ?? now());
    const to = Math.max(start ?? 0, end ?? now());
    history.catchUp();
    const reversed = start !== undefined && end !== undefined && start > end;
    const points = history.raw(tagId, from, to, reversed ? MAX_PROCESSED_INPUT : limit);
    const chosen = reversed ? points.slice(-limit).reverse() : points;
    const dataType = UA_TYPES[type];
    return result(StatusCodes.Good, chosen.map((p) => new DataValue({
      value: p.value === null ? new Variant({ dataType: DataType.Null }) : new Variant({ dataType, value: p.value }),
      statusCode: StatusCodes[QUALITY_STATUS[p.quality]],
      sourceTimestamp: new Date(p.ts),
      serverTimestamp: new Date(p.ts),
    })));
  }
  if (details instanceof ReadProcessedDetails) {
    const aggregate = details.aggregateType?.[0];
    const kind = aggregate && aggregate.namespace === 0 ? AGGREGATES.get(Number(aggregate.value)) : undefined;
    if (!kind) return result(StatusCodes.BadAggregateNotSupported);
    if (type === 'string' || type === 'bool') return result(StatusCodes.BadAggregateNotSupported);
    const start = timeOf(details.startTime);
    const end = timeOf(details.endTime);
    if (start === undefined || end === undefined || end <= start) return result(StatusCodes.BadInvalidTimestampArgument);
    const interval = details.processingInterval > 0 ? details.processingInterval : end - start;
    history.catchUp();
    const points = history.raw(tagId, start, end, MAX_PROCESSED_INPUT + 1);
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

/** Answers HistoryRead on `variable` from the historian. */
export function installHistoryRead(variable: UAVariable, tagId: string, type: TagDataType, history: TagHistory, log: (m: string) => void): void {
  // node-opcua calls it promise-style (the server) or with a callback (its own helpers): serve both.
  variable.historyRead = ((_context: unknown, details: unknown, _indexRange: unknown, _encoding: unknown, _continuation: unknown, callback?: (err: Error | null, r?: HistoryReadResult) => void) => {
    let answer: HistoryReadResult;
    try {
      answer = answerHistoryRead(history, tagId, type, details);
    } catch (err) {
      log(`history read of ${tagId} failed: ${(err as Error).message}`);
      answer = result(StatusCodes.BadInternalError);
    }
    if (typeof callback === 'function') callback(null, answer);
    else return Promise.resolve(answer);
  }) as typeof variable.historyRead;
}
