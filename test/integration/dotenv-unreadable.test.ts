/**
 * A `.env` that cannot be read (here a directory where the file should be) stops the start as a
 * configuration problem: the settings' message, exit 2, no stack trace, nothing else started.
 * Before, `process.loadEnvFile` threw before the logger existed: Node's stack trace and exit 1.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBotStart } from '../helpers/bot-start-run';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'acrbot-dotenv-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('.env is a directory: listed as a configuration problem, exit 2, no stack trace', async () => {
  mkdirSync(join(dir, '.env'));
  const { code, output } = await runBotStart(dir, { PATH: process.env.PATH, PORT: '0' });
  expect(output).toBe(
    `acrbot cannot start; fix these settings:\n  - .env in ${dir} cannot be read (it is a directory): make it a readable file of NAME=value lines, or remove it\n`,
  );
  expect(code).toBe(2);
});
