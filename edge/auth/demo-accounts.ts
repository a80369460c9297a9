// Demo mode: one account per role with a published password, so a newcomer can try every
// role. Outside demo mode any account still holding its demo password is disabled at
// start-up: a database first run in demo mode must not carry known passwords into a plant.
import { ROLES, type Role } from '../../shared/auth-api.js';
import { verifyPassword } from './password.js';
import type { UserStore } from './user-store.js';

export interface DemoAccount {
  username: string;
  password: string;
  role: Role;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = ROLES.map((role) => ({ username: role, password: `${role}-demo`, role }));

/** The account a browser without a token is logged in as in demo mode. */
export const DEMO_AUTO_LOGIN = DEMO_ACCOUNTS[0]!;

export const DEMO_NOTICE = 'Demo mode: accounts with published passwords, visitors are logged in as operator. Not for a real plant — start the edge without --demo and create users with `npm run user -- add`.';

export interface DemoReport {
  created: string[];
  enabled: string[];
  /** Demo user names taken by a real account (other password): left alone. */
  skipped: string[];
  disabled: string[];
}

export async function ensureDemoAccounts(users: UserStore, now: number): Promise<DemoReport> {
  const report: DemoReport = { created: [], enabled: [], skipped: [], disabled: [] };
  for (const a of DEMO_ACCOUNTS) {
    const existing = users.find(a.username);
    if (!existing) {
      // The password is published: hashing it slowly protects nothing and would only slow every demo start.
      await users.add({ username: a.username, role: a.role, password: a.password, displayName: `Demo ${a.role}`, now, allowShortPassword: true, hashParams: { N: 1024, r: 8, p: 1 } });
      report.created.push(a.username);
    } else if (!(await verifyPassword(a.password, existing.passwordHash))) {
      report.skipped.push(a.username);
    } else {
      if (existing.role !== a.role) users.setRole(a.username, a.role);
      if (existing.disabledTs !== null) {
        users.setDisabled(a.username, null);
        report.enabled.push(a.username);
      }
    }
  }
  return report;
}

export async function disableDemoAccounts(users: UserStore, now: number): Promise<string[]> {
  const disabled: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    const existing = users.find(a.username);
    if (existing && existing.disabledTs === null && (await verifyPassword(a.password, existing.passwordHash))) {
      users.setDisabled(a.username, now);
      disabled.push(a.username);
    }
  }
  return disabled;
}
