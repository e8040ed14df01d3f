/**
 * Runs acrbot's start (`src/index.ts` through run-ts) as its own process to its end, for tests of
 * a start that must stop: a setting refused, a `.env` that cannot be read or must apply.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** How the start ended: the exit code (null when killed) and all it wrote, stdout and stderr. */
export interface BotStartRun {
  code: number | null;
  output: string;
}

/**
 * Runs src/index.ts in `cwd` with exactly `env`; resolves with its exit code and all it wrote.
 * A bot that starts after all is killed at its listening line, so the test fails on its output
 * rather than waiting for a bot that never exits.
 */
export function runBotStart(cwd: string, env: NodeJS.ProcessEnv): Promise<BotStartRun> {
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
