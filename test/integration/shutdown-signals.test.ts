/**
 * Shutdown at the edges of the process's life:
 * - a SIGTERM while start-up is still under way (listening, interrupted runs being resumed) is a
 *   graceful stop once start-up ends, not Node's default of dying at once with leases held;
 * - a stop that fails is logged once as fatal and exits 1, not an unhandled rejection;
 * - a start-up step failing after the server listens stops what was started (the port is
 *   released, stores closed) before the error goes on.
 *
 * The process tests run `src/index.ts` with a preload that wraps `startApp` (written to a
 * temporary directory): `hold` holds its result until the test writes to stdin, `stop-fails`
 * makes the app's stop reject after stopping.
 */
import { join } from 'node:path';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { DRIFT_JOB_ID } from '../../src/flows/drift-detector';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { prepareSandboxTls, sandboxTlsHosts } from '../../src/sandbox/tls';
import { startAppHookPreload } from '../helpers/start-app-hook';
import { freePort } from '../helpers/free-port';
import { LogCapture } from '../helpers/log-capture';
import { logLines, preloadedBots } from '../helpers/preloaded-bot';
import { testWorkDir } from '../helpers/test-work-dir';

const ROOT = join(__dirname, '..', '..');

/** Wraps startApp of src/app.ts (by its absolute path: the bot runs in the test working directory). */
const PRELOAD = startAppHookPreload(
  `
      const mode = process.env.TEST_START_HOOK;
      if (mode === 'hold') {
        process.stderr.write('HOOK: listening, start-up held\\n');
        await new Promise((resolve) => process.stdin.once('data', resolve));
        process.stdin.destroy();
      }
      if (mode === 'stop-fails') {
        const stop = app.stop;
        app.stop = async () => {
          await stop();
          throw new Error('HOOK: stop failed');
        };
      }
`,
  { appFile: join(ROOT, 'src', 'app.ts') },
);

describe('shutdown edges', () => {
  // Not the repository: the bot would read its .env and write its .data/ (test-work-dir.ts).
  const start = preloadedBots(PRELOAD, testWorkDir());
  const run = (hook: 'hold' | 'stop-fails') => start({ TEST_START_HOOK: hook });

  test('SIGTERM while start-up is under way: start-up ends, then a graceful stop (exit 0)', async () => {
    const bot = run('hold');
    await bot.waitFor(/HOOK: listening, start-up held/);
    bot.child.kill('SIGTERM');
    await bot.waitFor(/stopping: finishing in-flight work/);
    bot.child.stdin!.write('go\n');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
  });

  test('a stop that fails: logged once as fatal, exit 1, no unhandled rejection', async () => {
    const bot = run('stop-fails');
    await bot.waitFor(/acrbot listening on/);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 1, signal: null });
    const fatal = logLines(bot.output()).filter((e) => e.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ msg: 'acrbot did not stop cleanly', err: { message: 'HOOK: stop failed' } });
    expect(bot.output()).not.toMatch(/UnhandledPromiseRejection|triggerUncaughtException/);
  });

  test('a start-up step failing after the server listens: what was started is stopped, the error goes on', async () => {
    const port = await freePort();
    const schedule = new MemoryScheduleStore();
    const get = schedule.get.bind(schedule);
    schedule.get = async (id) => {
      if (id === DRIFT_JOB_ID) throw new Error('schedule store unreachable');
      return get(id);
    };
    const logs = new LogCapture();
    const config = loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', PORT: String(port) });
    const leases = new MemoryLeaseStore(() => new Date());
    // The app's sandbox then takes this process's memoised TLS material and never looks at the
    // repository's .data/ (its working directory here), as harness.ts does.
    await prepareSandboxTls(sandboxTlsHosts(), { cacheDir: join(testWorkDir(), '.data') });
    await expect(
      startApp(config, { logger: logs.logger(), sweepIntervalMs: 0, coordination: { schedule, leases } }),
    ).rejects.toThrow('schedule store unreachable');
    // The port was listened on, and is free again.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(logs.entries().filter((e) => (e.level as number) >= 50)).toEqual([]);
  });
});
