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
import { join } from 'node:path';
import { logLines, type PreloadedBot, preloadedBots } from '../helpers/preloaded-bot';
import { startAppHookPreload } from '../helpers/start-app-hook';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');

/** Wraps startApp of src/app.ts (by its absolute path: the bot runs in the test working directory). */
const PRELOAD = startAppHookPreload(
  `
      if (process.env.TEST_HOLD === 'stop') {
        const stop = app.stop;
        app.stop = async () => {
          await stop();
          await held('stop');
        };
      }
`,
  {
    appFile: join(ROOT, 'src', 'app.ts'),
    beforeStart: `
      const held = (what) => {
        process.stderr.write('HOOK: ' + what + ' held\\n');
        return new Promise((resolve) => process.stdin.once('data', resolve));
      };
      if (process.env.TEST_HOLD === 'start') await held('start-up');
`,
  },
);

const STARTING = 'SIGHUP while acrbot is starting: ignored (once it is listening, SIGHUP reloads the approval policy)';
const STOPPING = 'SIGHUP while acrbot is stopping: ignored';
const NO_POLICY = 'SIGHUP: there is no approval policy file (ACRBOT_POLICY) to reload; nothing changed';

/** A bot run for these tests, and how often it logged what. */
interface Run extends PreloadedBot {
  /** Resolves once a JSON log line with this `msg` was written `times` times in all. */
  logged(msg: string, times?: number): Promise<void>;
  /** How many JSON log lines with this `msg` were written so far. */
  count(msg: string): number;
}

describe('SIGHUP never ends the process', () => {
  const start = preloadedBots(PRELOAD, testWorkDir());

  function run(hold: 'start' | 'stop'): Run {
    const bot = start({ TEST_HOLD: hold });
    const count = (msg: string) => logLines(bot.output()).filter((line) => line.msg === msg).length;
    return { ...bot, count, logged: (msg, times = 1) => bot.until(() => count(msg) >= times, `"${msg}" ×${times}`) };
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
