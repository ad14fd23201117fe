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
import { OutputClosedError } from './errors.ts';
import { DUMP_FORMATS } from './formats.ts';
import type { DumpFormat } from './formats.ts';
import { INFO_FORMATS, checkCommand, infoCommand } from './info.ts';
import type { InfoFormat } from './info.ts';
import { opaqueDumpCommand, opaqueListCommand } from './opaque.ts';
import { OutputSink } from './output.ts';
import { DEFAULT_PAGE_SIZE } from './pages.ts';
import { addQueryCommands } from './query.ts';

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
    .description('Create, inspect and check butler registries on SQLite and PostgreSQL.')
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
    .description('create a new registry with every manager’s tables and schema versions')
    .argument('<uri>', 'where to create it')
    .addOption(namespaceOption())
    .addHelpText('after', URI_HELP)
    .action((uri: string, options: RegistryCommandOptions) =>
      run((context) => createCommand(uri, options, context)),
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
        },
      ) =>
        run((context) =>
          opaqueDumpCommand(uri, table, { ...options, where: options.where ?? [] }, context),
        ),
    );

  addQueryCommands(program, run);
  return program;
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
