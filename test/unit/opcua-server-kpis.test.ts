// The OPC UA server's current-shift figures (edge/opcua-server/shift-kpis.ts) and state table,
// against hand-worked examples.
import { describe, expect, it } from 'vitest';
import { lineShiftKpis, machineShiftKpis } from '../../edge/opcua-server/shift-kpis.js';
import { ITEM_STATE, OPERATION_MODE } from '../../edge/opcua-server/machinery-states.js';
import { MACHINE_STATES } from '../../shared/plant-schema.js';

const shift = { name: 'A', start: 0, end: 8 * 3_600_000 };
const snapshot = (total: number, good: number, energyKWh: number) => ({
  shift, oee: { availability: 0.9, performance: 0.8, quality: good / Math.max(total, 1), oee: 0.9 * 0.8 * (good / Math.max(total, 1)) },
  counts: { total, good, scrap: total - good }, energyKWh,
});

describe('current-shift KPIs as the OPC UA server publishes them', () => {
  it('energy per good part: 12 kWh over 40 good parts is 0.3 kWh; none before the first good part', () => {
    expect(machineShiftKpis(snapshot(42, 40, 12))!.energyPerGoodPartKWh).toBeCloseTo(0.3, 12);
    expect(machineShiftKpis(snapshot(3, 0, 1.5))!.energyPerGoodPartKWh).toBeNull();
  });

  it('nothing between shifts (published as Bad, not as zeros)', () => {
    expect(machineShiftKpis({ ...snapshot(0, 0, 0), shift: null })).toBeNull();
    expect(lineShiftKpis(null, snapshot(1, 1, 1))).toBeNull();
  });

  it('the line\'s output is what left its last machine; its energy is the whole line\'s', () => {
    const line = { shift: { name: 'A', date: '2026-12-02', start: 0, end: 1 }, availability: 0.5, performance: 0.6, quality: 0.95, oee: 0.285, energyKWh: 60 };
    const k = lineShiftKpis(line as never, snapshot(100, 95, 10))!;
    expect([k.totalCount, k.goodCount, k.scrapCount]).toEqual([100, 95, 5]);
    expect(k.energyPerGoodPartKWh).toBeCloseTo(60 / 95, 12);
    expect(k.oee).toBe(0.285);
  });

  it('every twinline state has a Machinery state and mode; a down machine is OutOfService, no data is NotAvailable', () => {
    for (const s of MACHINE_STATES) {
      expect(['Executing', 'NotExecuting', 'OutOfService', 'NotAvailable']).toContain(ITEM_STATE[s]);
      expect(['None', 'Maintenance', 'Setup', 'Processing']).toContain(OPERATION_MODE[s]);
    }
    expect([ITEM_STATE.running, ITEM_STATE.down, ITEM_STATE['no-data'], OPERATION_MODE.setup]).toEqual(['Executing', 'OutOfService', 'NotAvailable', 'Setup']);
  });
});
