#!/usr/bin/env node
/**
 * House rules the lint checks (`npm run lint`, after Prettier). ESLint's no-restricted-imports
 * needs a TypeScript parser that does not run with TypeScript 7's native compiler, so this
 * script reads import specifiers directly.
 *
 * 1. Layers: data flows one way, transport → domain → ports → integrations, and only src/bot
 *    imports botbuilder (RULES, by import specifier). On top of that, by resolved path:
 *    - src/config never imports src/sandbox (sandbox defaults are injected by the composition root);
 *    - only the composition root (src/app.ts, src/index.ts, src/composition/) may import
 *      src/sandbox, and only lazily: `import type …` or `require()` / `import()` at the point of
 *      use, so azure mode never loads the emulators;
 *    - src/flows uses ports only: no config, sandbox, composition, tab, and no Node I/O modules;
 *    - src/sandbox imports nothing outside src/sandbox but packages: every relative import, at
 *      any depth and of any kind (type-only, require(), import()), must resolve inside it, so
 *      an emulator never shares (and so never hides) a bug of the bot's code.
 *    - the tab's page (web/src, bundled by scripts/build-web.ts for the browser) reaches no Node
 *      module: no web/src file, and no src file it reaches through relative imports that esbuild
 *      keeps (any depth; `import type`, `export type … from` and all-`type` braces are erased), may
 *      import a Node built-in (`node:crypto`, or bare: `fs`, `path`, …) or a package not in
 *      BROWSER_PACKAGES; the error names the chain from the web file ({@link browserBundleImports}).
 * 2. Naming: every .ts/.js file under src, test, scripts, bench and web/src is kebab-case.
 * 3. One concept per file (outside src/sandbox): at most one exported class that is not an
 *    Error. A class's errors, types and small helpers may live with it; two services (or two
 *    stores) in one file are two concepts and belong in two files.
 *
 * ALLOW lists known exceptions, each with the reason and the issue that removes it; an entry
 * that no longer matches anything fails the check, so the list cannot rot.
 */
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { builtinModules } = require('node:module');
const { basename, dirname, isAbsolute, join, relative, resolve, sep } = require('node:path');

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');

/** Known exceptions: `file: rule id` → why, and which issue removes it. */
const ALLOW = {
  // Policy (#14): the policy file is read from the environment inside RequestService; the
  // composition root should load it and pass the policy in.
  'src/flows/request-service.ts: flows-ports-only ../config/policy-file': 'issue #14 (policy helper)',
  // One backend's implementations of the shared coordination ports, one file each by the lead's
  // design of the ports (HELPERS.md); store (#12) splits them per port.
  'src/integrations/store/memory-coordination.ts: one-concept': 'issue #12 (store helper)',
  'src/integrations/store/sqlite-coordination.ts: one-concept': 'issue #12 (store helper)',
  'src/integrations/store/tables-coordination.ts: one-concept': 'issue #12 (store helper)',
  'src/integrations/store/memory-stores.ts: one-concept': 'issue #12 (store helper)',
};

/** [layer folder, forbidden import patterns, why] */
const RULES = [
  [
    'domain',
    [
      /^\.\.\/(bot|flows|integrations|sandbox|http|config|views|observability)(\/|$)/,
      /^botbuilder/,
      /^@azure\//,
      /^@kubernetes\//,
      /^restify/,
      /^better-sqlite3/,
      /^pino/,
      /^node:(fs|http|https|net|child_process)/,
    ],
    'domain/ is pure: no I/O, no SDKs, no other layers',
  ],
  [
    'flows',
    [
      /^\.\.\/(bot|integrations|sandbox|http|views)(\/|$)/,
      /^botbuilder/,
      /^@azure\//,
      /^@kubernetes\//,
      /^restify/,
      /^better-sqlite3/,
    ],
    'flows/ use domain ports only',
  ],
  [
    'integrations',
    [/^\.\.\/\.\.\/(bot|flows|http|views|sandbox)(\/|$)/, /^botbuilder/],
    'integrations/ implement ports; they know nothing of the bot or flows',
  ],
  [
    'views',
    [/^\.\.\/(bot|flows|integrations|sandbox|http)(\/|$)/, /^botbuilder/],
    'views/ turn domain data into card JSON',
  ],
  // Relative imports of the sandbox are checked by resolved path (the sandbox-outside rule below).
  ['sandbox', [/^botbuilder/], "emulators never share the bot's logic"],
  ['http', [/^botbuilder/], 'only src/bot imports botbuilder'],
  [
    'audit-cli',
    [/^\.\.\/(bot|flows|http|views)(\/|$)/, /^botbuilder/],
    'the audit CLI reads the store; it needs no bot',
  ],
  [
    'config',
    [/^botbuilder/, /^\.\.\/sandbox(\/|$)/],
    'only src/bot imports botbuilder; sandbox defaults are injected, not imported',
  ],
  [
    'tab',
    [/^\.\.\/(bot|sandbox|integrations)(\/|$)/, /^botbuilder/],
    'the tab reads through ports; sandbox details come from the app (loaded only in sandbox mode)',
  ],
];

