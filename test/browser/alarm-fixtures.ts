// Shared setup of the alarm browser tests: the demo plant with a fast fault alarm and a short
// recorder window, a start time away from the plant's breaks, and a poll-with-timeout.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export const PRE_SECONDS = 20;

/** The demo plant with a fault alarm that reacts in a second and a short recorder window. */
export function writeTestPlant(dir: string): string {
  const doc = parse(readFileSync('config/demo-plant.yaml', 'utf8'));
  doc.alarms = {
    ...doc.alarms,
    recorder: { preSeconds: PRE_SECONDS, postSeconds: 3 },
    rules: [
      ...(doc.alarms?.rules ?? []).filter((r: { id: string }) => r.id !== 'fault'),
      { id: 'fault', kind: 'fault', priority: 'high', onDelaySeconds: 1, excludeCodes: [101], message: '{machine}: fault {code}' },
    ],
  };
  const file = join(dir, 'alarm-plant.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/** Now, unless the plant (Asia/Shanghai) is near a break, whose planned stop would suppress the alarm. */
export function startAwayFromBreaks(now: number): number {
  const local = new Date(now + 8 * 3_600_000);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const nearBreak = [120, 600, 1080].some((b) => minute >= b - 10 && minute <= b + 30);
  return nearBreak ? now + 3_600_000 : now;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
