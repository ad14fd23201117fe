/**
 * Parses a CSV document (RFC 4180 quoting) into rows of fields; unquoted empty fields are
 * `null`, quoted ones `''` (the convention `opaque dump --format csv` writes).
 *
 * @throws `Error` for a quoted field that never ends.
 */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error('unterminated quoted field');
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      field = value;
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r')
        end++;
      const raw = text.slice(i, end);
      field = raw === '' ? null : raw;
      i = end;
    }
    row.push(field);
    if (text[i] === '\r') i++;
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}
