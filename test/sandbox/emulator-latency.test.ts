/**
 * Injected latency in the ARM and Graph emulators ends with the caller's connection: a stopped
 * sandbox (or a caller that gave up) leaves no timer behind, so a suite that injected a minute
 * of "never answers" does not keep Jest's process alive after it.
 */
import { request } from 'node:https';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import type { RecordingEmulator } from '../../src/sandbox/recording-emulator';
import { nextLogged } from '../helpers/emulator-log';

/** Resolves once `emulator` has taken a fault (its latency starts in the same step). */
function latencyStarted(emulator: RecordingEmulator): Promise<void> {
  const take = emulator.faults.take.bind(emulator.faults);
  return new Promise((resolve) => {
    jest.spyOn(emulator.faults, 'take').mockImplementation((operation, path) => {
      const fired = take(operation, path);
      if (fired) resolve();
      return fired;
    });
  });
}

afterEach(() => jest.restoreAllMocks());

test.each([
  ['ARM', (s: Sandbox) => s.arm, (s: Sandbox) => `${s.armUrl}/subscriptions?api-version=2022-12-01`, 'arm'],
  ['Graph', (s: Sandbox) => s.graph, (s: Sandbox) => `${s.graphUrl}/v1.0/users`, 'graph'],
] as const)(
  '%s: stopping the sandbox ends a request waiting out a minute of injected latency',
  async (_name, of, url, audience) => {
    const sandbox = await startSandbox({ seed: false });
    const emulator = of(sandbox);
    emulator.faults.add({ operation: '*', latencyMs: 60_000 });
    const started = latencyStarted(emulator);
    const logged = nextLogged(emulator);
    const req = request(url(sandbox), {
      ca: sandbox.tls.caPem,
      headers: { authorization: `Bearer ${sandbox.tokens[audience]}` },
    });
    const failed = new Promise<Error>((resolve) => req.on('error', resolve));
    req.end();
    await started;
    await sandbox.stop();
    // Without the latency ending with the connection, this waits the whole minute (and times out).
    expect(typeof (await logged)).toBe('number');
    expect((await failed).message).toMatch(/socket hang up|ECONNRESET/);
  },
);
