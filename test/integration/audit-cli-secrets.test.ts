/**
 * G12 at the audit CLI: whatever a storage SDK's error says, the CLI prints it without the
 * secrets inside it. A stand-in Table service answers every read with an error whose text quotes
 * a connection string, a SAS, a bearer token and a password (as an Azure answer can quote the
 * request it refuses); the CLI runs in-process (runAuditCli) and what it prints is read.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { runAuditCli } from '../../src/audit-cli/main';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { type CliResult, runCliCaptured } from '../helpers/audit-cli-run';
import { emptyWorkDir } from '../helpers/test-work-dir';
import { FakeClock } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

import { ACCOUNT_KEY, JWT, PASSWORD, SAS_SIG, SECRETS } from '../helpers/secret-sentinels';

/** The service's answer: its text quotes the request (with its secrets), the rest is readable. */
const ANSWER =
  'Server failed to authenticate the request. ' +
  `Request https://acct.table.core.windows.net/audit?sv=2022-11-02&sig=${SAS_SIG}&sp=r; ` +
  `connection AccountName=acct;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net; ` +
  `Authorization: Bearer ${JWT}; login password=${PASSWORD} refused`;

/** What of {@link ANSWER} must still be printed around the secrets. */
const READABLE = ['Server failed to authenticate the request', 'AccountName=acct', 'sv=2022-11-02', 'refused'];

/**
 * A Table service that refuses every request with `status` and {@link ANSWER}; with `headExists`
 * the read of the chain head answers "no such entity" (the table exists) and only later reads fail.
 */
async function refusingTables(status: number, headExists: boolean): Promise<{ storage: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    if (headExists && req.method === 'GET' && decodeURIComponent(req.url ?? '').includes("RowKey='head'")) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-ms-error-code': 'ResourceNotFound' });
      res.end(JSON.stringify({ 'odata.error': { code: 'ResourceNotFound', message: { value: 'not found' } } }));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'x-ms-error-code': 'AuthenticationFailed' });
    res.end(JSON.stringify({ 'odata.error': { code: 'AuthenticationFailed', message: { value: ANSWER } } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  // The emulator's well-known account: a key the CLI signs with, not one of the sentinels.
  const storage =
    'tables:DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
    'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
    `TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`;
  return { storage, server };
}

/** Runs `audit-cli <argv>` in-process on `storage`; what it printed and its exit code. */
async function cli(storage: string, ...argv: string[]): Promise<CliResult> {
  return runCliCaptured([...argv, '--storage', storage], { ACRBOT_STORAGE: '' });
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

function expectScrubbed(printed: string): void {
  for (const secret of SECRETS) expect(printed).not.toContain(secret);
  for (const part of READABLE) expect(printed).toContain(part);
  expect(printed).toContain('AccountKey=[redacted]');
  expect(printed).toContain('sig=[redacted]');
  expect(printed).toContain('password=[redacted]');
}

test.each([['verify'], ['export', '--format', 'jsonl']])(
  '%s on a Table service that refuses with secrets in its answer: exit 2, the answer printed without them',
  async (...argv) => {
    const { storage, server } = await refusingTables(403, false);
    servers.push(server);
    const r = await cli(storage, ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('audit-cli: cannot read the audit table at');
    expectScrubbed(r.stderr);
    expect(r.stdout).toBe('');
  },
);

test('the entries read refused mid-verify: one sentence, scrubbed, no stack, exit 2', async () => {
  const { storage, server } = await refusingTables(403, true);
  servers.push(server);
  const r = await cli(storage, 'verify');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('audit-cli: cannot read the audit log from Azure Tables: ');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expectScrubbed(r.stderr);
});

/**
 * The catch-all for what the CLI does not expect (no CliError): "unexpected error" with the
 * stack, for whoever debugs it, but scrubbed like every other line, and never exit 0 (a
 * scheduled check must not read a crash as "intact"). The failure here is the output refusing
 * the export's first write with an error that quotes secrets, as an SDK's error can; thrown as
 * an Error (its stack printed) and as a bare value (printed as text).
 */
describe('an unexpected error', () => {
  const tmp = useTempDir('acrbot-audit-cli-unexpected-');

  test.each([
    ['an Error', () => new Error(ANSWER), true],
    ['a thrown value that is no Error', () => ANSWER, false],
  ])('(%s): "unexpected error" on stderr, secrets scrubbed, exit 2', async (_kind, failure, withStack) => {
    const path = tmp.path('audit.db');
    const db = openSqlite(path);
    const log = new SqliteAuditLog(db, new FakeClock());
    for (let i = 1; i <= 3; i++) await log.append(auditEvent(i));
    db.close();
    let stderr = '';
    const refusing = new (class extends Writable {
      override write(): boolean {
        throw failure();
      }
    })();
    const code = await runAuditCli(
      ['export', '--format', 'jsonl', '--storage', `sqlite:${path}`],
      { ACRBOT_STORAGE: '' },
      {
        stdout: refusing,
        stderr: new Writable({
          write(chunk, _encoding, done) {
            stderr += String(chunk);
            done();
          },
        }),
      },
      emptyWorkDir(),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^audit-cli: unexpected error: /);
    expect(/\n\s+at /.test(stderr)).toBe(withStack);
    expectScrubbed(stderr);
  });
});
