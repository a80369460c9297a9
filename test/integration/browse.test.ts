// The browse tool against the real simulator: the tree shows the machines, and the snippet
// it writes is a valid plant-file tag list that points at the same nodes the demo plant uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPCUAClient } from 'node-opcua';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TagSchema } from '../../shared/plant-schema.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { browseTree, formatTree, plantSnippet, type BrowsedNode } from '../../edge/tools/opcua-browse.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';

const dir = mkdtempSync(join(tmpdir(), 'twinline-browse-'));
const plant = loadPlantFile('config/demo-plant.yaml');
let sim: RunningSimulator;
let tree: BrowsedNode[];

beforeAll(async () => {
  sim = await startSimulator({ plant, opcuaPort: 0, modbusPort: 0, seed: 1, pkiDir: join(dir, 'pki'), log: () => {} });
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 3, initialDelay: 200, maxDelay: 500 } });
  await client.connect(sim.opcuaEndpoint);
  const session = await client.createSession();
  tree = await browseTree(session, 'ns=0;i=85', { depth: 6, includeServerObject: false });
  await session.close();
  await client.disconnect();
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('OPC UA browse', () => {
  it('prints the machines with typed variables and units', () => {
    const text = formatTree(tree);
    expect(text).toContain('ns=1;s=mill.SpindleTemperature');
    expect(text).toMatch(/SpindleTemperature : Double \[°C\]/);
    expect(text).not.toContain('ns=0;i=2253');
  });

  it('writes a snippet that validates and matches the demo plant node ids', () => {
    const snippet = plantSnippet(tree, ['ns=1;s=mill']);
    const doc = z.object({ tags: z.array(TagSchema) }).parse(parse(snippet));
    const demoMill = plant.machines.find((m) => m.id === 'mill')!;
    const byNode = new Map(doc.tags.map((t) => [t.opcua!.nodeId, t]));
    for (const tag of demoMill.tags) {
      const found = byNode.get(tag.opcua!.nodeId);
      expect(found, tag.opcua!.nodeId).toBeDefined();
      expect(found!.type).toBe(tag.type);
    }
    expect(snippet).toMatch(/# skipped .*Manufacturer.*LocalizedText/);
  });
});
