// /api/layout…: the twin's layout mode. An admin reads the placements and the floor, saves them
// (written into the plant file's YAML, comments kept; validated with the plant schema first;
// audited; applied by a reload without restarting), and uploads a floor-plan image that anyone
// logged in can then see on the twin's ground.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { FloorLayoutSchema, type FloorLayout } from '../../shared/floor-layout-schema.js';
import {
  AddMachineBodySchema, BrowsedVariableSchema, NewModbusTestReadBodySchema, NewOpcUaDeviceBodySchema, TestReadAnswerSchema, TestReadBodySchema, BrowsePathSchema, FLOOR_PLAN_MAX_BYTES, FloorPlanAnswerSchema, FloorPlanPathSchema, FloorPlanUploadSchema, LayoutAnswerSchema, LayoutSaveAnswerSchema, LayoutSaveBodySchema,
} from '../../shared/layout-api.js';
import type { ModbusTcpDeviceConfig, OpcUaDeviceConfig, PlantConfig } from '../../shared/plant-schema.js';
import { ApiFailure, apiRoute, ok } from '../api/index.js';
import type { AuditLog } from '../audit/index.js';
import { parsePlantText } from '../config/index.js';
import { floorPlanSize, imageContentType } from './floor-plan-image.js';
import { LayoutWriteError, writeLayout } from './layout-document.js';
import { appendDevice, appendMachine, BROWSE_LIMITS, browseVariables, BrowseTimeout } from './machine-add.js';
import { testRead, type RegisterRow } from './modbus-test-read.js';
import type { PlantFileHandle } from './plant-file-handle.js';

export interface LayoutRouteOptions {
  plantFile: PlantFileHandle;
  audit: Pick<AuditLog, 'append'>;
  /** The edge's data folder: the OPC UA client PKI for browsing (data/pki/edge, as the connectors use). */
  dataDir?: string;
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

function mapError(err: unknown): ApiFailure | null {
  if (err instanceof LayoutWriteError) return new ApiFailure(400, 'layout-refused', err.message, err.field ? { field: err.field } : {});
  if ((err as Error | undefined)?.name === 'ConfigError') {
    // The first `file: path: message` line names the field the layout would break.
    const field = /: ([^:\s]+): /.exec((err as Error).message.split('\n')[1] ?? '')?.[1];
    return new ApiFailure(400, 'invalid-layout', (err as Error).message, field ? { field } : {});
  }
  return null;
}

function who(principal: { user: string; role: 'operator' | 'maintenance' | 'manager' | 'admin' } | null) {
  if (!principal) throw new ApiFailure(401, 'unauthenticated', 'log in first');
  return principal;
}

/** Written beside the file and renamed over it: a reader (or the watcher) never sees half a file. */
function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, data, { mode: 0o640 });
  renameSync(tmp, file);
}

