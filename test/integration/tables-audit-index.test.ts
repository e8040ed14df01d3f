/**
 * G11 on Azure Tables: the audit partition's index rows (`q|<request>|<seq>`, read by
 * `audit R-…` and exports by request; `k|<key>`, read by keyed appends) are checked by verify
 * against the hashed and MAC'd entries, both ways, as SQLite's verify checks its columns.
 * Someone with write access to the table but not the audit key deletes, adds or redirects
 * index rows through the Table API; each is BROKEN, never INTACT. Appends landing while verify
 * reads stay out of its verdict: an honest log is never called BROKEN for them.
 *
 * The entries' key range (`e|`) too: a row keyed as no entry is (`e|zzz`, `e|000000000000`,
 * `e|1`, a trailing space) holding a forged entry is BROKEN, named by its key, and export
 * (`entries()`), `latest` never show it: they show only the entries seq 1 to the head, which
 * verify checks.
 */
import type { TableClient } from '@azure/data-tables';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { AuditEntry } from '../../src/domain/audit-chain';
import { docProperties, openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import { type CliResult, runCliCaptured } from '../helpers/audit-cli-run';
import { useAzurite } from '../helpers/azurite';
import { TempDirs } from '../helpers/temp-dirs';
import { FakeClock, SECOND } from '../unit/support/fake-clock';
import { auditEvent } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const KEY = Buffer.alloc(32, 7);
const PK = 'audit';
const pad = (seq: number) => String(seq).padStart(12, '0');

/**
 * A keyed log of four entries: 1 of req-1; 2 and 3 of R-AAAA (2 under an idempotency key);
 * 4 of a request id Tables keys must escape, under a key. Returns the log and a second client
 * on its table (the attacker's, or another instance's).
 */
async function fourEntries() {
  const prefix = world.azurite.freshPrefix();
  const clock = new FakeClock();
  const log = new TablesAuditLog(await openTablesAccount(world.conn(), prefix).table('audit'), clock, KEY);
  const events = [
    auditEvent(1),
    auditEvent(2, { requestId: 'R-AAAA', idempotencyKey: 'audit.retry:k-2' }),
    auditEvent(3, { requestId: 'R-AAAA' }),
    auditEvent(4, { requestId: 'R/4 #?', idempotencyKey: 'audit.retry:k 4/#' }),
  ];
  for (const event of events) {
    clock.advance(SECOND);
    await log.append(event);
  }
  const table = await openTablesAccount(world.conn(), prefix).table('audit');
  return { prefix, clock, log, table };
}

/** Row keys of the index rows in the table, as acrbot wrote them. */
async function indexKeys(table: TableClient): Promise<string[]> {
  const keys: string[] = [];
  for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${PK}'` } }))
    if (/^[qk]\|/.test(row.rowKey!)) keys.push(row.rowKey!);
  return keys;
}

describe('Azure Tables audit verify checks the index rows', () => {
  test('an honest log (request ids and keys Tables must escape included) is intact, and has exactly the rows verify expects', async () => {
    const { log, table } = await fourEntries();
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
    expect((await indexKeys(table)).sort()).toEqual(
      [
        `q|req-1|${pad(1)}`,
        `q|R-AAAA|${pad(2)}`,
        `q|R-AAAA|${pad(3)}`,
        `q|R!2F;4!20;!23;!3F;|${pad(4)}`,
        'k|audit.retry:k-2',
        'k|audit.retry:k!20;4!2F;!23;',
      ].sort(),
    );
    expect((await log.forRequest('R/4 #?')).map((e) => e.seq)).toEqual([4]);
  });

  test('a deleted request index row (the entry hidden from `audit R-…`) is BROKEN at the entry; put back, the log is intact again', async () => {
    const { log, table } = await fourEntries();
    await table.deleteEntity(PK, `q|R-AAAA|${pad(3)}`);
    expect((await log.forRequest('R-AAAA')).map((e) => e.seq)).toEqual([2]);
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 4,
      brokenAtSeq: 3,
      problem:
        "the entry's request index row is missing or names another entry (it was deleted or altered to hide the entry from its request)",
    });
    await table.createEntity({ partitionKey: PK, rowKey: `q|R-AAAA|${pad(3)}`, seq: 3 });
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
  });

  test('a request index row added for another request (pointing R-BBBB at an entry of R-AAAA) is BROKEN at that entry', async () => {
    const { log, table } = await fourEntries();
    await table.createEntity({ partitionKey: PK, rowKey: `q|R-BBBB|${pad(3)}`, seq: 3 });
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 4,
      brokenAtSeq: 3,
      problem:
        'a request index row names this entry but is not the row acrbot writes for it (it was added or altered to show the entry under a request or position it does not have)',
    });
  });

  test('a request index row redirected to another entry (its seq rewritten) is BROKEN at the lower of the two', async () => {
    const { log, table } = await fourEntries();
    // forRequest reads the seq property: R-AAAA's audit would show entry 1 (req-1's) instead of 3.
    await table.updateEntity({ partitionKey: PK, rowKey: `q|R-AAAA|${pad(3)}`, seq: 1 }, 'Replace');
    await expect(log.verify()).resolves.toMatchObject({
      intact: false,
      brokenAtSeq: 1,
      problem: expect.stringMatching(/^a request index row names this entry but is not the row acrbot writes for it/),
    });
  });

  test('an index row naming a seq past the chain head is BROKEN there, as an entry past the head is', async () => {
    const { log, table } = await fourEntries();
    await table.createEntity({ partitionKey: PK, rowKey: `q|R-AAAA|${pad(9)}`, seq: 9 });
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 4,
      brokenAtSeq: 9,
      problem:
        'a request index row names an entry past the chain head (acrbot writes index rows with their entry and its head; this one was added)',
    });
    await table.deleteEntity(PK, `q|R-AAAA|${pad(9)}`);
    await table.createEntity({ partitionKey: PK, rowKey: 'k|audit.retry:later', seq: 7 });
    await expect(log.verify()).resolves.toMatchObject({
      intact: false,
      brokenAtSeq: 7,
      problem: expect.stringMatching(/^an idempotency key row names an entry past the chain head/),
    });
  });

  test('a tail cut off with its head rolled back but its index rows left is BROKEN without anchors', async () => {
    const { log, table } = await fourEntries();
    const third = (await log.entryAt(3))!;
    await table.deleteEntity(PK, `e|${pad(4)}`);
    await table.updateEntity({ partitionKey: PK, rowKey: 'head', seq: 3, hash: third.hash }, 'Replace');
    await expect(log.verify()).resolves.toMatchObject({
      intact: false,
      count: 3,
      brokenAtSeq: 4,
      problem: expect.stringMatching(/^a request index row names an entry past the chain head/),
    });
  });

  test('index rows whose seq is no seq (text, missing) are BROKEN at seq 0, not a crash of verify', async () => {
    const { log, table } = await fourEntries();
    await table.updateEntity({ partitionKey: PK, rowKey: `q|req-1|${pad(1)}`, seq: 'one' }, 'Replace');
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 4,
      brokenAtSeq: 0,
      problem:
        'a request index row names no entry (its seq is not a whole number from 1: the row was added or altered)',
    });
    await table.updateEntity({ partitionKey: PK, rowKey: `q|req-1|${pad(1)}`, seq: 1 }, 'Replace');
    await table.createEntity({ partitionKey: PK, rowKey: 'k|audit.retry:junk', note: 'no seq' });
    await expect(log.verify()).resolves.toMatchObject({
      intact: false,
      brokenAtSeq: 0,
      problem: expect.stringMatching(/^an idempotency key row names no entry/),
    });
  });

  test("rows added to a request's index that name no entry, or a missing one, do not hide its entries from 'audit R-…'", async () => {
    const { log, table } = await fourEntries();
    await table.createEntity({ partitionKey: PK, rowKey: `q|R-AAAA|${pad(90)}`, seq: 'ninety' });
    await table.createEntity({ partitionKey: PK, rowKey: `q|R-AAAA|${pad(91)}`, seq: 91 });
    await table.createEntity({ partitionKey: PK, rowKey: `q|R-AAAA|${pad(92)}`, seq: 1 });
    expect((await log.forRequest('R-AAAA')).map((e) => e.seq)).toEqual([2, 3]);
    await expect(log.verify()).resolves.toMatchObject({ intact: false });
  });

  test('a deleted idempotency key row (the event could be appended again) is BROKEN at its entry', async () => {
    const { log, table } = await fourEntries();
    await table.deleteEntity(PK, 'k|audit.retry:k-2');
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 4,
      brokenAtSeq: 2,
      problem:
        "the entry's idempotency key row is missing or names another entry (it was deleted or altered: the event could be appended again)",
    });
  });

  test('an idempotency key row pointing at another entry, or for a key no entry carries, is BROKEN at the entry it names', async () => {
    const { log, table } = await fourEntries();
    // Entry 4's key row moved to entry 3: an append under its key would be refused, not answered with 4.
    await table.updateEntity({ partitionKey: PK, rowKey: 'k|audit.retry:k!20;4!2F;!23;', seq: 3 }, 'Replace');
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 4,
      brokenAtSeq: 3,
      problem:
        'an idempotency key row names this entry but is not the row acrbot writes for it (it was added or altered: an append under that key would be refused)',
    });
    await table.updateEntity({ partitionKey: PK, rowKey: 'k|audit.retry:k!20;4!2F;!23;', seq: 4 }, 'Replace');
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
    // A pending retry's key marked as done, pointing at an entry that does not carry it.
    await table.createEntity({ partitionKey: PK, rowKey: 'k|audit.retry:pending', seq: 2 });
    await expect(log.verify()).resolves.toMatchObject({
      intact: false,
      brokenAtSeq: 2,
      problem: expect.stringMatching(
        /^an idempotency key row names this entry but is not the row acrbot writes for it/,
      ),
    });
  });

  test('npm run audit:verify on tables: names the entry hidden from its request (exit 1)', async () => {
    const { prefix, table } = await fourEntries();
    await table.deleteEntity(PK, `q|R-AAAA|${pad(2)}`);
    const { code, stdout } = await cli(prefix, ['verify']);
    expect({ code, stdout }).toEqual({
      code: 1,
      stdout:
        "BROKEN at seq 2: the entry's request index row is missing or names another entry (it was deleted or altered to hide the entry from its request)\n",
    });
  });
});

