// What the layout routes need from whoever runs the edge from a plant file (edge/plant-reload):
// the file, and a way to apply it again after a save. Declared here so that this folder does not
// depend on the supervisor that composes it.
import type { z } from 'zod';
import type { ReloadOutcomeSchema } from '../../shared/layout-api.js';

export type ReloadOutcome = z.infer<typeof ReloadOutcomeSchema>;
export type ReloadTrigger = 'watch' | 'layout-save' | 'after-save' | 'manual';

export interface PlantFileHandle {
  /** The plant file's path; floor plans live in `floor-plans/` beside it. */
  path: string;
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome>;
  lastReload(): ReloadOutcome | null;
}
