// Alarm badges over the 3D view: a small priority-coloured marker on each machine with an
// annunciated alarm (blinking while unacknowledged). The world has no badge API of its own, so
// this is an HTML overlay placed with its public screenPositionOf(); it follows the camera
// once per animation frame, and only while some machine is in alarm.
import { el } from '../dom.js';
import { machinesInAlarm, type AlarmListModel } from './alarm-list-model.js';

export interface AlarmBadges {
  update(model: AlarmListModel): void;
}

export function createAlarmBadges(host: HTMLElement, screenPositionOf: (id: string) => { x: number; y: number } | null): AlarmBadges {
  const layer = el('div', 'alarm-badges');
  layer.setAttribute('aria-hidden', 'true');
  host.append(layer);
  const badges = new Map<string, HTMLElement>();
  let frame: number | null = null;

  const place = () => {
    frame = null;
    if (!badges.size) return;
    const origin = host.getBoundingClientRect();
    for (const [id, badge] of badges) {
      const p = screenPositionOf(id);
      badge.hidden = p === null;
      // On the machine's body, just above its centre: its label floats higher and stays readable.
      // Transforms do not trigger layout.
      if (p) badge.style.transform = `translate(${Math.round(p.x - origin.left)}px, ${Math.round(p.y - origin.top - 12)}px)`;
    }
    frame = requestAnimationFrame(place);
  };

  return {
    update(model) {
      const now = machinesInAlarm(model);
      for (const [id, badge] of badges) {
        if (!now.has(id)) {
          badge.remove();
          badges.delete(id);
        }
      }
      for (const [id, info] of now) {
        let badge = badges.get(id);
        if (!badge) {
          badge = el('div', 'alarm-badge', '!');
          badge.dataset.machineId = id;
          badges.set(id, badge);
          layer.append(badge);
        }
        badge.dataset.priority = info.priority;
        badge.dataset.unacked = String(info.unacked);
      }
      if (badges.size && frame === null) frame = requestAnimationFrame(place);
    },
  };
}
