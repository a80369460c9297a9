// The plant file's `opcuaServer:` section: the edge serving the line northbound over OPC UA
// (edge/opcua-server, docs/opcua.md). Off when absent. Browser-safe.
import { z } from 'zod';

export const OPCUA_SERVER_SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const OPCUA_SERVER_SECURITY_POLICIES = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;

export const OpcUaServerSettingsSchema = z.strictObject({
  /** TCP port of opc.tcp://<host>:<port>/ (4840 is the IANA port for OPC UA). */
  port: z.number().int().min(0).max(65535).default(4840),
  /** Host name put in the endpoint URLs and the server certificate; default: the machine's host name. */
  hostname: z.string().min(1).max(253).optional(),
  /** Message security modes offered. None carries passwords in the clear unless a policy encrypts them: offer it on a trusted network only. */
  securityModes: z.array(z.enum(OPCUA_SERVER_SECURITY_MODES)).min(1).max(3).default(['None', 'SignAndEncrypt']),
  /** Policies offered with Sign / SignAndEncrypt. */
  securityPolicies: z.array(z.enum(OPCUA_SERVER_SECURITY_POLICIES)).min(1).max(3).default(['Basic256Sha256']),
  /** Anonymous sessions may browse and read, never write. Off unless said here. */
  allowAnonymous: z.boolean().default(false),
  /** Client application certificates not yet trusted are accepted (and trusted). Off: copy them from data/pki/opcua-server/rejected to trusted. */
  trustUnknownClients: z.boolean().default(false),
  /** Sessions at once; each costs memory and a publish loop. */
  maxSessions: z.number().int().min(1).max(500).default(100),
  /** How often the KPI variables are refreshed from the KPI engine. */
  kpiRefreshMs: z.number().int().min(200).max(60_000).default(1000),
});
export type OpcUaServerSettings = z.infer<typeof OpcUaServerSettingsSchema>;
