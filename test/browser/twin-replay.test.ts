// Replay in real Chromium against the real simulator + edge, checked against the historian's
// REST answers: at 60× the scrubber, states, counts and parts move; every state interval of
// the window is in the replay (none lost to the historian's write batches); the inspector shows
// each tag's stored value and quality at the replayed moment with a trend centred on it; alarms
// and stops are marked on the scrubber and a jump lands 2 minutes before one; leaving is live.
import { describe, expect, it } from 'vitest';
import type { CountsAnswer, StateInterval, TagTrend } from '../../shared/history-api.js';
import type { AlarmOccurrence } from '../../shared/alarm-wire.js';
import { tagValue } from '../../twin-ui/src/format.js';
import { ARTIFACTS, pollUntil, twinOnLine } from './twin-on-line.js';

const MACHINES = ['loader', 'mill', 'washer', 'inspection', 'packer'];
/** OPC UA machines: samples carry the device's source timestamp, which can reach the edge after later edge-clock moments. */
const SOURCE_TIMESTAMPED = new Set(['mill', 'inspection']);

describe('replay of the real line from the historian', () => {
  // Replay is in the maintenance and manager views, not the demo visitor's operator view.
  const twin = twinOnLine({ timeScale: 10, seed: 7, login: { username: 'maintenance', password: 'maintenance-demo' } });

  const bar = () => twin.page.locator('[data-testid="replay-bar"]');
  const num = async (attr: string) => Number(await bar().getAttribute(attr));
  const position = () => num('data-position');
  /** GET from the page, with its session. */
  const rest = <T>(path: string) => twin.page.evaluate(async (p) => {
    const res = await fetch(p);
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return res.json();
  }, path) as Promise<T>;
  const labelState = (id: string) => twin.page.locator(`.machine-label[data-machine-id="${id}"]`).getAttribute('data-state');
  const labelParts = async (id: string) => {
    const text = (await twin.page.locator(`.machine-label[data-machine-id="${id}"] .ml-oee`).textContent()) ?? '';
    const m = /(\d+) pcs$/.exec(text);
    if (!m) throw new Error(`label of ${id} shows no part count: "${text}"`);
    return Number(m[1]);
  };
  /** Moves the scrubber to `at` (whole 0.1 s steps from the window start) and waits for the replay to be there. */
  async function scrubTo(at: number): Promise<number> {
    const from = await num('data-from');
    const step = Math.round((at - from) / 100);
    await twin.page.locator('[data-testid="replay-scrubber"]').fill(String(step));
    const target = from + step * 100;
    await twin.page.waitForFunction((t) => Math.abs(Number(document.querySelector<HTMLElement>('[data-testid="replay-bar"]')!.dataset.position) - t) <= 1, target, { timeout: 5000 });
    return target;
  }
  /** Parts the historian has for `id` from where the replay's count starts up to and including `at`. */
  async function historianParts(id: string, at: number): Promise<number> {
    const from = await num('data-from');
    const shift = await twin.page.evaluate((m) => (window.__twin!.machine(m) as { shift: { start: number } | null }).shift, id);
    const origin = shift && (shift.start <= from || shift.start <= at) ? shift.start : from;
    const c = await rest<CountsAnswer>(`api/history/counts/${id}?from=${origin}&to=${at + 1}`);
    return c.deltas.reduce((s, d) => s + d.deltaTotal, 0);
  }

  it('plays the window back at 60×: the scrubber, states, counts and parts move', async () => {
    const { page } = twin;
    // A fault to find: the washer breaks down for a simulated minute (6 s at 10×).
    await pollUntil('the washer running', async () => (await page.evaluate(() => (window.__twin!.machine('washer') as { state: string }).state)) === 'running', 30_000);
    twin.line.sim.inject({ kind: 'breakdown', machine: 'washer', code: 302, minutes: 1 });
    // Some history: closed loader intervals, parts made, the washer's stop, and 100 s of line (states change every few seconds at 10×).
    await pollUntil('history in the historian', async () => {
      const now = await page.evaluate(() => Date.now());
      const s = await rest<{ intervals: StateInterval[] }>(`api/history/states/loader?from=${now - 300_000}`);
      const w = await rest<{ intervals: StateInterval[] }>(`api/history/states/washer?from=${now - 300_000}`);
      const c = await rest<CountsAnswer>(`api/history/counts/loader?from=${now - 300_000}`);
      return s.intervals.filter((i) => i.endTs !== null).length >= 6 && c.deltas.length >= 5 && (s.intervals[0]?.startTs ?? now) < now - 100_000
        && w.intervals.some((i) => i.state === 'down' && i.endTs !== null);
    }, 150_000, 1000);
    await page.locator('[data-testid="replay-toggle"]').click();
    await page.waitForSelector('[data-testid="replay-bar"][data-loaded="true"]', { timeout: 30_000 });
    // The line has run for about two minutes: the 5-minute window holds all of it.
    await page.locator('[data-testid="replay-window"]').selectOption('5');
    await page.waitForSelector('[data-testid="replay-bar"][data-loaded="true"][data-loads="2"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="replay-banner"]').textContent()).toMatch(/^REPLAY/);
    await page.locator('[data-testid="replay-speed"]').selectOption('60');
    await page.waitForSelector('[data-testid="replay-bar"][data-speed="60"]', { state: 'attached', timeout: 5000 });
    // Start two and a half minutes before the end, inside the line's history.
    await scrubTo((await num('data-to')) - 150_000);
    // Live parts drain from the conveyors while the replay stands still…
    await page.waitForFunction(() => window.__twin!.activeParts === 0, undefined, { timeout: 30_000, polling: 100 });
    const start = await position();
    const scrubStart = Number(await page.locator('[data-testid="replay-scrubber"]').inputValue());
    const partsAtStart = await labelParts('loader');
    expect(partsAtStart).toBe(await historianParts('loader', start));
    const statesSeen = new Set<string>();
    let partsSeen = false;
    const trace: string[] = [];
    await page.locator('[data-testid="replay-play"]').click();
    // …and come back as the replayed counts go up, while the loader changes state. One look per
    // round trip; paused well before the end (at the end the play button would start over).
    for (let i = 0; i < 300; i++) {
      const look = await page.evaluate(() => ({
        position: Number(document.querySelector<HTMLElement>('[data-testid="replay-bar"]')!.dataset.position),
        state: document.querySelector<HTMLElement>('.machine-label[data-machine-id="loader"]')!.dataset.state!,
        parts: window.__twin!.activeParts,
      }));
      statesSeen.add(look.state);
      partsSeen ||= look.parts > 0;
      trace.push(`${look.position - start}/${look.state}/${look.parts}`);
      if (partsSeen && look.position >= start + 45_000) break;
      await page.waitForTimeout(50);
    }
    await page.locator('[data-testid="replay-play"]').click();
    expect(await bar().getAttribute('data-playing'), trace.join(' ')).toBe('false');
    expect(partsSeen, 'parts released by the replay').toBe(true);
    // 60×: minutes of history in seconds.
    const paused = await position();
    expect(await bar().getAttribute('data-loads'), 'the replay loaded once per window').toBe('2');
    expect(paused, trace.join(' ')).toBeGreaterThanOrEqual(start + 45_000);
    expect(Number(await page.locator('[data-testid="replay-scrubber"]').inputValue())).toBeGreaterThan(scrubStart);
    expect(statesSeen.size).toBeGreaterThanOrEqual(2);
    const partsPaused = await labelParts('loader');
    expect(partsPaused).toBe(await historianParts('loader', paused));
    expect(partsPaused).toBeGreaterThan(partsAtStart);
    // Paused: the replayed time stays put.
    await page.waitForTimeout(500);
    expect(await position()).toBe(paused);
  }, 240_000);

  it('has every state interval of the window, for every machine, and paints machines from them', async () => {
    const { page } = twin;
    const from = await num('data-from');
    const to = await num('data-to');
    for (const id of MACHINES) {
      const { intervals } = await rest<{ intervals: StateInterval[] }>(`api/history/states/${id}?from=${from}&to=${to}`);
      // What the historian has for the window now (intervals still open when the replay loaded end at its end).
      const expected = intervals
        .map((i) => ({ state: i.state, start: i.startTs, end: Math.min(i.endTs ?? to, to) }))
        .filter((s) => s.end > s.start);
      const shown = await page.$$eval(`[data-testid="replay-lanes"] .replay-lane[data-machine-id="${id}"] .replay-seg`, (segs) => segs.map((s) => {
        const d = (s as HTMLElement).dataset;
        return { state: d.state!, start: Number(d.start), end: Number(d.end) };
      }));
      if (!SOURCE_TIMESTAMPED.has(id)) {
        expect(shown, `${id}: replayed intervals vs the historian`).toEqual(expected);
      } else {
        if (shown.length === 0) {
          expect(expected.length, `${id}: intervals the replay could not have had`).toBeLessThanOrEqual(1);
          continue;
        }
        // All of them too, except that the interval still open when the replay loaded may since
        // have been closed by a sample stamped (by the device) before the window's end.
        expect(shown.slice(0, -1), `${id}: replayed intervals vs the historian`).toEqual(expected.slice(0, shown.length - 1));
        expect(expected[shown.length - 1], `${id}: the interval open at load`).toMatchObject({ state: shown.at(-1)!.state, start: shown.at(-1)!.start });
      }
      if (id === 'loader') expect(expected.filter((s) => s.end < to).length).toBeGreaterThanOrEqual(5);
    }
    // Scrub into loader intervals and read the paint.
    const { intervals } = await rest<{ intervals: StateInterval[] }>(`api/history/states/loader?from=${from}&to=${to}`);
    const long = intervals.filter((i) => i.endTs !== null && i.endTs < to && i.endTs - i.startTs >= 400 && i.startTs > from).slice(-4);
    expect(long.length).toBeGreaterThanOrEqual(2);
    for (const iv of long) {
      const at = await scrubTo((iv.startTs + iv.endTs!) / 2);
      expect(await labelState('loader'), `loader at ${new Date(at).toISOString()}`).toBe(iv.state);
    }
    await page.screenshot({ path: `${ARTIFACTS}/e2e-replay.png` });
  });

  it('shows each tag as stored at the replayed moment, with its quality, and a trend centred on it', async () => {
    const { page } = twin;
    await page.evaluate(() => window.__twin!.selectMachine('loader'));
    await page.waitForSelector('#inspector:not([hidden]) .insp-title', { timeout: 10_000 });
    const to = await num('data-to');
    const seen = new Map<string, Set<string>>();
    for (const back of [90_000, 45_000, 5_000]) {
      const at = await scrubTo(to - back);
      await page.waitForSelector(`#inspector[data-replay-values-at="${at}"]`, { state: 'attached', timeout: 10_000 });
      const rows = await page.$$eval('#inspector tr[data-tag]', (trs) => trs.map((tr) => ({
        tag: (tr as HTMLElement).dataset.tag!, quality: (tr as HTMLElement).dataset.quality!, value: tr.querySelector('.tag-value')!.textContent!,
      })));
      let checked = 0;
      for (const row of rows) {
        // The historian's own trend answer: the last raw sample at or before the moment.
        const trend = await rest<TagTrend>(`api/history/tags/loader.${row.tag}?from=${at - 120_000}&to=${at + 1}&maxPoints=10000`);
        if (trend.resolution !== 'raw' || trend.points.length === 0) continue;
        const last = trend.points[trend.points.length - 1]!;
        expect(row.value, `loader.${row.tag} at ${new Date(at).toISOString()}`).toBe(tagValue({ value: last.value, quality: last.quality, ts: last.ts }));
        expect(row.quality, `loader.${row.tag} quality`).toBe(last.quality);
        if (!seen.has(row.tag)) seen.set(row.tag, new Set());
        seen.get(row.tag)!.add(row.value);
        checked++;
      }
      expect(checked, `tags checked at ${new Date(at).toISOString()}`).toBeGreaterThanOrEqual(3);
      // The inspector's count is the label's, from the historian.
      expect(Number(await page.locator('#inspector [data-field="counts.total"]').textContent())).toBe(await historianParts('loader', at));
      expect(await labelParts('loader')).toBe(await historianParts('loader', at));
      // The trend is centred on the replayed moment, with the moment marked.
      await page.waitForFunction((t) => Math.abs(Number(document.querySelector<HTMLElement>('[data-testid="trend"] .trend')?.dataset.replayCentre) - t) < 30_000, at, { timeout: 10_000 });
      expect(await page.locator('[data-testid="trend-cursor"]').isVisible()).toBe(true);
    }
    // Values moved between the moments (process values and counters change within minutes).
    expect([...seen.values()].some((values) => values.size > 1)).toBe(true);
    expect(await page.locator('#inspector [data-field="counts.from"]').isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-replay-inspector.png` });
    await page.locator('[data-testid="inspector-close"]').click();
  });

  it('marks alarms and stops on the scrubber, and jumps to 2 minutes before a fault', async () => {
    const { page } = twin;
    const from = await num('data-from');
    const to = await num('data-to');
    const marks = await page.$$eval('[data-testid="replay-marks"] .replay-mark', (ms) => ms.map((m) => {
      const d = (m as HTMLElement).dataset;
      return { kind: d.kind!, ts: Number(d.ts), machineId: d.machineId! };
    }));
    expect(marks.length).toBeGreaterThan(0);
    // Every mark is a stop in the historian's state timeline or an alarm in the journal.
    const downs = new Set<string>();
    for (const id of MACHINES) {
      const { intervals } = await rest<{ intervals: StateInterval[] }>(`api/history/states/${id}?from=${from}&to=${to}`);
      for (const i of intervals) if (i.state === 'down') downs.add(`${id}@${i.startTs}`);
    }
    const { occurrences } = await rest<{ occurrences: AlarmOccurrence[] }>(`api/alarms/history?from=${from}&to=${to}`);
    const alarms = new Set(occurrences.map((o) => `${o.machineId}@${o.activeTs}`));
    for (const m of marks) expect(m.kind === 'stop' ? downs : alarms, `${m.kind} ${m.machineId}@${m.ts}`).toContain(`${m.machineId}@${m.ts}`);
    expect(marks.filter((m) => m.kind === 'stop').length).toBe([...downs].filter((k) => Number(k.split('@')[1]) >= from).length);
    // From the window's start, "next fault" lands 2 minutes before the first fault that leaves room for it.
    await scrubTo(from);
    const first = marks.find((m) => Math.max(from, m.ts - 120_000) > from + 500);
    await page.locator('[data-testid="replay-next-fault"]').click();
    if (!first) {
      expect(await position()).toBe(from);
      return;
    }
    await page.waitForFunction((t) => Number(document.querySelector<HTMLElement>('[data-testid="replay-bar"]')!.dataset.jumpedTo) === t, first.ts, { timeout: 5000 });
    expect(await position()).toBe(Math.round(first.ts - 120_000));
    // Play into the fault: the machine is down when the replay reaches it.
    if (first.kind === 'stop') {
      await scrubTo(first.ts + 50);
      expect(await labelState(first.machineId)).toBe('down');
    }
    await page.screenshot({ path: `${ARTIFACTS}/e2e-replay-fault.png` });
  });

  it('replays a window that ended in the past', async () => {
    const { page } = twin;
    const reload = async (end: string) => {
      const loads = Number(await page.locator('[data-testid="replay-bar"]').getAttribute('data-loads'));
      await page.locator('[data-testid="replay-end"]').selectOption(end);
      await page.waitForSelector(`[data-testid="replay-bar"][data-loaded="true"][data-loads="${loads + 1}"]`, { timeout: 30_000 });
    };
    const before = await page.evaluate(() => Date.now());
    await reload('15');
    const from = await num('data-from');
    const to = await num('data-to');
    expect(to - from).toBe(5 * 60_000);
    expect(Math.abs(to - (before - 15 * 60_000))).toBeLessThan(60_000);
    expect(await page.locator('[data-testid="replay-end"] option:checked').textContent()).toBe('15 min ago');
    await reload('0');
    expect(Math.abs((await num('data-to')) - before)).toBeLessThan(60_000);
  });

  it('leaving returns to live', async () => {
    const { page } = twin;
    await page.locator('[data-testid="replay-leave"]').click();
    expect(await page.locator('[data-testid="replay-banner"]').isHidden()).toBe(true);
    await page.waitForFunction(() => {
      const live = window.__twin!.machine('mill') as { state: string };
      return document.querySelector<HTMLElement>('.machine-label[data-machine-id="mill"]')!.dataset.state === live.state;
    }, undefined, { timeout: 10_000 });
    expect(twin.pageErrors).toEqual([]);
  });
});
