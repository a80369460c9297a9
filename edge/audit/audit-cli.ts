// `npm run audit -- verify [--db file]`: walks the hash chain of the audit log; exit 0 when
// every entry holds, 1 naming the first broken entry. `npm run audit -- list` prints entries.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openAuditLog } from './audit-log.js';

const HELP = `twinline audit log

  npm run audit -- verify [--db <file>]       check the hash chain; names the first broken entry
  npm run audit -- list [--after <id>] [--limit <n>] [--db <file>]

--db defaults to data/twinline.db. Exit codes: 0 intact, 1 broken, 2 usage or missing file.`;

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/twinline.db' },
      after: { type: 'string', default: '0' },
      limit: { type: 'string', default: '50' },
      help: { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command ? 0 : 2;
  }
  if (!existsSync(values.db)) {
    console.error(`twinline audit: no database at ${values.db} (give the edge's file with --db)`);
    return 2;
  }
  const sqlite = new Database(values.db, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  try {
    const audit = openAuditLog(sqlite, Date.now);
    if (command === 'verify') {
      const v = audit.verify();
      if (v.ok) {
        console.log(`audit log intact: ${v.entries} entries${v.headHash ? `, head ${v.headHash}` : ''}`);
        return 0;
      }
      console.error(`audit log BROKEN at entry ${v.firstBroken!.id}: ${v.firstBroken!.reason}`);
      console.error(`entries before ${v.firstBroken!.id} hold; inspect with: npm run audit -- list --after ${Math.max(0, v.firstBroken!.id - 2)} --limit 3`);
      return 1;
    }
    if (command === 'list') {
      const { entries } = audit.page({ after: Number(values.after), limit: Math.min(1000, Number(values.limit)) });
      for (const e of entries) {
        console.log(`${String(e.id).padStart(6)} ${new Date(e.ts).toISOString()} ${e.outcome.padEnd(11)} ${e.actor}${e.role ? ` (${e.role})` : ''} ${e.action}${e.target ? ` ${e.target}` : ''}${e.details ? ` ${JSON.stringify(e.details)}` : ''}`);
      }
      return 0;
    }
    console.error(`twinline audit: unknown command "${command}" (verify, list)`);
    return 2;
  } finally {
    sqlite.close();
  }
}

process.exitCode = main();