/** A forged "mallory approved <request>" entry (seq `seq`), as someone who can write the table but not sign would add it. */
async function forge(
  log: TablesAuditLog,
  table: TableClient,
  rowKey: string,
  seq = 3,
  requestId = 'R-AAAA',
): Promise<void> {
  const real = (await log.entryAt(3))!;
  const forged: AuditEntry = {
    ...real,
    seq,
    requestId,
    actor: { objectId: '00000000-0000-4000-8000-00000000bad0', name: 'mallory' },
    action: 'request.approved',
    outcome: 'approved',
    detail: `mallory approved ${requestId}`,
  };
  await table.createEntity({ partitionKey: PK, rowKey, ...docProperties(forged) });
}

async function collect(entries: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

/** Runs the audit CLI on the Tables log under `prefix`, with the key (through another connection string if given). */
async function cli(
  prefix: string,
  argv: string[],
  connectionString = world.azurite.connectionString,
): Promise<CliResult> {
  return runCliCaptured(argv, {
    ACRBOT_STORAGE: `tables:${connectionString}`,
    ACRBOT_TABLE_PREFIX: prefix,
    ACRBOT_AUDIT_KEY: KEY.toString('base64'),
  });
}

/**
 * A front for Azurite's table endpoint that refuses the listing of the entries (a query with an
 * `e|` RowKey filter) with 403, as an account that stops answering this reader would, and
 * forwards everything else.
 */
async function refusingEntryListing(): Promise<{ connectionString: string; close: () => Promise<void> }> {
  const target = new URL(world.azurite.tableEndpoint);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && decodeURIComponent(req.url ?? '').includes("RowKey ge 'e|")) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-ms-error-code': 'AuthorizationFailure' });
      res.end(JSON.stringify({ 'odata.error': { code: 'AuthorizationFailure', message: { value: 'refused' } } }));
      return;
    }
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}${target.pathname}`;
  return {
    connectionString: world.azurite.connectionString.replace(world.azurite.tableEndpoint, endpoint),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const foreignProblem = (rowKey: string) =>
  `the row ${JSON.stringify(rowKey)} is among the entries but its key is no entry's (acrbot keys an entry e| and its seq from 1 in 12 digits; this one was added or its key altered)`;

