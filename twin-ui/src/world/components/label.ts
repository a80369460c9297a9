// The floating card above a machine: name, OEE and state. DOM via CSS2DRenderer so text stays
// crisp at any zoom; pointer-events are off so clicks reach the 3D machine beneath.
import { CSS2DObject } from 'three/examples/jsm/renderers/CSS2DRenderer.js';

export interface MachineLabel {
  object: CSS2DObject;
  element: HTMLDivElement;
  set(name: string, oeeText: string, stateText: string, stateKey: string, stale: boolean): void;
}

export function createMachineLabel(machineId: string): MachineLabel {
  const element = document.createElement('div');
  element.className = 'machine-label';
  element.dataset.machineId = machineId;
  const name = document.createElement('div');
  name.className = 'ml-name';
  const oee = document.createElement('div');
  oee.className = 'ml-oee';
  const state = document.createElement('div');
  state.className = 'ml-state';
  element.append(name, oee, state);
  const object = new CSS2DObject(element);
  object.center.set(0.5, 1);
  let last = '';
  return {
    object,
    element,
    set(n, o, s, key, stale) {
      const sig = `${n}|${o}|${s}|${key}|${stale}`;
      if (sig === last) return; // touch the DOM only when the text changes
      last = sig;
      name.textContent = n;
      oee.textContent = o;
      state.textContent = s;
      element.dataset.state = key;
      element.classList.toggle('stale', stale);
    },
  };
}
