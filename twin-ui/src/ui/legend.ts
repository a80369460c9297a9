import { MACHINE_STATES } from '../../../shared/plant-schema.js';
import { tState, t } from '../i18n.js';
import type { ColourMode } from '../world/world.js';
import { el } from './dom.js';

/** The colour key in the corner of the 3D view; follows the colour mode and the language. */
export function renderLegend(root: HTMLElement, mode: ColourMode): void {
  root.replaceChildren();
  if (mode === 'state') {
    for (const s of MACHINE_STATES) {
      const item = el('span', 'legend-item');
      item.append(el('i', `swatch st-${s}`), document.createTextNode(tState(s)));
      root.append(item);
    }
  } else {
    const ramp = el('span', 'legend-item');
    const [low, high] = mode === 'oee' ? ['0 %', '100 %'] : ['max kWh', 'min kWh'];
    ramp.append(document.createTextNode(`${t(mode === 'oee' ? 'heatOee' : 'heatEnergy')}: ${low}`), el('i', 'ramp'), document.createTextNode(high));
    root.append(ramp);
  }
  root.append(el('span', 'legend-hint', t('selectHint')));
}
