/**
 * README's configuration table names every setting the bot reads: a variable added to the
 * config schema without a row (as HOST, AZURE_CLIENT_ID and ACRBOT_TAB_APP_ID once were) fails
 * here. The schema's keys are read from the schema itself, so nothing has to be listed twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../src/config/settings-schema';

const ROOT = join(__dirname, '..', '..');

/** The keys of the config schema (src/config/settings-schema.ts, assembled from the groups' files). */
function schemaKeys(): string[] {
  return [...SETTINGS];
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
