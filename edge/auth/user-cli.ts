// `npm run user -- <command>`: local accounts, for the first admin and for everything after.
//   add <name> --role <role> [--password-file <file>]   password from the file or stdin (never argv)
//   passwd <name> [--password-file <file>]
//   role <name> <role> | disable <name> | enable <name> | list
//   sessions <name> [--revoke]                            list a user's sessions, or end them all
// Options: --db <file> (default data/twinline.db). Every change goes into the audit log; a new
// password, a new role and disable end the user's sessions at once (open sockets included).
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ROLES, RoleSchema, type Role } from '../../shared/auth-api.js';
import { auditAnchorFile, loadAuditKey } from '../audit/index.js';
import { openAuditLog } from '../audit/index.js';
import { openStoreFile } from '../audit/index.js';
import { openAuthStore } from './auth-store.js';
import { MIN_PASSWORD_LENGTH, UserError } from './user-store.js';

const HELP = `twinline users

  npm run user -- add <name> --role <${ROLES.join('|')}> [--password-file <file>]
  npm run user -- passwd <name> [--password-file <file>]
  npm run user -- role <name> <role>
  npm run user -- disable <name>
  npm run user -- enable <name>
  npm run user -- list
  npm run user -- sessions <name> [--revoke]

The password is read from --password-file or from stdin (typed, or piped:
  printf '%s' "$PASSWORD" | npm run user -- add alice --role maintenance)
— never from the command line, where other users could see it. At least ${MIN_PASSWORD_LENGTH} characters.
Options: --db <file>  the edge's database (default data/twinline.db)`;

class UsageError extends Error {}

async function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          return reject(new UsageError('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(file: string | undefined): Promise<string> {
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (process.stdin.isTTY) {
    const first = await readHidden('Password: ');
    const again = await readHidden('Again: ');
    if (first !== again) throw new UsageError('the two passwords differ');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!text) throw new UsageError('no password on stdin: pipe one in, or use --password-file <file>');
  return text;
}

function role(value: string | undefined): Role {
  const r = RoleSchema.safeParse(value);
  if (!r.success) throw new UsageError(`--role must be one of ${ROLES.join(', ')}${value ? `, not "${value}"` : ''}`);
  return r.data;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      'password-file': { type: 'string' },
      db: { type: 'string', default: 'data/twinline.db' },
      revoke: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, name, extra] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  const needsName = ['add', 'passwd', 'role', 'disable', 'enable', 'sessions'];
  if (needsName.includes(command) && !name) throw new UsageError(`${command} needs a user name (see --help)`);
  if (!['list', ...needsName].includes(command)) throw new UsageError(`unknown command "${command}" (see --help)`);

  const sqlite = openStoreFile(values.db);
  const audit = openAuditLog(sqlite, Date.now, { key: loadAuditKey({ dbFile: values.db }).key, anchorFile: auditAnchorFile(values.db) });
  try {
    const { users, sessions } = openAuthStore(sqlite, Date.now);
    const actor = `cli:${userInfo().username}`;
    const ended = (n: number) => (n ? `; ${n} open session${n === 1 ? '' : 's'} ended` : '');
    const record = (action: string, details: Record<string, unknown> = {}) =>
      audit.append({ actor, role: null, action, target: name ?? null, details, outcome: 'ok' });
    switch (command) {
      case 'list': {
        const rows = users.list();
        if (!rows.length) console.log('no users yet: npm run user -- add <name> --role admin');
        for (const u of rows) console.log(`${u.username.padEnd(20)} ${u.role.padEnd(12)} ${u.disabledTs ? 'disabled' : 'enabled'}`);
        return;
      }
      case 'add': {
        const r = role(values.role);
        const password = await readPassword(values['password-file']);
        await users.add({ username: name!, role: r, password, now: Date.now() });
        record('user.add', { role: r });
        console.log(`added ${name} (${r})`);
        return;
      }
      case 'passwd': {
        const n = await users.setPassword(name!, await readPassword(values['password-file']));
        record('user.passwd', { sessionsEnded: n });
        console.log(`password of ${name} changed${ended(n)}`);
        return;
      }
      case 'role': {
        const r = role(extra ?? values.role);
        const n = users.setRole(name!, r);
        record('user.role', { role: r, sessionsEnded: n });
        console.log(`${name} is now ${r}${ended(n)}`);
        return;
      }
      case 'disable':
      case 'enable': {
        const n = users.setDisabled(name!, command === 'disable' ? Date.now() : null);
        record(`user.${command}`, { sessionsEnded: n });
        console.log(`${name} ${command}d${ended(n)}`);
        return;
      }
      case 'sessions': {
        if (!users.find(name!)) throw new UserError(`no user "${name}" (see: npm run user -- list)`);
        if (values.revoke) {
          const n = sessions.revokeUser(name!, `revoked by ${actor}`, Date.now());
          record('user.sessions-revoked', { sessionsEnded: n });
          console.log(`revoked ${n} session${n === 1 ? '' : 's'} of ${name}`);
          return;
        }
        const t = Date.now();
        const rows = sessions.list(name!);
        if (!rows.length) console.log(`${name} has no sessions`);
        for (const x of rows) {
          const state = x.revokedTs !== null ? `ended ${new Date(x.revokedTs).toISOString()} (${x.revokedReason})` : x.expiresTs <= t ? 'expired' : `active until ${new Date(x.expiresTs).toISOString()}`;
          console.log(`${x.id.slice(0, 8)}  ${name}  from ${x.source.padEnd(15)} since ${new Date(x.createdTs).toISOString()}  ${state}`);
        }
        return;
      }
    }
  } finally {
    audit.close();
    sqlite.close();
  }
}

main().catch((err) => {
  if (err instanceof UsageError || err instanceof UserError) {
    console.error(`twinline user: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
