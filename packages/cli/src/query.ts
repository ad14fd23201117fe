// `query-collections`, `query-dataset-types`, `query-datasets` and `query-dimension-records`
// on a repository (its folder or butler.yaml), printed as daf_butler's `butler` prints them
// (astropy's table layout), or as JSON.
import { Butler } from '@butler-ts/butler';
import type { DatasetRef, DatasetType } from '@butler-ts/core';
import { pythonFloatRepr } from '@butler-ts/datastore-file';
import { CollectionType, collectionTypeName } from '@butler-ts/registry-interfaces';
import type { CollectionRecord } from '@butler-ts/registry-interfaces';
import { ButlerError } from '@butler-ts/versioning';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CommandContext } from './context.ts';

/** The output formats of the query commands. */
export const QUERY_FORMATS = ['table', 'json'] as const;

/** One of {@link QUERY_FORMATS}. */
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** How `query-collections` shows CHAINED collections (daf_butler's `--chains`). */
export const CHAINS_MODES = ['TREE', 'TABLE', 'NO-CHILDREN'] as const;

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

/** `butler-ts query-collections <repo> [glob…]`: the collections, with the children of chains. */
export async function queryCollectionsCommand(
  repo: string,
  globs: readonly string[],
  options: QueryCollectionsOptions,
  context: CommandContext,
): Promise<void> {
  const match = globMatcher(globs);
  const types = new Set((options.collectionType ?? []).map((t) => t.toUpperCase()));
  await withButler(repo, async (butler) => {
    const collections = butler.registry.collections;
    const all = await collections.all();
    const byNameMap = new Map(all.map((record) => [record.name, record]));
    const selected = all
      .filter((r) => match(r.name) && (types.size === 0 || types.has(collectionTypeName(r.type))))
      .sort(byName);
    const children = async (record: CollectionRecord) =>
      record.type === CollectionType.CHAINED ? collections.getChain(record.name) : [];
    if (options.format === 'json') {
      const out = [];
      for (const record of selected) {
        out.push({
          name: record.name,
          type: collectionTypeName(record.type),
          ...(record.type === CollectionType.CHAINED ? { children: await children(record) } : {}),
        });
      }
      await context.out.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    const rows: string[][] = [];
    if (options.chains === 'TREE') {
      const add = async (record: CollectionRecord, level: number): Promise<void> => {
        rows.push([`${'  '.repeat(level)}${record.name}`, collectionTypeName(record.type)]);
        for (const child of await children(record)) await add(byNameMap.get(child)!, level + 1);
      };
      for (const record of selected) await add(record, 0);
      if (rows.length > 0) await context.out.write(astropyTable(['Name', 'Type'], rows, '<'));
      return;
    }
    let anyChain = false;
    for (const record of selected) {
      const type = collectionTypeName(record.type);
      const kids = options.chains === 'TABLE' ? await children(record) : [];
      if (record.type === CollectionType.CHAINED) anyChain = true;
      if (kids.length === 0) rows.push([record.name, type, '']);
      kids.forEach((child, i) => rows.push(i === 0 ? [record.name, type, child] : ['', '', child]));
    }
    if (rows.length === 0) return;
    const showChildren = options.chains === 'TABLE' && anyChain;
    await context.out.write(
      astropyTable(
        showChildren ? ['Name', 'Type', 'Children'] : ['Name', 'Type'],
        rows.map((row) => (showChildren ? row : row.slice(0, 2))),
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
    .argument('[glob...]', 'fnmatch-style patterns of collection names')
    .addOption(
      new Option('--chains <mode>', 'how CHAINED collections are shown')
        .choices(CHAINS_MODES)
        .default('TREE')
        .argParser((v) => v.toUpperCase()),
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
