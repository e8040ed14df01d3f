/**
 * The tab's page (web/src, bundled by esbuild for the browser) must reach no Node module: a web
 * file once imported a domain file whose imports reached node:crypto, and only the tab's e2e
 * suites, failing to build the page, caught it. check-layers.js (npm run lint) follows what
 * web/src bundles through src, at any depth, and names the chain; imports esbuild erases (types
 * only) are not followed. Checked here on a made-up tree, so the real one stays as it is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { useTempDir } from './support/temp-dir';

const { browserBundleImports } = require('../../scripts/check-layers.js') as {
  browserBundleImports(webDir: string): { file: string; spec: string; node: boolean; chain: string[] }[];
};

const dirs = useTempDir('acrbot-browser-bundle-');

/** Writes `tree` (path → text) under a new directory; its root. */
function tree(files: Record<string, string>): string {
  const root = dirs.path('tree');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Each import the check refuses, as `file: spec (chain)`, paths relative to `root`. */
function refused(root: string): string[] {
  const rel = (file: string) => relative(root, file).split(sep).join('/');
  return browserBundleImports(join(root, 'web', 'src'))
    .map(({ file, spec, chain }) => `${rel(file)}: ${spec} (${chain.map(rel).join(' → ')})`)
    .sort();
}

test('a Node module reached from a web file at any depth, through imports and re-exports, is refused with its chain', () => {
  const root = tree({
    'web/src/main.ts': "import { words } from './format';\nimport { app } from '@microsoft/teams-js';\n",
    'web/src/format.ts': "import {\n  own,\n} from '../../src/domain/own';\nexport const words = own;\n",
    'src/domain/own.ts': "export { own } from './own-tenant';\n",
    'src/domain/own-tenant.ts': "import { digest } from './digest';\nexport const own = digest;\n",
    'src/domain/digest.ts': "import { createHash } from 'node:crypto';\nexport const digest = createHash;\n",
  });
  expect(refused(root)).toEqual([
    'src/domain/digest.ts: node:crypto (web/src/format.ts → src/domain/own.ts → src/domain/own-tenant.ts → src/domain/digest.ts)',
  ]);
});

test('Node built-ins named bare, lazy imports and packages not made for the browser are refused too', () => {
  const root = tree({
    'web/src/main.ts': "import { a } from '../../src/domain/a';\n",
    'src/domain/a.ts': [
      "import { join } from 'path';",
      "import { readFile } from 'fs/promises';",
      "import pino from 'pino';",
      "import { type Logger } from 'pino';",
      "const later = () => import('./lazy');",
      '',
    ].join('\n'),
    'src/domain/lazy.ts': "const os = require('os');\n",
  });
  expect(refused(root)).toEqual([
    'src/domain/a.ts: fs/promises (web/src/main.ts → src/domain/a.ts)',
    'src/domain/a.ts: path (web/src/main.ts → src/domain/a.ts)',
    'src/domain/a.ts: pino (web/src/main.ts → src/domain/a.ts)',
    'src/domain/lazy.ts: os (web/src/main.ts → src/domain/a.ts → src/domain/lazy.ts)',
  ]);
});

test('imports esbuild erases (types only), comments, and files the page does not reach are not followed', () => {
  const root = tree({
    'web/src/main.ts': [
      "import type { A } from '../../src/domain/type-import';",
      "import { type B, type C } from '../../src/domain/type-braces';",
      "export type { D } from '../../src/domain/type-export';",
      "export { type E } from '../../src/domain/type-export-braces';",
      "/** Where it comes from ({@link import('../../src/domain/commented').F}). */",
      "// import { readFileSync } from 'fs';",
      "/* Not yet: it's the server's.",
      "   import { hostname } from 'os'; */",
      "const half = 4 / 2; // import('child_process'): a division, then a comment",
      "import { pages } from '@microsoft/teams-js';",
      '',
    ].join('\n'),
    'src/domain/type-import.ts': "import { readFileSync } from 'node:fs';\nexport type A = string;\n",
    'src/domain/type-braces.ts': "import { readFileSync } from 'node:fs';\nexport type B = 1;\nexport type C = 2;\n",
    'src/domain/type-export.ts': "import { readFileSync } from 'node:fs';\nexport type D = 1;\n",
    'src/domain/type-export-braces.ts': "import { readFileSync } from 'node:fs';\nexport type E = 1;\n",
    'src/domain/commented.ts': "import { readFileSync } from 'node:fs';\nexport type F = 1;\n",
    'src/domain/unreached.ts': "import { readFileSync } from 'node:fs';\n",
  });
  expect(refused(root)).toEqual([]);
});

test('a type imported beside a value keeps its import: the file is followed', () => {
  const root = tree({
    'web/src/main.ts': "import { type A, value } from '../../src/domain/mixed';\n",
    'src/domain/mixed.ts': "import { hostname } from 'node:os';\nexport type A = 1;\nexport const value = hostname;\n",
  });
  expect(refused(root)).toEqual(['src/domain/mixed.ts: node:os (web/src/main.ts → src/domain/mixed.ts)']);
});

test('a comment before an import on its line hides nothing, and a `//` in a string, a quote or `/*` in a regular expression, or a division starts no comment, string or regular expression', () => {
  const root = tree({
    'web/src/main.ts': [
      "/* eslint-disable */ import os from 'os';",
      "/** Multi-line,\n * over lines. */ import { join } from 'path';",
      "const home = 'https://example.org/docs'; import { hostname } from 'node:os';",
      'const quoted = "//" + `//`; const later = () => import(\'fs\');',
      "const quote = /'/g; const docs = 'https://example.org'; const pino = require('pino');",
      "const slashes = /\\/*/; const tls = require('tls'); // */",
      "const half = 4 / 2; const net = require('net'); // 1 / 2",
      '',
    ].join('\n'),
  });
  expect(refused(root)).toEqual([
    'web/src/main.ts: fs (web/src/main.ts)',
    'web/src/main.ts: net (web/src/main.ts)',
    'web/src/main.ts: node:os (web/src/main.ts)',
    'web/src/main.ts: os (web/src/main.ts)',
    'web/src/main.ts: path (web/src/main.ts)',
    'web/src/main.ts: pino (web/src/main.ts)',
    'web/src/main.ts: tls (web/src/main.ts)',
  ]);
});

test('a template literal without substitutions names its module as quotes do', () => {
  const root = tree({
    'web/src/main.ts': 'const run = () => import(`child_process`);\nconst util = require(`util`);\n',
  });
  expect(refused(root)).toEqual([
    'web/src/main.ts: child_process (web/src/main.ts)',
    'web/src/main.ts: util (web/src/main.ts)',
  ]);
});

test('JavaScript files are bundled too: those in web/src, and those a relative import resolves to', () => {
  const root = tree({
    'web/src/main.ts': "import { a } from '../../src/domain/a';\nimport { b } from '../../src/domain/b.mjs';\n",
    'web/src/legacy.js': "const fs = require('fs');\n",
    'web/src/worker.mjs': "import { cpus } from 'node:os';\n",
    'src/domain/a.js': "import { join } from 'path';\nexport const a = join;\n",
    'src/domain/b.mjs': "import { c } from './c.js';\nexport const b = c;\n",
    'src/domain/c.js': "export const c = require('child_process');\n",
  });
  expect(refused(root)).toEqual([
    'src/domain/a.js: path (web/src/main.ts → src/domain/a.js)',
    'src/domain/c.js: child_process (web/src/main.ts → src/domain/b.mjs → src/domain/c.js)',
    'web/src/legacy.js: fs (web/src/legacy.js)',
    'web/src/worker.mjs: node:os (web/src/worker.mjs)',
  ]);
});
