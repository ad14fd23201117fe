// butler/no-import-cycle: no import cycle among the files of a package, type-only imports
// included. import-x/no-cycle skips `import type` (by design, with no option to count it), so
// a ring of modules that reach each other only through types passes it; this rule follows
// every relative module specifier the TypeScript scanner sees (`import`, `import type`,
// `export … from`, `import()` and `import('…')` types) and reports the declaration through
// which a file reaches itself, with the route.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

// path -> { mtimeMs, deps }: a file's relative imports, kept across files of one lint run.
const graph = new Map();

function fileExists(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// The file a relative specifier names, or null (packages, and files that do not exist).
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const path = resolve(dirname(from), specifier);
  return fileExists(path) ? path : null;
}

function importsOf(path) {
  let mtimeMs;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return [];
  }
  const cached = graph.get(path);
  if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached.deps;
  const text = readFileSync(path, 'utf8');
  const deps = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    const target = resolveSpecifier(path, fileName);
    if (target !== null && !deps.includes(target)) deps.push(target);
  }
  graph.set(path, { mtimeMs, deps });
  return deps;
}

// The shortest route of files from `start` back to `goal`, or null.
function routeBack(start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of importsOf(file)) {
      if (next === goal) {
        const route = [];
        for (let at = file; at !== null; at = previous.get(at)) route.unshift(at);
        return route;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Forbid import cycles between the files of a package, counting type-only imports.',
    },
    schema: [],
    messages: {
      cycle:
        'Import cycle: {{route}}. Type-only imports count: move what both sides need into a module below them.',
    },
  },
  create(context) {
    const filename = context.physicalFilename;
    if (!filename.endsWith('.ts') || !fileExists(filename)) return {};
    const check = (node) => {
      const source = node.source;
      if (source === null || source === undefined || typeof source.value !== 'string') return;
      const target = resolveSpecifier(filename, source.value);
      if (target === null || target === filename) return;
      const route = routeBack(target, filename);
      if (route === null) return;
      const base = dirname(filename);
      const names = [filename, ...route, filename].map((file) => relative(base, file) || file);
      context.report({ node, messageId: 'cycle', data: { route: names.join(' -> ') } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
      TSImportType(node) {
        const argument = node.argument;
        const literal = argument?.type === 'TSLiteralType' ? argument.literal : argument;
        if (literal?.type === 'Literal') check({ ...node, source: literal });
      },
    };
  },
};
