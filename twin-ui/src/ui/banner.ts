import type { ConnectionState } from '../live/live-connection.js';
import { t } from '../i18n.js';
import { setText } from './dom.js';

export interface BannerInput {
  connection: ConnectionState;
  hasData: boolean;
  /** An error that outranks the connection state (no WebGL, protocol mismatch). */
  problem: string | null;
  /** Set when the edge wants a login: the banner links to the login page. */
  login: string | null;
  /** Demo-mode notice from the edge (must be visible while the demo runs). */
  notice: string | null;
}

/** The full-width notice under the header: login, connection loss, errors, demo mode. */
export function updateBanner(root: HTMLElement, b: BannerInput): void {
  let text: string | null = null;
  let kind = 'warn';
  let link: string | null = null;
  if (b.login !== null) {
    text = `${t('loginRequired')}: ${b.login} `;
    kind = 'error';
    link = `login?next=${encodeURIComponent(location.pathname + location.search)}`;
  } else if (b.problem) {
    text = b.problem;
    kind = 'error';
  } else if (b.connection === 'reconnecting') text = t('reconnectingBanner');
  else if (b.connection === 'connecting' && !b.hasData) text = t('connectingBanner');
  else if (b.notice) {
    text = b.notice;
    kind = 'info';
  }
  root.hidden = text === null;
  root.dataset.kind = kind;
  root.dataset.testid = 'banner';
  if (text === null) return;
  const sig = `${kind}|${text}|${link}`;
  if (root.dataset.sig === sig) return;
  root.dataset.sig = sig;
  root.replaceChildren(document.createTextNode(text));
  if (link) {
    const a = document.createElement('a');
    a.href = link;
    a.textContent = t('logIn');
    a.className = 'banner-link';
    root.append(a);
  }
}
