// The shift report at the end of a shift (issue 23.5): the real simulator and the edge on one
// simulated clock, started two minutes before the Early shift ends; a handover note and an open
// issue are written; once the clock passes 14:00 the edge makes the report by itself. Its counts
// are held against the simulator's ground truth, it downloads as CSV, and its printable page is
// printed to PDF in headless Chromium (page.pdf), in English and in Chinese.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShiftReport } from '../../shared/handover-api.js';
import { call, login } from '../api/api-client.js';
import { startSimClockLine, type SimClockLine } from '../support/sim-clock-line.js';
import { launchChromium, type Browser } from './chromium.js';
import { until } from './alarm-fixtures.js';

const ARTIFACTS = 'test-artifacts';
// 2026-12-01 13:58 in Asia/Shanghai; the Early shift (06:00–14:00) ends two simulated minutes later.
const START = Date.UTC(2026, 11, 1, 5, 58, 0);
const SHIFT_START = Date.UTC(2026, 10, 30, 22, 0, 0);
const SHIFT_END = Date.UTC(2026, 11, 1, 6, 0, 0);

describe('the shift report at shift end: stored, CSV, printed to PDF', () => {
  let line: SimClockLine;
  let browser: Browser;
  let operator: string;
  let report: ShiftReport;
  // Simulated times at which the simulator answered each Modbus register block, by block.
  const modbusReads = new Map<string, number[]>();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    line = await startSimClockLine({
      plantFile: 'config/demo-plant.yaml', seed: 9, timeScale: 10, startTime: START,
      onModbusRead: ({ unitId, table, address, at }) => {
        const key = `unit ${unitId} ${table} ${address}`;
        const reads = modbusReads.get(key) ?? [];
        reads.push(at);
        modbusReads.set(key, reads);
      },
    });
    operator = await login(line.edge.url, 'operator', 'operator-demo');
    browser = await launchChromium({ width: 1000, height: 1400 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await line?.stop();
  });

  it('makes the report once the shift has ended, with the notes, the open issue and the counts of the simulator', async () => {
    const note = await call(line.edge.url, '/api/handover/notes', { token: operator, body: { text: 'Coolant topped up on the mill <b>not bold</b>' } });
    expect(note.status).toBe(200);
    const issue = await call(line.edge.url, '/api/handover/notes', { token: operator, body: { kind: 'issue', text: 'Washer pump noisy — check bearing', machineId: 'washer' } });
    expect(issue.status).toBe(200);
    expect((await call(line.edge.url, '/api/handover/reports', { token: operator })).body.reports).toEqual([]);

    const listed = await until('the Early shift report', async () => {
      const list = await call<{ reports: Array<{ id: number; start: number }> }>(line.edge.url, '/api/handover/reports', { token: operator });
      return list.body.reports.find((r) => r.start === SHIFT_START);
    }, 60_000);
    expect(line.sim.clock.now()).toBeGreaterThanOrEqual(SHIFT_END);
    report = (await call<ShiftReport>(line.edge.url, `/api/handover/reports/${listed.id}`, { token: operator })).body;
    expect(report.shift).toMatchObject({ name: 'Early', date: '2026-12-01', start: SHIFT_START, end: SHIFT_END });
    expect(report.notes.map((n) => n.text)).toEqual(['Coolant topped up on the mill <b>not bold</b>', 'Washer pump noisy — check bearing']);
    expect(report.openIssues.map((n) => [n.text, n.machineId])).toEqual([['Washer pump noisy — check bearing', 'washer']]);
    expect(report.orders === null || Array.isArray(report.orders)).toBe(true);

    // The edge saw the last two minutes of the shift: its counts are the simulator's for that time
    // (less the parts before its first reading of each counter, its baseline).
    // Upper bound: Modbus has no source timestamps, so the edge stamps a changed counter at the
    // midpoint of the read that saw the old value and the read that saw the new one
    // (edge/connectors/change-time.ts). A part made just after 14:00 can thus be booked before
    // it; at timeScale 10 one slow poll on a loaded machine spans several simulated seconds. Such
    // a part was booked only if the earlier read was sent before 14:00, so it was visible by the
    // second read of its block the simulator answered at or after 14:00 (the first may have been
    // sent before 14:00 and answered after): the edge's count is at most the truth up to that read.
    // OPC UA values carry the simulator's own timestamps and are never early.
    const readsAfterEnd = () => [...modbusReads.entries()].map(([block, at]) => ({ block, after: at.filter((t) => t >= SHIFT_END) }));
    await until('two Modbus reads of every block after 14:00', async () => (modbusReads.size > 0 && readsAfterEnd().every((b) => b.after.length >= 2)) || undefined, 30_000);
    const seenBy = Math.max(...readsAfterEnd().map((b) => b.after[1]!));
    const truth = line.sim.truth(START, SHIFT_END);
    const truthUpToRead = line.sim.truth(START, seenBy + 1);
    for (const m of report.machines) {
      const t = truth.machines.find((x) => x.machineId === m.machineId)!;
      const upper = truthUpToRead.machines.find((x) => x.machineId === m.machineId)!;
      const seen = `${m.machineId}: edge ${m.counts.total}, truth to 14:00 ${t.counts.total}, truth to ${new Date(seenBy).toISOString()} ${upper.counts.total}`;
      expect(m.counts.total, seen).toBeLessThanOrEqual(upper.counts.total);
      expect(t.counts.total - m.counts.total, seen).toBeLessThanOrEqual(2);
    }
    // Every machine, including one with no event since 14:00 (its shift closed when the report was made).
    expect(report.machines.map((m) => m.machineId)).toEqual(line.plant.machines.map((m) => m.id));
    expect(report.scrap).toBe(report.machines.reduce((s, m) => s + m.counts.scrap, 0));

    // The next shift's handover carries the open issue and links the report.
    const handover = (await call(line.edge.url, '/api/handover', { token: operator })).body as { shift: { name: string }; openIssues: unknown[]; previousReport: { id: number } | null };
    expect(handover.shift.name).toBe('Late');
    expect(handover.openIssues).toHaveLength(1);
    expect(handover.previousReport?.id).toBe(listed.id);
  }, 90_000);

  it('downloads as CSV', async () => {
    const res = await fetch(`${line.edge.url}/api/handover/reports/${report.id}?format=csv`, { headers: { authorization: `Bearer ${operator}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('section,machine,item,value,unit');
    expect(lines).toContain('shift,,name,2026-12-01 Early,');
    const mill = report.machines.find((m) => m.machineId === 'mill')!;
    expect(lines).toContain(`kpi,mill,oee,${(mill.oee * 100).toFixed(2)},%`);
    expect(lines).toContain(`count,mill,total,${mill.counts.total},pcs`);
    expect(lines.some((l) => l.startsWith('open-issue,washer,') && l.includes('Washer pump noisy'))).toBe(true);
  });

  it('prints its page to PDF in headless Chromium (English and Chinese)', async () => {
    await browser.context.setExtraHTTPHeaders({ authorization: `Bearer ${operator}` });
    const { page } = browser;
    for (const lang of ['en', 'zh-CN'] as const) {
      const answer = await page.goto(`${line.edge.url}/api/handover/reports/${report.id}/print?lang=${lang}`);
      expect(answer?.status()).toBe(200);
      const text = await page.locator('body').innerText();
      expect(text).toContain(lang === 'en' ? 'Shift report' : '班次报告');
      expect(text).toContain('2026-12-01 Early');
      // A note is text, never markup.
      expect(text).toContain('<b>not bold</b>');
      expect(await page.locator('b', { hasText: 'not bold' }).count()).toBe(0);
      const file = join(ARTIFACTS, `shift-report-${lang}.pdf`);
      await page.pdf({ path: file, format: 'A4', printBackground: true });
      const pdf = readFileSync(file);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(5_000);
      await page.screenshot({ path: join(ARTIFACTS, `shift-report-${lang}.png`), fullPage: true });
    }
  }, 60_000);
});
