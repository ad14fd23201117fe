import type { Database } from '@butler-ts/registry-interfaces';
import type { CommandContext, RegistryCommandOptions } from './context.ts';
import { openReadOnly, using } from './context.ts';
import { UnknownOpaqueTableError } from './errors.ts';
import { createFormatter } from './formats.ts';
import type { DumpFormat } from './formats.ts';
import type { InfoFormat } from './info.ts';
import { Progress } from './output.ts';
import { tablePages } from './pages.ts';
import { existingTable, opaqueTableNames, opaqueTables } from './registry-status.ts';
import { textTable } from './text-table.ts';
import { parseRegistryUri } from './uri.ts';
import { parseWhere } from './where.ts';

/** `butler-ts opaque list <uri>`: the tables `opaque_meta` lists, with their row counts. */
export async function opaqueListCommand(
  uri: string,
  options: RegistryCommandOptions & { readonly format: InfoFormat },
  context: CommandContext,
): Promise<void> {
  const registry = await openReadOnly(parseRegistryUri(uri), options);
  const tables = await using(registry, () => opaqueTables(registry.db));
  if (options.format === 'json') {
    await context.out.write(`${JSON.stringify(tables, null, 2)}\n`);
  } else if (tables.length === 0) {
    await context.out.write(`No opaque tables in ${registry.db.toString()}\n`);
  } else {
    await context.out.write(
      textTable(
        ['NAME', 'ROWS'],
        tables.map((t) => [t.name, t.rows === null ? '(missing)' : String(t.rows)]),
        { right: [1] },
      ),
    );
  }
}

/** Options of `opaque dump`. */
export interface DumpOptions extends RegistryCommandOptions {
  readonly where: readonly string[];
  readonly format: DumpFormat;
  readonly pageSize: number;
}

function knownList(names: readonly string[]): string {
  if (names.length === 0) return 'it has none';
  const shown = names.slice(0, 20).join(', ');
  return `known: ${shown}${names.length > 20 ? `, … (${names.length} in all)` : ''}`;
}

/**
 * `butler-ts opaque dump <uri> <table>`: the rows of one opaque table, streamed page by page
 * (see `tablePages`), with progress on standard error when it is a terminal.
 *
 * @throws {@link UnknownOpaqueTableError} for a table `opaque_meta` does not list, or that is
 *   missing; `WhereClauseError` for a bad `--where` (before anything is written).
 */
export async function opaqueDumpCommand(
  uri: string,
  tableName: string,
  options: DumpOptions,
  context: CommandContext,
): Promise<void> {
  const registry = await openReadOnly(parseRegistryUri(uri), options);
  await using(registry, ({ db }) => dumpOpaqueTable(db, tableName, options, context));
}

/**
 * Writes the rows of an opaque table (see {@link opaqueDumpCommand}); progress on standard
 * error when it is a terminal, unless `quiet`.
 */
export async function dumpOpaqueTable(
  db: Database,
  tableName: string,
  options: Omit<DumpOptions, 'namespace'> & { readonly quiet?: boolean | undefined },
  context: CommandContext,
): Promise<void> {
  const names = await opaqueTableNames(db);
  if (!names.includes(tableName))
    throw new UnknownOpaqueTableError(
      tableName,
      names,
      `No opaque table ${JSON.stringify(tableName)} in ${db.toString()} (${knownList(names)})`,
    );
  const table = await existingTable(db, tableName);
  if (table === null)
    throw new UnknownOpaqueTableError(
      tableName,
      names,
      `Opaque table ${tableName} is listed in opaque_meta but missing from ${db.toString()}`,
    );
  const where = parseWhere(tableName, table.spec, options.where);
  const formatter = createFormatter(options.format, table.spec.fields);
  const progress = Progress.forCommand(
    context,
    options,
    tableName,
    context.stderrIsTTY && options.quiet !== true ? await db.count(table.handle, where) : null,
  );
  try {
    for await (const page of tablePages(db, table.handle, table.spec, {
      where,
      pageSize: options.pageSize,
    })) {
      await context.out.write(formatter.rows(page));
      progress?.advance(page.length);
    }
  } finally {
    progress?.finish();
  }
  await context.out.write(formatter.end());
}
