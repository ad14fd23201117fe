import type { Writable } from 'node:stream';
import { inspect } from 'node:util';
import {
  Command,
  CommanderError,
  InvalidArgumentError as CommanderArgumentError,
  Option,
} from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { CommandContext, RegistryCommandOptions } from './context.ts';
import { createCommand } from './create.ts';
import type { IdOptions, IngestOptions, LsOptions, RetrieveOptions } from './datastore.ts';
import { OutputClosedError } from './errors.ts';
import { DUMP_FORMATS } from './formats.ts';
import type { DumpFormat } from './formats.ts';
import { INFO_FORMATS, checkCommand, infoCommand } from './info.ts';
import type { InfoFormat } from './info.ts';
import { opaqueDumpCommand, opaqueListCommand } from './opaque.ts';
import { OutputSink } from './output.ts';
import { DEFAULT_PAGE_SIZE } from './pages.ts';
import { addQueryCommands } from './query.ts';
import type { RepositoryCommandOptions } from './repository.ts';
import { INGEST_TRANSFERS } from './repository-yaml.ts';
import { isRegistryUri } from './uri.ts';
import type { VerifyOptions } from './verify.ts';

// The repository commands load the dataset model and the FileDatastore (YAML, formatters) on
// demand, so that the registry commands start as fast as before.
const datastoreVerbs = () => import('./datastore.ts');

/** Where the command reads and writes; defaults to the process's own streams. */
export interface CliIo {
  /** Results (default `process.stdout`). */
  readonly stdout?: Writable;
  /** Errors, help after errors, progress (default `process.stderr`). */
  readonly stderr?: Writable;
  /** Whether `stderr` is a terminal, which turns on progress (default `process.stderr.isTTY`). */
  readonly stderrIsTTY?: boolean;
}

/** The exit statuses of `butler-ts`. */
export const EXIT_CODES = Object.freeze({
  /** The command did what was asked (`check`: the registry is compatible). */
  ok: 0,
  /** The command failed (`check`: incompatible, or no registry); the reason is on stderr. */
  failure: 1,
  /** The command line was wrong (unknown command or option, missing argument). */
  usage: 2,
});

const URI_HELP = `
Registry URIs:
  sqlite:///<path>                    a SQLite file (sqlite:////abs/path for an absolute path)
  postgresql://user@host:port/db      a PostgreSQL database; --namespace picks the schema`;

const MAIN_HELP = `${URI_HELP}

Exit status: 0 on success, 1 on failure (check: not compatible), 2 for a bad command line.
Errors print one line on stderr; add --debug for the stack trace.`;

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 100_000)
    throw new CommanderArgumentError('expected an integer from 1 to 100000');
  return n;
}

function namespaceOption(): Option {
  return new Option('--namespace <schema>', 'the PostgreSQL schema of the registry');
}

/**
 * Builds the `butler-ts` command line (commander), writing to `io`. It throws instead of
 * exiting (`exitOverride`), so that {@link main} maps every outcome to an exit status;
 * tests and embedders can also drive it directly with `parseAsync(args, { from: 'user' })`.
 *
 * @example
 * ```ts
 * const program = buildProgram({ stdout: myStream });
 * await program.parseAsync(['info', 'sqlite:////data/repo/gen3.sqlite3'], { from: 'user' });
 * ```
 */