function files(dir, exts = ['.ts']) {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, exts) : exts.some((e) => path.endsWith(e)) ? [path] : [];
  });
}

/**
 * An import's or re-export's specifier, by kind: [1] the whole `import type … from` ([2] its
 * specifier), [3] `import|export … from`, [4] `require()`/`require.resolve()`, [5] `import()`,
 * [6] a bare `import '…'`. `require()` and `import()` take a template literal too when it has no
 * substitution (`import(\`child_process\`)` names its module as plainly as quotes do).
 */
const IMPORT =
  /(import\s+type\s[^'"]*?from\s+['"]([^'"]+)['"])|(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require(?:\.resolve)?\(\s*['"`]((?:[^'"`$]|\$(?!\{))+)['"`]\s*\)|import\(\s*['"`]((?:[^'"`$]|\$(?!\{))+)['"`]\s*\)|import\s+['"]([^'"]+)['"]/g;
/** Layer (first folder under src, or the file for src/app.ts and src/index.ts) of a path. */
const layerOf = (path) => relative(SRC, path).split(sep)[0].replace(/\.ts$/, '');
const COMPOSITION_ROOT = new Set(['app', 'index', 'composition']);
const SANDBOX = join(SRC, 'sandbox');
/** True when `path` is `dir` or lies below it. */
const inside = (path, dir) => {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};
const NODE_IO = /^node:(fs|http|https|net|child_process|dgram|tls)$/;

/**
 * The packages the tab's page may bundle, each built for the browser. Anything else web/src
 * reaches (in web/src or through src) fails the check until it is listed here, with why it runs
 * in a browser: a server package (an Azure SDK, pino) would fail the bundle or bloat it.
 */
const BROWSER_PACKAGES = {
  // The Teams JavaScript client: the tab's host (web/src/host.ts, web/src/config-page.ts).
  '@microsoft/teams-js': 'the Teams client library, made for the page',
};

const NODE_BUILTINS = new Set(builtinModules);
/** True for a Node built-in: `node:…`, or named bare (`fs`, `fs/promises`, `crypto`, `worker_threads`). */
const isNodeBuiltin = (spec) =>
  spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]);
/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/** Characters after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([...'(,=:[!&|?{};+-*%<>~^']);
/** Keywords after which a `/` starts a regular expression (`return /x/`). */
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|void|yield|await|delete|instanceof|new|throw)$/;

/**
 * `text` with its comments, block (anywhere on a line, over lines) and line, blanked (each
 * character but a newline made a space, so lines stay where they were), strings and template
 * literals kept: a `//` in a string (a URL) starts no comment, and a quote in a comment starts no
 * string. A regular expression literal is skipped whole, so a quote or `//` in it is neither;
 * whether a `/` starts one is told from what comes before it (a value: a division), as a
 * tokenizer would, near enough for a house-rule check. A template literal's `${…}` is code.
 */
function withoutComments(text) {
  let out = '';
  /** For each template literal whose `${…}` is being read: the brace depth its `}` closes. */
  const templates = [];
  let depth = 0;
  /** The code before `i`, its last character not a space: what tells a regex from a division. */
  let last = '';
  let i = 0;
  /** Copies `text` from `i` up to `end` as it is, and goes on from there. */
  const keep = (end) => {
    out += text.slice(i, end);
    i = end;
  };
  /** Where the string opened by the quote at `i` ends (after its closing quote; a line's end for an unclosed one). */
  const quoted = (quote) => {
    let j = i + 1;
    while (j < text.length && text[j] !== quote && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, text.length);
  };
  /** From `i`, inside a template literal: copies it up to its end or its next `${`. */
  const template = () => {
    let j = i;
    while (j < text.length && text[j] !== '`' && !(text[j] === '$' && text[j + 1] === '{'))
      j += text[j] === '\\' ? 2 : 1;
    if (text[j] === '`') return keep(j + 1);
    templates.push(depth++);
    keep(j + 2);
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && (next === '/' || next === '*')) {
      const close = next === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2) + 2;
      const end = close < (next === '/' ? 0 : 2) ? text.length : close;
      out += text.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
      continue;
    }
    if (c === "'" || c === '"') {
      keep(quoted(c));
      last = c;
      continue;
    }
    if (c === '`') {
      i += 1;
      out += c;
      template();
      last = c;
      continue;
    }
    if (c === '{') depth += 1;
    if (c === '}') {
      depth -= 1;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        out += c;
        i += 1;
        template();
        last = '`';
        continue;
      }
    }
    if (c === '/' && (last === '' || BEFORE_REGEX.has(last) || REGEX_KEYWORDS.test(out.slice(-40).trimEnd()))) {
      // A regular expression: up to its closing `/`, outside any [class]; none on the line, a division.
      let j = i + 1;
      for (let inClass = false; j < text.length && text[j] !== '\n'; j += text[j] === '\\' ? 2 : 1) {
        if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        else if (text[j] === '/' && !inClass) break;
      }
      if (text[j] === '/') {
        keep(j + 1);
        last = '/';
        continue;
      }
    }
    out += c;
    i += 1;
    if (!/\s/.test(c)) last = c;
  }
  return out;
}

