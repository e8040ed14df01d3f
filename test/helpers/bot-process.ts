/** Runs acrbot as its own process (`src/index.ts` through run-ts), for crash, shutdown and telemetry tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A started bot process and its URL. */
export interface BotProcess {
  child: ChildProcess;
  url: string;
}

/** Spawns the bot with exactly `env` and waits for its "listening" log line. */
export async function spawnBot(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawn(process.execPath, ['scripts/run-ts.js', 'src/index.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`bot did not start: ${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /acrbot listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited ${code}: ${out}`));
    });
  });
  return { child, url };
}
