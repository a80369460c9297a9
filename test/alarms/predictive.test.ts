// Predictive early warning on a seeded simulator run (the line model stepped without
// sockets, bench/alarms-sim-feed.ts): the anomaly alarm must be raised before every wear
// breakdown of the mill's spindle bearing, long before it, and never without a drift.
// `npm run bench -- alarms` runs the same over more seeds and days.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { runPredictive, wearMachines } from '../../bench/alarms.js';

describe('predictive early warning on the simulator', () => {
  it('warns of every wear breakdown hours ahead, without false alarms (seed 7, 1.25 simulated days, every wearing machine)', () => {
    const plant = loadPlantFile('config/demo-plant.yaml');
    const r = runPredictive({ seed: 7, days: 1.25, plant, machineIds: wearMachines(plant) });
    for (const m of r.machines) {
      console.log(
        `predictive ${m.machineId}: ${m.wearBreakdowns} wear breakdowns, detected ${m.detected}, lead time [${m.leadMinutes.map((x) => x.toFixed(0)).join(', ')}] min ` +
        `of drift [${m.driftMinutes.map((x) => x.toFixed(0)).join(', ')}] min; false alarms ${m.falseAlarms} in ${m.runningHours.toFixed(1)} h running`,
      );
      expect(m.wearBreakdowns, m.machineId).toBeGreaterThanOrEqual(1);
    }
    expect(r.machines.map((m) => m.machineId)).toEqual(['loader', 'mill', 'inspection', 'packer']);
    expect(r.detected).toBe(r.wearBreakdowns);
    // The drift lasts hours; the alarm must come within its first hour.
    r.leadMinutes.forEach((lead, i) => expect(lead).toBeGreaterThan(r.driftMinutes[i]! - 60));
    expect(Math.min(...r.leadMinutes)).toBeGreaterThan(120);
    expect(r.falseAlarms).toBe(0);
  }, 120_000);
});
