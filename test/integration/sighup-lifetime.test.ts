/**
 * SIGHUP over the whole life of the process (`src/index.ts`): Node's default for it is to exit at
 * once, so a SIGHUP that arrives while acrbot starts or stops must meet a handler too. It is
 * logged and ignored then, reloads the approval policy while the bot runs, and the process still
 * stops gracefully (exit 0).
 *
 * The bot runs with a preload (written to a temporary directory) that wraps `startApp`:
 * TEST_HOLD=start holds the call before the app starts, TEST_HOLD=stop holds the app's stop
 * after its own steps, before it returns; each until the test writes a line to stdin.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAndWait } from '../helpers/bot-process';
import { TempDirs } from '../helpers/temp-dirs';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');

/** Wraps startApp of src/app.ts (by its absolute path: the bot runs in the test working directory). */
const PRELOAD = `
const Module = require('node:module');
const appFile = ${JSON.stringify(join(ROOT, 'src', 'app.ts'))};
const held = (what) => {
  process.stderr.write('HOOK: ' + what + ' held\\n');
  return new Promise((resolve) => process.stdin.once('data', resolve));
};
const require0 = Module.prototype.require;
Module.prototype.require = function (id) {
  const exported = require0.apply(this, arguments);
  if (!exported || typeof exported.startApp !== 'function') return exported;
  if (Module._resolveFilename(id, this) !== appFile) return exported;
  const startApp = exported.startApp;
  return {
    ...exported,
    startApp: async (...args) => {
      if (process.env.TEST_HOLD === 'start') await held('start-up');
      const app = await startApp(...args);
      if (process.env.TEST_HOLD === 'stop') {
        const stop = app.stop;
        app.stop = async () => {
          await stop();
          await held('stop');
        };
      }
      return app;
    },
  };
};
`;

const STARTING = 'SIGHUP while acrbot is starting: ignored (once it is listening, SIGHUP reloads the approval policy)';
const STOPPING = 'SIGHUP while acrbot is stopping: ignored';
const NO_POLICY = 'SIGHUP: there is no approval policy file (ACRBOT_POLICY) to reload; nothing changed';

interface Run {
  child: ChildProcess;
  /** Resolves once a JSON log line with this `msg` was written `times` times in all. */
  logged(msg: string, times?: number): Promise<void>;
  /** How many JSON log lines with this `msg` were written so far. */
  count(msg: string): number;
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('SIGHUP never ends the process', () => {
  const temp = new TempDirs();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    try {
      for (const child of children) await killAndWait(child);
    } finally {
      temp.removeAll();
    }
  });

  function run(hold: 'start' | 'stop'): Run {
    const preload = join(temp.make('acrbot-sighup-'), 'preload.js');
    writeFileSync(preload, PRELOAD);
    const child = spawn(
      process.execPath,
      ['-r', preload, join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'src', 'index.ts')],
      {
        cwd: testWorkDir(),
        env: { PATH: process.env.PATH, ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', PORT: '0', TEST_HOLD: hold },
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
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
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
    const count = (msg: string) =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .filter((line) => (JSON.parse(line) as { msg: string }).msg === msg).length;
    return {
      child,
      count,
      logged: (msg, times = 1) => until(() => count(msg) >= times, `"${msg}" ×${times}`),
      waitFor: (pattern) => until(() => pattern.test(out), String(pattern)),
      exited,
    };
  }

  test('during start-up it is ignored; once listening it reloads the policy; the stop is graceful (exit 0)', async () => {
    const bot = run('start');
    await bot.waitFor(/HOOK: start-up held/);
    bot.child.kill('SIGHUP');
    await bot.logged(STARTING);
    bot.child.stdin!.write('go\n');
    await bot.waitFor(/acrbot listening on/);
    bot.child.kill('SIGHUP');
    await bot.logged(NO_POLICY);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    // One handler answered each SIGHUP: the app's own is not registered beside index.ts's.
    expect([bot.count(STARTING), bot.count(NO_POLICY), bot.count(STOPPING)]).toEqual([1, 1, 0]);
  });

  test('during the stop it is ignored, and the stop goes on to exit 0', async () => {
    const bot = run('stop');
    await bot.waitFor(/acrbot listening on/);
    bot.child.kill('SIGTERM');
    await bot.waitFor(/HOOK: stop held/);
    bot.child.kill('SIGHUP');
    await bot.logged(STOPPING);
    bot.child.stdin!.write('go\n');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect([bot.count(STOPPING), bot.count(NO_POLICY)]).toEqual([1, 0]);
  });
});