describe('rows in the entries key range that are no entry of the chain', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.removeAll());

  test.each([
    ['before the first entry', `e|${pad(0)}`],
    ['after every entry', 'e|zzz'],
    ['a seq not zero-padded', 'e|1'],
    ['a trailing space, between two entries', `e|${pad(2)} `],
    ['13 digits', `e|0${pad(2)}`],
  ])(
    'one %s (%j) holding a forged entry is BROKEN, named by its key; removed, the log is intact',
    async (_, rowKey) => {
      const { log, table } = await fourEntries();
      await forge(log, table, rowKey);
      await expect(log.verify()).resolves.toEqual({
        intact: false,
        count: 4,
        brokenAtSeq: 0,
        problem: foreignProblem(rowKey),
      });
      await table.deleteEntity(PK, rowKey);
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
    },
  );

  test('npm run audit:verify names the rows, and audit:export (whole, by request, to a file) fails rather than print the forged entries', async () => {
    const { prefix, clock, log, table } = await fourEntries();
    clock.advance(SECOND);
    await log.append(auditEvent(5, { requestId: 'R-7KQ2M9XD' }));
    await forge(log, table, `e|${pad(0)}`, 0, 'R-7KQ2M9XD');
    await forge(log, table, 'e|zzz', 3, 'R-7KQ2M9XD');
    await expect(cli(prefix, ['verify'])).resolves.toEqual({
      code: 1,
      stdout: `BROKEN at seq 0: ${foreignProblem(`e|${pad(0)}`)}\n`,
      // The only other line: without anchors, a cut tail with its head would not show.
      stderr: expect.stringMatching(/^note: no ACRBOT_AUDIT_ANCHOR, [^\n]*\n$/),
    });
    for (const argv of [
      ['export', '--format', 'csv'],
      ['export', '--format', 'csv', '--request', 'R-7KQ2M9XD'],
    ])
      await expect(cli(prefix, argv)).resolves.toEqual({
        code: 1,
        stdout: '',
        stderr: `audit-cli: the row "e|${pad(0)}" is among the entries but its key is no entry's (it was added or its key altered); run audit:verify\n`,
      });
    // With only the row that sorts after the entries: the export fails on it once the chain is read.
    await table.deleteEntity(PK, `e|${pad(0)}`);
    await expect(cli(prefix, ['verify'])).resolves.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('"e|zzz"'),
    });
    await expect(cli(prefix, ['export', '--format', 'jsonl'])).resolves.toEqual({
      code: 1,
      stdout: '',
      stderr: `audit-cli: the row "e|zzz" is among the entries but its key is no entry's (it was added or its key altered); run audit:verify\n`,
    });
    const file = join(dirs.make('acrbot-export-'), 'audit.csv');
    await expect(cli(prefix, ['export', '--format', 'csv', '--out', file])).resolves.toMatchObject({ code: 1 });
    expect(existsSync(file)).toBe(false);
    await table.deleteEntity(PK, 'e|zzz');
    const byRequest = await cli(prefix, ['export', '--format', 'jsonl', '--request', 'R-7KQ2M9XD']);
    expect({
      ...byRequest,
      stdout: byRequest.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).seq),
    }).toEqual({
      code: 0,
      stdout: [5],
      stderr: '',
    });
  });

  test('export yields seq 1 to the head only: an entry missing, stored at another seq, or past the head fails it', async () => {
    const { log, table } = await fourEntries();
    expect((await collect(log.entries())).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const put = (seq: number, entry: AuditEntry) =>
      table.upsertEntity({ partitionKey: PK, rowKey: `e|${pad(seq)}`, ...docProperties(entry) }, 'Replace');
    const second = (await log.entryAt(2))!;
    const fourth = (await log.entryAt(4))!;
    await table.deleteEntity(PK, `e|${pad(2)}`);
    await expect(collect(log.entries())).rejects.toThrow('the entry at seq 2 is missing');
    await put(2, second);
    await table.deleteEntity(PK, `e|${pad(4)}`);
    await expect(collect(log.entries())).rejects.toThrow('the entry at seq 4 is missing');
    // Entry 2 put in 4's place: the chain verify reads breaks there, so export must not show it as 4.
    await put(4, second);
    await expect(collect(log.entries())).rejects.toThrow(
      'the row of the entry at seq 4 holds no audit entry of that seq (it was modified or moved)',
    );
    await put(4, fourth);
    expect((await collect(log.entries())).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await forge(log, table, `e|${pad(5)}`, 5);
    await expect(collect(log.entries())).rejects.toThrow(
      'an entry exists past the chain head, at seq 5 (acrbot writes an entry and its head together)',
    );
  });

  test('latest (chat `audit`) leaves out a forged row keyed between two entries', async () => {
    const { log, table } = await fourEntries();
    await forge(log, table, `e|${pad(2)} `);
    const latest = await log.latest(4);
    expect(latest.map((e) => [e.seq, e.actor.name])).toEqual([1, 2, 3, 4].map((seq) => [seq, expect.any(String)]));
    expect(latest.map((e) => e.detail)).not.toContain('mallory approved R-AAAA');
  });
});

