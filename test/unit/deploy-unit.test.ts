// deploy/twinline-edge.service (and the host's) say what issue 16.6 asks of a deployment, and their
// ExecStart uses only options the program takes (asked of the real CLI's --help), so the unit and the code cannot
// drift apart unnoticed. systemd-analyze checks the syntax where it is installed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const UNITS = { 'deploy/twinline-edge.service': 'edge/main.ts', 'deploy/twinline-host.service': 'edge/host/main.ts' };

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

for (const [UNIT, MAIN] of Object.entries(UNITS)) describe(UNIT, () => {
  const unit = directives(readFileSync(UNIT, 'utf8'));
  const one = (key: string) => unit.get(key)?.at(-1);
  const execStart = one('ExecStart')!;
  const dataDir = /--data (\S+)/.exec(execStart)?.[1];

  it('restarts on failure, gains no privileges, keeps the system read-only but the data folder', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('UMask')).toBe('0077');
    expect(dataDir).toBeDefined();
    expect(unit.get('ReadWritePaths')).toEqual([dataDir]);
    expect(one('User')).not.toBe('root');
    expect(execStart).toMatch(/--tls-cert \S+ --tls-key \S+/);
    expect(execStart).not.toMatch(/--demo/);
  });

  it(`starts ${MAIN} with options it takes`, () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(help.status).toBe(0);
    for (const flag of execStart.match(/--[a-z-]+/g)!.filter((f) => f !== '--import')) expect(help.stdout, flag).toContain(flag);
  });

  it('passes systemd-analyze verify (where systemd is installed)', () => {
    const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    if (verify.error) return; // no systemd on this machine: the directives above still hold
    expect(verify.stderr.trim()).toBe('');
    expect(verify.status).toBe(0);
  });
});
