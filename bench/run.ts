// `npm run bench [-- part…]`: runs each benchmark part and prints one section per part.
// Parts are loaded lazily so one part's failure is reported without hiding the others.
// Add a part: one entry below, returning the lines to print.
const PARTS: Record<string, () => Promise<string[]>> = {
  store: async () => (await import('./store.js')).runStoreBench().then((r) => r.lines),
  // `-- acquisition --modbus` or `--opcua` for one protocol, `--rounds 5 --seconds 10` for a longer measurement.
  acquisition: async () => {
    const part = await import('./acquisition.js');
    return part.runAcquisitionBench(part.optionsFromArgs(process.argv));
  },
  alarms: async () => (await import('./alarms.js')).runAlarmsBench().lines,
  // 30 s by default; `npm run bench -- live --long` for the 5 minutes of issue 7.
  // Bundle size and frames per second in headless Chromium (needs /usr/bin/chromium).
  twin: async () => {
    const { runTwinBench, formatTwinBench } = await import('../test/browser/twin-bench.js');
    return formatTwinBench(await runTwinBench()).split('\n').map((l) => `  ${l}`);
  },
  // Twice: quiet, then with the heaviest allowed history query in a loop (issue 16).
  live: async () => (await import('./live.js')).runLiveComparison(process.argv.includes('--long') ? { seconds: 300 } : {}).then((r) => r.lines),
  // 10 edges × 1,000 tags through Mosquitto (aedes if absent) into one host; a 20 s broker outage, 5 min with --long.
  uplink: async () => (await import('./uplink.js')).runUplinkBench(process.argv.includes('--long') ? { outageSeconds: 300 } : {}).then((r) => r.lines),
  // Edges → Mosquitto → plant hosts on PostgreSQL at 10/50/100 edges, a failover, plant queries over a year of 20 lines (issue 19.6);
  // `--edges 10,50 --tags 10 --hz 1 --seconds 8 --lines 20 --days 365`.
  plant: async () => {
    const part = await import('./plant.js');
    return part.runPlantBench(part.optionsFromArgs(process.argv));
  },
  // 50 OPC UA sessions × 1,000 of the edge's variables at 250 ms; `--sessions n --items n --seconds n` (issue 20.5).
  'opcua-server': async () => {
    const part = await import('./opcua-server.js');
    return part.runOpcUaServerBench(part.optionsFromArgs(process.argv));
  },
};

// Numbers are values of flags (`--rounds 5`), not parts; nor is the folder after --before.
const asked = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !/^[0-9.]+$/.test(a) && all[i - 1] !== '--before');
const unknown = asked.filter((p) => !(p in PARTS));
if (unknown.length) {
  console.error(`bench: unknown part(s) ${unknown.join(', ')}; known: ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const name of asked.length ? asked : Object.keys(PARTS)) {
  console.log(`\n== ${name} ==`);
  const t = performance.now();
  try {
    for (const line of await PARTS[name]!()) console.log(line);
  } catch (err) {
    failed = true;
    console.log(`  FAILED: ${(err as Error).stack ?? String(err)}`);
  }
  console.log(`  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
