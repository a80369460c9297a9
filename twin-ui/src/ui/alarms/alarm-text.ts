// Words and times of the alarm summary in the current language.
import type { AlarmState } from '../../../../shared/alarm-wire.js';
import type { AlarmPriority } from '../../../../shared/alarm-rules.js';
import { t, type TextKey } from '../../i18n.js';

const STATE_KEY: Record<AlarmState, TextKey> = {
  normal: 'alarmStNormal',
  'active-unacked': 'alarmStActiveUnacked',
  'active-acked': 'alarmStActiveAcked',
  'rtn-unacked': 'alarmStRtnUnacked',
  shelved: 'alarmStShelved',
  suppressed: 'alarmStSuppressed',
  'out-of-service': 'alarmStOutOfService',
};
const PRIORITY_KEY: Record<AlarmPriority, TextKey> = { critical: 'prioCritical', high: 'prioHigh', medium: 'prioMedium', low: 'prioLow' };

export const tAlarmState = (s: AlarmState): string => t(STATE_KEY[s]);
export const tPriority = (p: AlarmPriority): string => t(PRIORITY_KEY[p]);

/** HH:MM:SS in the plant's time zone: alarm sequences are read to the second. */
export function alarmTime(epochMs: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(epochMs);
  } catch {
    return new Date(epochMs).toISOString().slice(11, 19);
  }
}

/** Date and time for older entries (service cases). */
export function alarmDateTime(epochMs: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(epochMs);
  } catch {
    return new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ');
  }
}
