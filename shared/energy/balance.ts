// Energy balance of a metering tree: what a parent meter measured that its sub-meters did
// not (losses in cables and transformers, unmetered loads). Pure and browser-safe.

export interface BalanceEntry {
  consumption: number;
  childrenConsumption: number;
  unmetered: number;
  /** Share of the parent's consumption not seen by its children, %; null when the parent used nothing. */
  unmeteredPct: number | null;
}

/** One entry per meter that has children, keyed by its id. */
export function meterBalance(meters: ReadonlyArray<{ id: string; parent: string | null; consumption: number }>): Record<string, BalanceEntry> {
  const out: Record<string, BalanceEntry> = {};
  const byId = new Map(meters.map((m) => [m.id, m]));
  for (const m of meters) {
    if (m.parent === null) continue;
    const parent = byId.get(m.parent);
    if (!parent) continue;
    const e = (out[parent.id] ??= { consumption: parent.consumption, childrenConsumption: 0, unmetered: 0, unmeteredPct: null });
    e.childrenConsumption += m.consumption;
  }
  for (const e of Object.values(out)) {
    e.unmetered = e.consumption - e.childrenConsumption;
    e.unmeteredPct = e.consumption > 0 ? (e.unmetered / e.consumption) * 100 : null;
  }
  return out;
}

/**
 * Problems in a metering tree, each naming the meter: unknown parents and cycles.
 * `where(i)` says where meter i is written (e.g. "meters[3].parent").
 */
export function meterTreeProblems(meters: ReadonlyArray<{ id: string; parent?: string | null }>, where: (index: number) => string): string[] {
  const problems: string[] = [];
  const index = new Map<string, number>();
  meters.forEach((m, i) => {
    if (index.has(m.id)) problems.push(`${where(i).replace(/\.parent$/, '.id')}: meter id "${m.id}" is used twice (also at index ${index.get(m.id)}); give every meter its own id`);
    else index.set(m.id, i);
  });
  meters.forEach((m, i) => {
    if (m.parent == null) return;
    if (!index.has(m.parent)) problems.push(`${where(i)}: parent "${m.parent}" is not a meter; use one of ${[...index.keys()].join(', ')} or null`);
  });
  const reported = new Set<string>();
  meters.forEach((m, i) => {
    const seen: string[] = [m.id];
    let p = m.parent;
    while (p != null && index.has(p)) {
      if (p === m.id) {
        const key = [...seen].sort().join('>');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push(`${where(i)}: meters form a cycle ${[...seen, m.id].join(' → ')}; a parent must be nearer the incomer`);
        }
        break;
      }
      if (seen.includes(p)) break; // a cycle not through m: reported from one of its members
      seen.push(p);
      p = meters[index.get(p)!]!.parent;
    }
  });
  return problems;
}
