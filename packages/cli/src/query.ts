// `query-collections`, `query-dataset-types`, `query-datasets` and `query-dimension-records`
// on a repository (its folder or butler.yaml), printed as daf_butler's `butler` prints them
// (astropy's table layout), or as JSON.
import { Butler } from '@butler-ts/butler';
import type { DatasetRef, DatasetType } from '@butler-ts/core';
import { pythonFloatRepr } from '@butler-ts/datastore-file';
import {
  CollectionType,
  collectionTypeName,
  missingCollections,
} from '@butler-ts/registry-interfaces';
import type { CollectionManager, CollectionRecord } from '@butler-ts/registry-interfaces';
import { ButlerError } from '@butler-ts/versioning';
import { InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { CommandContext } from './context.ts';

/** The output formats of the query commands. */
export const QUERY_FORMATS = ['table', 'json'] as const;

/** One of {@link QUERY_FORMATS}. */
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/**
 * How `query-collections` shows CHAINED collections: daf_butler's `--chains` modes (see
 * {@link queryCollectionsCommand}).
 */
export const CHAINS_MODES = [
  'TABLE',
  'INVERSE-TABLE',
  'TREE',
  'INVERSE-TREE',
  'FLATTEN',
  'NO-CHILDREN',
] as const;

/** One of {@link CHAINS_MODES}. */
export type ChainsMode = (typeof CHAINS_MODES)[number];

/** A query's bad input: a malformed `--where`, an unknown dimension element. */
export class QueryArgumentError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:QueryArgumentError');
  /** Always `'QueryArgumentError'`. */
  override readonly name: string = 'QueryArgumentError';
}

// Python's str.center: the odd space goes left only when the width is odd.
function center(text: string, width: number): string {
  const margin = width - text.length;
  if (margin <= 0) return text;
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return ' '.repeat(left) + text + ' '.repeat(margin - left);
}

/**
 * A table laid out as astropy's `Table.pprint_all` does: each column as wide as its widest
 * cell, the name centered, a dashed line, the values right-aligned (`'>'`) or left-aligned
 * (`'<'`), columns one space apart.
 */
export function astropyTable(
  names: readonly string[],
  rows: readonly (readonly string[])[],
  align: '<' | '>' = '>',
): string {
  const widths = names.map((name, i) =>
    Math.max(name.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const pad = (text: string, i: number) =>
    align === '<' ? text.padEnd(widths[i]!) : text.padStart(widths[i]!);
  const lines = [
    names.map((name, i) => center(name, widths[i]!)).join(' '),
    widths.map((w) => '-'.repeat(w)).join(' '),
    ...rows.map((row) => row.map((cell, i) => pad(cell, i)).join(' ')),
  ];
  return `${lines.join('\n')}\n`;
}

// A value as Python's str() shows it in an astropy table.
function pythonText(value: unknown, isFloat = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return isFloat ? pythonFloatRepr(value) : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `b'${Buffer.from(value).toString('hex')}'`;
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

// fnmatch-style globs (`*`, `?`, `[…]`) as daf_butler's command-line GLOB arguments take them.
function globMatcher(globs: readonly string[]): (name: string) => boolean {
  if (globs.length === 0) return () => true;
  const patterns = globs.map((glob) => {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i]!;
      if (c === '*') source += '.*';
      else if (c === '?') source += '.';
      else if (c === '[') {
        const end = glob.indexOf(']', i + 1);
        if (end === -1) source += '\\[';
        else {
          const body = glob.slice(i + 1, end);
          source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
          i = end;
        }
      } else source += c.replace(/[.+^${}()|\\/-]/g, '\\$&');
    }
    return new RegExp(`^${source}$`);
  });
  return (name) => patterns.some((pattern) => pattern.test(name));
}

/**
 * Parses daf_butler's simplest `--where` expressions: `name = value` terms joined by `AND`,
 * values quoted strings or integers (e.g. `instrument = 'DummyCam' AND detector = 1`).
 *
 * @throws {@link QueryArgumentError} for anything else, naming the term.
 */
export function parseSimpleWhere(where: string | undefined): Record<string, string | number> {
  const result: Record<string, string | number> = {};
  if (where === undefined || where.trim() === '') return result;
  for (const term of where.split(/\s+AND\s+/i)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|(-?\d+))\s*$/.exec(
      term,
    );
    if (match === null) {
      throw new QueryArgumentError(
        `Unsupported --where term ${JSON.stringify(term.trim())}: only name = 'text' or name = integer, joined by AND`,
      );
    }
    const value = match[2] ?? match[3] ?? Number(match[4]);
    result[match[1]!] = value;
  }
  return result;
}

