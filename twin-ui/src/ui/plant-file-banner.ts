// An invalid plant file on the edge (a hand edit with a bad field): the twin says so under the
// header, naming the file and each bad field, and that the plant still runs as before. Cleared
// when the edge reports a valid file applied (live event `plant-file`).
import type { PlantFileStatus } from '../../../shared/layout-api.js';
import { t } from '../i18n.js';
import { el } from './dom.js';

export interface PlantFileBanner {
  update(status: PlantFileStatus | null): void;
  relabel(): void;
}

/** The banner goes right after `after` (the connection banner). */
export function createPlantFileBanner(after: HTMLElement): PlantFileBanner {
  const root = el('div');
  root.id = 'plant-file-banner';
  root.dataset.testid = 'plant-file-banner';
  root.setAttribute('role', 'alert');
  root.hidden = true;
  after.after(root);
  let shown: PlantFileStatus | null = null;

  function render(): void {
    root.hidden = shown?.state !== 'invalid';
    if (!shown || shown.state !== 'invalid') return root.replaceChildren();
    const head = el('div', 'plant-file-head', `${t('plantFileInvalid')} ${shown.file} — ${t('plantFileKept')}`);
    const detail = el('div', 'plant-file-error', shown.error ?? '');
    detail.dataset.testid = 'plant-file-error';
    root.replaceChildren(head, detail);
  }

  return {
    update(status) {
      shown = status;
      render();
    },
    relabel: render,
  };
}
