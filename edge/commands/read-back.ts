// Read-back: after a write, wait until the device reports what was written, as seen through
// the plant model (not a separate read: the value must make the whole trip the live data
// makes). Waiters are checked when the model reports a change on their machine, and give
// up after a time-out.
import { machinesIn } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';

interface Waiter {
  machineId: string;
  check: () => boolean;
  done: (confirmed: boolean) => void;
}

/** A model event sink: the composition root registers it, the command service waits on it. */
export interface ReadBackWatch extends ModelEventSink {
  /** Resolves true when `check` holds (checked at once, then on each change of the machine), false after `timeoutMs`. */
  waitFor(machineId: string, check: () => boolean, timeoutMs: number): Promise<boolean>;
  pending(): number;
  /** Releases every waiter as unconfirmed (edge stopping). */
  close(): void;
}

export function createReadBackWatch(): ReadBackWatch {
  const waiters = new Set<Waiter>();
  return {
    name: 'command read-back',
    waitFor(machineId, check, timeoutMs) {
      if (check()) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const waiter: Waiter = {
          machineId,
          check,
          done: (confirmed) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(confirmed);
          },
        };
        const timer = setTimeout(() => waiter.done(false), timeoutMs);
        waiters.add(waiter);
      });
    },
    onModelEvents(events) {
      if (!waiters.size) return;
      const touched = machinesIn(events);
      for (const w of [...waiters]) if (touched.has(w.machineId) && w.check()) w.done(true);
    },
    pending: () => waiters.size,
    close() {
      for (const w of [...waiters]) w.done(false);
    },
  };
}