/**
 * The specifiers of `text`'s imports and re-exports that esbuild keeps in a bundle: not
 * `import type`/`export type … from`, nor one whose braces name types only (`import { type A }`),
 * which esbuild erases. Comments are not read ({@link withoutComments}): not a doc comment's
 * `{@link import('./host').Host}`, nor a line that a comment only begins
 * (`/* eslint-disable *\/ import os from 'os'` imports os).
 * Over, never under: a value import used only as a type (erased too) is still followed.
 */
function valueImports(text) {
  const code = withoutComments(text);
  const specs = [];
  for (const m of code.matchAll(IMPORT)) {
    if (m[1]) continue;
    if (m[3] !== undefined) {
      if (/^(?:import|export)\s+type\s/.test(m[0])) continue;
      const braces = /^(?:import|export)\s*\{([^}]*)\}\s*from/.exec(m[0]);
      const names = braces?.[1]
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      if (names?.length && names.every((n) => /^type\s/.test(n))) continue;
    }
    specs.push(m[3] ?? m[4] ?? m[5] ?? m[6]);
  }
  return specs;
}

/** The source files the page bundles: TypeScript, and JavaScript, which esbuild bundles as well. */
const BUNDLED = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs'];

/**
 * The source file relative import `spec` of `from` names (as esbuild resolves it: the file named,
 * else `.js` read as `.ts`, else with an extension or as a folder's index), if any.
 */
function resolveSource(from, spec) {
  const base = resolve(dirname(from), spec);
  return [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.jsx$/, '.tsx'),
    base.replace(/\.mjs$/, '.mts'),
    ...BUNDLED.map((ext) => `${base}${ext}`),
    ...BUNDLED.map((ext) => join(base, `index${ext}`)),
  ].find((path) => /\.[mc]?[tj]sx?$/.test(path) && existsSync(path) && statSync(path).isFile());
}

/**
 * The imports the tab's page must not bundle: every file under `webDir` and every file they
 * reach through kept relative imports ({@link valueImports}), breadth first, each import of a Node
 * built-in or of a package not in BROWSER_PACKAGES, with `chain`: the files from a web file to the
 * one importing it (the shortest), absolute paths. Exported for the check's own test.
 */
function browserBundleImports(webDir) {
  const starts = files(webDir, BUNDLED);
  /** Each file reached → the file it was first reached from (none for a web file). */
  const from = new Map(starts.map((file) => [file, undefined]));
  const queue = [...starts];
  const found = [];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const spec of valueImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const next = resolveSource(file, spec);
        if (next && !from.has(next)) {
          from.set(next, file);
          queue.push(next);
        }
        continue;
      }
      if (isAbsolute(spec)) continue;
      const node = isNodeBuiltin(spec);
      if (!node && BROWSER_PACKAGES[packageOf(spec)] !== undefined) continue;
      const chain = [];
      for (let f = file; f !== undefined; f = from.get(f)) chain.unshift(f);
      found.push({ file, spec, node, chain });
    }
  }
  return found;
}

