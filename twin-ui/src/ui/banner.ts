import type { ConnectionState } from '../live/live-connection.js';
import { t } from '../i18n.js';
import { setText } from './dom.js';

/** The full-width notice under the header: connection loss, protocol errors, no WebGL. */
export function updateBanner(root: HTMLElement, connection: ConnectionState, hasData: boolean, extra: string | null): void {
  let text: string | null = null;
  let kind = 'warn';
  if (extra) {
    text = extra;
    kind = 'error';
  } else if (connection === 'reconnecting') text = t('reconnectingBanner');
  else if (connection === 'connecting' && !hasData) text = t('connectingBanner');
  root.hidden = text === null;
  root.dataset.kind = kind;
  root.dataset.testid = 'banner';
  if (text !== null) setText(root, text);
}
