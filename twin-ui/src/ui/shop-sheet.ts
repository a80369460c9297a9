// The frame the shop-floor panels share (stops, orders, handover): a toggle in the dock at the
// bottom of the stage and a sheet with a title and a close button. Test ids follow the panel's
// name: `<name>-toggle`, `<name>-panel`, `<name>-close`.
import { button, el } from './dom.js';

export interface ShopSheet {
  toggleButton: HTMLButtonElement;
  sheet: HTMLElement;
  head: HTMLElement;
  title: HTMLElement;
  closeButton: HTMLButtonElement;
}

/** The stops panel comes first in the dock (the operator's most frequent job); the others follow. */
export function shopSheet(stage: HTMLElement, name: string, place: 'first' | 'last' = 'last'): ShopSheet {
  const dock = stage.querySelector<HTMLElement>('.shop-dock') ?? stage.appendChild(el('div', 'shop-dock'));
  const toggleButton = button('shop-toggle', `${name}-toggle`);
  if (place === 'first') dock.prepend(toggleButton);
  else dock.append(toggleButton);
  const sheet = el('section', `shop-sheet ${name}-sheet`);
  sheet.dataset.testid = `${name}-panel`;
  sheet.hidden = true;
  const head = el('div', 'shop-head');
  const title = el('h2', 'shop-title');
  const closeButton = button('shop-close', `${name}-close`);
  closeButton.textContent = '×';
  head.append(title, closeButton);
  return { toggleButton, sheet, head, title, closeButton };
}
