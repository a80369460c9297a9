// Watches the plant file for changes. The folder is watched, not the file: editors and the layout
// save replace the file by rename, which ends a watch on the old inode. Bursts of events (an
// editor writes, truncates, renames) are debounced; the caller compares content hashes, so a
// touch without a change does nothing.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface PlantWatch {
  close(): void;
}

export function watchPlantFile(file: string, debounceMs: number, onChange: () => void): PlantWatch {
  const name = basename(file);
  let timer: NodeJS.Timeout | null = null;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; onChange(); }, debounceMs);
  });
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
