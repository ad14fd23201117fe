/**
 * Lays out rows of cells as aligned text columns (two spaces apart, each line indented by
 * `indent`); columns listed in `right` are right-aligned.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { readonly indent?: string; readonly right?: readonly number[] } = {},
): string {
  const indent = options.indent ?? '';
  const right = new Set(options.right ?? []);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd() +
    '\n';
  return line(header) + rows.map(line).join('');
}
