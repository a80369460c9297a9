// The plant file's optional `layout:` section: what the floor looks like around the machines —
// the grid the layout editor snaps to, a floor-plan image laid on the ground at a known scale,
// named areas (zones) and the conveyors between machines. Each machine's own position stays in
// its `machines[].layout` (x, z, rotationDeg). Browser-safe (no Node imports).
import { z } from 'zod';

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "-" or "_", starting with a letter');
const metres = z.number().min(-10_000).max(10_000);

/** A floor-plan file in the plant file's `floor-plans/` folder (written by the layout editor, or put there by hand). */
export const FLOOR_PLAN_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}\.(png|jpe?g)$/;

export const FloorPlanSchema = z.strictObject({
  /** File name under `floor-plans/` next to the plant file, e.g. `hall-2.png`. */
  image: z.string().regex(FLOOR_PLAN_FILE, 'name a .png or .jpg file in the floor-plans/ folder next to the plant file, e.g. hall-2.png'),
  /** The drawing's scale: how many metres of floor one image pixel covers. */
  metresPerPixel: z.number().positive().max(10),
  /** Where the image's top-left corner lies on the floor (metres). */
  origin: z.strictObject({ x: metres, z: metres }).default({ x: 0, z: 0 }),
});
export type FloorPlan = z.infer<typeof FloorPlanSchema>;

export const AreaSchema = z.strictObject({
  id: identifier,
  name: z.string().min(1).max(80),
  /** The area's rectangle on the floor: its top-left corner (metres) and size. */
  x: metres,
  z: metres,
  width: z.number().positive().max(10_000),
  depth: z.number().positive().max(10_000),
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #3a7bd5').optional(),
});
export type Area = z.infer<typeof AreaSchema>;

/** A conveyor drawn between two machines (parts travel from → to). */
export const ConveyorLinkSchema = z.strictObject({ from: identifier, to: identifier });
export type ConveyorLink = z.infer<typeof ConveyorLinkSchema>;

export const FloorLayoutSchema = z.strictObject({
  /** The editor's snap grid in metres. */
  gridMetres: z.number().positive().max(10).default(0.5),
  floorPlan: FloorPlanSchema.optional(),
  areas: z.array(AreaSchema).max(200).default([]),
  conveyors: z.array(ConveyorLinkSchema).max(1000).default([]),
});
export type FloorLayout = z.infer<typeof FloorLayoutSchema>;

/** Cross-checks against the machines: conveyors join existing machines, area ids are unique. */
export function checkFloorLayout(layout: FloorLayout, machineIds: readonly string[], issue: (path: (string | number)[], message: string) => void): void {
  const known = new Set(machineIds);
  const areas = new Set<string>();
  layout.areas.forEach((a, i) => {
    if (areas.has(a.id)) issue(['areas', i, 'id'], `duplicate area id "${a.id}"`);
    areas.add(a.id);
  });
  layout.conveyors.forEach((c, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!known.has(c[end])) issue(['conveyors', i, end], `no machine "${c[end]}" in machines: a conveyor joins two machines of this plant`);
    }
    if (c.from === c.to) issue(['conveyors', i, 'to'], 'a conveyor joins two different machines');
  });
}
