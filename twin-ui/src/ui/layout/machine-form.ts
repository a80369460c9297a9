// "Add machine" in layout mode (issue 21.4): pick an OPC UA device, browse its address space,
// tick the variables that belong to the machine, give each a role and a unit, name the machine,
// add. The edge checks the entry with the plant schema; a refusal names a field
// (machines[6].tags[1].opcua) and the form marks that input.
import type { Role } from '../../../../shared/auth-api.js';
import { TagRoleSchema } from '../../../../shared/plant-schema.js';
import { button, el } from '../dom.js';
import { layoutApi, type BrowsedVariable } from './layout-client.js';
import { lx } from './layout-text.js';

export interface MachineForm {
  open(devices: { id: string; protocol: string }[], baseHash: () => string, at: { x: number; z: number }): void;
  readonly root: HTMLElement;
}

const ROLES = TagRoleSchema.options;

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
  let position = { x: 0, z: 0 };

  function render(): void {
    const T = lx();
    root.replaceChildren(
      el('h3', 'layout-sub', T.addMachine),
      el('div', 'layout-row'),
      list, error,
    );
    const row = root.children[1] as HTMLElement;
    row.append(field('machine-device', T.device, device), field('machine-id', 'id', id), field('machine-name', T.machineName, name), field('machine-type', T.machineType, type), field('machine-cycle', T.cycle, cycle), browse, add, cancel);
    browse.textContent = T.browse; add.textContent = T.addIt; cancel.textContent = T.close;
  }

  function markField(path: string | undefined): void {
    for (const i of [...Object.values(inputs), ...rows.flatMap((r) => [r.role, r.unit, r.name, r.pick])]) i.classList.remove('invalid');
    if (!path) return;
    const m = /^machines\[\d+\]\.(\w+)(?:\[(\d+)\]\.?(\w+)?)?/.exec(path);
    if (!m) return;
    if (m[1] === 'tags' && m[2] !== undefined) {
      const r = rows.filter((x) => x.pick.checked)[Number(m[2])];
      const target = m[3] === 'role' ? r?.role : m[3] === 'unit' ? r?.unit : m[3] === 'name' ? r?.name : r?.pick;
      target?.classList.add('invalid');
    } else {
      (inputs as Record<string, HTMLElement>)[m[1]!]?.classList.add('invalid');
    }
  }

  browse.addEventListener('click', async () => {
    error.textContent = lx().loading;
    const answer = await layoutApi.browse(device.value);
    if (!answer.ok) { error.textContent = answer.error; markField(answer.field ? 'machines[0].device' : undefined); return; }
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
    const tags = rows.filter((r) => r.pick.checked && r.v.type).map((r) => ({
      name: r.name.value, role: r.role.value, type: r.v.type, ...(r.unit.value ? { unit: r.unit.value } : {}), opcua: { nodeId: r.v.nodeId },
    }));
    const machine = { id: id.value, name: name.value, type: type.value, device: device.value, idealCycleTimeSeconds: Number(cycle.value), layout: { x: position.x, z: position.z, rotationDeg: 0 }, tags };
    const answer = await layoutApi.addMachine(hash(), machine);
    if (!answer.ok) { error.textContent = answer.error; markField(answer.field); return; }
    markField(undefined);
    root.hidden = true;
    o.onAdded(answer.value.reload.summary);
  });
  cancel.addEventListener('click', () => { root.hidden = true; });

  return {
    root,
    open(devices, baseHash, at) {
      hash = baseHash;
      position = at;
      device.replaceChildren(...devices.filter((d) => d.protocol === 'opcua').map((d) => new Option(d.id, d.id)));
      rows = [];
      list.replaceChildren();
      error.textContent = '';
      render();
      root.hidden = false;
    },
  };
}
