// The edge the REST and Socket.IO fuzzers attack: demo plant, every device on the real
// simulator, required-login mode, one user per role, their tokens, and an expired admin token
// signed with the edge's real key.
import { issueToken, type TokenClaims } from '../../../edge/auth/token.js';
import { loadPlantFile } from '../../../edge/config/load-plant.js';
import { ROLES } from '../../../shared/auth-api.js';
import type { PlantConfig } from '../../../shared/plant-schema.js';
import { withoutBreaks } from '../../support/line-harness.js';
import { startEdgeProcess, type EdgeProcess } from './edge-process.js';
import { send } from './raw-http.js';
import { FUZZ_SEED } from './fuzz-settings.js';

export interface FuzzEdge {
  edge: EdgeProcess;
  plant: PlantConfig;
  /** Role → a valid session token of a user with that role (kept up to date by refreshTokens). */
  tokens: Record<string, string>;
  expired: string;
  /**
   * Logs in again every role whose token no longer opens a session: the fuzzer itself logs out,
   * and a logout revokes the session at once (issue 16.4). The object `tokens` is updated in place.
   */
  refreshTokens(): Promise<string[]>;
}

async function login(url: string, role: string): Promise<string> {
  const a = await send(url, { method: 'POST', target: '/api/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `fz-${role}`, password: PASSWORD }) });
  if (a.kind !== 'answer' || a.status !== 200) throw new Error(`login fz-${role}: ${JSON.stringify(a)}`);
  return (JSON.parse(a.body) as { token: string }).token;
}


const PASSWORD = 'fuzzing passphrase long enough';

export async function startFuzzEdge(): Promise<FuzzEdge> {
  const secret = `fuzz-secret-${FUZZ_SEED}-0123456789abcdefghijklmnop`;
  const plant = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
  const edge = await startEdgeProcess({
    plant, simulate: plant.devices.map((d) => d.id), secret,
    users: ROLES.map((role) => ({ username: `fz-${role}`, role, password: PASSWORD })),
  });
  const tokens: Record<string, string> = {};
  for (const role of ROLES) tokens[role] = await login(edge.url, role);
  const t = Date.now() - 10 * 3_600_000;
  // The admin's own token (same user, same session) signed with the edge's key, but long expired.
  const claims = JSON.parse(Buffer.from(tokens.admin!.split('.')[1]!, 'base64url').toString()) as TokenClaims;
  const expired = issueToken(Buffer.from(secret, 'utf8'), { ...claims, iat: t, exp: t + 3_600_000 });
  async function refreshTokens(): Promise<string[]> {
    const renewed: string[] = [];
    for (const role of ROLES) {
      const a = await send(edge.url, { method: 'GET', target: '/api/session', headers: { authorization: `Bearer ${tokens[role]}` } });
      if (a.kind === 'answer' && a.status === 200) continue;
      try {
        tokens[role] = await login(edge.url, role);
        renewed.push(role);
      } catch {
        // throttled by the fuzzer's own failed logins from this address: try again after the next batch
      }
    }
    return renewed;
  }
  return { edge, plant, tokens, expired, refreshTokens };
}
