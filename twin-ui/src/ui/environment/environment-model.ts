// What the environment view shows, from the edge's /api/emissions answers: per outlet and factor
// the live measured and converted value against its limit, the last complete hour with its HJ 75
// validity, today's and this year's mass against the permit, and each outlet's worst status.
// Pure, so it is tested without a browser (test/unit/twin-environment.test.ts).

export type EnvStatus = 'ok' | 'warn' | 'over' | 'invalid' | 'none';

export interface ApiFactor { code: string; name: string; unit: string | null; role: string; limits: { minute?: number; hour?: number; day?: number } | null; permit: { dailyKg?: number; annualKg?: number } | null }
export interface ApiSampleFactor { code: string; value: number | null; flag: string; zs: number | null; rate: number | null }
export interface ApiOutlet { id: string; name: string; kind: 'flue-gas' | 'wastewater'; mn: string; referenceO2: number | null; factors: ApiFactor[]; latest: { ts: number; status: string; factors: ApiSampleFactor[] } | null }
export interface ApiPlatform { platform: string; host: string; port: number; edition: string; connected: boolean; backlog: number; lastSentAt: number | null; lastAnswerAt: number | null; lastError: string | null }
/** GET /api/emissions `totals`: mass of each permitted pollutant (edge/emissions/emission-totals.ts). */
export interface ApiTotal { outlet: string; code: string; todayKg: number; yearKg: number; projectedYearKg: number | null; permitDailyKg: number | null; permitAnnualKg: number | null; daily: string; annual: string }
export interface ApiRecord { code: string; start: number; avg: number | null; zsAvg: number | null; cou: number | null; flag: string; validParts: number; expectedParts: number }

export interface FactorRow {
  code: string;
  name: string;
  unit: string;
  measured: number | null;
  /** Converted at the reference O2 (flue-gas pollutants). */
  converted: number | null;
  flag: string;
  /** The limit the live and hourly value is held against (hour, else day). */
  limit: number | null;
  hour: { start: number; value: number | null; valid: boolean; flag: string } | null;
  /** Today so far: the mean of the valid hours (HJ 75 needs 20 of them for a valid day) and how many there are. */
  day: { value: number | null; validHours: number } | null;
  todayKg: number | null;
  permitDailyKg: number | null;
  /** This calendar year so far, and at the pace so far, against the annual permit. */
  yearKg: number | null;
  projectedYearKg: number | null;
  permitAnnualKg: number | null;
  status: EnvStatus;
}

export interface OutletView { id: string; name: string; kind: string; rows: FactorRow[]; worst: EnvStatus }

const RANK: Record<EnvStatus, number> = { none: 0, ok: 1, warn: 2, invalid: 3, over: 4 };
/** A value at this share of its limit is shown amber. */
export const WARN_SHARE = 0.8;

export function worstOf(statuses: readonly EnvStatus[]): EnvStatus {
  return statuses.reduce<EnvStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'none');
}

export function statusOf(value: number | null, limit: number | null, flag: string): EnvStatus {
  if (flag !== 'N' && flag !== 'T' && flag !== 'S') return 'invalid';
  if (value === null) return 'none';
  if (limit === null) return 'ok';
  if (value > limit) return 'over';
  return value >= WARN_SHARE * limit ? 'warn' : 'ok';
}

const PERMIT_STATUS: Record<string, EnvStatus> = { exceeded: 'over', approaching: 'warn', ok: 'ok' };

/** `hours`: today's hour records of the outlet, oldest first; `totals`: the edge's mass totals (today's mass falls back to the hours' sum). */
export function outletView(outlet: ApiOutlet, hours: readonly ApiRecord[], totals: readonly ApiTotal[] = []): OutletView {
  const rows = outlet.factors.map((f): FactorRow => {
    const live = outlet.latest?.factors.find((x) => x.code === f.code) ?? null;
    const limit = f.limits?.hour ?? f.limits?.day ?? null;
    const mine = hours.filter((h) => h.code === f.code);
    const last = mine.at(-1) ?? null;
    const pollutant = f.role === 'pollutant';
    // Flue-gas limits are on converted concentrations; wastewater limits on the measured value.
    const held = live ? (outlet.kind === 'flue-gas' && pollutant ? live.zs : live.value) : null;
    const total = totals.find((t) => t.outlet === outlet.id && t.code === f.code) ?? null;
    const couSum = total ? total.todayKg : mine.reduce<number | null>((s, h) => (h.cou === null ? s : (s ?? 0) + h.cou), null);
    const held_ = (h: ApiRecord) => (outlet.kind === 'flue-gas' && pollutant ? h.zsAvg : h.avg);
    const hourValue = last ? held_(last) : null;
    const validHours = mine.filter((h) => h.validParts >= 45 && held_(h) !== null && ['N', 'T', 'S'].includes(h.flag));
    return {
      code: f.code, name: f.name, unit: f.unit ?? '',
      measured: live?.value ?? null, converted: live?.zs ?? null, flag: live?.flag ?? 'B',
      limit: pollutant ? limit : null,
      hour: last && { start: last.start, value: hourValue, valid: last.validParts >= 45 && hourValue !== null, flag: last.flag },
      day: mine.length ? { value: validHours.length ? validHours.reduce((a, h) => a + held_(h)!, 0) / validHours.length : null, validHours: validHours.length } : null,
      todayKg: pollutant ? couSum : null,
      permitDailyKg: f.permit?.dailyKg ?? null,
      yearKg: pollutant ? total?.yearKg ?? null : null,
      projectedYearKg: pollutant ? total?.projectedYearKg ?? null : null,
      permitAnnualKg: f.permit?.annualKg ?? null,
      status: pollutant
        ? worstOf([statusOf(held, limit, live?.flag ?? 'B'), last ? statusOf(hourValue, limit, last.flag) : 'none',
          couSum !== null && f.permit?.dailyKg !== undefined && couSum > f.permit.dailyKg ? 'over' : 'none',
          total ? PERMIT_STATUS[total.annual] ?? 'none' : 'none'])
        : live ? statusOf(live.value, null, live.flag) : 'none',
    };
  });
  return { id: outlet.id, name: outlet.name, kind: outlet.kind, rows, worst: worstOf(rows.map((r) => r.status)) };
}
