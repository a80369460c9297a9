// Audit anchors travel to the plant host: the edge publishes its latest anchor as the node
// metric Twinline/Audit Anchor, the host's mirror hands each new one to the host, which keeps
// them in a file of its own. Someone who deletes the edge's last audit rows and its local
// anchor file is still caught by the host's copy (npm run audit -- verify --anchors <file>).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { buildCatalogue, NODE_METRIC } from '../../edge/uplink/metric-catalogue.js';
import { createMetricValues } from '../../edge/uplink/metric-values.js';
import { EdgeMirror, type MirrorSink } from '../../edge/host/edge-mirror.js';
import { edgeAnchorFile, keepEdgeAnchor } from '../../edge/host/plant-lines.js';
import { openDatabase } from '../../edge/store/database.js';
import { openAuditLog } from '../../edge/audit/audit-log.js';
import { auditAnchorFile, loadAuditKey } from '../../edge/audit/audit-key.js';
import { modelLine } from './support/model-line.js';

const plant = loadPlantFile('config/demo-plant.yaml');
let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'twinline-anchor-up-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('the edge publishes its latest anchor, the host keeps each one, and verify catches a truncation with the host\'s copy', () => {
  const dbFile = join(dir, 'edge', 'twinline.db');
  const db = openDatabase(dbFile, { synchronous: 'FULL' });
  const audit = openAuditLog(db, Date.now, { key: loadAuditKey({ dbFile }).key, anchorFile: auditAnchorFile(dbFile), anchorIntervalMs: 3_600_000 });
  for (let i = 0; i < 6; i++) audit.append({ actor: 'max', role: 'maintenance', action: 'command.speed-override', target: 'mill.speedOverride', details: { value: 60 + i }, outcome: 'ok' });
  audit.anchor();

  // Edge side: the node metric carries the latest anchor.
  const line = modelLine(plant);
  const source = { ...line.source, auditAnchor: () => { const a = audit.latestAnchor(); return a && JSON.stringify(a); } };
  const catalogue = buildCatalogue(plant);
  const reading = createMetricValues(catalogue, source, { queuedMetrics: () => 0, droppedMetrics: () => 0 }).node().find(([d]) => d.name === NODE_METRIC.auditAnchor)!;
  expect(reading[0].type).toBe('String');
  expect(JSON.parse(reading[1] as string)).toMatchObject({ entries: 6, head: audit.latestAnchor()!.head });

  // Host side: the mirror passes a new anchor on once, ignores a malformed one, and the host keeps it.
  const hostDir = join(dir, 'host');
  const kept: string[] = [];
  const sink: MirrorSink = {
    touched: () => {}, events: () => {}, lineChanged: () => {}, requestRebirth: () => {}, commandResult: () => {}, log: () => {},
    auditAnchor: (json) => { kept.push(json); keepEdgeAnchor(hostDir, 'plant-a', 'line-1', json, () => {}); },
  };
  const mirror = new EdgeMirror('plant-a', 'line-1', sink, Date.now);
  const anchorMetric = (value: unknown) => ({ name: NODE_METRIC.auditAnchor, alias: 9, type: 'String' as const, value, timestamp: Date.now() });
  mirror.handleNode('NBIRTH', { timestamp: Date.now(), seq: 0, metrics: [{ name: 'bdSeq', alias: 0, type: 'UInt64', value: 0, timestamp: Date.now() }, anchorMetric(reading[1])] } as never);
  mirror.handleNode('NDATA', { timestamp: Date.now(), seq: 1, metrics: [{ alias: 9, type: 'String', value: reading[1], timestamp: Date.now() }] } as never);
  mirror.handleNode('NDATA', { timestamp: Date.now(), seq: 2, metrics: [{ alias: 9, type: 'String', value: '{"entries":"lots"}', timestamp: Date.now() }] } as never);
  expect(kept).toEqual([reading[1]]);
  const hostCopy = edgeAnchorFile(hostDir, 'plant-a', 'line-1');
  expect(readFileSync(hostCopy, 'utf8').trim()).toBe(reading[1]);
  audit.close();
  db.close();

  // On the edge: the last rows and the local anchor file go.
  const raw = new Database(dbFile);
  raw.exec('DROP TRIGGER audit_entries_no_delete');
  raw.prepare('DELETE FROM audit_entries WHERE id > 4').run();
  raw.close();
  unlinkSync(auditAnchorFile(dbFile));
  const verify = (...extra: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'edge/audit/audit-cli.ts', 'verify', '--db', dbFile, ...extra], { encoding: 'utf8', timeout: 60_000 });
  expect(verify().status).toBe(0); // the chain alone cannot tell
  const withHost = verify('--anchors', hostCopy);
  expect(withHost.status).toBe(1);
  expect(withHost.stderr).toMatch(/entries 5–6 are missing/);
});
