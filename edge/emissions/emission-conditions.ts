// What the plant must act on before the regulator asks, judged from the closed records: an hour
// whose average (converted for flue gas) is over its limit, a day's mass over the permit, an
// analyser not calibrated for longer than the outlet allows, and lost data (minutes flagged B).
// Pure: records and the clock in, the standing conditions out. The module logs each as it starts
// and shows them in GET /api/emissions; the ISA-18.2 alarm engine's own rules watch the raw
// analyser tags (docs/emissions.md).
import type { OutletConfig } from '../../shared/emission-schema.js';
import type { EmissionRecord } from './emission-store.js';

export type ConditionKind = 'hour-over-limit' | 'day-over-limit' | 'daily-permit-exceeded' | 'calibration-overdue' | 'data-loss';

export interface EmissionCondition {
  kind: ConditionKind;
  outlet: string;
  code: string | null;
  since: number;
  value: number | null;
  limit: number | null;
  en: string;
  zh: string;
}

/** Minutes flagged B in a row before lost data is a condition. */
export const DATA_LOSS_MINUTES = 5;

export class ConditionTracker {
  private readonly standing = new Map<string, EmissionCondition>();
  private readonly lastCalibration = new Map<string, number>();
  private readonly lostMinutes = new Map<string, number>();
  private readonly dayMass = new Map<string, { day: number; kg: number }>();

  constructor(private readonly outlets: readonly OutletConfig[], startedAt: number) {
    // Until a calibration is seen, the module's start counts as the last one.
    for (const o of outlets) this.lastCalibration.set(o.id, startedAt);
  }

  /** Books closed records; returns conditions that started with them. */
  update(records: readonly EmissionRecord[], now: number, dayStartOf: (ts: number) => number): EmissionCondition[] {
    const started: EmissionCondition[] = [];
    const set = (key: string, c: EmissionCondition | null) => {
      if (c && !this.standing.has(key)) {
        this.standing.set(key, c);
        started.push(c);
      } else if (!c) this.standing.delete(key);
    };
    for (const r of records) {
      const outlet = this.outlets.find((o) => o.id === r.outlet);
      const factor = outlet?.factors.find((f) => f.code === r.code);
      if (!outlet || !factor) continue;
      const held = outlet.kind === 'flue-gas' && factor.role === 'pollutant' ? r.zsAvg : r.avg;
      if (r.period === 'minute') {
        if (r.flag === 'C') this.lastCalibration.set(outlet.id, r.start + 60_000);
        const lostKey = `${outlet.id}|${r.code}`;
        const lost = r.flag === 'B' ? (this.lostMinutes.get(lostKey) ?? 0) + 1 : 0;
        this.lostMinutes.set(lostKey, lost);
        set(`loss|${lostKey}`, lost >= DATA_LOSS_MINUTES ? {
          kind: 'data-loss', outlet: outlet.id, code: r.code, since: r.start - (lost - 1) * 60_000, value: lost, limit: DATA_LOSS_MINUTES,
          en: `${outlet.name}: no data from ${factor.name ?? r.code} for ${lost} minutes`, zh: `${outlet.name}：${factor.name ?? r.code} 已 ${lost} 分钟无数据`,
        } : null);
        if (factor.role === 'pollutant' && factor.permit?.dailyKg !== undefined && r.cou !== null) {
          const day = dayStartOf(r.start);
          const acc = this.dayMass.get(lostKey);
          const kg = (acc && acc.day === day ? acc.kg : 0) + r.cou;
          this.dayMass.set(lostKey, { day, kg });
          set(`permit|${lostKey}`, kg > factor.permit.dailyKg ? {
            kind: 'daily-permit-exceeded', outlet: outlet.id, code: r.code, since: r.start, value: kg, limit: factor.permit.dailyKg,
            en: `${outlet.name}: ${factor.name ?? r.code} today ${kg.toFixed(2)} kg, over the permitted ${factor.permit.dailyKg} kg/day`,
            zh: `${outlet.name}：${factor.name ?? r.code} 今日排放 ${kg.toFixed(2)} kg，超过许可量 ${factor.permit.dailyKg} kg/日`,
          } : null);
        }
      }
      for (const period of ['hour', 'day'] as const) {
        const limit = factor.limits?.[period];
        if (r.period !== period || limit === undefined) continue;
        const over = r.flag !== 'C' && held !== null && r.validParts >= (period === 'hour' ? 45 : 20) && held > limit;
        set(`${period}|${outlet.id}|${r.code}`, over ? {
          kind: period === 'hour' ? 'hour-over-limit' : 'day-over-limit', outlet: outlet.id, code: r.code, since: r.start, value: held, limit,
          en: `${outlet.name}: ${factor.name ?? r.code} ${period} average ${held!.toFixed(1)} over the limit ${limit}`,
          zh: `${outlet.name}：${factor.name ?? r.code} ${period === 'hour' ? '小时' : '日'}均值 ${held!.toFixed(1)} 超过限值 ${limit}`,
        } : null);
      }
    }
    for (const o of this.outlets) {
      const last = this.lastCalibration.get(o.id)!;
      const overdue = now - last > o.calibrationOverdueHours * 3_600_000;
      set(`cal|${o.id}`, overdue ? {
        kind: 'calibration-overdue', outlet: o.id, code: null, since: last + o.calibrationOverdueHours * 3_600_000, value: (now - last) / 3_600_000, limit: o.calibrationOverdueHours,
        en: `${o.name}: analysers not calibrated for ${((now - last) / 3_600_000).toFixed(0)} h (at most ${o.calibrationOverdueHours} h)`,
        zh: `${o.name}：分析仪已 ${((now - last) / 3_600_000).toFixed(0)} 小时未校准（最长 ${o.calibrationOverdueHours} 小时）`,
      } : null);
    }
    return started;
  }

  list(): EmissionCondition[] {
    return [...this.standing.values()];
  }
}
