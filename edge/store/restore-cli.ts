// `npx tsx edge/store/restore-cli.ts <backup-file> [--db data/twinline.db]`, with the edge stopped:
// checks the backup, keeps the current database as <db>.before-restore, puts the backup in
// its place. `--list [--dir data/backups]` shows the backups, newest last.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { listBackups, restoreBackup, RestoreError } from './backup.js';

const HELP = `Usage:
  npx tsx edge/store/restore-cli.ts <backup-file> [--db <file>]   restore (stop the edge first)
  npx tsx edge/store/restore-cli.ts --list [--dir <folder>]       list backups, newest last
  --db   the edge's database        default data/twinline.db
  --dir  the backups folder         default data/backups`;

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { db: { type: 'string', default: join('data', 'twinline.db') }, dir: { type: 'string', default: join('data', 'backups') }, list: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.list) {
    const all = listBackups(values.dir);
    if (!all.length) console.log(`no backups in ${values.dir}`);
    for (const f of all) console.log(f);
    return 0;
  }
  const [backup] = positionals;
  if (!backup || positionals.length > 1) {
    console.error(`restore: name exactly one backup file\n${HELP}`);
    return 2;
  }
  const { replaced } = restoreBackup(backup, values.db);
  console.log(`restored ${backup} to ${values.db}${replaced ? ` (previous database kept as ${replaced})` : ''}; start the edge again`);
  return 0;
}

try {
  process.exit(main());
} catch (err) {
  if (err instanceof RestoreError || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`restore: ${(err as Error).message}`);
    process.exit(2);
  }
  throw err;
}
