// CSV of the twin's KPI dashboard: RFC 4180 quoting, empty cells for missing figures.
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../twin-ui/src/ui/dashboard/kpi-csv.js';

describe('dashboard CSV', () => {
  it('quotes commas, quotes and newlines and leaves missing or non-finite figures empty', () => {
    expect(toCsv(['Machine', 'OEE'], [['mill', 0.5], ['a "b", c', null], ['x\ny', Number.NaN]]))
      .toBe('Machine,OEE\r\nmill,0.5\r\n"a ""b"", c",\r\n"x\ny",\r\n');
  });
});
