/**
 * A call held by the ARM or Graph emulator (`faults.hold`) waits until the test releases it, or
 * until its caller's connection closes: a killed caller or a stopped sandbox leaves nothing
 * waiting, so a test that never released a hold does not keep Jest's process alive after it.
 */
import { request } from 'node:https';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { nextLogged } from '../helpers/emulator-log';

/** Sends a GET; resolves with its status, or rejects when the connection goes. */
function get(url: string, sandbox: Sandbox, audience: 'arm' | 'graph'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ca: sandbox.tls.caPem,
      headers: { authorization: `Bearer ${sandbox.tokens[audience]}` },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

const emulators = [
  ['ARM', (s: Sandbox) => s.arm, (s: Sandbox) => `${s.armUrl}/subscriptions?api-version=2022-12-01`, 'arm'],
  ['Graph', (s: Sandbox) => s.graph, (s: Sandbox) => `${s.graphUrl}/v1.0/users`, 'graph'],
] as const;

afterEach(() => jest.restoreAllMocks());

test.each(emulators)(
  '%s: a held call arrives, waits, and is answered once released',
  async (_name, of, url, audience) => {
    const sandbox = await startSandbox({ seed: false });
    try {
      const emulator = of(sandbox);
      const held = emulator.faults.hold({ operation: '*' });
      expect(held.hasArrived).toBe(false);
      const answer = get(url(sandbox), sandbox, audience);
      await held.arrived;
      expect(held.hasArrived).toBe(true);
      // Held: nothing answered yet, while a second call (the hold took one) goes through.
      expect(emulator.requests).toEqual([]);
      const unheld = await get(url(sandbox), sandbox, audience);
      expect(emulator.requests).toHaveLength(1);
      const logged = nextLogged(emulator);
      held.release();
      // Answered as the call that was not held (the unseeded sandbox's own answer to it).
      expect(await answer).toBe(unheld);
      expect(await logged).toBe(unheld);
      expect(emulator.faults.pending()).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  },
);

test.each(emulators)(
  '%s: stopping the sandbox ends a call held and never released',
  async (_name, of, url, audience) => {
    const sandbox = await startSandbox({ seed: false });
    const emulator = of(sandbox);
    const held = emulator.faults.hold({ operation: '*' });
    const logged = nextLogged(emulator);
    const failed = get(url(sandbox), sandbox, audience).then(
      () => undefined,
      (err: Error) => err,
    );
    await held.arrived;
    await sandbox.stop();
    // Without the hold ending with the connection, this waits for ever (and times out).
    expect(typeof (await logged)).toBe('number');
    expect((await failed)?.message).toMatch(/socket hang up|ECONNRESET/);
  },
);

test('clearing the faults releases a held call', async () => {
  const sandbox = await startSandbox({ seed: false });
  try {
    const held = sandbox.arm.faults.hold({ operation: '*' });
    const answer = get(`${sandbox.armUrl}/subscriptions?api-version=2022-12-01`, sandbox, 'arm');
    await held.arrived;
    sandbox.arm.faults.clear();
    expect(typeof (await answer)).toBe('number');
  } finally {
    await sandbox.stop();
  }
});
