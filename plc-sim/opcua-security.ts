// What the simulator's OPC UA server offers a client: which message security modes, which
// security policies, and whether a client must log in. A real PLC is configured the same way
// (e.g. a Siemens S7-1500: Security policies + User authentication); tests use it to check the
// edge against a server that insists on encryption, or that lacks the mode the edge asks for.
// No node-opcua import here: the CLI parses these before it loads the protocol stacks.

export const SECURITY_MODE_NAMES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type SecurityModeName = (typeof SECURITY_MODE_NAMES)[number];

/** The policies this simulator offers for Sign / SignAndEncrypt (Basic128Rsa15 and Basic256 are deprecated by the OPC Foundation). */
export const SECURITY_POLICY_NAMES = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;
export type SecurityPolicyName = (typeof SECURITY_POLICY_NAMES)[number];

export interface OpcUaUser {
  name: string;
  password: string;
}

export interface OpcUaSecurity {
  /** Message security modes with an endpoint; without None, only a discovery-only None endpoint remains (GetEndpoints). */
  modes: SecurityModeName[];
  /** Policies offered for Sign and SignAndEncrypt. */
  policies: SecurityPolicyName[];
  /** When non-empty, clients must log in as one of these users; anonymous sessions are refused. */
  users: OpcUaUser[];
}

/** The demo's default: an open None endpoint for `npm start`, plus Basic256Sha256 Sign and SignAndEncrypt, no login. */
export const DEFAULT_OPCUA_SECURITY: OpcUaSecurity = { modes: ['None', 'Sign', 'SignAndEncrypt'], policies: ['Basic256Sha256'], users: [] };

/** Throws RangeError naming the bad entry and what is allowed. */
export function checkSecurity(security: OpcUaSecurity): OpcUaSecurity {
  if (security.modes.length === 0) throw new RangeError(`OPC UA security: give at least one mode (${SECURITY_MODE_NAMES.join(', ')})`);
  for (const m of security.modes) {
    if (!SECURITY_MODE_NAMES.includes(m)) throw new RangeError(`OPC UA security mode "${m}" is unknown: use ${SECURITY_MODE_NAMES.join(', ')}`);
  }
  for (const p of security.policies) {
    if (!SECURITY_POLICY_NAMES.includes(p)) throw new RangeError(`OPC UA security policy "${p}" is unknown: use ${SECURITY_POLICY_NAMES.join(', ')}`);
  }
  if (security.modes.some((m) => m !== 'None') && security.policies.length === 0) {
    throw new RangeError('OPC UA security: Sign and SignAndEncrypt need at least one policy, e.g. Basic256Sha256');
  }
  for (const u of security.users) {
    if (!u.name || !u.password) throw new RangeError('OPC UA security: every user needs a name and a password');
  }
  return security;
}

/** One line for the log: what a client can use. */
export function describeSecurity(security: OpcUaSecurity): string {
  const endpoints = security.modes.flatMap((m) => (m === 'None' ? ['None'] : security.policies.map((p) => `${m}/${p}`)));
  const login = security.users.length ? `login required (${security.users.map((u) => u.name).join(', ')})` : 'anonymous allowed';
  return `security ${endpoints.join(', ')}; ${login}`;
}