export function buildProgram(io: CliIo = {}): Command {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const stderrIsTTY = io.stderrIsTTY ?? (io.stderr === undefined && process.stderr.isTTY);

  // Each action gets a fresh sink on stdout; the sink stops listening when the action ends.
  const run = async (body: (context: CommandContext) => Promise<void>): Promise<void> => {
    const out = new OutputSink(stdout);
    try {
      await body({ out, stderr, stderrIsTTY });
    } finally {
      out.dispose();
    }
  };

  const program = new Command('butler-ts')
    .description(
      'Create, inspect and check butler repositories and registries on SQLite and PostgreSQL.',
    )
    .version(packageJson.version, '-V, --version', 'print the version of butler-ts')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .option('--debug', 'print the stack trace of an error')
    .addOption(new Option('--debug-memory', 'print peak memory use on exit').hideHelp())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      outputError: (text, write) => write(`butler-ts: ${text}`),
    })
    .addHelpText('after', MAIN_HELP);

  program
    .command('create')
    .description(
      'create a repository (a folder: butler.yaml, a SQLite registry and a FileDatastore) or a bare registry (a URI)',
    )
    .argument('<folder|uri>', 'a folder for a repository, or a registry URI for a bare registry')
    .addOption(namespaceOption())
    .addHelpText(
      'after',
      `
A folder (any argument that is not a URI) becomes a repository laid out as daf_butler lays
one out: the folder (made if missing), gen3.sqlite3 (the registry, with the datastore's records
table) and butler.yaml (registry db sqlite:///<butlerRoot>/gen3.sqlite3, a FileDatastore rooted
at <butlerRoot>). The datastore verbs take the folder.

A registry URI (sqlite:///…, postgresql://…) makes only the registry's tables; the datastore
verbs take it with --root <folder of the files>.
${URI_HELP}`,
    )
    .action((target: string, options: RegistryCommandOptions) =>
      run((context) =>
        isRegistryUri(target)
          ? createCommand(target, options, context)
          : import('./create-repository.ts').then(({ createRepositoryCommand }) =>
              createRepositoryCommand(target, options, context),
            ),
      ),
    );

  program
    .command('info')
    .description(
      'show the managers, stored and supported schema versions, whether this build may read and write, and the opaque tables',
    )
    .argument('<uri>', 'the registry')
    .addOption(namespaceOption())
    .addOption(
      new Option('--format <format>', 'output format').choices(INFO_FORMATS).default('text'),
    )
    .addHelpText('after', URI_HELP)
    .action((uri: string, options: RegistryCommandOptions & { format: InfoFormat }) =>
      run((context) => infoCommand(uri, options, context)),
    );

  program
    .command('check')
    .description(
      'exit 0 when this build can read (with --write: write) the registry, 1 with the reason otherwise',
    )
    .argument('<uri>', 'the registry')
    .addOption(namespaceOption())
    .option('--write', 'check that this build can also write the registry')
    .addHelpText('after', URI_HELP)
    .action((uri: string, options: RegistryCommandOptions & { write?: boolean }) =>
      run((context) => checkCommand(uri, options, context)),
    );

  const opaque = program
    .command('opaque')
    .description('list and dump the opaque tables in which datastores keep their records');

  opaque
    .command('list')
    .description('list the opaque tables with their row counts')
    .argument('<uri>', 'the registry')
    .addOption(namespaceOption())
    .addOption(
      new Option('--format <format>', 'output format').choices(INFO_FORMATS).default('text'),
    )
    .action((uri: string, options: RegistryCommandOptions & { format: InfoFormat }) =>
      run((context) => opaqueListCommand(uri, options, context)),
    );

  opaque
    .command('dump')
    .description('write the rows of an opaque table to stdout, streaming in constant memory')
    .argument('<uri>', 'the registry')
    .argument('<table>', 'the opaque table')
    .addOption(namespaceOption())
    .option(
      '--where <column=value>',
      'only rows whose column has this value (repeatable; a repeated column matches any of its values)',
      collect,
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(DUMP_FORMATS).default('table'),
    )
    .option('--page-size <rows>', 'rows read per query', positiveInteger, DEFAULT_PAGE_SIZE)
    .option('-q, --quiet', 'no progress line on stderr')
    .addHelpText(
      'after',
      `
Formats:
  table   fixed-width text for people (longer text than the first page's is cut with …)
  json    one JSON array, one row object per line
  jsonl   JSON Lines: one row object per line
  csv     a header line, then RFC 4180 rows; NULL is an empty field, an empty string ""
Bytes are written as base64 and timestamps as ISO 8601 (UTC). --where values are parsed as
their column's type: integers, floats, booleans (true/false, 1/0, yes/no), UUIDs, base64
bytes, ISO 8601 timestamps (UTC unless a zone is given).

Rows are read in pages of --page-size rows ordered by the primary key (keyset pagination),
so memory use does not grow with the table. A table without a primary key is ordered by all
its columns, which is much slower on large tables. Progress is shown on stderr when it is a
terminal.
${URI_HELP}`,
    )
    .action(
      (
        uri: string,
        table: string,
        options: RegistryCommandOptions & {
          where?: string[];
          format: DumpFormat;
          pageSize: number;
          quiet?: boolean;
        },
      ) =>
        run((context) =>
          opaqueDumpCommand(uri, table, { ...options, where: options.where ?? [] }, context),
        ),
    );

  addDatastoreCommands(program, run);
  addQueryCommands(program, run);
  return program;
}

