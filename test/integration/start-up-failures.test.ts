/**
 * A bot that cannot start says why in one sentence an operator can act on, logged once with its
 * cause, and exits non-zero: a port already in use names the port and PORT, instead of Node's
 * "Unhandled 'error' event" and a stack trace.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawnBot } from '../helpers/bot-process';

describe('start-up failures', () => {
  let taken: Server;
  let port: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  });

  test('a port in use: exit 1 with the port and what to do, logged once as fatal', async () => {
    const started = spawnBot({
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      ACRBOT_STORAGE: 'memory',
      PORT: String(port),
    });
    const failure = await started.then(
      () => {
        throw new Error('the bot started on a port in use');
      },
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^bot exited 1: /);
    const fatal = failure
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string; cause?: unknown } })
      .filter((entry) => entry.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toBe(
      `acrbot could not start: cannot listen on 127.0.0.1:${port}: port ${port} on 127.0.0.1 is in use (another acrbot, or another server): stop it, or set PORT to a free port`,
    );
    expect(fatal[0]!.err?.cause).toBeDefined();
    expect(failure).not.toContain("Unhandled 'error' event");
  });
});
