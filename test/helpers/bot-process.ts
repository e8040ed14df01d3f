/** Runs acrbot as its own process (`src/index.ts` through run-ts), for crash, shutdown and telemetry tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { testWorkDir } from './test-work-dir';

const ROOT = join(__dirname, '..', '..');

/** A started bot process and its URL. */
export interface BotProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when the process has written a line matching `pattern` (stdout or stderr). */
  waitForOutput(pattern: RegExp): Promise<void>;
}

/**
 * Spawns the bot with exactly `env` and waits for its "listening" log line. It runs in the test
 * working directory (test-work-dir.ts), so a sandbox bot's `.data/` (TLS cache, audit key) is
 * there, not in the repository.
 */
export async function spawnBot(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')], {
    cwd: testWorkDir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const collect = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) (w.pattern.test(out) ? w.resolve : () => waiters.push(w))();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    // A bot that does not start in time is killed, and the promise rejects once it has exited:
    // nothing is left running on the caller's files (its SQLite file, its CA file).
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout!.on('data', () => {
      const m = /acrbot listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && !timedOut) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(timedOut ? `bot did not start: ${out}` : `bot exited ${code}: ${out}`));
    });
  });
  const waitForOutput = (pattern: RegExp) =>
    new Promise<void>((resolve) => (pattern.test(out) ? resolve() : waiters.push({ pattern, resolve })));
  return { child, url, waitForOutput };
}

/** SIGKILLs `child` unless it has exited already, and resolves once it has exited. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
