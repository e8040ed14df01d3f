/**
 * A `.env` that cannot be read (here a directory where the file should be) stops the start as a
 * configuration problem: the settings' message, exit 2, no stack trace, nothing else started.
 * Before, `process.loadEnvFile` threw before the logger existed: Node's stack trace and exit 1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'acrbot-dotenv-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs src/index.ts in `cwd` with `env`; resolves with its exit code and all it wrote. */
function runBot(cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

test('.env is a directory: listed as a configuration problem, exit 2, no stack trace', async () => {
  mkdirSync(join(dir, '.env'));
  const { code, output } = await runBot(dir, { PATH: process.env.PATH, PORT: '0' });
  expect(output).toBe(
    `acrbot cannot start; fix these settings:\n  - .env in ${dir} cannot be read (it is a directory): make it a readable file of NAME=value lines, or remove it\n`,
  );
  expect(code).toBe(2);
});