export async function layoutRoutes(app: FastifyInstance, { plantFile, audit, dataDir }: LayoutRouteOptions): Promise<void> {
  const file = plantFile.path;
  const plansDir = join(dirname(file), 'floor-plans');
  const read = () => {
    const text = readFileSync(file, 'utf8');
    return { text, hash: sha256(text) };
  };

  app.route(apiRoute({
    method: 'GET', url: '/api/layout', access: 'admin', action: 'reading the plant layout', tag: 'layout',
    summary: "Machine placements and the floor (grid, floor plan, areas, conveyors) from the plant file, with its hash and the last reload's outcome",
    query: z.strictObject({}),
    responses: { ...ok('the layout', LayoutAnswerSchema), 400: { description: 'the plant file on disk is invalid', schema: ApiErrorSchema } },
  }, () => {
    const { text, hash } = read();
    const plant: PlantConfig = parsePlantText(text, basename(file));
    return {
      file: basename(file), hash,
      machines: plant.machines.map((m) => ({ id: m.id, name: m.name, type: m.type, ...m.layout })),
      layout: plant.layout ?? FloorLayoutSchema.parse({}),
      lastReload: plantFile.lastReload(),
      devices: plant.devices.map((d) => ({ id: d.id, protocol: d.protocol })),
    };
  }, mapError));

  app.route(apiRoute({
    method: 'PUT', url: '/api/layout', access: 'admin', action: 'saving the plant layout', tag: 'layout',
    summary: "Write placements and the floor into the plant file's layout (comments kept), audited, applied without a restart",
    body: LayoutSaveBodySchema,
    responses: {
      ...ok('saved and applied', LayoutSaveAnswerSchema),
      400: { description: 'the layout does not validate (the field is named)', schema: ApiErrorSchema },
      409: { description: 'the plant file changed since the layout was read', schema: ApiErrorSchema },
    },
  }, async ({ body, principal }) => {
    const actor = who(principal);
    const { text, hash } = read();
    if (hash !== body.baseHash) {
      audit.append({ actor: actor.user, role: actor.role, action: 'layout.save', target: basename(file), details: { error: 'plant file changed meanwhile' }, outcome: 'refused' });
      throw new ApiFailure(409, 'conflict', 'the plant file changed since this layout was opened (a hand edit or another admin): reload the layout, then place again');
    }
    if (body.layout.floorPlan && !existsSync(join(plansDir, body.layout.floorPlan.image))) {
      throw new ApiFailure(400, 'invalid-layout', `no floor plan ${body.layout.floorPlan.image} in floor-plans/: upload it first`, { field: 'layout.floorPlan.image' });
    }
    const before = parsePlantText(text, basename(file));
    const next = writeLayout(text, body.machines, body.layout);
    parsePlantText(next, basename(file)); // the same schema as a hand edit; throws naming the field
    const changed = describeLayoutChange(before, body.machines, body.layout);
    writeAtomically(file, next);
    audit.append({ actor: actor.user, role: actor.role, action: 'layout.save', target: basename(file), details: { changes: changed, hash: sha256(next) }, outcome: 'ok' });
    const reload = await plantFile.reload('layout-save');
    return { hash: sha256(next), reload, changed };
  }, mapError));

  app.route({
    ...apiRoute({
      method: 'PUT', url: '/api/layout/floor-plan', access: 'admin', action: 'uploading a floor plan', tag: 'layout',
      summary: `A floor-plan image (PNG or JPEG, at most ${FLOOR_PLAN_MAX_BYTES / 1024 / 1024} MiB, base64) into floor-plans/ beside the plant file; the layout then names it`,
      body: FloorPlanUploadSchema,
      responses: { ...ok('stored', FloorPlanAnswerSchema), 400: { description: 'not a PNG/JPEG, or too large', schema: ApiErrorSchema }, 413: { description: 'body too large', schema: ApiErrorSchema } },
    }, ({ body, principal }) => {
      const actor = who(principal);
      const bytes = Buffer.from(body.dataBase64, 'base64');
      if (bytes.length > FLOOR_PLAN_MAX_BYTES) throw new ApiFailure(400, 'too-large', `the image has ${bytes.length} bytes; at most ${FLOOR_PLAN_MAX_BYTES}`, { field: 'dataBase64' });
      const size = floorPlanSize(body.name, bytes);
      if (typeof size === 'string') throw new ApiFailure(400, 'invalid-image', size, { field: 'dataBase64' });
      mkdirSync(plansDir, { recursive: true, mode: 0o750 });
      writeAtomically(join(plansDir, body.name), bytes);
      audit.append({ actor: actor.user, role: actor.role, action: 'layout.floor-plan', target: body.name, details: { bytes: bytes.length, ...size, sha256: sha256(bytes) }, outcome: 'ok' });
      return { image: body.name, ...size, bytes: bytes.length };
    }, mapError),
    // Base64 of the largest image plus the JSON around it; every other route keeps the edge's small limit.
    bodyLimit: Math.ceil(FLOOR_PLAN_MAX_BYTES / 3) * 4 + 1024,
  });

  app.route(apiRoute({
    method: 'GET', url: '/api/layout/floor-plan/:image', access: 'operator', tag: 'layout',
    summary: 'A floor-plan image named by the layout (the twin lays it on the ground)', params: FloorPlanPathSchema,
    responses: { 200: { description: 'the image', contentType: 'image/png' }, 404: { description: 'no such image', schema: ApiErrorSchema } },
  }, ({ params, reply }) => {
    const path = join(plansDir, params.image);
    if (!existsSync(path)) throw new ApiFailure(404, 'not-found', `no floor plan ${params.image}`);
    return reply.type(imageContentType(params.image)).header('cache-control', 'no-cache').send(readFileSync(path));
  }, mapError));
}

