// A real OPC UA server (node-opcua) whose variables answer as badly as they are told: wrong data
// types (text, booleans, 64-bit integers, byte strings, arrays of 100k), NaN and infinities,
// huge strings, Bad and Uncertain status codes, null, timestamps centuries away.
import { join } from 'node:path';
import { KNOWN_BUGS } from './fuzz-settings.js';
import { DataType, DataValue, OPCUACertificateManager, OPCUAServer, setErrorLogger, setWarningLogger, StatusCodes, Variant, VariantArrayType } from 'node-opcua';

export const OPCUA_BEHAVIOURS = ['good', 'string', 'huge-string', 'bool', 'array', 'int64', 'nan', 'infinity', 'bad-status', 'uncertain', 'null', 'bytestring', 'datetime', 'future-ts'] as const;
export type OpcUaBehaviour = (typeof OPCUA_BEHAVIOURS)[number];

/** Whether a tag fed this may honestly be shown as a good number. */
export const OPCUA_GOOD_NUMBER: ReadonlySet<OpcUaBehaviour> = new Set(['good', 'int64', 'future-ts', 'bool']);

export interface HostileOpcUa {
  endpoint: string;
  /** Variable i answers behaviours[(i + salt) % length] from now on. */
  script(behaviours: OpcUaBehaviour[], salt: number): void;
  behaviourOf(name: string): OpcUaBehaviour;
  stop(): Promise<void>;
}

/**
 * KNOWN BUG (reported in docs/security.md, not fixed): at full size — 100 000-element arrays on
 * every tag at 10 Hz — the edge spends so long decoding that /api/health takes over a second.
 * Sent that big only with --known-bugs; otherwise smaller, still the wrong type.
 */
const ARRAY_LENGTH = KNOWN_BUGS ? 100_000 : 1000;
const STRING_LENGTH = KNOWN_BUGS ? 200_000 : 20_000;

function dataValue(b: OpcUaBehaviour, tick: number): DataValue {
  const now = new Date();
  const good = (variant: Variant, at = now) => new DataValue({ value: variant, statusCode: StatusCodes.Good, sourceTimestamp: at, serverTimestamp: now });
  switch (b) {
    case 'good': return good(new Variant({ dataType: DataType.Double, value: 1 + (tick % 7) }));
    case 'string': return good(new Variant({ dataType: DataType.String, value: `not a number ${tick}` }));
    case 'huge-string': return good(new Variant({ dataType: DataType.String, value: 'x'.repeat(STRING_LENGTH + (tick % 3)) }));
    case 'bool': return good(new Variant({ dataType: DataType.Boolean, value: tick % 2 === 0 }));
    case 'array': return good(new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: new Float64Array(ARRAY_LENGTH).fill(tick) }));
    case 'int64': return good(new Variant({ dataType: DataType.Int64, value: [0x7fffffff, 0xffffffff - (tick % 5)] }));
    case 'nan': return good(new Variant({ dataType: DataType.Double, value: Number.NaN }));
    case 'infinity': return good(new Variant({ dataType: DataType.Double, value: tick % 2 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY }));
    case 'bad-status': return new DataValue({ value: new Variant({ dataType: DataType.Double, value: 42 + (tick % 3) }), statusCode: StatusCodes.BadDeviceFailure, sourceTimestamp: now, serverTimestamp: now });
    case 'uncertain': return new DataValue({ value: new Variant({ dataType: DataType.Double, value: 7 + (tick % 3) }), statusCode: StatusCodes.UncertainLastUsableValue, sourceTimestamp: now, serverTimestamp: now });
    case 'null': return good(new Variant({ dataType: DataType.Null }));
    case 'bytestring': return good(new Variant({ dataType: DataType.ByteString, value: Buffer.alloc(1000 + (tick % 5), 0xfe) }));
    case 'datetime': return good(new Variant({ dataType: DataType.DateTime, value: new Date(0) }));
    case 'future-ts': return good(new Variant({ dataType: DataType.Double, value: 3 + (tick % 5) }), new Date(Date.UTC(2999, 0, 1)));
  }
}

export async function startHostileOpcUa(port: number, pkiDir: string, names: string[], prefix: string): Promise<HostileOpcUa> {
  // The server complains loudly about what it is told to serve (that is the point): keep the test output readable.
  setWarningLogger(() => {});
  setErrorLogger(() => {});
  let behaviours: OpcUaBehaviour[] = ['good'];
  let salt = 0;
  let tick = 0;
  const server = new OPCUAServer({
    port, hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'user'), automaticallyAcceptUnknownCertificate: true }),
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const folder = ns.addObject({ organizedBy: server.engine.addressSpace!.rootFolder.objects, browseName: prefix });
  const behaviourOf = (name: string) => behaviours[(names.indexOf(name) + salt) % behaviours.length]!;
  for (const name of names) {
    ns.addVariable({
      componentOf: folder, browseName: name, nodeId: `s=${prefix}.${name}`, dataType: 'BaseDataType', valueRank: -2,
      value: { timestamped_get: () => dataValue(behaviourOf(name), tick++) },
    });
  }
  await server.start();
  return {
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    script(b, s) {
      behaviours = b.length ? b : ['good'];
      salt = s;
    },
    behaviourOf,
    stop: () => server.shutdown(0),
  };
}
