// The batch the edge's main thread hands the OPC UA server's worker each tick
// (edge/opcua-server/worker-protocol.ts): every value kind and quality arrives as sent, in order,
// across a real structured clone with the buffers transferred.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTagBatchWriter, readTagBatch, transferablesOf, type TagBatch } from '../../edge/opcua-server/worker-protocol.js';
import type { Quality, TagValue } from '../../shared/live-protocol.js';

type Change = [number, TagValue, Quality, number];

describe('the OPC UA server\'s tag batches', () => {
  it('carry numbers, booleans, strings and null with their quality and time, in order, through postMessage', () => {
    const sent: Change[] = [
      [0, 21.5, 'good', 1_000.5], [3, true, 'good', 1_001], [3, false, 'uncertain', 1_002], [7, 'Recipe B', 'good', 1_003],
      [2, null, 'bad', 1_004], [7, '', 'good', 1_005], [1, -0.125, 'bad', 1_006], [9, Number.MAX_SAFE_INTEGER, 'good', 1_007],
    ];
    // A small start capacity, so the writer has to grow on the way.
    const writer = createTagBatchWriter(2);
    for (const c of sent) writer.add(...c);
    const batch = writer.take();
    expect(writer.length).toBe(0);

    const { port1, port2 } = new MessageChannel();
    port1.postMessage(batch, transferablesOf(batch));
    const received = receiveMessageOnPort(port2)!.message as TagBatch;
    port1.close();
    // Transferred, not copied: the sender's arrays are detached.
    expect(batch.number.byteLength).toBe(0);
    const got: Change[] = [];
    readTagBatch(received, (...c) => got.push(c));
    expect(got).toEqual(sent);
  });

  it('starts afresh after take(): the next batch holds only what came after', () => {
    const writer = createTagBatchWriter();
    writer.add(1, 'a', 'good', 1);
    writer.take();
    writer.add(2, 'b', 'good', 2);
    const got: Change[] = [];
    readTagBatch(writer.take(), (...c) => got.push(c));
    expect(got).toEqual([[2, 'b', 'good', 2]]);
  });
});
