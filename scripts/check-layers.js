#!/usr/bin/env node
/**
 * Layer rule check (`npm run lint`): data flows one way, transport → domain → ports →
 * integrations, and only src/bot may import botbuilder. ESLint's no-restricted-imports needs a
 * TypeScript parser that does not run with TypeScript 7's native compiler, so this script
 * applies the same rules to import specifiers directly.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

const SRC = join(__dirname, '..', 'src');

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
  [
    'sandbox',
    [/^\.\.\/(\.\.\/)?(domain|flows|bot|integrations|views|http|config)(\/|$)/, /^botbuilder/],
    "emulators never share the bot's logic",
  ],
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

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const problems = [];
for (const file of files(SRC)) {
  const layer = relative(SRC, file).split(sep)[0];
  const rule = RULES.find(([l]) => l === layer);
  if (!rule) continue;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)|import\(['"]([^'"]+)['"]\)/g,
  )) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (rule[1].some((re) => re.test(spec)))
      problems.push(`${relative(process.cwd(), file)}: imports "${spec}" — ${rule[2]}`);
  }
}
if (problems.length) {
  console.error(`Layer rules broken (${problems.length}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('layer rules: ok');
