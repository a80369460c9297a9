// Local accounts in the auth module's `auth_users` table (auth-schema.ts). Prepared
// statements: the lookup runs on every authenticated request. A new password, a new role or
// disabling the account ends the user's open sessions in the same transaction.
import type Database from 'better-sqlite3';
import { RoleSchema, UsernameSchema, type Role } from '../../shared/auth-api.js';
import { hashPassword, type HashParams } from './password.js';
import type { SessionStore } from './session-store.js';

export interface UserRecord {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  passwordHash: string;
  createdTs: number;
  disabledTs: number | null;
}

export class UserError extends Error {
  override name = 'UserError';
}

/** A password of fewer characters is refused outside demo mode. */
export const MIN_PASSWORD_LENGTH = 10;

export interface UserStore {
  find(username: string): UserRecord | undefined;
  list(): UserRecord[];
  count(options?: { enabledOnly?: boolean }): number;
  add(input: { username: string; role: Role; password: string; displayName?: string; now: number; allowShortPassword?: boolean; hashParams?: HashParams }): Promise<UserRecord>;
  /** The three changes below end the user's open sessions; they return how many. */
  setPassword(username: string, password: string, options?: { allowShortPassword?: boolean }): Promise<number>;
  setRole(username: string, role: Role): number;
  setDisabled(username: string, disabledTs: number | null): number;
}

interface Row {
  id: number; username: string; display_name: string | null; role: string; password_hash: string; created_ts: number; disabled_ts: number | null;
}

const toRecord = (r: Row): UserRecord => ({
  id: r.id, username: r.username, displayName: r.display_name, role: RoleSchema.parse(r.role),
  passwordHash: r.password_hash, createdTs: r.created_ts, disabledTs: r.disabled_ts,
});

function checkPassword(password: string, allowShort: boolean | undefined) {
  if (!allowShort && password.length < MIN_PASSWORD_LENGTH) throw new UserError(`the password is shorter than ${MIN_PASSWORD_LENGTH} characters: choose a longer one (a passphrase works well)`);
  if (password.length > 256) throw new UserError('the password is longer than 256 characters');
}

export function createUserStore(sqlite: Database.Database, sessions: SessionStore, now: () => number): UserStore {
  const byName = sqlite.prepare<[string], Row>('SELECT * FROM auth_users WHERE username = ?');
  const all = sqlite.prepare<[], Row>('SELECT * FROM auth_users ORDER BY username');
  const countAll = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_users');
  const countEnabled = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_users WHERE disabled_ts IS NULL');
  const insert = sqlite.prepare('INSERT INTO auth_users (username, display_name, role, password_hash, created_ts, disabled_ts) VALUES (?, ?, ?, ?, ?, NULL)');
  const updateHash = sqlite.prepare('UPDATE auth_users SET password_hash = ? WHERE username = ?');
  const updateRole = sqlite.prepare('UPDATE auth_users SET role = ? WHERE username = ?');
  const updateDisabled = sqlite.prepare('UPDATE auth_users SET disabled_ts = ? WHERE username = ?');

  const mustExist = (username: string) => {
    const row = byName.get(username);
    if (!row) throw new UserError(`no user "${username}" (see: npm run user -- list)`);
    return row;
  };

  const changeAndRevoke = (change: () => unknown, username: string, reason: string): number =>
    sqlite.transaction(() => {
      change();
      return sessions.revokeUser(username, reason, now());
    }).immediate();

  return {
    find: (username) => {
      const row = byName.get(username);
      return row ? toRecord(row) : undefined;
    },
    list: () => all.all().map(toRecord),
    count: (options) => (options?.enabledOnly ? countEnabled : countAll).get()!.n,
    async add({ username, role, password, displayName, now, allowShortPassword, hashParams }) {
      const name = UsernameSchema.safeParse(username);
      if (!name.success) throw new UserError(`user name "${username}": ${name.error.issues[0]!.message}`);
      checkPassword(password, allowShortPassword);
      if (byName.get(username)) throw new UserError(`user "${username}" already exists (change it with: npm run user -- passwd ${username} / role ${username} <role>)`);
      const hash = await hashPassword(password, hashParams);
      insert.run(username, displayName ?? null, role, hash, now);
      return toRecord(byName.get(username)!);
    },
    async setPassword(username, password, options) {
      mustExist(username);
      checkPassword(password, options?.allowShortPassword);
      const hash = await hashPassword(password);
      return changeAndRevoke(() => updateHash.run(hash, username), username, 'the password was changed');
    },
    setRole(username, role) {
      const before = mustExist(username);
      if (before.role === role) return 0;
      return changeAndRevoke(() => updateRole.run(role, username), username, `the role was changed to ${role}`);
    },
    setDisabled(username, disabledTs) {
      mustExist(username);
      return changeAndRevoke(() => updateDisabled.run(disabledTs, username), username, disabledTs === null ? 'the account was re-enabled' : 'the account was disabled');
    },
  };
}
