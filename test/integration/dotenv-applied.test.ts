/**
 * `.env` at start (a spawned bot): written with a byte order mark (as Windows editors save it),
 * or naming a variable the environment holds blank, its ACRBOT_MODE=azure still applies. Before,
 * Node's loader read the first name as `\uFEFFACRBOT_MODE` and kept the blank value, and the bot
 * started in sandbox mode: emulated Azure and no authentication, on HOST=0.0.0.0 too.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBotStart } from '../helpers/bot-start-run';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'acrbot-dotenv-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Azure mode with nothing else set stops at once, naming what it needs: proof the mode applied.
test.each([
  ['a byte order mark', '\uFEFFACRBOT_MODE=azure\r\nHOST=0.0.0.0\r\n', {}],
  ['ACRBOT_MODE blank in the environment', 'ACRBOT_MODE=azure\nHOST=0.0.0.0\n', { ACRBOT_MODE: '' }],
])('.env with %s: azure mode, not the sandbox', async (_name, text, extra) => {
  writeFileSync(join(dir, '.env'), text);
  const { code, output } = await runBotStart(dir, { PATH: process.env.PATH, PORT: '0', ...extra });
  expect(output).toMatch(/^acrbot cannot start; fix these settings:\n/);
  expect(output).toContain('MicrosoftAppId is required in azure mode');
  expect(output).not.toMatch(/SANDBOX/);
  expect(code).toBe(2);
});