export async function machineAddRoutes(app: FastifyInstance, { plantFile, audit, dataDir }: LayoutRouteOptions): Promise<void> {
  const file = plantFile.path;
  const pkiDir = dataDir ?? join(dirname(file), 'data');
  // These routes connect outward, to addresses an admin chose: one at a time per edge, each with
  // a deadline (BROWSE_LIMITS) — a slow or silent address costs one request's wait, never a pile.
  let outwardBusy = false;
  async function outward<T>(work: () => Promise<T>): Promise<T> {
    if (outwardBusy) throw new ApiFailure(429, 'busy', 'another browse or test read is running: wait for it to finish, then try again');
    outwardBusy = true;
    try {
      return await work();
    } finally {
      outwardBusy = false;
    }
  }
  const browse = (device: OpcUaDeviceConfig) => outward(async () => {
    try {
      return { variables: await browseVariables(device, pkiDir) };
    } catch (err) {
      const hint = err instanceof BrowseTimeout ? 'is the address right and the server reachable from the edge?' : 'is the server running and its certificate trusted?';
      throw new ApiFailure(502, 'browse-failed', `cannot browse ${device.endpointUrl}: ${(err as Error).message.split('\n')[0]} — ${hint}`);
    }
  });
  const read = (device: ModbusTcpDeviceConfig, tags: readonly RegisterRow[]) => outward(async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${BROWSE_LIMITS.timeoutMs / 1000} s`)), BROWSE_LIMITS.timeoutMs); });
      return { values: await Promise.race([testRead(device, tags), deadline]) };
    } catch (err) {
      throw new ApiFailure(502, 'read-failed', `cannot read ${device.host}:${device.port} (unit ${device.unitId}): ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  });
  const variablesAnswer = z.object({ variables: z.array(BrowsedVariableSchema) });

  app.route(apiRoute({
    method: 'GET', url: '/api/layout/devices/:device/browse', access: 'admin', action: 'browsing an OPC UA server', tag: 'layout',
    summary: "The variables in an OPC UA device's address space (under Objects), with a suggested tag name, type and unit, to pick a new machine's tags from",
    params: BrowsePathSchema, query: z.strictObject({}),
    responses: { ...ok('variables', variablesAnswer), 404: { description: 'no such OPC UA device', schema: ApiErrorSchema }, 429: { description: 'another browse or test read is running', schema: ApiErrorSchema }, 502: { description: 'the server did not answer', schema: ApiErrorSchema } },
  }, async ({ params }) => {
    const plant = parsePlantText(readFileSync(file, 'utf8'), basename(file));
    const device = plant.devices.find((d) => d.id === params.device);
    if (!device || device.protocol !== 'opcua') throw new ApiFailure(404, 'not-found', `no OPC UA device "${params.device}" in the plant file (known: ${plant.devices.filter((d) => d.protocol === 'opcua').map((d) => d.id).join(', ') || 'none'})`, { field: 'device' });
    return browse(device);
  }, mapError));

  app.route(apiRoute({
    method: 'POST', url: '/api/layout/new-device/browse', access: 'admin', action: 'browsing a new OPC UA server', tag: 'layout',
    summary: `Browse an OPC UA server that is not in the plant file yet (its device entry as the plant file would hold it), to add it with its first machine; at most ${BROWSE_LIMITS.limit} variables, ${BROWSE_LIMITS.timeoutMs / 1000} s, one browse at a time`,
    body: NewOpcUaDeviceBodySchema,
    responses: { ...ok('variables', variablesAnswer), 429: { description: 'another browse or test read is running', schema: ApiErrorSchema }, 502: { description: 'the server did not answer', schema: ApiErrorSchema } },
  }, ({ body }) => browse(body.device), mapError));

  app.route(apiRoute({
    method: 'POST', url: '/api/layout/devices/:device/test-read', access: 'admin', action: 'test-reading Modbus registers', tag: 'layout',
    summary: "Read a register table once from a Modbus TCP device, decoded as the connector will (for the twin's Modbus form)",
    params: BrowsePathSchema, body: TestReadBodySchema,
    responses: { ...ok('values', TestReadAnswerSchema), 404: { description: 'no such Modbus TCP device', schema: ApiErrorSchema }, 429: { description: 'another browse or test read is running', schema: ApiErrorSchema }, 502: { description: 'the device did not answer', schema: ApiErrorSchema } },
  }, async ({ params, body }) => {
    const plant = parsePlantText(readFileSync(file, 'utf8'), basename(file));
    const device = plant.devices.find((d) => d.id === params.device);
    if (device?.protocol === 'modbus-rtu') throw new ApiFailure(400, 'serial-busy', `${device.id} is a serial line the running connector holds: add the machine, then check its values in the twin`, { field: 'device' });
    if (!device || device.protocol !== 'modbus-tcp') throw new ApiFailure(404, 'not-found', `no Modbus TCP device "${params.device}" in the plant file`, { field: 'device' });
    return read(device, body.tags);
  }, mapError));

  app.route(apiRoute({
    method: 'POST', url: '/api/layout/new-device/test-read', access: 'admin', action: 'test-reading a new Modbus device', tag: 'layout',
    summary: `Read a register table once from a Modbus TCP device that is not in the plant file yet (its device entry as the plant file would hold it); ${BROWSE_LIMITS.timeoutMs / 1000} s at most, one read at a time`,
    body: NewModbusTestReadBodySchema,
    responses: { ...ok('values', TestReadAnswerSchema), 429: { description: 'another browse or test read is running', schema: ApiErrorSchema }, 502: { description: 'the device did not answer', schema: ApiErrorSchema } },
  }, ({ body }) => read(body.device, body.tags), mapError));

  app.route(apiRoute({
    method: 'POST', url: '/api/layout/machines', access: 'admin', action: 'adding a machine', tag: 'layout',
    summary: "Append a machine (and, for a new plant, its device) to the plant file (checked by the plant schema, the bad field named), audited, applied by a reload",
    body: AddMachineBodySchema,
    responses: {
      ...ok('added', z.object({ hash: z.string(), reload: z.unknown() })),
      400: { description: 'the machine does not validate (the field is named)', schema: ApiErrorSchema },
      409: { description: 'the plant file changed since it was read', schema: ApiErrorSchema },
    },
  }, async ({ body, principal }) => {
    const actor = who(principal);
    const text = readFileSync(file, 'utf8');
    if (sha256(text) !== body.baseHash) throw new ApiFailure(409, 'conflict', 'the plant file changed since it was read: read the layout again, then add the machine');
    const next = appendMachine(body.device ? appendDevice(text, body.device) : text, body.machine);
    parsePlantText(next, basename(file)); // names e.g. machines[6].tags[0].opcua or devices[0].endpointUrl
    writeAtomically(file, next);
    const id = String(body.machine.id);
    if (body.device) audit.append({ actor: actor.user, role: actor.role, action: 'layout.add-device', target: String(body.device.id), details: { device: body.device, file: basename(file) }, outcome: 'ok' });
    audit.append({ actor: actor.user, role: actor.role, action: 'layout.add-machine', target: id, details: { machine: body.machine, file: basename(file) }, outcome: 'ok' });
    return { hash: sha256(next), reload: await plantFile.reload('layout-save') };
  }, mapError));
}