type Runner = (body: (context: CommandContext) => Promise<void>) => Promise<void>;

const REPO_HELP = `
Repositories:
  <folder>                            a folder with a butler.yaml (daf_butler's layout; the file
                                      itself may be given too); --namespace overrides its
                                      registry.namespace
  <registry URI> --root <folder>      a registry and the folder of a FileDatastore's files
${URI_HELP}`;

function repositoryOptions(command: Command): Command {
  return command
    .addOption(namespaceOption())
    .option('--root <folder>', 'with a registry URI: the folder of the datastore files')
    .option('-q, --quiet', 'no progress line on stderr');
}

function idOptions(command: Command): Command {
  return command
    .option('--id <uuid...>', 'a dataset ID (repeatable)')
    .option('--ids-from <file>', 'a file of dataset IDs, one per line (# starts a comment)');
}

function addDatastoreCommands(program: Command, run: Runner): void {
  const datastore = program
    .command('datastore')
    .description('verify, list, ingest, retrieve and trash the files of a repository’s datastore');

  repositoryOptions(
    datastore
      .command('verify')
      .description(
        'check that every record’s file exists with its recorded size and checksum, and list orphan files; exit 1 when anything is wrong',
      )
      .argument('<repo>', 'the repository'),
  )
    .option('--json', 'write the report as JSON')
    .addHelpText(
      'after',
      `
Problems: MISSING (no file), SIZE (not the recorded size), CHECKSUM (not the recorded
checksum, checked only where one is recorded), ORPHAN (a file under the root that no record
names; butler.yaml and the SQLite registry files are not). Exit status 1 when there is any.
${REPO_HELP}`,
    )
    .action((repo: string, options: VerifyOptions) =>
      run(async (context) => (await import('./verify.ts')).verifyCommand(repo, options, context)),
    );

  idOptions(
    repositoryOptions(
      datastore
        .command('retrieve')
        .description(
          'copy (or link) the files of datasets into a folder, at their paths relative to the datastore root',
        )
        .argument('<repo>', 'the repository')
        .argument('<dest>', 'the folder to write into (made if missing)'),
    ),
  )
    .addOption(
      new Option('--transfer <mode>', 'how files get there')
        .choices(['copy', 'link', 'symlink'])
        .default('copy'),
    )
    .option('--overwrite', 'replace files already at the destination')
    .addHelpText('after', REPO_HELP)
    .action((repo: string, dest: string, options: RetrieveOptions) =>
      run(async (context) =>
        (await datastoreVerbs()).retrieveCommand(repo, dest, options, context),
      ),
    );

  repositoryOptions(
    datastore
      .command('ingest')
      .description('store files for datasets already registered, listed in a CSV or JSONL table')
      .argument('<repo>', 'the repository'),
  )
    .requiredOption('--run <run>', 'the run of the datasets')
    .requiredOption('--dataset-type <name>', 'the dataset type of the datasets')
    .requiredOption('--from <table>', 'the table: a .csv with a header line, or a .jsonl file')
    .addOption(
      new Option('--transfer <mode>', 'how files reach the datastore')
        .choices(INGEST_TRANSFERS)
        .default('auto'),
    )
    .addHelpText(
      'after',
      `
The table has a column "id" (the dataset ID) and "path" (the file, relative to the table's
folder, or absolute, or a file: URI), and may have "formatter" (the formatter class that reads
the file; default the datastore's configured one). Each ID must be registered in the
registry's dataset table, of --dataset-type and in --run, and not stored yet; otherwise
nothing is ingested and the IDs are named. Several rows may name the same file.

Transfer modes (daf_butler's): auto (in place inside the root, direct outside it), copy, move,
link (hard link, else symbolic), hardlink, symlink, relsymlink, direct (record the absolute
path, leave the file where it is), none (in place: the file must be under the root).
${REPO_HELP}`,
    )
    .action((repo: string, options: IngestOptions) =>
      run(async (context) => (await datastoreVerbs()).ingestCommand(repo, options, context)),
    );

  idOptions(
    repositoryOptions(
      datastore
        .command('trash')
        .description('move datasets to the trash; their files stay until empty-trash')
        .argument('<repo>', 'the repository'),
    ),
  )
    .addHelpText('after', REPO_HELP)
    .action((repo: string, options: RepositoryCommandOptions & IdOptions) =>
      run(async (context) => (await datastoreVerbs()).trashCommand(repo, options, context)),
    );

  repositoryOptions(
    datastore
      .command('empty-trash')
      .description('delete the files and records of the trashed datasets')
      .argument('<repo>', 'the repository'),
  )
    .addHelpText('after', REPO_HELP)
    .action((repo: string, options: RepositoryCommandOptions) =>
      run(async (context) => (await datastoreVerbs()).emptyTrashCommand(repo, options, context)),
    );

  repositoryOptions(
    datastore
      .command('ls')
      .description('write the datastore’s records, paged as opaque dump')
      .argument('<repo>', 'the repository'),
  )
    .option(
      '--where <column=value>',
      'only records whose column has this value (repeatable)',
      collect,
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(DUMP_FORMATS).default('table'),
    )
    .option('--page-size <rows>', 'rows read per query', positiveInteger, DEFAULT_PAGE_SIZE)
    .addHelpText(
      'after',
      `\nFormats and --where: as opaque dump (see butler-ts opaque dump --help).\n${REPO_HELP}`,
    )
    .action((repo: string, options: Omit<LsOptions, 'where'> & { where?: string[] }) =>
      run(async (context) =>
        (await datastoreVerbs()).lsCommand(
          repo,
          { ...options, where: options.where ?? [] },
          context,
        ),
      ),
    );
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

function stackText(error: unknown): string {
  let text = '';
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (depth > 0) text += 'Caused by: ';
    text +=
      current instanceof Error ? `${current.stack ?? current.message}\n` : `${inspect(current)}\n`;
    current = current instanceof Error ? current.cause : undefined;
  }
  return text;
}

/**
 * Runs `butler-ts` with `args` (the arguments after the command name) and resolves to the
 * exit status (see {@link EXIT_CODES}); it never calls `process.exit`. Errors are printed to
 * stderr as one line, `butler-ts: <message>`, or with their stack and causes under `--debug`.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(args: readonly string[], io: CliIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const program = buildProgram(io);
  let code: number = EXIT_CODES.ok;
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; everything else commander reports is usage.
      code = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    } else if (OutputClosedError.is(error)) {
      code = EXIT_CODES.ok;
    } else {
      const options = program.opts<{ debug?: boolean }>();
      const debug = options.debug === true || args.includes('--debug');
      const message = error instanceof Error ? error.message : String(error);
      stderr.write(debug ? stackText(error) : `butler-ts: ${oneLine(message)}\n`);
      code = EXIT_CODES.failure;
    }
  }
  if (
    program.opts<{ debugMemory?: boolean }>().debugMemory === true ||
    args.includes('--debug-memory')
  )
    stderr.write(`butler-ts: debug-memory: maxRSS=${process.resourceUsage().maxRSS} KiB\n`);
  return code;
}
