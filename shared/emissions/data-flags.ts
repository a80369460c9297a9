// Data flags of HJ 212-2017 (数据标记, the table of data flags; the same letters as
// chenqi92/alltobs-hj212 DataFlag.java lists): what state the analyser was in when a value was made.
// Which of them count towards an average is HJ 75-2017's question (data validity): values made
// while the analyser was calibrating, under maintenance, faulty, stopped or cut off are invalid
// and are not averaged; a manual value and a value above the measuring range are kept and marked.

export const DATA_FLAGS = ['N', 'F', 'M', 'S', 'D', 'C', 'T', 'B'] as const;
export type DataFlag = (typeof DATA_FLAGS)[number];

export const DATA_FLAG_MEANING: Record<DataFlag, { en: string; zh: string }> = {
  N: { en: 'analyser normal', zh: '仪器仪表工作正常' },
  F: { en: 'analyser stopped', zh: '仪器仪表停运' },
  M: { en: 'maintenance', zh: '维护期间' },
  S: { en: 'manually entered value', zh: '手工输入的设定值' },
  D: { en: 'analyser fault', zh: '仪器仪表故障' },
  C: { en: 'calibration', zh: '校准状态' },
  T: { en: 'above the measuring range', zh: '超测量上限' },
  B: { en: 'communication with the acquisition unit lost', zh: '与数采仪通讯异常' },
};

const VALID: ReadonlySet<DataFlag> = new Set(['N', 'S', 'T']);

export function isValidFlag(flag: DataFlag): boolean {
  return VALID.has(flag);
}

/**
 * The flag of a period made from flagged parts. A valid period is N unless one of its valid parts
 * was T (an average with an over-range value in it is marked T) or S. An invalid period carries
 * the invalid flag that covered most of it (ties: the first in DATA_FLAGS order after N), so an
 * hour lost to calibration reads C and one lost to a fault reads D.
 */
export function periodFlag(parts: readonly DataFlag[], valid: boolean): DataFlag {
  if (valid) {
    if (parts.includes('T')) return 'T';
    if (parts.includes('S')) return 'S';
    return 'N';
  }
  const counts = new Map<DataFlag, number>();
  for (const f of parts) if (!VALID.has(f)) counts.set(f, (counts.get(f) ?? 0) + 1);
  let best: DataFlag = 'B';
  let most = 0;
  for (const f of DATA_FLAGS) {
    const n = counts.get(f) ?? 0;
    if (n > most) {
      best = f;
      most = n;
    }
  }
  // No invalid part at all but still invalid: too few parts arrived — communication lost.
  return best;
}
