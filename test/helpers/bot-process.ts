/** Runs acrbot as its own process (`src/index.ts` through run-ts), for crash, shutdown and telemetry tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A started bot process and its URL. */
export interface BotProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when the process has written a line matching `pattern` (stdout or stderr). */
  waitForOutput(pattern: RegExp): Promise<void>;
}

/** Spawns the bot with exactly `env` and waits for its "listening" log line. */
export async function spawnBot(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawn(process.execPath, ['scripts/run-ts.js', 'src/index.ts'], {
    cwd: ROOT,
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
    const timer = setTimeout(() => reject(new Error(`bot did not start: ${out}`)), timeoutMs);
    child.stdout!.on('data', () => {
      const m = /acrbot listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited ${code}: ${out}`));
    });
  });
  const waitForOutput = (pattern: RegExp) =>
    new Promise<void>((resolve) => (pattern.test(out) ? resolve() : waiters.push({ pattern, resolve })));
  return { child, url, waitForOutput };
}
