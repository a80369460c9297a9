// A device that is not in the plant file yet (a new plant's first OPC UA server or Modbus TCP
// device), typed into the add-machine form: its fields, the entry the plant file will hold, and
// the same zod schema the edge checks it with — a refusal (here or from the edge, e.g.
// devices[0].endpointUrl or device.port) is marked at its input.
import { ModbusTcpDeviceSchema, OpcUaDeviceSchema } from '../../../../shared/plant-schema.js';
import { el } from '../dom.js';
import { lx } from './layout-text.js';

export type NewDeviceKind = 'opcua' | 'modbus-tcp';

export interface NewDeviceForm {
  readonly root: HTMLElement;
  show(kind: NewDeviceKind | null, suggestedId: string): void;
  /** Empties the fields (the form opens afresh for each machine). */
  reset(): void;
  /** The device entry as typed (empty optional fields left out), or an error naming the field (already marked). */
  value(): { ok: true; device: Record<string, unknown> } | { ok: false; error: string };
  /** Marks the input a field path names (`device.endpointUrl`, `devices[0].port`); false when the path is not a device field. */
  markField(path: string | undefined): boolean;
}

const SECURITY_MODES = OpcUaDeviceSchema.shape.securityMode.unwrap().options;
const SECURITY_POLICIES = ['', ...OpcUaDeviceSchema.shape.securityPolicy.unwrap().options];

export function createNewDeviceForm(): NewDeviceForm {
  const root = el('div', 'layout-row layout-new-device');
  root.dataset.testid = 'new-device';
  root.hidden = true;
  const input = (testid: string, placeholder = '', type = 'text') => {
    const i = el('input');
    i.dataset.testid = testid; i.placeholder = placeholder; i.type = type;
    return i;
  };
  const select = (testid: string, options: readonly string[]) => {
    const s = el('select');
    s.dataset.testid = testid;
    for (const o of options) s.append(new Option(o || '—', o));
    return s;
  };
  const fields = {
    id: input('device-id'),
    endpointUrl: input('device-endpoint', 'opc.tcp://192.168.0.10:4840'),
    securityMode: select('device-security-mode', SECURITY_MODES),
    securityPolicy: select('device-security-policy', SECURITY_POLICIES),
    username: input('device-username'),
    passwordEnv: input('device-password-env', 'TWINLINE_OPCUA_PASSWORD'),
    host: input('device-host', '192.168.0.20'),
    port: input('device-port', '502', 'number'),
    unitId: input('device-unit', '1', 'number'),
  };
  fields.endpointUrl.size = 32;
  function reset(): void {
    for (const f of Object.values(fields)) f.value = '';
    fields.securityMode.value = 'None';
    fields.port.value = '502'; fields.unitId.value = '1';
  }
  reset();
  const OPCUA = ['id', 'endpointUrl', 'securityMode', 'securityPolicy', 'username', 'passwordEnv'] as const;
  const MODBUS = ['id', 'host', 'port', 'unitId'] as const;
  let kind: NewDeviceKind | null = null;

  function render(): void {
    const T = lx();
    const labels: Record<keyof typeof fields, string> = {
      id: T.deviceId, endpointUrl: T.endpoint, securityMode: T.securityMode, securityPolicy: T.securityPolicy, username: T.username, passwordEnv: T.passwordEnv,
      host: T.host, port: T.port, unitId: T.unitId,
    };
    root.replaceChildren(...(kind === 'opcua' ? OPCUA : kind === 'modbus-tcp' ? MODBUS : []).map((k) => {
      const l = el('label', 'layout-field');
      l.append(labels[k], fields[k]);
      return l;
    }));
  }

  function clearMarks(): void {
    for (const f of Object.values(fields)) f.classList.remove('invalid');
  }

  function markField(path: string | undefined): boolean {
    clearMarks();
    const m = path ? /^(?:device|devices\[\d+\])\.(\w+)/.exec(path) : null;
    const target = m ? (fields as Record<string, HTMLElement>)[m[1]!] : undefined;
    target?.classList.add('invalid');
    return target !== undefined;
  }

  function entry(): Record<string, unknown> {
    const text = (i: HTMLInputElement | HTMLSelectElement) => i.value.trim();
    const number = (i: HTMLInputElement) => (text(i) === '' ? undefined : Number(text(i)));
    const out: Record<string, unknown> = { id: text(fields.id), protocol: kind };
    if (kind === 'opcua') {
      out.endpointUrl = text(fields.endpointUrl);
      out.securityMode = fields.securityMode.value;
      if (fields.securityPolicy.value) out.securityPolicy = fields.securityPolicy.value;
      if (text(fields.username)) out.username = text(fields.username);
      if (text(fields.passwordEnv)) out.passwordEnv = text(fields.passwordEnv);
    } else {
      out.host = text(fields.host);
      out.port = number(fields.port);
      out.unitId = number(fields.unitId);
    }
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  }

  return {
    root,
    show(next, suggestedId) {
      kind = next;
      root.hidden = next === null;
      if (next && !fields.id.value) fields.id.value = suggestedId;
      clearMarks();
      render();
    },
    value() {
      const device = entry();
      const result = (kind === 'opcua' ? OpcUaDeviceSchema : ModbusTcpDeviceSchema).safeParse(device);
      if (result.success) { clearMarks(); return { ok: true, device }; }
      const issue = result.error.issues[0]!;
      const field = issue.path.map(String).join('.');
      markField(`device.${field}`);
      return { ok: false, error: `device.${field}: ${issue.message}` };
    },
    markField,
    reset,
  };
}
