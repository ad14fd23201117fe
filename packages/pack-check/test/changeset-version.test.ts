// Release managers ship each package on its own version: `changeset version`, run on a scratch
// copy of the repository, must bump each public package independently and write its changelog,
// and leave private packages alone.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
}

describe('changeset version on a scratch copy', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'butler-changeset-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('gives each public package its own version and changelog, and no private one', () => {
    // Only what changesets reads: manifests, the workspace file and the pending changesets.
    for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset'])
      cpSync(join(root, file), join(scratch, file), { recursive: true });
    const manifests = new Map<string, Manifest>();
    for (const group of ['packages', 'tooling']) {
      for (const dir of readdirSync(join(root, group))) {
        const file = join(root, group, dir, 'package.json');
        if (!existsSync(file)) continue;
        cpSync(file, join(scratch, group, dir, 'package.json'));
        manifests.set(`${group}/${dir}`, JSON.parse(readFileSync(file, 'utf8')) as Manifest);
      }
    }
    const pending = readdirSync(join(root, '.changeset')).filter(
      (f) => f.endsWith('.md') && f !== 'README.md',
    );
    expect(pending.length).toBeGreaterThan(0);

    execFileSync(join(root, 'node_modules', '.bin', 'changeset'), ['version'], {
      cwd: scratch,
      stdio: 'pipe',
    });

    // The bump each pending changeset asks for, per package (the largest wins).
    const order = ['patch', 'minor', 'major'];
    const asked = new Map<string, string>();
    for (const file of pending) {
      const front =
        /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(root, '.changeset', file), 'utf8'))?.[1] ??
        '';
      for (const [, name, bump] of front.matchAll(
        /^['"]?([^'":]+)['"]?:\s*(patch|minor|major)\s*$/gm,
      )) {
        if (order.indexOf(bump!) > order.indexOf(asked.get(name!) ?? 'none'))
          asked.set(name!, bump!);
      }
    }
    const bumped = (version: string, bump: string) => {
      const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
      if (bump === 'major') return `${major + 1}.0.0`;
      if (bump === 'minor') return `${major}.${minor + 1}.0`;
      return `${major}.${minor}.${patch + 1}`;
    };

    for (const [dir, before] of manifests) {
      const after = JSON.parse(
        readFileSync(join(scratch, dir, 'package.json'), 'utf8'),
      ) as Manifest;
      if (before.private === true) {
        expect(after.version, `${before.name} is private`).toBe(before.version);
        expect(existsSync(join(scratch, dir, 'CHANGELOG.md'))).toBe(false);
        continue;
      }
      const bump = asked.get(before.name);
      if (bump === undefined) continue;
      expect(after.version, `${before.name}: its own ${bump} release`).toBe(
        bumped(before.version, bump),
      );
      expect(readFileSync(join(scratch, dir, 'CHANGELOG.md'), 'utf8')).toContain(
        `# ${before.name}`,
      );
    }
    // Each public package has a changeset (releases start from one per package).
    const unreleased = [...manifests.values()].filter(
      (m) => m.private !== true && m.version === '0.0.0' && !asked.has(m.name),
    );
    expect(unreleased.map((m) => m.name)).toEqual([]);
    // The changesets were consumed.
    expect(
      readdirSync(join(scratch, '.changeset')).filter(
        (f) => f.endsWith('.md') && f !== 'README.md',
      ),
    ).toEqual([]);
  });
});
