// What changed between the running plant file and a new one, and so how it can be applied:
// positions and the floor (`layout`) are only drawn by the twin and can be swapped live; anything
// else reaches connectors, the model and every module built from the plant.
import type { PlantConfig } from '../../shared/plant-schema.js';

export interface PlantChanges {
  /** Nothing but machine positions and the `layout:` section differ. */
  layoutOnly: boolean;
  unchanged: boolean;
  machines: { added: string[]; removed: string[]; changed: string[]; moved: string[] };
  devices: { added: string[]; removed: string[]; changed: string[] };
  /** Top-level sections other than machines, devices and layout that differ (calendar, alarms…). */
  sections: string[];
}

const json = (v: unknown) => JSON.stringify(v ?? null);

function byId<T extends { id: string }>(before: readonly T[], after: readonly T[], same: (a: T, b: T) => boolean) {
  const old = new Map(before.map((x) => [x.id, x]));
  const now = new Map(after.map((x) => [x.id, x]));
  return {
    added: after.filter((x) => !old.has(x.id)).map((x) => x.id),
    removed: before.filter((x) => !now.has(x.id)).map((x) => x.id),
    changed: after.filter((x) => old.has(x.id) && !same(old.get(x.id)!, x)).map((x) => x.id),
  };
}

export function planChanges(before: PlantConfig, after: PlantConfig): PlantChanges {
  const withoutLayout = (m: PlantConfig['machines'][number]) => json({ ...m, layout: undefined });
  const machines = byId(before.machines, after.machines, (a, b) => withoutLayout(a) === withoutLayout(b));
  const moved = after.machines
    .filter((m) => { const old = before.machines.find((o) => o.id === m.id); return old && json(old.layout) !== json(m.layout); })
    .map((m) => m.id);
  const devices = byId(before.devices, after.devices, (a, b) => json(a) === json(b));
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const sections = [...keys].filter((k) => !['machines', 'devices', 'layout'].includes(k) && json(before[k as keyof PlantConfig]) !== json(after[k as keyof PlantConfig]));
  // Machine order matters to the model and the views: a reordering is not layout-only.
  const order = json(before.machines.map((m) => m.id)) === json(after.machines.map((m) => m.id));
  const structural = machines.added.length + machines.removed.length + machines.changed.length
    + devices.added.length + devices.removed.length + devices.changed.length + sections.length > 0 || !order;
  const layoutChanged = moved.length > 0 || json(before.layout) !== json(after.layout);
  return {
    layoutOnly: !structural && layoutChanged,
    unchanged: !structural && !layoutChanged,
    machines: { ...machines, moved },
    devices,
    sections,
  };
}

/** One line for the log and the audit trail. */
export function describeChanges(c: PlantChanges): string {
  if (c.unchanged) return 'no change';
  const parts: string[] = [];
  const list = (label: string, ids: string[]) => { if (ids.length) parts.push(`${label} ${ids.join(', ')}`); };
  list('machines added:', c.machines.added);
  list('machines removed:', c.machines.removed);
  list('machines changed:', c.machines.changed);
  list('machines moved:', c.machines.moved);
  list('devices added:', c.devices.added);
  list('devices removed:', c.devices.removed);
  list('devices changed:', c.devices.changed);
  list('sections changed:', c.sections);
  return parts.join('; ') || 'floor layout changed';
}
