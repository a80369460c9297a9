// Work orders from a CSV file (an ERP export): a header row naming the columns — id, product
// (or productId), quantity, and optionally due (ISO 8601 with offset), line, note — then one
// order per row. RFC 4180 quoting ("a, b" and "" for a quote). Values are handed on as the
// REST body would carry them, so the same schema checks both.
export interface CsvOrderRow { line: number; values: Record<string, unknown> }

const COLUMNS: Record<string, string> = { id: 'id', order: 'id', orderid: 'id', product: 'productId', productid: 'productId', quantity: 'quantity', qty: 'quantity', due: 'due', line: 'line', note: 'note' };
const MAX_ROWS = 2000;

function splitRecords(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else { if (ch === '\n') line++; cell += ch; }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') { cells.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c.trim() !== '')) records.push({ line: startLine, cells });
      cells = []; cell = ''; line++; startLine = line;
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c.trim() !== '')) records.push({ line: startLine, cells });
  return records;
}

export class CsvError extends Error {
  override name = 'CsvError';
}

export function parseOrderCsv(text: string): CsvOrderRow[] {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) throw new CsvError('the CSV is empty: give a header row (id,product,quantity,due) and one order per row');
  const keys = header.cells.map((h) => COLUMNS[h.trim().toLowerCase().replace(/[\s_-]/g, '')]);
  const unknown = header.cells.filter((_, i) => !keys[i]);
  if (unknown.length) throw new CsvError(`unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}: use id, product, quantity, due, line, note`);
  for (const need of ['id', 'productId', 'quantity']) if (!keys.includes(need)) throw new CsvError(`the header has no ${need === 'productId' ? 'product' : need} column`);
  if (records.length > MAX_ROWS) throw new CsvError(`${records.length} rows: import at most ${MAX_ROWS} orders at a time`);
  return records.map((r) => {
    const values: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      const v = (r.cells[i] ?? '').trim();
      if (v === '') return;
      values[k!] = k === 'quantity' && /^\d+$/.test(v) ? Number(v) : k === 'due' && /^\d+$/.test(v) ? Number(v) : v;
    });
    if (r.cells.length > keys.length) values.__extra = r.cells.slice(keys.length).join(',');
    return { line: r.line, values };
  });
}