/** Who changed what, for the audit log: each moved machine from → to, areas and conveyors added or removed, the floor plan. */
function describeLayoutChange(before: PlantConfig, machines: readonly { id: string; x: number; z: number; rotationDeg: number }[], layout: FloorLayout): string[] {
  const out: string[] = [];
  for (const m of machines) {
    const old = before.machines.find((o) => o.id === m.id)?.layout;
    if (old && (old.x !== m.x || old.z !== m.z || old.rotationDeg !== m.rotationDeg)) {
      out.push(`moved ${m.id} from (${old.x}, ${old.z}, ${old.rotationDeg}°) to (${m.x}, ${m.z}, ${m.rotationDeg}°)`);
    }
  }
  const oldLayout = before.layout ?? FloorLayoutSchema.parse({});
  const names = (areas: FloorLayout['areas']) => new Map(areas.map((a) => [a.id, a]));
  const oldAreas = names(oldLayout.areas);
  const newAreas = names(layout.areas);
  for (const [id, a] of newAreas) {
    if (!oldAreas.has(id)) out.push(`added area ${id} "${a.name}"`);
    else if (JSON.stringify(oldAreas.get(id)) !== JSON.stringify(a)) out.push(`changed area ${id} "${a.name}"`);
  }
  for (const [id, a] of oldAreas) if (!newAreas.has(id)) out.push(`removed area ${id} "${a.name}"`);
  const key = (c: { from: string; to: string }) => `${c.from}→${c.to}`;
  const oldConv = new Set(oldLayout.conveyors.map(key));
  const newConv = new Set(layout.conveyors.map(key));
  for (const c of newConv) if (!oldConv.has(c)) out.push(`added conveyor ${c}`);
  for (const c of oldConv) if (!newConv.has(c)) out.push(`removed conveyor ${c}`);
  if (JSON.stringify(oldLayout.floorPlan ?? null) !== JSON.stringify(layout.floorPlan ?? null)) {
    out.push(layout.floorPlan ? `floor plan ${layout.floorPlan.image} at ${layout.floorPlan.metresPerPixel} m/px` : 'floor plan removed');
  }
  if (oldLayout.gridMetres !== layout.gridMetres) out.push(`grid ${oldLayout.gridMetres} → ${layout.gridMetres} m`);
  return out;
}
