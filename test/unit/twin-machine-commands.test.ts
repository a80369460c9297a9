// The words the inspector's Commands section shows for each answer of the edge: its message with
// the read-back, or its refusal verbatim (the engineer must see exactly why the edge said no).
import { describe, expect, it } from 'vitest';
import { describeAck } from '../../twin-ui/src/ui/machine-commands.js';
import { setLang } from '../../twin-ui/src/i18n.js';

describe('describeAck', () => {
  it.each([
    [{ ok: false as const, status: 409, error: 'Parts washer has no active fault to reset (it is running)', code: 'no-fault' },
      'error', 'Refused by the edge: Parts washer has no active fault to reset (it is running)'],
    [{ ok: false as const, status: 422, error: 'washer.speedOverride: 130 is above the maximum 120', field: 'percent' },
      'error', 'Refused by the edge: washer.speedOverride: 130 is above the maximum 120'],
    [{ ok: true as const, result: { kind: 'speed-override', outcome: 'done' as const, auditId: 7, message: 'Parts washer: speedOverride set to 85 % (read back after 240 ms)', readBack: { confirmed: true, expected: 'speedOverride = 85', observed: 85, afterMs: 240 } } },
      'ok', 'Done: Parts washer: speedOverride set to 85 % (read back after 240 ms) · read back confirmed'],
    [{ ok: true as const, result: { kind: 'reset-fault', outcome: 'unconfirmed' as const, auditId: 8, message: 'Parts washer: written, but no active fault did not come back within 5000 ms — check the machine', readBack: { confirmed: false, expected: 'no active fault', observed: 302, afterMs: 5000 } } },
      'unconfirmed', 'Not confirmed: Parts washer: written, but no active fault did not come back within 5000 ms — check the machine'],
  ])('%#', (ack, kind, text) => {
    setLang('en');
    expect(describeAck(ack)).toEqual({ kind, text });
  });

  it('keeps the edge refusal verbatim in Chinese too', () => {
    setLang('zh-CN');
    expect(describeAck({ ok: false, status: 403, error: 'reset-fault needs the maintenance role or above; "olga" is operator' }).text)
      .toBe('边缘拒绝: reset-fault needs the maintenance role or above; "olga" is operator');
    setLang('en');
  });
});
