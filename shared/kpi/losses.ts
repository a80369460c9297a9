// The six big losses as a time waterfall, from planned operation time down to fully
// productive time, and the same losses by reason code. Pure and browser-safe.
//
// Categories (Nakajima, "Introduction to TPM", 1988; names as commonly used today):
//   equipment-failure   ← breakdowns (unplanned stops ≥ micro-stop threshold)
//   setup-adjustment    ← setup / changeover time
//   idling-minor-stops  ← micro-stops (< threshold) and idle (starved / blocked)
//   reduced-speed       ← run time − ideal time of the parts made
//   process-defects     ← ideal time of the scrapped parts
//   reduced-yield       ← start-up scrap; 0 here: the PLC tags do not tell start-up
//                         scrap from other scrap, so all scrap is booked as defects
// The waterfall's steps add up: fully productive time / planned busy time = OEE.
import type { KpiOptions } from './oee.js';
import type { PeriodTotals } from './period-totals.js';
import type { TimeBucket } from './time-model.js';

export type LossCategory =
  | 'equipment-failure'
  | 'setup-adjustment'
  | 'idling-minor-stops'
  | 'reduced-speed'
  | 'process-defects'
  | 'reduced-yield';

export const SIX_BIG_LOSSES: readonly LossCategory[] = [
  'equipment-failure', 'setup-adjustment', 'idling-minor-stops', 'reduced-speed', 'process-defects', 'reduced-yield',
];

export type OeeFactor = 'availability' | 'performance' | 'quality';

export interface WaterfallStep {
  step: string;
  /** `total`: a time level; `loss`: time lost between two levels; `excluded`: outside planned busy time. */
  kind: 'total' | 'loss' | 'excluded';
  seconds: number;
  category?: LossCategory;
  factor?: OeeFactor;
}

export interface ReasonLoss {
  /** Six-big-loss category, or `planned` / `no-data` for time outside planned busy time. */
  category: LossCategory | 'planned' | 'no-data';
  bucket: TimeBucket;
  reason: string;
  seconds: number;
  minutes: number;
  events: number;
}

export interface LossReport {
  waterfall: WaterfallStep[];
  /** Seconds lost per category. */
  sixBigLosses: Record<LossCategory, number>;
  /** Largest first. */
  byReason: ReasonLoss[];
}

export function categoryOfBucket(bucket: TimeBucket): ReasonLoss['category'] | null {
  switch (bucket) {
    case 'breakdown': return 'equipment-failure';
    case 'setup': return 'setup-adjustment';
    case 'micro-stop': case 'idle': return 'idling-minor-stops';
    case 'planned-down': return 'planned';
    case 'no-data': return 'no-data';
    case 'production': return null;
  }
}

export function computeLosses(p: PeriodTotals, options: KpiOptions = {}): LossReport {
  const s = (ms: number): number => ms / 1000;
  const t = p.times;
  const microAsPerf = options.microStopsAs === 'performance';
  const pot = s(t.plannedOperationMs);
  const pbt = s(t.plannedOperationMs - t.plannedDownMs - t.noDataMs);
  const micro = s(t.microStopMs);
  const runTime = s(t.productionMs) + (microAsPerf ? micro : 0);
  // Clamped like performance in oee.ts, so the waterfall ends at OEE × PBT exactly.
  const netTime = Math.min(p.idealOutputSeconds, runTime);
  const total = p.counts.total;
  const good = Math.min(p.counts.good, total);
  const fullyProductive = total > 0 ? netTime * (good / total) : netTime;

  const sixBigLosses: Record<LossCategory, number> = {
    'equipment-failure': s(t.breakdownMs),
    'setup-adjustment': s(t.setupMs),
    'idling-minor-stops': micro + s(t.idleMs),
    'reduced-speed': runTime - netTime - (microAsPerf ? micro : 0),
    'process-defects': netTime - fullyProductive,
    'reduced-yield': 0,
  };

  const waterfall: WaterfallStep[] = [
    { step: 'planned operation time', kind: 'total', seconds: pot },
    { step: 'planned down time', kind: 'excluded', seconds: s(t.plannedDownMs) },
    { step: 'no data', kind: 'excluded', seconds: s(t.noDataMs) },
    { step: 'planned busy time', kind: 'total', seconds: pbt },
    { step: 'breakdowns', kind: 'loss', seconds: s(t.breakdownMs), category: 'equipment-failure', factor: 'availability' },
    { step: 'setup and adjustments', kind: 'loss', seconds: s(t.setupMs), category: 'setup-adjustment', factor: 'availability' },
    { step: 'idle (starved / blocked)', kind: 'loss', seconds: s(t.idleMs), category: 'idling-minor-stops', factor: 'availability' },
  ];
  if (!microAsPerf) {
    waterfall.push({ step: 'micro-stops', kind: 'loss', seconds: micro, category: 'idling-minor-stops', factor: 'availability' });
    waterfall.push({ step: 'actual production time', kind: 'total', seconds: runTime });
  } else {
    waterfall.push({ step: 'run time (production + micro-stops)', kind: 'total', seconds: runTime });
    waterfall.push({ step: 'micro-stops', kind: 'loss', seconds: micro, category: 'idling-minor-stops', factor: 'performance' });
  }
  waterfall.push(
    { step: 'reduced speed', kind: 'loss', seconds: sixBigLosses['reduced-speed'], category: 'reduced-speed', factor: 'performance' },
    { step: 'net production time', kind: 'total', seconds: netTime },
    { step: 'process defects (scrap)', kind: 'loss', seconds: sixBigLosses['process-defects'], category: 'process-defects', factor: 'quality' },
    { step: 'reduced yield (start-up scrap)', kind: 'loss', seconds: 0, category: 'reduced-yield', factor: 'quality' },
    { step: 'fully productive time', kind: 'total', seconds: fullyProductive },
  );

  const byReason: ReasonLoss[] = [];
  for (const r of Object.values(p.reasons)) {
    const category = categoryOfBucket(r.bucket);
    if (!category) continue;
    byReason.push({ category, bucket: r.bucket, reason: r.reason, seconds: s(r.ms), minutes: r.ms / 60_000, events: r.events });
  }
  byReason.sort((a, b) => b.seconds - a.seconds || a.reason.localeCompare(b.reason));
  return { waterfall, sixBigLosses, byReason };
}
