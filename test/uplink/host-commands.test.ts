// NCMD and DCMD handling against the demo plant's catalogue, with a recording command handler:
// what reaches the command service, with which origin, and what is answered as Command/Result.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createHostCommands, type RemoteCommandHandler, type RemoteCommandOrigin } from '../../edge/uplink/host-commands.js';
import { buildCatalogue, COMMAND_REQUEST, NODE_METRIC } from '../../edge/uplink/metric-catalogue.js';
import type { Metric, Payload } from '../../edge/uplink/sparkplug-codec.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const catalogue = buildCatalogue(plant);
const node = { groupId: 'plant-a', edgeNodeId: 'line-1' };
const machine = plant.machines[0]!.id;
const writable = catalogue.devices.get(machine)!.find((d) => d.tag !== undefined && d.writable);
const readOnly = catalogue.devices.get(machine)!.find((d) => d.tag !== undefined && !d.writable)!;

const payload = (...metrics: Metric[]): Payload => ({ timestamp: 0, metrics });
const request = (body: unknown): Metric => ({ name: COMMAND_REQUEST, type: 'String', value: typeof body === 'string' ? body : JSON.stringify(body) });

function harness(o: { enabled?: boolean; handler?: RemoteCommandHandler } = {}) {
  const results: Array<{ machineId: string; result: Record<string, unknown> }> = [];
  const logs: string[] = [];
  let rebirths = 0;
  const commands = createHostCommands({
    node, catalogue, enabled: o.enabled ?? true, handler: o.handler,
    rebirth: () => { rebirths++; },
    result: (machineId, result) => results.push({ machineId, result }),
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  return { commands, results, logs, rebirths: () => rebirths };
}

describe('host commands', () => {
  it('NCMD Node Control/Rebirth true, by name or by alias, asks for births; anything else is logged and ignored', () => {
    const h = harness();
    const alias = catalogue.byName(null, NODE_METRIC.rebirth)!.alias;
    h.commands.onNodeCommand(payload({ name: NODE_METRIC.rebirth, type: 'Boolean', value: true }));
    h.commands.onNodeCommand(payload({ alias, type: 'Boolean', value: true }));
    h.commands.onNodeCommand(payload({ name: NODE_METRIC.rebirth, type: 'Boolean', value: false }, { name: 'Node Control/Reboot', type: 'Boolean', value: true }));
    expect(h.rebirths()).toBe(2);
    expect(h.logs.filter((l) => l.startsWith('warn'))).toHaveLength(2);
  });

  it('passes a Command/Request to the handler with the origin the DCMD proves, and answers with the request id', async () => {
    const seen: Array<{ request: unknown; origin: RemoteCommandOrigin }> = [];
    const h = harness({ handler: async (req, origin) => { seen.push({ request: req, origin }); return { ok: true, message: 'done', auditId: 7 }; } });
    const body = { id: 'c-1', user: 'x'.repeat(100), hostId: 'scada', request: { kind: 'acknowledge', machineId: machine } };
    await h.commands.onDeviceCommand(machine, payload(request(body)));
    expect(seen).toEqual([{ request: body.request, origin: { ...node, machineId: machine, user: 'x'.repeat(64), hostId: 'scada' } }]);
    expect(h.results).toEqual([{ machineId: machine, result: { id: 'c-1', ok: true, message: 'done', auditId: 7 } }]);
  });

  it.runIf(writable)('makes a write to a writable tag metric a write-setpoint for that machine', async () => {
    const seen: unknown[] = [];
    const h = harness({ handler: async (req) => { seen.push(req); return { ok: true, message: 'written' }; } });
    await h.commands.onDeviceCommand(machine, payload({ alias: writable!.alias, type: writable!.type, value: 12 }));
    expect(seen).toEqual([{ kind: 'write-setpoint', machineId: machine, tag: writable!.tag, value: 12, reason: 'written by a Sparkplug host (DCMD)' }]);
  });

  it('answers what it cannot do with a status that says why, and never calls the handler for it', async () => {
    let calls = 0;
    const handler: RemoteCommandHandler = async () => { calls++; return { ok: true, message: '' }; };
    const h = harness({ handler });
    await h.commands.onDeviceCommand(machine, payload(request('{not json'), { alias: readOnly.alias, type: readOnly.type, value: 1 }));
    expect(h.results.map((r) => r.result.status)).toEqual([400, 403]);
    expect(String(h.results[1]!.result.error)).toContain('not writable');

    const off = harness({ enabled: false, handler });
    await off.commands.onDeviceCommand(machine, payload(request({ id: 2, request: {} })));
    expect(off.results[0]!.result).toMatchObject({ id: 2, ok: false, status: 403 });

    const none = harness();
    await none.commands.onDeviceCommand(machine, payload(request({ id: 3, request: {} })));
    expect(none.results[0]!.result).toMatchObject({ id: 3, ok: false, status: 503 });
    expect(calls).toBe(0);
  });

  it('answers 500 with the message when the handler throws', async () => {
    const h = harness({ handler: async () => { throw new Error('PLC went away'); } });
    await h.commands.onDeviceCommand(machine, payload(request({ id: 'x', request: {} })));
    expect(h.results[0]!.result).toEqual({ id: 'x', ok: false, status: 500, error: 'PLC went away' });
  });

  it('ignores a DCMD to an unknown machine and metrics of another machine', async () => {
    const other = catalogue.devices.get(plant.machines[1]!.id)!.find((d) => d.name === COMMAND_REQUEST)!;
    const h = harness({ handler: async () => ({ ok: true, message: '' }) });
    await h.commands.onDeviceCommand('no-such-machine', payload(request({ request: {} })));
    await h.commands.onDeviceCommand(machine, payload({ alias: other.alias, type: 'String', value: '{}' }));
    expect(h.results).toEqual([]);
    expect(h.logs).toHaveLength(2);
  });
});
