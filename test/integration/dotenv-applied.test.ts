/**
 * `.env` at start (a spawned bot): written with a byte order mark (as Windows editors save it),
 * or naming a variable the environment holds blank, its ACRBOT_MODE=azure still applies. Before,
 * Node's loader read the first name as `\uFEFFACRBOT_MODE` and kept the blank value, and the bot
 * started in sandbox mode: emulated Azure and no authentication, on HOST=0.0.0.0 too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'acrbot-dotenv-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs src/index.ts in `cwd` with `env`; resolves with its exit code and all it wrote. A bot that
 * starts (the sandbox, when `.env` was not applied) is killed at its listening line, so the test
 * fails on its output rather than waiting for a bot that never exits.
 */
function runBot(cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
    if (/acrbot listening on/.test(output)) child.kill('SIGKILL');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

// Azure mode with nothing else set stops at once, naming what it needs: proof the mode applied.
test.each([
  ['a byte order mark', '\uFEFFACRBOT_MODE=azure\r\nHOST=0.0.0.0\r\n', {}],
  ['ACRBOT_MODE blank in the environment', 'ACRBOT_MODE=azure\nHOST=0.0.0.0\n', { ACRBOT_MODE: '' }],
])('.env with %s: azure mode, not the sandbox', async (_name, text, extra) => {
  writeFileSync(join(dir, '.env'), text);
  const { code, output } = await runBot(dir, { PATH: process.env.PATH, PORT: '0', ...extra });
  expect(output).toMatch(/^acrbot cannot start; fix these settings:\n/);
  expect(output).toContain('MicrosoftAppId is required in azure mode');
  expect(output).not.toMatch(/SANDBOX/);
  expect(code).toBe(2);
});
