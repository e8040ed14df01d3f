/**
 * A bot that cannot start says why in one sentence an operator can act on, logged once with its
 * cause, and exits non-zero: a port already in use names the port and PORT, instead of Node's
 * "Unhandled 'error' event" and a stack trace; an Application Insights connection string the
 * exporter cannot use is listed with the other settings' problems (exit 2), instead of the
 * exporter's stack trace saying no connection string was provided; a Table service that refuses
 * the store (403, as right after a first deployment, before the role assignment applies) names
 * the status, the service's code and what to check, instead of only "cannot create table".
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DEV_ACCOUNT, DEV_KEY } from '../helpers/azurite';
import { spawnBot } from '../helpers/bot-process';
import { TEST_AUDIT_KEY } from '../helpers/test-work-dir';

/** The message of a start that must fail (`unexpected` if it started). */
function failureOf(started: Promise<unknown>, unexpected: string): Promise<string> {
  return started.then(
    () => {
      throw new Error(unexpected);
    },
    (err: Error) => err.message,
  );
}

/** The fatal (level 60) JSON log lines in a failed start's output. */
function fatalLines(output: string): Array<{ msg: string; err?: { message: string; cause?: unknown } }> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string; cause?: unknown } })
    .filter((entry) => entry.level === 60);
}

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
    const failure = await failureOf(started, 'the bot started on a port in use');
    expect(failure).toMatch(/^bot exited 1: /);
    const fatal = fatalLines(failure);
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

  test('APPLICATIONINSIGHTS_CONNECTION_STRING is read like the other settings: blank is unset, quotes are refused', async () => {
    const key = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    // PORT is wrong in both, so each start stops at the settings and lists what it found.
    const startWith = (connectionString: string) =>
      failureOf(
        spawnBot({
          PATH: process.env.PATH,
          ACRBOT_MODE: 'sandbox',
          ACRBOT_STORAGE: 'memory',
          PORT: 'eighty',
          APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
        }),
        'the bot started with PORT=eighty',
      );
    const [blank, quoted] = await Promise.all([
      startWith(' '),
      startWith(`"InstrumentationKey=${key};IngestionEndpoint=https://ingest.example/"`),
    ]);
    // Blank: unset, so no telemetry and no problem with it (it was "has no InstrumentationKey").
    expect(blank).toMatch(
      /^bot exited 2: acrbot cannot start; fix these settings:\n {2}- PORT must be a whole number from 0 to 65535\n$/,
    );
    // Quoted: named with setting-value.ts's wording, and the value never repeated.
    expect(quoted).toMatch(/^bot exited 2: acrbot cannot start; fix these settings:\n/);
    expect(quoted).toContain(
      '  - APPLICATIONINSIGHTS_CONNECTION_STRING is in quotes, which would be part of its value: remove them\n',
    );
    expect(quoted).not.toContain('InstrumentationKey');
    expect(quoted).not.toMatch(new RegExp(`${key}|ingest\\.example`));
  });

  test('a Table service answering 403 AuthorizationPermissionMismatch: exit 1, the status, the code and what to check, the cause kept', async () => {
    // Answers every request as Azure Storage does when the caller may not do it (XML body, code header).
    const storage = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'application/xml', 'x-ms-error-code': 'AuthorizationPermissionMismatch' });
      res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code>' +
          '<Message>This request is not authorized to perform this operation using this permission.\nRequestId:0f1e</Message></Error>',
      );
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(storage.address() as AddressInfo).port}/${DEV_ACCOUNT}`;
    try {
      const failure = await failureOf(
        spawnBot({
          PATH: process.env.PATH,
          ACRBOT_MODE: 'sandbox',
          ACRBOT_STORAGE: `tables:DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${endpoint};`,
          ACRBOT_AUDIT_KEY: TEST_AUDIT_KEY,
          PORT: '0',
        }),
        'the bot started on a store it may not use',
      );
      expect(failure).toMatch(/^bot exited 1: /);
      const fatal = fatalLines(failure);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]!.msg).toMatch(
        new RegExp(
          `^acrbot could not start: cannot create table acrbot[a-z]+ at ${endpoint}: ` +
            'the Table service answered 403 AuthorizationPermissionMismatch: check the AccountKey or SharedAccessSignature ' +
            'in the ACRBOT_STORAGE connection string \\(a SAS must allow the table service and creating tables\\)$',
        ),
      );
      expect(fatal[0]!.err?.cause).toBeDefined();
      expect(failure).not.toContain(DEV_KEY);
    } finally {
      await new Promise<void>((resolve) => storage.close(() => resolve()));
    }
  });
});
