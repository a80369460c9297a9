// Predictive early warning on a seeded simulator run (the line model stepped without
// sockets, bench/alarms-sim-feed.ts): the anomaly alarm must be raised before every wear
// breakdown of the mill's spindle bearing, long before it, and never without a drift.
// `npm run bench -- alarms` runs the same over more seeds and days.
import { describe, expect, it } from 'vitest';
import { runPredictive } from '../../bench/alarms.js';

describe('predictive early warning on the simulator', () => {
  it('warns of every wear breakdown hours ahead, without false alarms (seed 7, 1.5 simulated days)', () => {
    const r = runPredictive({ seed: 7, days: 1.5 });
    console.log(
      `predictive: ${r.wearBreakdowns} wear breakdowns, detected ${r.detected}, lead time [${r.leadMinutes.map((m) => m.toFixed(0)).join(', ')}] min ` +
      `of drift [${r.driftMinutes.map((m) => m.toFixed(0)).join(', ')}] min; false alarms ${r.falseAlarms} in ${r.runningHours.toFixed(1)} h running`,
    );
    expect(r.wearBreakdowns).toBeGreaterThanOrEqual(2);
    expect(r.detected).toBe(r.wearBreakdowns);
    // The drift lasts hours; the alarm must come within its first hour.
    r.leadMinutes.forEach((lead, i) => expect(lead).toBeGreaterThan(r.driftMinutes[i]! - 60));
    expect(Math.min(...r.leadMinutes)).toBeGreaterThan(120);
    expect(r.falseAlarms).toBe(0);
  }, 120_000);
});