describe('appends landing while verify reads do not make an honest log BROKEN', () => {
  /** Runs `land` once, right after `table`'s first read of the head comes back (before anything else verify reads). */
  function afterFirstHeadRead(table: TableClient, land: () => Promise<unknown>): { landed: () => boolean } {
    let landed = false;
    table.pipeline.addPolicy({
      name: 'append-after-head-read',
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (!landed && request.method === 'GET' && decodeURIComponent(request.url).includes("RowKey='head'")) {
          landed = true;
          await land();
        }
        return response;
      },
    });
    return { landed: () => landed };
  }

  test('an entry with its request and key rows appended by another instance after the head was read: intact up to that head, then with it', async () => {
    const { prefix, clock, log } = await fourEntries();
    const verifyTable = await openTablesAccount(world.conn(), prefix).table('audit');
    const verifying = new TablesAuditLog(verifyTable, clock, KEY);
    const racing = afterFirstHeadRead(verifyTable, () =>
      log.append(auditEvent(5, { requestId: 'R-AAAA', idempotencyKey: 'audit.retry:k-5' })),
    );
    await expect(verifying.verify()).resolves.toEqual({ intact: true, count: 4 });
    expect(racing.landed()).toBe(true);
    await expect(verifying.verify()).resolves.toEqual({ intact: true, count: 5 });
  });

  test('an entry appended by another instance while export reads is left out (not an error), and in the next export', async () => {
    const { prefix, clock, log } = await fourEntries();
    const exportTable = await openTablesAccount(world.conn(), prefix).table('audit');
    const exporting = new TablesAuditLog(exportTable, clock, KEY);
    const racing = afterFirstHeadRead(exportTable, () => log.append(auditEvent(5, { requestId: 'R-AAAA' })));
    expect((await collect(exporting.entries())).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(racing.landed()).toBe(true);
    expect((await collect(exporting.entries())).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  test('the first entry of a new log appended after the head was found missing: intact and empty, then one entry', async () => {
    const prefix = world.azurite.freshPrefix();
    const clock = new FakeClock();
    const appending = new TablesAuditLog(await openTablesAccount(world.conn(), prefix).table('audit'), clock, KEY);
    const verifyTable = await openTablesAccount(world.conn(), prefix).table('audit');
    const verifying = new TablesAuditLog(verifyTable, clock, KEY);
    const racing = afterFirstHeadRead(verifyTable, () =>
      appending.append(auditEvent(1, { idempotencyKey: 'audit.retry:k-1' })),
    );
    await expect(verifying.verify()).resolves.toEqual({ intact: true, count: 0 });
    expect(racing.landed()).toBe(true);
    await expect(verifying.verify()).resolves.toEqual({ intact: true, count: 1 });
  });
});

describe('an export that cannot read the table', () => {
  test('exits 2 saying it could not read (the log is not called broken), and writes no file', async () => {
    const { prefix } = await fourEntries();
    const front = await refusingEntryListing();
    try {
      const r = await cli(prefix, ['export', '--format', 'jsonl'], front.connectionString);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^audit-cli: cannot read the audit log from Azure Tables: /);
      expect(r.stderr).not.toContain('run audit:verify');
    } finally {
      await front.close();
    }
  });
});

describe('an export to a file', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.removeAll());

  test('says how many entries it wrote, one as one', async () => {
    const prefix = world.azurite.freshPrefix();
    const clock = new FakeClock();
    const log = new TablesAuditLog(await openTablesAccount(world.conn(), prefix).table('audit'), clock, KEY);
    const exportTo = async (name: string) => {
      const file = join(dirs.make('acrbot-export-'), name);
      return { file, r: await cli(prefix, ['export', '--format', 'jsonl', '--out', file]) };
    };
    await log.append(auditEvent(1));
    const one = await exportTo('one.jsonl');
    expect(one.r).toEqual({ code: 0, stdout: '', stderr: `exported 1 entry to ${one.file}\n` });
    clock.advance(SECOND);
    await log.append(auditEvent(2));
    const two = await exportTo('two.jsonl');
    expect(two.r).toEqual({ code: 0, stdout: '', stderr: `exported 2 entries to ${two.file}\n` });
  });
});
