// "Add machine" in layout mode (issue 21.4): pick an OPC UA device, browse its address space,
// tick the variables that belong to the machine, give each a role and a unit, name the machine,
// add. The edge checks the entry with the plant schema; a refusal names a field
// (machines[6].tags[1].opcua) and the form marks that input. A Modbus device gets a register
// table instead (name, role, type, table, address, unit, scale) with a test read of its rows.
// A plant file without the device yet (a new plant) picks "new OPC UA server" or "new Modbus TCP
// device" and types it in (device-form.ts); it is browsed or test-read as typed and written to
// the plant file together with the machine.
import type { Role } from '../../../../shared/auth-api.js';
import { DataTypeSchema, TagRoleSchema } from '../../../../shared/plant-schema.js';
import { button, el } from '../dom.js';
import { createNewDeviceForm, type NewDeviceKind } from './device-form.js';
import { layoutApi, type BrowsedVariable } from './layout-client.js';
import { lx } from './layout-text.js';

export interface MachineForm {
  open(devices: { id: string; protocol: string }[], baseHash: () => string, at: { x: number; z: number }): void;
  readonly root: HTMLElement;
}

const ROLES = TagRoleSchema.options;
const TYPES = DataTypeSchema.options;
const TABLES = ['holding', 'input', 'coil', 'discrete'] as const;
/** Device choices that are not in the plant file yet (no plant device id can start with "+"). */
const NEW_DEVICE: Record<string, NewDeviceKind> = { '+opcua': 'opcua', '+modbus-tcp': 'modbus-tcp' };

const select = (options: readonly string[], value: string) => {
  const s = el('select');
  for (const o of options) s.append(new Option(o, o));
  s.value = value;
  return s;
};

/** One row of the Modbus register table. */
interface RegisterRow { name: HTMLInputElement; role: HTMLSelectElement; type: HTMLSelectElement; table: HTMLSelectElement; address: HTMLInputElement; unit: HTMLInputElement; scale: HTMLInputElement; value: HTMLElement; line: HTMLElement }

