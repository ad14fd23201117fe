import type { CommandContext, RegistryCommandOptions } from './context.ts';
import { openReadOnly, using } from './context.ts';
import { openDatabase } from './connect.ts';
import { IncompatibleRegistryError } from './errors.ts';
import { opaqueTables, problems, readAttributes, registryStatus } from './registry-status.ts';
import type { OpaqueTableInfo, RegistryStatus, Verdict } from './registry-status.ts';
import { textTable } from './text-table.ts';
import { parseRegistryUri } from './uri.ts';

/** What `info --format json` prints. */
export interface InfoReport extends RegistryStatus {
  /** The tables `opaque_meta` lists, by name, with their row counts. */
  readonly opaqueTables: readonly OpaqueTableInfo[];
}

/** The formats of `info` and `opaque list`. */
export const INFO_FORMATS = ['text', 'json'] as const;

/** One of {@link INFO_FORMATS}. */
export type InfoFormat = (typeof INFO_FORMATS)[number];

function yesNo(v: Verdict | null): string {
  if (v === null) return '-';
  return v.ok ? 'yes' : 'no';
}

function reasonsText(status: RegistryStatus, mode: 'read' | 'write'): string {
  return problems(status, mode)
    .map((reason) => `  - ${reason.replace(/\s*\n\s*/g, '; ')}\n`)
    .join('');
}

/** The text `info` prints for `report`. */
export function infoText(report: InfoReport): string {
  const managers = textTable(
    ['TYPE', 'STORED', 'VERSION', 'SUPPORTED', 'READ', 'WRITE'],
    report.managers.map((m) => [
      m.type,
      m.stored ?? '(missing)',
      m.version ?? '-',
      m.supported.length === 0 ? '-' : m.supported.join(', '),
      yesNo(m.read),
      yesNo(m.write),
    ]),
    { indent: '  ' },
  );
  const unused = report.managers.filter((m) => m.read === null).map((m) => m.type);
  let text = `Registry: ${report.database}\nManagers:\n${managers}`;
  if (unused.length > 0) text += `  (not used by this build: ${unused.join(', ')})\n`;
  for (const m of report.managers) {
    if (m.expected !== null && m.stored !== null && m.stored !== m.expected)
      text += `  (this build's ${m.type} manager is ${m.expected})\n`;
  }
  text += `This build can read: ${report.canRead ? 'yes' : 'no'}\n${reasonsText(report, 'read')}`;
  text += `This build can write: ${report.canWrite ? 'yes' : 'no'}\n`;
  if (report.canRead) text += reasonsText(report, 'write');
  if (report.opaqueTables.length === 0) return `${text}Opaque tables: none\n`;
  return (
    `${text}Opaque tables: ${report.opaqueTables.length}\n` +
    textTable(
      ['NAME', 'ROWS'],
      report.opaqueTables.map((t) => [t.name, t.rows === null ? '(missing)' : String(t.rows)]),
      { indent: '  ', right: [1] },
    )
  );
}

/**
 * `butler-ts info <uri>`: the stored managers and versions, those this build supports,
 * whether it may read and write, and the opaque tables with their row counts. Reads
 * `butler_attributes` directly on a read-only connection, so a registry that `openRegistry`
 * refuses is still described.
 */
export async function infoCommand(
  uri: string,
  options: RegistryCommandOptions & { readonly format: InfoFormat },
  context: CommandContext,
): Promise<void> {
  const location = parseRegistryUri(uri);
  const db = await openDatabase(location, { writeable: false, namespace: options.namespace });
  const report = await using(db, async () => {
    const status = registryStatus(db.toString(), await readAttributes(db));
    return { ...status, opaqueTables: await opaqueTables(db) } satisfies InfoReport;
  });
  await context.out.write(
    options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : infoText(report),
  );
}

/**
 * `butler-ts check <uri> [--write]`: succeeds when this build can read (or write) the
 * registry. The stored managers and versions are checked first, with a reason for each
 * failure; then the registry is opened read-only as `openRegistry` would.
 *
 * @throws {@link IncompatibleRegistryError} with every reason; `NotARegistryError` when there
 *   is no registry.
 */
export async function checkCommand(
  uri: string,
  options: RegistryCommandOptions & { readonly write?: boolean },
  context: CommandContext,
): Promise<void> {
  const location = parseRegistryUri(uri);
  const mode = options.write === true ? 'write' : 'read';
  const db = await openDatabase(location, { writeable: false, namespace: options.namespace });
  const status = await using(db, async () =>
    registryStatus(db.toString(), await readAttributes(db)),
  );
  const reasons = problems(status, mode);
  if (reasons.length > 0) throw new IncompatibleRegistryError(mode, reasons);
  // The same checks as openRegistry's, made by openRegistry itself.
  const registry = await openReadOnly(location, options);
  const versions = [...registry.versions].map(([type, v]) => `${type} ${v.toString()}`);
  await registry.close();
  await context.out.write(
    `OK: this build can ${mode === 'write' ? 'read and write' : 'read'} ${status.database} (${versions.join(', ')})\n`,
  );
}
