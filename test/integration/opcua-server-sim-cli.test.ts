// `npm run sim -- --opcua-standard-model`: the simulator's command line serves the OPC 40001-1
// Machinery model (plc-sim/standard-machinery.ts), found by a client that knows only the standard.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BrowseDirection, OPCUACertificateManager, OPCUAClient } from 'node-opcua';
import { loadPlantFile } from '../../edge/config/load-plant.js';

const dir = mkdtempSync(join(tmpdir(), 'twinline-sim-std-'));
let child: ChildProcess | undefined;
let client: OPCUAClient | undefined;

afterAll(async () => {
  await client?.disconnect().catch(() => {});
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the OPC UA endpoint it logs. */
function startSim(args: string[]): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'plc-sim/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /OPC UA server listening on (opc\.tcp:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`plc-sim exited (${code}) before serving OPC UA:\n${out.slice(-2000)}`)));
  });
}

describe('npm run sim -- --opcua-standard-model', () => {
  it('serves every OPC UA machine under the Machinery nodeset\'s Objects/Machines', async () => {
    const endpoint = await startSim(['--opcua-port', '0', '--modbus-port', '0', '--control-port', 'off', '--opcua-standard-model', '--pki-dir', join(dir, 'pki-sim')]);
    client = OPCUAClient.create({
      endpointMustExist: false, connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki-client'), automaticallyAcceptUnknownCertificate: true }),
    });
    await client.connect(endpoint.replace('localhost', '127.0.0.1'));
    const session = await client.createSession();
    const mi = (await session.readNamespaceArray()).indexOf('http://opcfoundation.org/UA/Machinery/');
    expect(mi).toBeGreaterThan(0);
    const machines = await session.browse({ nodeId: `ns=${mi};i=1001`, browseDirection: BrowseDirection.Forward, referenceTypeId: 'Organizes', includeSubtypes: true, resultMask: 63 });
    // The machines the simulator serves over OPC UA (the others are Modbus devices).
    const served = loadPlantFile('config/demo-plant.yaml').machines.filter((m) => m.tags.some((t) => t.opcua)).map((m) => m.id);
    expect(served.length).toBeGreaterThan(0);
    expect(machines.references!.map((r) => r.browseName.name).sort()).toEqual(served.sort());
    await session.close();
  }, 60_000);
});
