// `npm run audit -- verify [--db file]`: checks the keyed hash chain of the audit log and every
// anchor written outside the database; exit 0 when all hold, 1 saying what is missing or
// rewritten. `npm run audit -- list` prints entries.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../store/database.js';
import { SecretError } from '../auth/index.js';
import { AUDIT_KEY_ENV, auditAnchorFile, loadAuditKey } from './audit-key.js';
import { openAuditLog } from './audit-log.js';

const HELP = `twinline audit log

  npm run audit -- verify [--db <file>] [--key-file <file>] [--anchors <file>]
        check the keyed hash chain and the anchors; names the first broken entry and what is missing
  npm run audit -- list [--after <id>] [--limit <n>] [--db <file>]

--db defaults to data/twinline.db; the key is ${AUDIT_KEY_ENV} or audit.key beside the database;
the anchors are audit-anchors.jsonl beside it. Exit codes: 0 intact, 1 broken, 2 usage or missing file.`;

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/twinline.db' },
      'key-file': { type: 'string' },
      anchors: { type: 'string' },
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
  let key: Buffer;
  try {
    key = loadAuditKey({ dbFile: values.db, keyFile: values['key-file'], create: false }).key;
  } catch (err) {
    if (err instanceof SecretError) {
      console.error(`twinline audit: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const sqlite = openDatabase(values.db, { readonly: true });
  try {
    let audit;
    try {
      audit = openAuditLog(sqlite, Date.now, { key, anchorFile: values.anchors ?? auditAnchorFile(values.db) });
    } catch (err) {
      console.error(`twinline audit: ${(err as Error).message}`);
      return 2;
    }
    if (command === 'verify') {
      const v = audit.verify();
      if (v.ok) {
        console.log(`audit log intact: ${v.entries} entries${v.headHash ? `, head ${v.headHash}` : ''}; ${v.anchors.checked} anchor(s) agree`);
        return 0;
      }
      if (v.firstBroken) {
        console.error(`audit log BROKEN at entry ${v.firstBroken.id}: ${v.firstBroken.reason}`);
        console.error(`entries before ${v.firstBroken.id} hold; inspect with: npm run audit -- list --after ${Math.max(0, v.firstBroken.id - 2)} --limit 3`);
      }
      if (v.anchors.problems.length) {
        console.error(`audit log BROKEN: ${v.anchors.problems.length} anchor(s) disagree with it:`);
        for (const p of v.anchors.problems.slice(0, 20)) console.error(`  ${p.message}`);
        if (v.anchors.problems.length > 20) console.error(`  … and ${v.anchors.problems.length - 20} more`);
      }
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
