/**
 * README's configuration table names every setting the bot reads: a variable added to the
 * config schema without a row (as HOST, AZURE_CLIENT_ID and ACRBOT_TAB_APP_ID once were) fails
 * here. The schema's keys are read from the source, so nothing has to be listed twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The keys of `const schema = z.object({ … })` in src/config/config.ts (two-space indented). */
function schemaKeys(): string[] {
  const source = readFileSync(join(ROOT, 'src', 'config', 'config.ts'), 'utf8');
  const start = source.indexOf('const schema = z.object({');
  const end = source.indexOf('\n});', start);
  expect(start).toBeGreaterThan(0);
  return [...source.slice(start, end).matchAll(/^ {2}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]!);
}

test('every setting of the config schema has a row in README.md "Configuration"', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Approval policy'));
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  const keys = schemaKeys();
  expect(keys.length).toBeGreaterThan(40);
  // NODE_ENV is Node's own; the ACRBOT_MODE row says what it does to the mode.
  const missing = keys.filter((key) => key !== 'NODE_ENV' && !rows.some((row) => row.includes(`\`${key}\``)));
  expect(missing).toEqual([]);
});
