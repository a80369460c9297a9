// Which security an OPC UA server offers, asked over the discovery service (GetEndpoints is
// open over a None channel even on servers whose sessions need encryption, OPC UA Part 4
// §5.4.4), so a connect error can name what the plant file could ask for instead.
import {
  MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, type EndpointDescription,
} from 'node-opcua';

/** "SignAndEncrypt/Basic256Sha256" for an endpoint description; "None" for an open one. */
export function securityLabel(e: Pick<EndpointDescription, 'securityMode' | 'securityPolicyUri'>): string {
  const mode = MessageSecurityMode[e.securityMode] ?? String(e.securityMode);
  if (e.securityMode === MessageSecurityMode.None) return 'None';
  return `${mode}/${(e.securityPolicyUri ?? '').replace(/.*#/, '')}`;
}

/**
 * The distinct mode/policy pairs a server offers sessions on, e.g. ["None", "SignAndEncrypt/Basic256Sha256"].
 * `pkiFolder` is the edge's own PKI folder: node-opcua needs a certificate manager even for a None channel.
 */
export async function offeredSecurity(endpointUrl: string, pkiFolder: string, timeoutMs = 5000): Promise<string[]> {
  const client = OPCUAClient.create({
    applicationName: 'twinline-edge',
    applicationUri: 'urn:twinline:edge',
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    // Disposed by disconnect(); a manager of its own so the connector's stays usable.
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: pkiFolder, automaticallyAcceptUnknownCertificate: false }),
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    transportTimeout: timeoutMs,
  });
  try {
    await client.connect(endpointUrl);
    const endpoints = await client.getEndpoints();
    return [...new Set(endpoints.map(securityLabel))];
  } finally {
    await client.disconnect().catch(() => {});
  }
}