const problems = [];
const used = new Set();
const rel = (file) => relative(ROOT, file).split(sep).join('/');
function report(file, rule, text) {
  const key = `${rel(file)}: ${rule}`;
  if (ALLOW[key] !== undefined) return used.add(key);
  problems.push(`${rel(file)}: ${text}`);
}

function main() {
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    const rule = RULES.find(([l]) => l === layer);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const typeOnly = Boolean(m[1]);
      const spec = m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6];
      const lazy = m[4] !== undefined || m[5] !== undefined;
      if (rule && rule[1].some((re) => re.test(spec))) report(file, `layer ${spec}`, `imports "${spec}" — ${rule[2]}`);
      if (layer === 'flows' && NODE_IO.test(spec))
        report(file, `flows-ports-only ${spec}`, `imports "${spec}" — flows use ports only, no I/O`);
      if (!spec.startsWith('.') && !isAbsolute(spec)) continue; // a package or a Node module
      const resolved = resolve(dirname(file), spec);
      if (layer === 'sandbox') {
        if (!inside(resolved, SANDBOX))
          report(
            file,
            `sandbox-outside ${spec}`,
            `imports "${spec}" (${rel(resolved)}) — the emulators import nothing outside src/sandbox`,
          );
        continue;
      }
      const target = layerOf(resolved);
      if (target === layer) continue;
      if (target === 'sandbox') {
        if (!COMPOSITION_ROOT.has(layer))
          report(file, `sandbox ${spec}`, `imports "${spec}" — only the composition root may load the sandbox`);
        else if (!typeOnly && !lazy)
          report(
            file,
            `sandbox-lazy ${spec}`,
            `imports "${spec}" eagerly — load the sandbox with require()/import() where sandbox mode needs it`,
          );
      }
      if (layer === 'flows' && ['config', 'sandbox', 'composition', 'tab', 'app', 'index'].includes(target))
        report(file, `flows-ports-only ${spec}`, `imports "${spec}" — flows use ports only`);
    }
    // One concept per file, outside the sandbox.
    if (layer !== 'sandbox') {
      const classes = [...text.matchAll(/^export (?:abstract )?class (\w+)(?: extends ([\w.]+))?/gm)]
        .filter((c) => !/Error$/.test(c[2] ?? ''))
        .map((c) => c[1]);
      if (classes.length > 1)
        report(file, 'one-concept', `exports ${classes.length} classes (${classes.join(', ')}) — one concept per file`);
    }
  }

  // File names: kebab-case (a dotted suffix such as .test or .config is fine).
  const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*$/;
  for (const dir of ['src', 'test', 'scripts', 'bench', join('web', 'src')]) {
    const abs = join(ROOT, dir);
    let found = [];
    try {
      found = files(abs, ['.ts', '.tsx', '.js']);
    } catch {
      continue; // a folder this checkout does not have
    }
    for (const file of found) {
      const name = basename(file).replace(/\.(ts|tsx|js)$/, '');
      if (!KEBAB.test(name)) report(file, 'kebab-case', `file name is not kebab-case`);
    }
  }

  // The tab's page: what web/src bundles reaches no Node module and no server package.
  for (const { file, spec, node, chain } of browserBundleImports(join(ROOT, 'web', 'src')))
    report(
      file,
      `browser-bundle ${spec}`,
      `imports "${spec}", bundled into the tab's page (${chain.map(rel).join(' → ')}): ${
        node
          ? 'a Node module does not run in the browser'
          : 'a package not in BROWSER_PACKAGES (list it there only if it is made for the browser)'
      }`,
    );

  for (const key of Object.keys(ALLOW))
    if (!used.has(key)) problems.push(`scripts/check-layers.js: allow-list entry "${key}" matches nothing; remove it`);

  if (problems.length) {
    console.error(`House rules broken (${problems.length}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('layer, naming, one-concept and browser-bundle rules: ok');
}

if (require.main === module) main();

module.exports = { browserBundleImports };
