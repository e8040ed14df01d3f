/**
 * Every file of this repository that README.md and docs/*.md name (`src/…`, `test/…`, `web/…`,
 * `scripts/…`, `bench/…`, `infra/…`) exists: the guarantees table sends a reader to the test of
 * each guarantee, and the operations guide to the code of each log line, so a file renamed or
 * removed without its mentions leaves a reader at a dead end. Outputs a run makes (ignored by
 * git: bench results, build folders) are exempt.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** What a run writes: named in the docs as where to look, never committed (.gitignore). */
const OUTPUTS = [/^bench\/\.build\//, /^bench\/out\//, /^bench\/results\.json$/];

const PATH = /\b(?:src|test|web|scripts|bench|infra)\/[\w./-]*\.(?:ts|js|json|bicep|ya?ml|md|sh)\b/g;

function docs(): string[] {
  return [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
}

test('every repository file README.md and docs/*.md name exists', () => {
  const named = new Map<string, string>();
  for (const doc of docs())
    for (const path of readFileSync(join(ROOT, doc), 'utf8').match(PATH) ?? []) named.set(path, doc);
  // The guarantees table alone names well over a hundred tests: a pattern that matched nothing
  // would pass vacuously.
  expect(named.size).toBeGreaterThan(200);
  const missing = [...named]
    .filter(([path]) => !OUTPUTS.some((output) => output.test(path)) && !existsSync(join(ROOT, path)))
    .map(([path, doc]) => `${doc}: ${path}`);
  expect(missing).toEqual([]);
});