export function createMachineForm(o: { onAdded: (summary: string) => void; role?: () => Role | null }): MachineForm {
  const root = el('section', 'layout-machine-form');
  root.dataset.testid = 'machine-form';
  root.hidden = true;
  const field = (testid: string, label: string, input: HTMLInputElement | HTMLSelectElement) => {
    const l = el('label', 'layout-field');
    input.dataset.testid = testid;
    l.append(label, input);
    return l;
  };
  const device = el('select');
  const id = el('input');
  const name = el('input');
  const type = el('input');
  type.value = 'cnc';
  const cycle = el('input');
  cycle.type = 'number'; cycle.value = '10'; cycle.min = '0';
  const browse = button('layout-btn', 'machine-browse');
  const add = button('layout-btn layout-primary', 'machine-add');
  const cancel = button('layout-btn', 'machine-cancel');
  const error = el('div', 'layout-status error');
  error.dataset.testid = 'machine-error';
  const list = el('div', 'layout-variables');
  list.dataset.testid = 'machine-variables';
  const inputs = { id, name, type, idealCycleTimeSeconds: cycle, device } as const;
  let rows: { v: BrowsedVariable; pick: HTMLInputElement; role: HTMLSelectElement; unit: HTMLInputElement; name: HTMLInputElement }[] = [];
  let hash: () => string = () => '';
  let protocols = new Map<string, string>();
  let registers: RegisterRow[] = [];
  const addRow = button('layout-btn', 'machine-add-row');
  const testReadButton = button('layout-btn', 'machine-test-read');
  const newDevice = createNewDeviceForm();
  const newKind = (): NewDeviceKind | null => NEW_DEVICE[device.value] ?? null;
  const isModbus = () => newKind() === 'modbus-tcp' || protocols.get(device.value) === 'modbus-tcp' || protocols.get(device.value) === 'modbus-rtu';
  /** The new device's entry, or null after showing why it is not valid yet (marked at its field). */
  function typedDevice(): Record<string, unknown> | null {
    const v = newDevice.value();
    if (v.ok) return v.device;
    error.textContent = v.error;
    return null;
  }

  function registerRow(): RegisterRow {
    const n = registers.length;
    const input = (value: string, size: number, testid: string) => { const i = el('input'); i.value = value; i.size = size; i.dataset.testid = `${testid}-${n}`; return i; };
    const row: RegisterRow = {
      name: input(n === 0 ? 'state' : '', 12, 'reg-name'), role: select(ROLES, n === 0 ? 'state' : 'process'), type: select(TYPES, 'uint16'), table: select(TABLES, 'holding'),
      address: input(String(n), 6, 'reg-address'), unit: input('', 5, 'reg-unit'), scale: input('1', 5, 'reg-scale'), value: el('span', 'layout-muted'), line: el('div', 'layout-variable'),
    };
    row.role.dataset.testid = `reg-role-${n}`; row.type.dataset.testid = `reg-type-${n}`; row.table.dataset.testid = `reg-table-${n}`; row.value.dataset.testid = `reg-value-${n}`;
    row.line.append(row.name, row.role, row.type, row.table, row.address, row.unit, row.scale, row.value);
    return row;
  }
  const registerTags = () => registers.filter((r) => r.name.value.trim()).map((r) => ({
    name: r.name.value.trim(), role: r.role.value, type: r.type.value, ...(r.unit.value ? { unit: r.unit.value } : {}),
    modbus: { table: r.table.value, address: Number(r.address.value), ...(Number(r.scale.value) !== 1 ? { scale: Number(r.scale.value) } : {}) },
  }));
  function showVariables(): void {
    const T = lx();
    addRow.textContent = T.addRow; testReadButton.textContent = T.testRead;
    browse.hidden = isModbus();
    if (isModbus()) {
      if (!registers.length) registers = [registerRow()];
      const head = el('div', 'layout-muted', T.registerHead);
      list.replaceChildren(head, ...registers.map((r) => r.line), el('div', 'layout-row'));
      (list.lastChild as HTMLElement).append(addRow, testReadButton);
    } else if (!rows.length) list.replaceChildren();
  }
  device.addEventListener('change', () => { rows = []; registers = []; list.replaceChildren(); newDevice.show(newKind(), suggestedDeviceId()); showVariables(); });
  const suggestedDeviceId = () => {
    let n = 1;
    while (protocols.has(`plc-${n}`)) n++;
    return `plc-${n}`;
  };
  addRow.addEventListener('click', () => { registers.push(registerRow()); showVariables(); });
  testReadButton.addEventListener('click', async () => {
    const tags = registerTags().map(({ name, type, modbus }) => ({ name, type, modbus }));
    const typed = newKind() ? typedDevice() : null;
    if (newKind() && !typed) return;
    const answer = typed ? await layoutApi.testReadNew(typed, tags) : await layoutApi.testRead(device.value, tags);
    if (!answer.ok) { error.textContent = answer.error; if (!newDevice.markField(answer.field)) markField(answer.field); return; }
    error.textContent = '';
    const named = registers.filter((r) => r.name.value.trim());
    answer.value.values.forEach((v, i) => { const r = named[i]; if (r) r.value.textContent = v.error ? `⚠ ${v.error}` : `= ${String(v.value)}`; });
  });
  let position = { x: 0, z: 0 };

  function render(): void {
    const T = lx();
    root.replaceChildren(
      el('h3', 'layout-sub', T.addMachine),
      el('div', 'layout-row'),
      newDevice.root,
      list, error,
    );
    const row = root.children[1] as HTMLElement;
    row.append(field('machine-device', T.device, device), field('machine-id', 'id', id), field('machine-name', T.machineName, name), field('machine-type', T.machineType, type), field('machine-cycle', T.cycle, cycle), browse, add, cancel);
    browse.textContent = T.browse; add.textContent = T.addIt; cancel.textContent = T.close;
  }

  function markField(path: string | undefined): void {
    for (const i of [...Object.values(inputs), ...rows.flatMap((r) => [r.role, r.unit, r.name, r.pick]), ...registers.flatMap((r) => [r.name, r.role, r.type, r.address])]) i.classList.remove('invalid');
    if (!path) return;
    const m = /^machines\[\d+\]\.(\w+)(?:\[(\d+)\]\.?(\w+)?)?/.exec(path);
    if (!m) return;
    if (m[1] === 'tags' && m[2] !== undefined && isModbus()) {
      const r = registers.filter((x) => x.name.value.trim())[Number(m[2])];
      const target = m[3] === 'modbus' || m[3] === 'type' ? r?.type : m[3] === 'role' ? r?.role : r?.name;
      target?.classList.add('invalid');
      if (m[3] === 'modbus') r?.address.classList.add('invalid');
    } else if (m[1] === 'tags' && m[2] !== undefined) {
      const r = rows.filter((x) => x.pick.checked)[Number(m[2])];
      const target = m[3] === 'role' ? r?.role : m[3] === 'unit' ? r?.unit : m[3] === 'name' ? r?.name : r?.pick;
      target?.classList.add('invalid');
    } else {
      (inputs as Record<string, HTMLElement>)[m[1]!]?.classList.add('invalid');
    }
  }

  browse.addEventListener('click', async () => {
    const typed = newKind() ? typedDevice() : null;
    if (newKind() && !typed) return;
    error.textContent = lx().loading;
    const answer = typed ? await layoutApi.browseNew(typed) : await layoutApi.browse(device.value);
    if (!answer.ok) {
      error.textContent = answer.error;
      if (!newDevice.markField(answer.field)) markField(answer.field ? 'machines[0].device' : undefined);
      return;
    }
    error.textContent = '';
    rows = answer.value.variables.map((v) => {
      const pick = el('input'); pick.type = 'checkbox'; pick.dataset.nodeId = v.nodeId;
      const role = el('select');
      for (const r of ROLES) role.append(new Option(r, r));
      role.value = ROLES.find((r) => r.toLowerCase() === v.suggestedName.toLowerCase()) ?? 'process';
      role.dataset.nodeId = v.nodeId;
      const unit = el('input'); unit.value = v.unit ?? ''; unit.placeholder = lx().unit; unit.size = 6;
      const tagName = el('input'); tagName.value = v.suggestedName; tagName.size = 16;
      return { v, pick, role, unit, name: tagName };
    });
    list.replaceChildren(...rows.map((r) => {
      const line = el('div', 'layout-variable');
      line.append(r.pick, r.name, el('span', 'layout-muted', `${r.v.path} · ${r.v.type ?? r.v.dataType ?? '?'}`), r.role, r.unit);
      return line;
    }));
  });

  add.addEventListener('click', async () => {
    const tags = isModbus() ? registerTags() : rows.filter((r) => r.pick.checked && r.v.type).map((r) => ({
      name: r.name.value, role: r.role.value, type: r.v.type, ...(r.unit.value ? { unit: r.unit.value } : {}), opcua: { nodeId: r.v.nodeId },
    }));
    const typed = newKind() ? typedDevice() : null;
    if (newKind() && !typed) return;
    const machine = { id: id.value, name: name.value, type: type.value, device: typed ? typed.id : device.value, idealCycleTimeSeconds: Number(cycle.value), layout: { x: position.x, z: position.z, rotationDeg: 0 }, tags };
    const answer = await layoutApi.addMachine(hash(), machine, typed ?? undefined);
    if (!answer.ok) { error.textContent = answer.error; if (!newDevice.markField(answer.field)) markField(answer.field); return; }
    markField(undefined);
    newDevice.markField(undefined);
    root.hidden = true;
    o.onAdded(answer.value.reload.summary);
  });
  cancel.addEventListener('click', () => { root.hidden = true; });

  return {
    root,
    open(devices, baseHash, at) {
      hash = baseHash;
      position = at;
      protocols = new Map(devices.map((d) => [d.id, d.protocol]));
      device.replaceChildren(
        ...devices.filter((d) => d.protocol === 'opcua' || d.protocol === 'modbus-tcp').map((d) => new Option(`${d.id} (${d.protocol})`, d.id)),
        new Option(lx().newOpcUa, '+opcua'), new Option(lx().newModbus, '+modbus-tcp'),
      );
      // A new plant has no device to pick: it starts with a new OPC UA server.
      device.selectedIndex = 0;
      rows = [];
      registers = [];
      list.replaceChildren();
      error.textContent = '';
      render();
      newDevice.reset();
      newDevice.show(newKind(), suggestedDeviceId());
      showVariables();
      root.hidden = false;
    },
  };
}
