/**
 * A bot that cannot start says why in one sentence an operator can act on, logged once with its
 * cause, and exits non-zero: a port already in use names the port and PORT, instead of Node's
 * "Unhandled 'error' event" and a stack trace; an Application Insights connection string the
 * exporter cannot use is listed with the other settings' problems (exit 2), instead of the
 * exporter's stack trace saying no connection string was provided.
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

  test('an unusable APPLICATIONINSIGHTS_CONNECTION_STRING: listed with the other settings, exit 2, no stack trace', async () => {
    const failure = await spawnBot({
      PATH: process.env.PATH,
      ACRBOT_MODE: 'sandbox',
      ACRBOT_STORAGE: 'memory',
      PORT: 'eighty',
      // Something else pasted where the key goes: the exporter would refuse it.
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=ikey-from-the-portal;IngestionEndpoint=https://ingest.example/',
    }).then(
      () => {
        throw new Error('the bot started with an unusable connection string');
      },
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^bot exited 2: acrbot cannot start; fix these settings:\n/);
    expect(failure).toContain('  - PORT must be a whole number from 0 to 65535\n');
    expect(failure).toContain(
      '  - APPLICATIONINSIGHTS_CONNECTION_STRING: its InstrumentationKey is not a GUID in lower case: copy the connection string whole',
    );
    expect(failure).not.toMatch(/No instrumentation key|\n\s+at /);
    // The value is never repeated.
    expect(failure).not.toMatch(/ikey-from-the-portal|ingest\.example/);
  });
});