async function withButler<T>(repo: string, body: (butler: Butler) => Promise<T>): Promise<T> {
  const butler = await Butler.fromRepo(repo, { writeable: false });
  try {
    return await body(butler);
  } finally {
    await butler.close();
  }
}

function byName<T extends { readonly name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Options of `query-collections`. */
export interface QueryCollectionsOptions {
  readonly chains: ChainsMode;
  readonly collectionType?: readonly string[];
  readonly format: QueryFormat;
}

// daf_butler's globToRegex: a GLOB holding `*`, `?` or `[…]` is a pattern, any other is the
// name of a collection.
const GLOB_MAGIC = /[*?]|\[.*\]|\[!.*\]/;

/**
 * The collections that `globs` select, as daf_butler's `query_info` resolves them: no GLOB or
 * a `*` selects every collection (in the registry's order, by key: daf_butler leaves the order
 * to the database); otherwise the collections a pattern matches (registry order), then the
 * named ones in the order given, each once. With `flatten`, a named CHAINED collection is
 * replaced by its children (recursively, depth first) and chains themselves are left out
 * (also those a pattern matches: they are not expanded). `types` (names) filters the result.
 *
 * @throws `MissingCollectionError` naming the named collections that do not exist.
 */
async function selectCollections(
  manager: CollectionManager,
  globs: readonly string[],
  types: ReadonlySet<string>,
  flatten: boolean,
): Promise<CollectionRecord[]> {
  const keep = (record: CollectionRecord) =>
    (types.size === 0 || types.has(collectionTypeName(record.type))) &&
    !(flatten && record.type === CollectionType.CHAINED);
  if (globs.length === 0 || globs.includes('*')) return (await manager.all()).filter(keep);
  const patterns = globs.filter((glob) => GLOB_MAGIC.test(glob));
  const names = globs.filter((glob) => !GLOB_MAGIC.test(glob));
  const selected: CollectionRecord[] = [];
  const seen = new Set<number>();
  const add = (record: CollectionRecord) => {
    if (keep(record) && !seen.has(record.key)) {
      seen.add(record.key);
      selected.push(record);
    }
  };
  if (patterns.length > 0) {
    const match = globMatcher(patterns);
    for (const record of await manager.all()) if (match(record.name)) add(record);
  }
  if (flatten) {
    if (names.length > 0) for (const record of await manager.resolve(names)) add(record);
    return selected;
  }
  const found = await Promise.all(names.map((name) => manager.get(name)));
  const missing = names.filter((_, i) => found[i] === null);
  if (missing.length > 0) throw missingCollections(missing);
  for (const record of found) add(record!);
  return selected;
}

// The children of a chain (in search order), or `[]` for any other collection.
function childrenOf(manager: CollectionManager, record: CollectionRecord): Promise<string[]> {
  return record.type === CollectionType.CHAINED
    ? manager.getChain(record.name)
    : Promise.resolve([]);
}

/**
 * `butler-ts query-collections <repo> [glob…]`: the collections, listed as daf_butler's
 * `butler query-collections --chains <mode>` lists them:
 *
 * - `TREE` (default): sorted by name, each chain followed by its children (in search order),
 *   indented two spaces a level, recursively; `INVERSE-TREE`: each collection followed by the
 *   chains that hold it (sorted), recursively.
 * - `TABLE`: sorted by name, a `Children` column listing each chain's children, one a row
 *   (left out when no chain is listed); `INVERSE-TABLE`: a `Parents` column listing the
 *   chains that hold each collection (left out when none is held).
 * - `FLATTEN`: the selected collections with every named chain replaced by its children,
 *   recursively, chains left out, each collection once; `NO-CHILDREN`: the selected
 *   collections, chains not expanded. Both in selection order, not sorted.
 *
 * JSON lists the same collections as objects `{name, type}`, with `children` (CHAINED ones,
 * in `TREE` and `TABLE`) or `parents` (every one, in the inverse modes).
 *
 * @throws {@link QueryArgumentError} for an unknown `--collection-type`;
 *   `MissingCollectionError` naming a GLOB without wildcards that is no collection.
 */
export async function queryCollectionsCommand(
  repo: string,
  globs: readonly string[],
  options: QueryCollectionsOptions,
  context: CommandContext,
): Promise<void> {
  const known = Object.keys(CollectionType);
  const types = new Set((options.collectionType ?? []).map((t) => t.toUpperCase()));
  for (const type of types)
    if (!known.includes(type))
      throw new QueryArgumentError(
        `Unknown collection type ${JSON.stringify(type)} (known: ${known.join(', ')})`,
      );
  const mode = options.chains;
  const inverse = mode === 'INVERSE-TABLE' || mode === 'INVERSE-TREE';
  const listed = mode === 'FLATTEN' || mode === 'NO-CHILDREN';
  await withButler(repo, async (butler) => {
    const manager = butler.registry.collections;
    const selected = await selectCollections(manager, globs, types, mode === 'FLATTEN');
    if (!listed) selected.sort(byName);
    const relatives = (record: CollectionRecord) =>
      inverse ? manager.getParentChains(record.name) : childrenOf(manager, record);
    if (options.format === 'json') {
      const out = [];
      for (const record of selected) {
        const entry = { name: record.name, type: collectionTypeName(record.type) };
        if (inverse) out.push({ ...entry, parents: await relatives(record) });
        else if (!listed && record.type === CollectionType.CHAINED)
          out.push({ ...entry, children: await relatives(record) });
        else out.push(entry);
      }
      await context.out.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    if (selected.length === 0) return;
    if (listed) {
      const rows = selected.map((r) => [r.name, collectionTypeName(r.type)]);
      await context.out.write(astropyTable(['Name', 'Type'], rows, '<'));
      return;
    }
    if (mode === 'TREE' || mode === 'INVERSE-TREE') {
      const recordsByName = new Map((await manager.all()).map((record) => [record.name, record]));
      const rows: string[][] = [];
      const add = async (record: CollectionRecord, level: number): Promise<void> => {
        rows.push([`${'  '.repeat(level)}${record.name}`, collectionTypeName(record.type)]);
        for (const name of await relatives(record))
          await add(recordsByName.get(name) ?? (await manager.find(name)), level + 1);
      };
      for (const record of selected) await add(record, 0);
      await context.out.write(astropyTable(['Name', 'Type'], rows, '<'));
      return;
    }
    const rows: string[][] = [];
    for (const record of selected) {
      const type = collectionTypeName(record.type);
      const names = await relatives(record);
      if (names.length === 0) rows.push([record.name, type, '']);
      names.forEach((name, i) => rows.push(i === 0 ? [record.name, type, name] : ['', '', name]));
    }
    // daf_butler drops the third column when it would be empty: no chain (TABLE), no
    // collection held by a chain (INVERSE-TABLE).
    const third = inverse
      ? rows.some((row) => row[2] !== '')
      : selected.some((record) => record.type === CollectionType.CHAINED);
    await context.out.write(
      astropyTable(
        third ? ['Name', 'Type', inverse ? 'Parents' : 'Children'] : ['Name', 'Type'],
        third ? rows : rows.map((row) => row.slice(0, 2)),
        '<',
      ),
    );
  });
}

function dimensionList(datasetType: DatasetType): string {
  const names = [...datasetType.dimensions.names].sort();
  return `[${names.map((n) => `'${n}'`).join(', ')}]`;
}

/** `butler-ts query-dataset-types <repo> [glob…]`: the registered dataset types. */
export async function queryDatasetTypesCommand(
  repo: string,
  globs: readonly string[],
  options: { readonly verbose?: boolean; readonly format: QueryFormat },
  context: CommandContext,
): Promise<void> {
  const match = globMatcher(globs);
  await withButler(repo, async (butler) => {
    const types = (await butler.registry.datasets.allDatasetTypes())
      .filter((t) => match(t.name))
      .sort(byName);
    if (options.format === 'json') {
      const out = types.map((t) => ({
        name: t.name,
        dimensions: [...t.dimensions.names].sort(),
        storageClass: t.storageClassName,
      }));
      await context.out.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (types.length === 0) {
      await context.out.write('No results. Try --help for more information.\n');
    } else if (options.verbose === true) {
      await context.out.write(
        astropyTable(
          ['name', 'dimensions', 'storage class'],
          types.map((t) => [t.name, dimensionList(t), t.storageClassName]),
        ),
      );
    } else {
      await context.out.write(
        astropyTable(
          ['name'],
          types.map((t) => [t.name]),
        ),
      );
    }
  });
}

/** Options of `query-datasets`. */
export interface QueryDatasetsOptions {
  readonly collections?: readonly string[];
  readonly where?: string;
  readonly findFirst?: boolean;
  readonly showUri?: boolean;
  readonly format: QueryFormat;
}

// The full data ID of a ref: required dimensions, then implied ones, in the group's order.
function dataIdEntries(ref: DatasetRef): [string, string | number][] {
  const group = ref.datasetType.dimensions;
  const entries: [string, string | number][] = [];
  for (const name of [...group.required, ...group.implied]) {
    const value = ref.dataId.get(name);
    if (value !== undefined) entries.push([name, value]);
  }
  return entries;
}

function compareCells(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * `butler-ts query-datasets <repo> [glob…]`: the datasets of the matching dataset types in
 * the collections (default every RUN), one table per dataset type.
 */
export async function queryDatasetsCommand(
  repo: string,
  globs: readonly string[],
  options: QueryDatasetsOptions,
  context: CommandContext,
): Promise<void> {
  const match = globMatcher(globs);
  const where = parseSimpleWhere(options.where);
  await withButler(repo, async (butler) => {
    const collections =
      options.collections !== undefined && options.collections.length > 0
        ? [...options.collections]
        : (await butler.registry.collections.all())
            .filter((r) => r.type === CollectionType.RUN)
            .map((r) => r.name);
    const types = (await butler.registry.datasets.allDatasetTypes())
      .filter((t) => match(t.name))
      .sort(byName);
    const tables: { type: DatasetType; refs: DatasetRef[]; uris: Map<string, string> }[] = [];
    for (const type of types) {
      const constraints = Object.fromEntries(
        Object.entries(where).filter(([name]) => type.dimensions.required.includes(name)),
      );
      if (Object.keys(constraints).length !== Object.keys(where).length) continue;
      const refs = await butler.registry.datasets.queryDatasets(type, collections, {
        where: constraints,
        findFirst: options.findFirst ?? false,
      });
      if (refs.length === 0) continue;
      const uris = new Map<string, string>();
      if (options.showUri === true) {
        for (const ref of refs) {
          const found = await butler.datastore.getURIs(ref, { predict: true });
          if (found.primaryURI !== null) uris.set(ref.id, found.primaryURI.toString());
        }
      }
      tables.push({ type, refs, uris });
    }
    if (options.format === 'json') {
      const out = tables.flatMap(({ type, refs, uris }) =>
        refs.map((ref) => ({
          type: type.name,
          run: ref.run,
          id: ref.id,
          dataId: Object.fromEntries(dataIdEntries(ref)),
          ...(uris.has(ref.id) ? { uri: uris.get(ref.id) } : {}),
        })),
      );
      await context.out.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    let text = '';
    for (const { type, refs, uris } of tables) {
      const dimensions = dataIdEntries(refs[0]!).map(([name]) => name);
      const rows = refs.map((ref) => {
        const values = dataIdEntries(ref).map(([, value]) => value);
        return { ref, values };
      });
      // Sorted by data ID, then type and run, as daf_butler's sortAstropyTable does.
      rows.sort((a, b) => {
        for (let i = 0; i < a.values.length; i++) {
          const c = compareCells(a.values[i]!, b.values[i]!);
          if (c !== 0) return c;
        }
        return compareCells(a.ref.run, b.ref.run);
      });
      const names = [
        'type',
        'run',
        'id',
        ...dimensions,
        ...(options.showUri === true ? ['URI'] : []),
      ];
      text += `\n${astropyTable(
        names,
        rows.map(({ ref, values }) => [
          type.name,
          ref.run,
          ref.id,
          ...values.map((v) => String(v)),
          ...(options.showUri === true ? [uris.get(ref.id) ?? ''] : []),
        ]),
      )}`;
    }
    await context.out.write(`${text}\n`);
  });
}

/** `butler-ts query-dimension-records <repo> <element>`: the records of one element. */
export async function queryDimensionRecordsCommand(
  repo: string,
  element: string,
  options: { readonly where?: string; readonly format: QueryFormat },
  context: CommandContext,
): Promise<void> {
  const where = parseSimpleWhere(options.where);
  await withButler(repo, async (butler) => {
    const universe = butler.registry.dimensions.universe;
    const known = universe.elements.map((e) => e.name);
    if (!known.includes(element)) {
      throw new QueryArgumentError(
        `Unknown dimension element ${JSON.stringify(element)} (known: ${known.join(', ')})`,
      );
    }
    const definition = universe.getElement(element);
    const floats = new Set(
      [...definition.keys, ...definition.metadata]
        .filter((c) => c.type === 'float')
        .map((c) => c.name),
    );
    const records = await butler.registry.dimensions.fetchRecords(element, where);
    // Ordered by data ID (the element's required dimensions), as daf_butler sorts them.
    const keyOf = (name: string) =>
      name === element && definition.keys.length > 0 ? definition.keys[0]!.name : name;
    const sortKeys = definition.required.map(keyOf);
    records.sort((a, b) => {
      for (const key of sortKeys) {
        const c = compareCells(a[key] as string | number, b[key] as string | number);
        if (c !== 0) return c;
      }
      return 0;
    });
    if (options.format === 'json') {
      await context.out.write(`${JSON.stringify(records, null, 2)}\n`);
      return;
    }
    if (records.length === 0) {
      await context.out.write('No results. Try --help for more information.\n');
      return;
    }
    const names = Object.keys(records[0]!);
    await context.out.write(
      astropyTable(
        names,
        records.map((record) => names.map((name) => pythonText(record[name], floats.has(name)))),
      ),
    );
  });
}

// Case-insensitive, as daf_butler's `--chains`; commander's own check of choices is replaced
// by a parser, so this one checks.
function chainsMode(value: string): ChainsMode {
  const mode = value.toUpperCase();
  if (!(CHAINS_MODES as readonly string[]).includes(mode))
    throw new CommanderArgumentError(`Allowed choices are ${CHAINS_MODES.join(', ')}.`);
  return mode as ChainsMode;
}

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').filter((v) => v !== '')];
}

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(QUERY_FORMATS).default('table');
}

const REPO_HELP = 'the repository: its folder or butler.yaml (a path or file: URI)';

/**
 * Adds the `query-*` commands to `program`; `run` gives each action its output context (as
 * `buildProgram` does for the other commands).
 */
export function addQueryCommands(
  program: Command,
  run: (body: (context: CommandContext) => Promise<void>) => Promise<void>,
): void {
  program
    .command('query-collections')
    .description('list the collections whose names match the globs (all by default)')
    .argument('<repo>', REPO_HELP)
    .argument(
      '[glob...]',
      'collection names, or fnmatch-style patterns (with *, ? or […]); a name must exist',
    )
    .addOption(
      new Option(
        '--chains <mode>',
        'how CHAINED collections are shown: TREE (each chain with its children below it, ' +
          'recursively), INVERSE-TREE (each collection with the chains holding it below it), ' +
          'TABLE (a Children column), INVERSE-TABLE (a Parents column), FLATTEN (named ' +
          'chains replaced by their children, recursively), NO-CHILDREN (chains not expanded)',
      )
        .choices(CHAINS_MODES)
        .default('TREE')
        .argParser(chainsMode),
    )
    .option('--collection-type <type>', 'only collections of this type (repeatable)', collect)
    .addOption(formatOption())
    .action((repo: string, globs: string[], options: QueryCollectionsOptions) =>
      run((context) => queryCollectionsCommand(repo, globs, options, context)),
    );

  program
    .command('query-dataset-types')
    .description('list the registered dataset types whose names match the globs')
    .argument('<repo>', REPO_HELP)
    .argument('[glob...]', 'fnmatch-style patterns of dataset type names')
    .option('-v, --verbose', 'also show dimensions and storage class')
    .addOption(formatOption())
    .action((repo: string, globs: string[], options: { verbose?: boolean; format: QueryFormat }) =>
      run((context) => queryDatasetTypesCommand(repo, globs, options, context)),
    );

  program
    .command('query-datasets')
    .description('list the datasets of the matching dataset types in the collections')
    .argument('<repo>', REPO_HELP)
    .argument('[glob...]', 'fnmatch-style patterns of dataset type names')
    .option(
      '--collections <names>',
      'collections to search, in order (comma-separated, repeatable; default every RUN)',
      collect,
    )
    .option('--where <expr>', 'constraints such as "instrument = \'Cam\' AND detector = 1"')
    .option('--find-first', 'only the first dataset of each data ID in collection order')
    .option('--show-uri', 'show the URI of each dataset')
    .addOption(formatOption())
    .action((repo: string, globs: string[], options: QueryDatasetsOptions) =>
      run((context) => queryDatasetsCommand(repo, globs, options, context)),
    );

  program
    .command('query-dimension-records')
    .description('list the records of a dimension element')
    .argument('<repo>', REPO_HELP)
    .argument('<element>', 'the dimension element (instrument, detector, visit, …)')
    .option('--where <expr>', 'constraints such as "instrument = \'Cam\'"')
    .addOption(formatOption())
    .action((repo: string, element: string, options: { where?: string; format: QueryFormat }) =>
      run((context) => queryDimensionRecordsCommand(repo, element, options, context)),
    );
}
