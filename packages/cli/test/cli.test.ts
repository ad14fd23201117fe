// What the command does before it reaches a registry: help, usage errors, bad URIs, --debug,
// and the built package's shape.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliBin, lines, runCli, tempDir } from './helpers.ts';

const temp = tempDir('usage');
afterAll(() => temp.remove());

describe.concurrent('butler-ts command line', () => {
  it.each([
    [
      [],
      /^Usage: butler-ts \[options\] \[command\]/,
      [
        'create',
        'info',
        'check',
        'opaque',
        'datastore',
        '--debug',
        'sqlite:///<path>',
        'Exit status',
      ],
    ],
    [
      ['create'],
      /^Usage: butler-ts create \[options\] <folder\|uri>/,
      [
        '--namespace <schema>',
        'postgresql://',
        'butler.yaml',
        '<butlerRoot>',
        '--root <folder of the files>',
      ],
    ],
    [
      ['info'],
      /^Usage: butler-ts info \[options\] <uri>/,
      ['--namespace <schema>', 'choices: "text", "json"'],
    ],
    [['check'], /^Usage: butler-ts check \[options\] <uri>/, ['--write', '--namespace <schema>']],
    [['opaque'], /^Usage: butler-ts opaque \[options\] \[command\]/, ['list', 'dump']],
    [
      ['opaque', 'list'],
      /^Usage: butler-ts opaque list \[options\] <uri>/,
      ['choices: "text", "json"'],
    ],
    [
      ['opaque', 'dump'],
      /^Usage: butler-ts opaque dump \[options\] <uri> <table>/,
      [
        '--where <column=value>',
        '"jsonl"',
        '"csv"',
        '--page-size <rows>',
        'keyset pagination',
        'base64',
        '--quiet',
      ],
    ],
    [
      ['datastore'],
      /^Usage: butler-ts datastore \[options\] \[command\]/,
      ['verify', 'retrieve', 'ingest', 'trash', 'empty-trash', 'ls'],
    ],
    [
      ['datastore', 'verify'],
      /^Usage: butler-ts datastore verify \[options\] <repo>/,
      ['--json', '--quiet', '--root <folder>', 'ORPHAN', 'CHECKSUM', 'butler.yaml'],
    ],
    [
      ['datastore', 'retrieve'],
      /^Usage: butler-ts datastore retrieve \[options\] <repo> <dest>/,
      ['--id <uuid...>', '--ids-from <file>', '"symlink"', '--overwrite'],
    ],
    [
      ['datastore', 'ingest'],
      /^Usage: butler-ts datastore ingest \[options\] <repo>/,
      ['--run <run>', '--dataset-type <name>', '--from <table>', '"relsymlink"', '"direct"'],
    ],
    [['datastore', 'trash'], /^Usage: butler-ts datastore trash \[options\] <repo>/, ['--id']],
    [
      ['datastore', 'empty-trash'],
      /^Usage: butler-ts datastore empty-trash \[options\] <repo>/,
      [],
    ],
    [
      ['datastore', 'ls'],
      /^Usage: butler-ts datastore ls \[options\] <repo>/,
      ['--where <column=value>', '"jsonl"', '--page-size <rows>'],
    ],
  ])('prints help for %j with --help', async (command, usage, mentions) => {
    const result = await runCli([...command, '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(usage);
    expect(result.stdout).toContain('-h, --help');
    for (const mention of mentions) expect(result.stdout).toContain(mention);
    expect(result.stdout).not.toContain('--debug-memory');
    expect(result.stdout).not.toContain('(default: [])');
  });

  it('prints the version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it.each([
    [['nope'], "butler-ts: error: unknown command 'nope'"],
    [['info'], "butler-ts: error: missing required argument 'uri'"],
    [['info', 'sqlite:///x', '--bogus'], "butler-ts: error: unknown option '--bogus'"],
    [
      ['info', 'sqlite:///x', '--format', 'xml'],
      "butler-ts: error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json.",
    ],
    [
      ['opaque', 'dump', 'sqlite:///x', 't', '--page-size', '0'],
      "butler-ts: error: option '--page-size <rows>' argument '0' is invalid. expected an integer from 1 to 100000",
    ],
  ])('rejects the command line %j with one line and status 2', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([message]);
    expect(result.stdout).toBe('');
  });

  // Every command parses URIs alike; each case goes through a different one.
  it.each([
    [['info'], 'sqlite://', /in-memory SQLite database, which would vanish/],
    [['create'], 'sqlite:///:memory:', /in-memory SQLite database/],
    [['check'], 'sqlite:relative.db', /is not sqlite:\/\/\/<path>/],
    [['opaque', 'list'], 'mysql://u@h/db', /Unsupported registry URI scheme "mysql:"/],
    [['info'], 'just-a-path.sqlite3', /is not a registry URI/],
    [['check', '--write'], 'postgresql://user:secret@', /PostgreSQL URL|names no host/],
    [
      ['opaque', 'dump'],
      'sqlite:////nonexistent/x.sqlite3',
      /No registry file at \/nonexistent\/x\.sqlite3/,
    ],
  ])('%j refuses the URI %s with one line and no stack', async (command, uri, message) => {
    const result = await runCli(command[1] === 'dump' ? [...command, uri, 't'] : [...command, uri]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^butler-ts: /)]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('secret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses --namespace on SQLite and create in a missing folder', async () => {
    const uri = `sqlite:///${join(temp.dir, 'r.sqlite3')}`;
    const namespaced = await runCli(['create', uri, '--namespace', 'x']);
    expect(namespaced.code).toBe(1);
    expect(lines(namespaced.stderr)).toEqual([
      expect.stringMatching(/^butler-ts: --namespace applies to PostgreSQL only/),
    ]);
    const missing = await runCli(['create', `sqlite:///${join(temp.dir, 'no', 'r.sqlite3')}`]);
    expect(missing.code).toBe(1);
    expect(lines(missing.stderr)).toEqual([
      expect.stringMatching(/^butler-ts: Cannot create .*: folder .* does not exist$/),
    ]);
  });

  it('reports a file that is not a database in one line, and its stack with --debug', async () => {
    const file = join(temp.dir, 'text.sqlite3');
    writeFileSync(
      file,
      'this is not a database, just some text that is long enough to matter\n'.repeat(20),
    );
    const plain = await runCli(['info', `sqlite:///${file}`]);
    expect(plain.code).toBe(1);
    expect(lines(plain.stderr)).toEqual([expect.stringMatching(/^butler-ts: .*not a database/)]);
    const debug = await runCli(['--debug', 'info', `sqlite:///${file}`]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/not a database/);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('prints a stack trace only with --debug, placed before or after the command', async () => {
    const uri = `sqlite:///${join(temp.dir, 'missing.sqlite3')}`;
    const plain = await runCli(['check', uri]);
    expect(lines(plain.stderr)).toHaveLength(1);
    for (const args of [
      ['--debug', 'check', uri],
      ['check', uri, '--debug'],
    ]) {
      const debug = await runCli(args);
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/^RegistryUriError: No registry file at /);
      expect(debug.stderr).toMatch(/\n\s+at checkLocation \(/);
    }
  });

  // Issue 10, finding 6: a password never shows, in one-line errors or under --debug (whose
  // stack and causes include the driver's errors), whatever the URL looks like.
  it.each([
    'postgresql://alice:S3cr3tPW@127.0.0.1:1/test',
    'postgresql://alice:S3c/r3t@PW@127.0.0.1:1/test',
    'postgresql://alice:S3cr3t PW@127.0.0.1:1/test',
    'postgresql://127.0.0.1:1/test?user=alice&password=S3cr3tPW',
    'postgresql://alice:S3cr3tPW@127.0.0.1:99999/test',
    'postgresql://alice:S3cr3tPW@[::1/test',
    'postgres://alice:S3cr3tPW@/test',
  ])('never prints the password of %s', async (uri) => {
    for (const args of [
      ['info', uri],
      ['--debug', 'check', uri],
      ['create', uri, '--debug'],
    ]) {
      const result = await runCli(args);
      expect(result.code).toBe(1);
      const output = result.stdout + result.stderr;
      expect(output).toMatch(/alice|\*\*\*|127\.0\.0\.1|::1/);
      for (const secret of ['S3cr3tPW', 'S3c/r3t', 'r3t@PW', 'S3cr3t PW'])
        expect(output).not.toContain(secret);
    }
  });

  it('reports an unreachable PostgreSQL server in one line', async () => {
    const result = await runCli(['info', 'postgresql://postgres@127.0.0.1:1/test']);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^butler-ts: Cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
      ),
    ]);
  });

  it('is the executable the package.json bin names, with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ 'butler-ts': './dist/bin.mjs' });
    expect(cliBin.endsWith('/bin.mjs')).toBe(true);
    expect(readFileSync(cliBin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // Run directly, as the shell runs an installed bin.
    expect(execFileSync(cliBin, ['--version'], { encoding: 'utf8' })).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
