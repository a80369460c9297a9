// The plant host's energy report on PostgreSQL gives the same answer as on the lines' SQLite files
// (test/uplink/host-energy.test.ts): two edge nodes publish meters and their presses' counts
// through a real broker into a host with a plant database, which answers GET /api/energy/lines
// from the database — totals, and each line's good output for the window (its good count over
// time: whole shifts, and only the window's part of a shift it cuts), checked against the same
// hand-worked figures (43.803 kgce / 120 good, 7.374 / 40, the plant 51.177 / 160).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestPostgres } from './support/postgres.js';
import { startTestBroker, type TestBroker } from '../uplink/support/aedes-broker.js';
import { expectEnergyAcrossLines, expectEnpiFromGoodParts, startEnergyLines, type EnergyLines } from '../uplink/support/energy-lines.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/host-pg/plant-enpi.test.ts skipped: ${started.why}`);

describe.skipIf(!started.ok)('plant energy and EnPI from PostgreSQL', () => {
  const server = started.ok ? started.server : null!;
  let broker: TestBroker | null = null;
  let lines: EnergyLines | null = null;

  beforeAll(async () => {
    broker = await startTestBroker();
    lines = await startEnergyLines({ brokerUrl: broker.url, postgresUrl: server.url });
  }, 60_000);

  afterAll(async () => {
    await lines?.stop();
    await broker?.close();
    await server?.stop();
  });

  it('reports every line and the plant sums from the stored totals (worked by hand)', async () => {
    await expectEnergyAcrossLines(lines!.host.url);
  });

  it('gives each line and the plant an EnPI from the good output stored for the window (worked by hand)', async () => {
    await expectEnpiFromGoodParts(lines!);
  }, 30_000);
});
