// What the plant must act on before the regulator asks, judged from the closed records and the
// mass totals: an hour or day whose average (converted for flue gas) is over its limit, today's
// mass over the daily permit, the year's mass approaching or over the annual permit, an analyser
// not calibrated for longer than the outlet allows, and lost data (minutes flagged B). Pure:
// records, totals and the clock in, the standing conditions out. The module logs each as it
// starts, lists them in GET /api/emissions and feeds them to the ISA-18.2 alarm engine as
// derived signals (emission-alarms.ts).
import type { OutletConfig } from '../../shared/emission-schema.js';
import type { EmissionRecord } from './emission-store.js';
import type { MassTotal } from './emission-totals.js';
import { isValidFlag } from '../../shared/emissions/index.js';

export type ConditionKind = 'hour-over-limit' | 'day-over-limit' | 'daily-permit-exceeded' | 'annual-permit-approaching' | 'annual-permit-exceeded' | 'calibration-overdue' | 'data-loss';

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

  /** `lastCalibrated`: the end of each outlet's last calibration found in the stored records; otherwise the module's start counts as the last one. */
  constructor(private readonly outlets: readonly OutletConfig[], startedAt: number, lastCalibrated: ReadonlyMap<string, number> = new Map()) {
    for (const o of outlets) this.lastCalibration.set(o.id, lastCalibrated.get(o.id) ?? startedAt);
  }

  /** Books closed records and the latest totals (null: unchanged); returns conditions that started with them. */
  update(records: readonly EmissionRecord[], now: number, totals: readonly MassTotal[] | null = null): EmissionCondition[] {
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
        if (isValidFlag(r.flag)) set(`gap|${outlet.id}`, null);
        const lostKey = `${outlet.id}|${r.code}`;
        const lost = r.flag === 'B' ? (this.lostMinutes.get(lostKey) ?? 0) + 1 : 0;
        this.lostMinutes.set(lostKey, lost);
        set(`loss|${lostKey}`, lost >= DATA_LOSS_MINUTES ? {
          kind: 'data-loss', outlet: outlet.id, code: r.code, since: r.start - (lost - 1) * 60_000, value: lost, limit: DATA_LOSS_MINUTES,
          en: `${outlet.name}: no data from ${factor.name ?? r.code} for ${lost} minutes`, zh: `${outlet.name}：${factor.name ?? r.code} 已 ${lost} 分钟无数据`,
        } : null);
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
    for (const t of totals ?? []) {
      const outlet = this.outlets.find((o) => o.id === t.outlet);
      const name = outlet?.factors.find((f) => f.code === t.code)?.name ?? t.code;
      const key = `${t.outlet}|${t.code}`;
      if (!outlet) continue;
      set(`permit|${key}`, t.daily === 'exceeded' ? {
        kind: 'daily-permit-exceeded', outlet: t.outlet, code: t.code, since: now, value: t.todayKg, limit: t.permitDailyKg,
        en: `${outlet.name}: ${name} today ${t.todayKg.toFixed(2)} kg, over the permitted ${t.permitDailyKg} kg/day`,
        zh: `${outlet.name}：${name} 今日排放 ${t.todayKg.toFixed(2)} kg，超过许可量 ${t.permitDailyKg} kg/日`,
      } : null);
      // Approaching and exceeded are one condition that changes kind: the standing one is replaced.
      const annualKind = t.annual === 'exceeded' ? 'annual-permit-exceeded' : t.annual === 'approaching' ? 'annual-permit-approaching' : null;
      if (this.standing.get(`annual|${key}`)?.kind !== annualKind) set(`annual|${key}`, null);
      set(`annual|${key}`, annualKind ? {
        kind: annualKind, outlet: t.outlet, code: t.code, since: now, value: t.yearKg, limit: t.permitAnnualKg,
        en: `${outlet.name}: ${name} this year ${t.yearKg.toFixed(1)} kg, ${annualKind === 'annual-permit-exceeded' ? 'over' : 'approaching'} the permitted ${t.permitAnnualKg} kg/year`,
        zh: `${outlet.name}：${name} 本年累计排放 ${t.yearKg.toFixed(1)} kg，${annualKind === 'annual-permit-exceeded' ? '超过' : '接近'}年许可排放量 ${t.permitAnnualKg} kg`,
      } : null);
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

  /**
   * Minutes with no record at all (the edge itself was not running): lost data as much as minutes
   * flagged B. Stands until the outlet's next valid minute.
   */
  gap(outletId: string, from: number, to: number): EmissionCondition | null {
    const outlet = this.outlets.find((o) => o.id === outletId);
    const minutes = Math.floor((to - from) / 60_000);
    if (!outlet || minutes < DATA_LOSS_MINUTES) return null;
    const c: EmissionCondition = {
      kind: 'data-loss', outlet: outletId, code: null, since: from, value: minutes, limit: DATA_LOSS_MINUTES,
      en: `${outlet.name}: ${minutes} minutes not recorded (the acquisition unit was not running)`,
      zh: `${outlet.name}：${minutes} 分钟数据缺失（数采仪未运行）`,
    };
    this.standing.set(`gap|${outletId}`, c);
    return c;
  }

  list(): EmissionCondition[] {
    return [...this.standing.values()];
  }
}
