/**
 * acrbot run as its own process (`src/index.ts` through run-ts) with a preload (`node -r`) that
 * hooks its start or stop, for tests that drive it through signals and its stdin and read what
 * it logs: SIGHUP over the process's life, shutdown at its edges. Each bot is a sandbox on
 * memory storage on a free port, with only the environment it is given.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAndWait } from './bot-process';
import { TempDirs } from './temp-dirs';

const ROOT = join(__dirname, '..', '..');

/** How a bot process ended. */
export interface BotExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started bot process: its output so far, waits on it, and its exit. */
export interface PreloadedBot {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr as they came. */
  output(): string;
  /** Resolves once `done()` holds; rejects, naming `what` and the output, if the process exits first. */
  until(done: () => boolean, what: string): Promise<void>;
  /** {@link until} the output matches `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Resolves once the process has exited and its output is closed. */
  exited: Promise<BotExit>;
}

/**
 * Starts bots with `preload` (JavaScript source, written to a temporary file per bot) in `cwd`
 * (where the preload looks for src/app.ts, if it looks from the working directory). Call it in
 * a describe block: an afterAll there kills the bots still running and removes their files.
 * The returned function starts one, with `env` added to the sandbox's; it does not wait for it
 * to listen (the preload may hold it before), the test waits for what it expects.
 */
export function preloadedBots(preload: string, cwd: string): (env: Record<string, string>) => PreloadedBot {
  const temp = new TempDirs();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    try {
      for (const child of children) await killAndWait(child);
    } finally {
      temp.removeAll();
    }
  });

  return (env) => {
    const preloadFile = join(temp.make('acrbot-preload-'), 'preload.js');
    writeFileSync(preloadFile, preload);
    const child = spawn(
      process.execPath,
      ['-r', preloadFile, join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')],
      {
        cwd,
        env: { PATH: process.env.PATH, ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', PORT: '0', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    const waiters: Array<() => void> = [];
    const collect = (d: Buffer) => {
      out += d.toString();
      for (const w of waiters.splice(0)) w();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    // A waiter still waiting when the process exits rejects rather than hanging.
    child.once('exit', () => collect(Buffer.alloc(0)));
    const exited = new Promise<BotExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    const until = (done: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (done()) resolve();
          else if (child.exitCode !== null || child.signalCode !== null)
            reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${what}: ${out}`));
          else waiters.push(check);
        };
        check();
      });
    return {
      child,
      output: () => out,
      until,
      waitFor: (pattern) => until(() => pattern.test(out), String(pattern)),
      exited,
    };
  };
}

/** The JSON log lines in a bot's `output`, parsed. */
export function logLines(output: string): Array<{ level: number; msg: string; err?: { message: string } }> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
}
