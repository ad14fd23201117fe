// Runs the built `butler-ts` as a user would (a child `node` process) and makes registries.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { inject } from 'vitest';

/** What a run of the command printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built `bin.mjs` (see global-setup.ts). */
export const cliBin = inject('cliBin');

/** Runs `node bin.mjs …args` and collects its output. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return runNode([cliBin, ...args], options);
}

/** Runs `node …args` and collects its output. */
export function runNode(
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `butler-cli-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The PostgreSQL server the tests use. */
export const pgUrl =
  process.env['BUTLER_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

// The cli package has no @types/pg (and must not grow dependencies): the little the tests use.
interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}
interface PgModule {
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
}
const pg = createRequire(import.meta.url)('pg') as PgModule;

async function withClient<T>(body: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether the server answers. Without it the PostgreSQL tests skip with one printed line,
 * unless BUTLER_REQUIRE_PG=1, which makes a missing server a failure.
 */
export async function pgAvailable(): Promise<boolean> {
  try {
    await withClient((client) => client.query('SELECT 1'));
    return true;
  } catch (error) {
    if (process.env['BUTLER_REQUIRE_PG'] === '1')
      throw new Error(
        `BUTLER_REQUIRE_PG=1 but PostgreSQL at ${pgUrl} is unreachable: ${String(error)}`,
        {
          cause: error,
        },
      );
    console.log(
      `PostgreSQL tests of butler-ts skipped: no server at ${pgUrl} (${(error as Error).message}); set BUTLER_TEST_PG_URL`,
    );
    return false;
  }
}

let counter = 0;

/** A schema name unique to this process and test file. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

/** Drops the schemas a test file made. */
export async function dropSchemas(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await withClient(async (client) => {
    for (const name of names) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  });
}

/** Lines of text, without the empty string after the last newline. */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

export { parseCsv } from '../src/csv.ts';

/** Every file under `root`, relative, `/`-separated, sorted. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
