/**
 * The sandbox's audit key (`.data/audit.key` in the working directory): where it cannot be
 * created, the start stops with a sentence naming the file and what to do, instead of the bare
 * `EACCES: permission denied, mkdir '/app/.data'` the container image gave. (Tests run as root
 * here, so the directory is blocked by a file where `.data/` should be rather than by its mode.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { auditKeyFor } from '../../src/composition/stores';
import { TempDirs } from '../helpers/temp-dirs';

const temp = new TempDirs();
const home = process.cwd();
afterEach(() => {
  process.chdir(home);
  temp.removeAll();
});

test('a working directory where .data/ cannot be made: the error names the key file and the ways out', () => {
  const cwd = temp.make('acrbot-sandbox-');
  writeFileSync(join(cwd, '.data'), 'not a directory');
  process.chdir(cwd);
  const config = loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'sqlite:data/acrbot.db' });
  expect(() => auditKeyFor(config)).toThrow(
    `the sandbox cannot create its audit key ${join(process.cwd(), '.data', 'audit.key')} (EEXIST): run acrbot from a directory it may write to (it keeps .data/ there), or set ACRBOT_AUDIT_KEY, or use ACRBOT_STORAGE=memory`,
  );
});
