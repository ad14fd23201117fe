// Every public package, packed as it would be published, installed alone into a scratch project
// with only its declared dependencies (internal ones from their packed tarballs, the rest from
// the npm registry), then imported under plain Node ESM and type-checked and run under
// TypeScript `moduleResolution: nodenext` through the example in its README.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Manifest {
  readonly name: string;
  readonly private?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const workspace = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    manifest: JSON.parse(
      readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'),
    ) as Manifest,
  }))
  .filter((p) => p.manifest.private !== true);

/** The first ```ts block of a README: the example a user would copy. */
export function readmeExample(readme: string): string | null {
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  return match?.[1] ?? null;
}

/**
 * What the README tells a user to install besides the package (its first `npm install` line):
 * optional peers such as a database driver. Versions come from the package's own ranges.
 */
export function readmeExtras(readme: string, manifest: Manifest): Record<string, string> {
  const line = /npm install ([^\n#]+)/.exec(readme)?.[1] ?? '';
  const names = line
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '' && word !== manifest.name && !word.startsWith('-'));
  return Object.fromEntries(
    names.map((extra) => [
      extra,
      manifest.peerDependencies?.[extra] ?? manifest.devDependencies?.[extra] ?? 'latest',
    ]),
  );
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith('.d.mts') ? [path] : [];
  });
}

/** Bare imports in our installed declaration files whose package is not installed. */
export function undeclaredTypeImports(scratch: string): string[] {
  const ours = join(scratch, 'node_modules', '@butler-ts');
  const missing = new Set<string>();
  for (const pkg of readdirSync(ours)) {
    for (const file of declarationFiles(join(ours, pkg, 'dist'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (specifier!.startsWith('.') || specifier!.startsWith('node:')) continue;
        const parts = specifier!.split('/');
        const name = specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
        // Installed next to the importing package, or hoisted to the scratch project.
        const candidates = [
          join(ours, pkg, 'node_modules', name),
          join(scratch, 'node_modules', name),
        ];
        if (!candidates.some((dir) => existsSync(join(dir, 'package.json'))))
          missing.add(`@butler-ts/${pkg} → ${name}`);
      }
    }
  }
  return [...missing].sort();
}

/**
 * better-sqlite3, which five of the installs below pull in, downloads a prebuilt binary from
 * GitHub or else compiles SQLite from source: about a minute of CPU each time, the larger part
 * of this file's run where GitHub is out of reach. The workspace's own install has already built
 * that binary, so it is packed here as a local prebuild (prebuild-install's
 * `npm_config_better_sqlite3_local_prebuilds`) for the same version, Node ABI and platform. An
 * install that resolves another version of better-sqlite3 still fetches or builds its own.
 * Returns the environment that points installs at it, or nothing where there is no such binary.
 */
function localPrebuilds(into: string): Record<string, string> {
  const fromRegistrySql = createRequire(join(root, 'packages', 'registry-sql', 'package.json'));
  let dir: string;
  try {
    dir = dirname(fromRegistrySql.resolve('better-sqlite3/package.json'));
  } catch {
    return {};
  }
  const binary = join('build', 'Release', 'better_sqlite3.node');
  // prebuild-install names musl builds apart; only glibc Linux and other platforms match here.
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } })
    .header?.glibcVersionRuntime;
  if (!existsSync(join(dir, binary)) || (process.platform === 'linux' && glibc === undefined))
    return {};
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  try {
    execFileSync('tar', ['-czf', join(into, name), '-C', dir, binary], { stdio: 'ignore' });
  } catch {
    return {}; // No tar here: the installs fetch or build their own, only slower.
  }
  return { npm_config_better_sqlite3_local_prebuilds: into };
}

let installEnv: Record<string, string> = {};

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...installEnv, npm_config_loglevel: 'error' },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
      { cause: error },
    );
  }
}

describe('packages on their own', () => {
  const packs = mkdtempSync(join(tmpdir(), 'butler-packs-'));
  const tarballs = new Map<string, string>();

  beforeAll(() => {
    const prebuilds = join(packs, 'prebuilds');
    mkdirSync(prebuilds);
    installEnv = localPrebuilds(prebuilds);
    for (const { dir, manifest } of workspace) {
      const out = run('pnpm', ['pack', '--pack-destination', packs], dir).trim().split('\n').pop()!;
      tarballs.set(manifest.name, out.startsWith('/') ? out : join(packs, out));
    }
  });
  afterAll(() => {
    rmSync(packs, { recursive: true, force: true });
  });

  it('finds every public package', () => {
    expect(workspace.map((p) => p.manifest.name).sort()).toEqual([
      '@butler-ts/butler',
      '@butler-ts/cli',
      '@butler-ts/core',
      '@butler-ts/datastore',
      '@butler-ts/datastore-chained',
      '@butler-ts/datastore-file',
      '@butler-ts/datastore-memory',
      '@butler-ts/ddl',
      '@butler-ts/registry-interfaces',
      '@butler-ts/registry-sql',
      '@butler-ts/versioning',
    ]);
  });

  it.each(workspace.map((p) => [p.manifest.name, p.dir, p.manifest] as const))(
    '%s installs alone and works under Node ESM and TypeScript nodenext',
    (name, dir, manifest) => {
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      const scratch = mkdtempSync(join(tmpdir(), 'butler-scratch-'));
      try {
        // Internal packages come from their tarballs wherever they appear in the tree.
        const overrides = Object.fromEntries(
          [...tarballs].map(([pkg, file]) => [pkg, `file:${file}`]),
        );
        writeFileSync(
          join(scratch, 'package.json'),
          JSON.stringify({
            name: 'scratch',
            private: true,
            type: 'module',
            dependencies: {
              [name]: `file:${tarballs.get(name)!}`,
              // The README's other packages of ours come from their tarballs too.
              ...Object.fromEntries(
                Object.entries(readmeExtras(readme, manifest)).map(([pkg, version]) => [
                  pkg,
                  tarballs.has(pkg) ? `file:${tarballs.get(pkg)!}` : version,
                ]),
              ),
            },
            devDependencies: { typescript: '6.0.3', '@types/node': '20.19.8' },
            overrides,
          }),
        );
        run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], scratch);

        // Plain Node ESM: the entry point loads and exports something.
        writeFileSync(
          join(scratch, 'load.mjs'),
          `const m = await import(${JSON.stringify(name)});\nif (Object.keys(m).length === 0) throw new Error('no exports');\nconsole.log(Object.keys(m).length);\n`,
        );
        expect(Number(run('node', ['load.mjs'], scratch).trim())).toBeGreaterThan(0);

        // TypeScript nodenext: the README's example type-checks against the published types and runs.
        const example = readmeExample(readme);
        expect(example, `${name}/README.md needs a \`\`\`ts example`).not.toBeNull();
        mkdirSync(join(scratch, 'src'));
        writeFileSync(join(scratch, 'src', 'example.ts'), example!);
        writeFileSync(
          join(scratch, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: {
              module: 'nodenext',
              moduleResolution: 'nodenext',
              target: 'es2022',
              strict: true,
              types: ['node'],
              rootDir: 'src',
              outDir: 'out',
              // Third-party declarations (drizzle's optional drivers) do not all check; ours
              // are checked for undeclared imports below instead.
              skipLibCheck: true,
            },
            include: ['src'],
          }),
        );
        run('npx', ['tsc', '-p', '.'], scratch);
        run('node', ['out/example.js'], scratch);

        // Every package our declaration files import must be installed (declared somewhere).
        expect(undeclaredTypeImports(scratch)).toEqual([]);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
});
