// The alarm pane's action buttons (alarm detail and service case): disabled while a request of
// the pane is in flight, so one click sends one request.
import { el } from '../dom.js';

export function actionButton(text: string, testid: string, onClick: () => void, options: { primary?: boolean; busy: boolean }): HTMLButtonElement {
  const b = el('button', options.primary ? 'ad-btn primary' : 'ad-btn', text);
  b.type = 'button';
  b.dataset.testid = testid;
  b.disabled = options.busy;
  b.addEventListener('click', onClick);
  return b;
}
