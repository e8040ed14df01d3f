/**
 * The store contracts (requests G8, audit log G11, coordination) on Azure Table Storage, through
 * @azure/data-tables against a real Azurite started from node_modules for this file.
 */
import { execFile } from 'node:child_process';
import type { TableClient } from '@azure/data-tables';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AuditEntry, hashEntry } from '../../src/domain/audit-chain';
import { LeaseLostError, VersionConflictError } from '../../src/domain/ports';
import { transition } from '../../src/domain/request';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { docProperties, openTablesAccount } from '../../src/integrations/store/tables-client';
import { TablesAuditLog } from '../../src/integrations/store/tables-audit-log';
import {
  TablesAbuseLedger,
  TablesDialogStore,
  TablesLeaseStore,
  TablesScheduleStore,
} from '../../src/integrations/store/tables-coordination';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { DEV_KEY, useAzurite } from '../helpers/azurite';
import { emptyWorkDir } from '../helpers/test-work-dir';
import { describeAuditLogContract } from '../unit/support/audit-log-contract';
import { describeCoordinationContract } from '../unit/support/coordination-contract';
import { FakeClock } from '../unit/support/fake-clock';
import { describeRequestStoreContract } from '../unit/support/request-store-contract';
import { APPROVER, auditEvent, OUTSIDER, pendingRequest } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
/** The checkout, where the spawned audit CLI's scripts are (it runs elsewhere: emptyWorkDir). */
const ROOT = join(__dirname, '..', '..');
const conn = world.conn;

describeRequestStoreContract('Azure Tables (Azurite)', async () => {
  const stores = await tablesStores(conn(), new FakeClock(), world.azurite.freshPrefix());
  return { store: stores.requests, dispose: () => stores.close() };
});

// Listings of many requests read them with one query of the request rows (SCAN_FROM): here every
// listing does, so the contract holds on that path too.
describeRequestStoreContract('Azure Tables (Azurite), listings through one query of the request rows', async () => {
  const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('requests');
  return { store: new TablesRequestStore(table, { scanFrom: 1 }), dispose: async () => {} };
});

describeAuditLogContract('Azure Tables (Azurite)', async (clock) => {
  const stores = await tablesStores(conn(), clock, world.azurite.freshPrefix());
  return { log: stores.audit, clock, dispose: () => stores.close() };
});

describeCoordinationContract('Azure Tables (Azurite)', async (clock) => {
  const stores = await tablesStores(conn(), clock, world.azurite.freshPrefix());
  return { ...stores, dispose: () => stores.close() };
});

describe('Azure Tables specifics', () => {
  const AT = new Date('2025-01-15T10:00:00.000Z');

  /** Two request stores on one fresh table (two processes' worth of clients), a's table client, and a pending request a created. */
  async function twoRequestStores() {
    const prefix = world.azurite.freshPrefix();
    const tableA = await openTablesAccount(conn(), prefix).table('requests');
    const a = new TablesRequestStore(tableA);
    const b = new TablesRequestStore(await openTablesAccount(conn(), prefix).table('requests'));
    const request = pendingRequest();
    await a.create(request);
    return { tableA, a, b, request };
  }

  test('two store instances (two bot processes’ worth of clients) on one table: one decision wins with a real 412', async () => {
    const { a, b, request } = await twoRequestStores();
    const base = (await b.get(request.id))!;
    const results = await Promise.allSettled([
      a.update(transition(base, { type: 'approve', by: APPROVER, at: AT })),
      b.update(transition(base, { type: 'reject', by: OUTSIDER, at: AT })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      VersionConflictError,
    );
    expect((await a.get(request.id))?.version).toBe(2);
    await expect(b.create(request)).rejects.toThrow(/already exists/);
  });

  test('a transition of a request this instance last read or wrote is one request; after another instance wrote, it gets the 412 (and one read to tell it from its own)', async () => {
    const { tableA, a, b, request } = await twoRequestStores();
    const calls = recordCalls(tableA);
    const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
    await a.update(approved);
    // Straight to the conditional transaction: the ETag of version 1 is the one a wrote.
    expect(calls.map((c) => c.method)).toEqual(['POST']);
    await b.update(transition((await b.get(request.id))!, { type: 'start', at: AT }));
    calls.length = 0;
    // a still knows version 2 only; the row is at 3 now, so the If-Match fails and nothing changes.
    await expect(
      a.update(transition(approved, { type: 'start', at: new Date(AT.getTime() + 1) })),
    ).rejects.toBeInstanceOf(VersionConflictError);
    // The 412 is checked against the row once (had a's own write been applied and its answer
    // lost, the row would hold exactly a's document; tables-lost-answers.test.ts).
    expect(calls.map((c) => c.method)).toEqual(['POST', 'GET']);
    expect((await b.get(request.id))?.state).toBe('executing');
    // After a fresh read a goes on, and the state index follows every transition.
    const done = transition((await a.get(request.id))!, {
      type: 'succeed',
      at: AT,
      outcome: { summary: 'granted', azureRequestIds: [] },
    });
    await a.update(done);
    expect((await b.get(request.id))?.state).toBe('succeeded');
    expect((await b.listByState(['succeeded'])).map((r) => r.id)).toEqual([request.id]);
    expect(await b.listByState(['pending', 'approved', 'executing'])).toEqual([]);
  });

  test('an update that moves no index row (same state, same requester) is one If-Match replace; a stale one gets the 412', async () => {
    const { tableA, a, b, request } = await twoRequestStores();
    const calls = recordStatuses(tableA);
    const noted = { ...request, version: request.version + 1, reason: 'first note' };
    await a.update(noted);
    expect(calls.splice(0)).toEqual(['PUT 204']);
    // b writes version 3; a's remembered ETag (version 2) is stale and its write changes nothing.
    await b.update({ ...(await b.get(request.id))!, version: 3, reason: 'by b' });
    await expect(a.update({ ...noted, version: 3, reason: 'by a' })).rejects.toBeInstanceOf(VersionConflictError);
    expect(calls.splice(0)).toEqual(['PUT 412', 'GET 200']);
    expect(await b.get(request.id)).toMatchObject({ version: 3, reason: 'by b', state: 'pending' });
    // The index rows written at create still find it.
    expect((await b.listByState(['pending'])).map((r) => r.id)).toEqual([request.id]);
    expect((await b.listByRequester(request.requester.objectId, ['pending'])).map((r) => r.reason)).toEqual(['by b']);
  });

  test('without telemetry the table clients drop the SDK tracing policy; with it (or unsaid) their pipeline stays whole, and both work', async () => {
    const policies = (c: TableClient) => c.pipeline.getOrderedPolicies().map((p) => p.name);
    const prefix = world.azurite.freshPrefix();
    const quiet = await openTablesAccount(conn(), prefix, { tracing: false }).table('policies');
    const traced = await openTablesAccount(conn(), prefix, { tracing: true }).table('policies');
    const unsaid = await openTablesAccount(conn(), prefix).table('policies');
    expect(policies(quiet)).not.toContain('tracingPolicy');
    expect(policies(traced)).toContain('tracingPolicy');
    expect(policies(quiet)).toEqual(policies(unsaid).filter((p) => p !== 'tracingPolicy'));
    await quiet.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
    await expect(traced.getEntity('p', 'r')).resolves.toMatchObject({ value: 1 });
  });

  test('a request larger than one 64 KiB string property is split over several properties and read back whole', async () => {
    const stores = await tablesStores(conn(), new FakeClock(), world.azurite.freshPrefix());
    const request = pendingRequest({ reason: 'é'.repeat(100_000) });
    await stores.requests.create(request);
    expect(await stores.requests.get(request.id)).toEqual(request);
    const next = transition({ ...request, reason: 'short' }, { type: 'approve', by: APPROVER, at: AT });
    await stores.requests.update(next);
    expect(await stores.requests.get(request.id)).toEqual(next);
  });

  test('a document the service could not store in one entity (1 MiB of UTF-16) is refused by name before it is sent', async () => {
    const stores = await tablesStores(conn(), new FakeClock(), world.azurite.freshPrefix());
    // ~540k characters: 18 properties of 30,000, over 1 MiB as the service counts (2 bytes each).
    const request = pendingRequest({ reason: 'x'.repeat(540_000) });
    await expect(stores.requests.create(request)).rejects.toThrow(/document too large for one table entity/);
    expect(await stores.requests.get(request.id)).toBeUndefined();
  });

  test('keys with characters Tables refuses (/ \\ # ?) are stored and kept apart', async () => {
    const stores = await tablesStores(conn(), new FakeClock(), world.azurite.freshPrefix());
    const now = new Date('2025-01-15T09:00:00.000Z');
    const expiresAt = '2025-01-15T10:00:00.000Z';
    await stores.dialogs.put({ key: '19:a/b#c?d\\e|user', state: { n: 1 }, expiresAt });
    await stores.dialogs.put({ key: '19:a!2F;b#c?d\\e|user', state: { n: 2 }, expiresAt });
    expect((await stores.dialogs.get('19:a/b#c?d\\e|user', now))?.state).toEqual({ n: 1 });
    expect((await stores.dialogs.get('19:a!2F;b#c?d\\e|user', now))?.state).toEqual({ n: 2 });
    expect(await stores.abuse.firstSighting('f:1/2#3', now, 60_000)).toBe(true);
    expect(await stores.abuse.firstSighting('f:1/2#3', now, 60_000)).toBe(false);
  });

  /**
   * Records the HTTP calls one TableClient makes. A query whose $filter does not pin the
   * PartitionKey is a scan of the whole table on Azure (the service filters row by row).
   */
  /** `METHOD status` of every HTTP call one TableClient makes. */
  function recordStatuses(table: TableClient): string[] {
    const calls: string[] = [];
    table.pipeline.addPolicy({
      name: 'record-statuses',
      sendRequest: async (request, next) => {
        try {
          const response = await next(request);
          calls.push(`${request.method} ${response.status}`);
          return response;
        } catch (err) {
          // A policy after this one turned an error status into a RestError.
          calls.push(`${request.method} ${(err as { statusCode?: number }).statusCode}`);
          throw err;
        }
      },
    });
    return calls;
  }

  function recordCalls(table: TableClient): { method: string; filter?: string }[] {
    const calls: { method: string; filter?: string }[] = [];
    table.pipeline.addPolicy({
      name: 'record-calls',
      sendRequest: (request, next) => {
        calls.push({ method: request.method, filter: new URL(request.url).searchParams.get('$filter') ?? undefined });
        return next(request);
      },
    });
    return calls;
  }

  test('dialog purge without a scan: partition-range reads of the expiry index, work proportional to what expired', async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('dialogs');
    const dialogs = new TablesDialogStore(table);
    const at = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * 1000);
    // Many live dialogs, a few expired ones.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        dialogs.put({ key: `19:c|live-${i}`, state: {}, expiresAt: at(600).toISOString() }),
      ),
    );
    for (const i of [1, 2, 3]) await dialogs.put({ key: `19:c|old-${i}`, state: {}, expiresAt: at(i).toISOString() });
    const calls = recordCalls(table);
    expect(await dialogs.purgeExpired(at(10))).toBe(3);
    const queries = calls.filter((c) => c.filter !== undefined);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q.filter).toMatch(/^PartitionKey eq 'x\|expiry' and RowKey l[te] /);
    // One index query, then per expired record: read, delete, delete its index row.
    expect(calls.length).toBeLessThanOrEqual(1 + 3 * 3);
    expect(await dialogs.get('19:c|live-7', at(10))).toBeDefined();
  });

  test('redelivery sightings are forgotten without a scan: the expiry index is read up to now only', async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('abuse');
    const abuse = new TablesAbuseLedger(table);
    const at = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * 1000);
    for (const i of [1, 2]) expect(await abuse.firstSighting(`act-old-${i}`, at(i), 60_000)).toBe(true);
    await Promise.all(Array.from({ length: 60 }, (_, i) => abuse.firstSighting(`act-new-${i}`, at(100), 60_000)));
    await abuse.hit('user-1', at(100), 60_000);
    const calls = recordCalls(table);
    expect(await abuse.forgetExpiredSightings(at(100))).toBe(2);
    const queries = calls.filter((c) => c.filter !== undefined);
    // The expiry index, then the earlier release's time index (a day back), each a key range.
    expect(queries.map((q) => q.filter!.split(' and ')[0])).toEqual([
      "PartitionKey eq 'x|sighting-ends'",
      "PartitionKey eq 'x|sightings'",
    ]);
    for (const q of queries) expect(q.filter).toMatch(/ and RowKey l[te] /);
    expect(calls.length).toBeLessThanOrEqual(2 + 2 * 3);
    // The rows are gone from the table, not only hidden.
    await expect(table.getEntity(`s|act-old-1`, '')).rejects.toMatchObject({ statusCode: 404 });
    expect(await abuse.firstSighting('act-new-5', at(110), 60_000)).toBe(false);
  });

  test("an earlier release's sightings (no expiry, seen-time index) are kept a day, then forgotten", async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('abuse');
    const abuse = new TablesAbuseLedger(table);
    const seenAt = Date.parse('2025-01-15T09:00:00.000Z');
    // As that release wrote them: the index by the time seen, the sighting without `expiresAtMs`.
    await table.createEntity({ partitionKey: 'x|sightings', rowKey: `${String(seenAt).padStart(15, '0')}|act-legacy` });
    await table.createEntity({ partitionKey: 's|act-legacy', rowKey: '', seenAtMs: seenAt, claim: 'old' });
    const DAY = 86_400_000;
    expect(await abuse.forgetExpiredSightings(new Date(seenAt + DAY - 1))).toBe(0);
    expect(await abuse.firstSighting('act-legacy', new Date(seenAt + 60_000), DAY)).toBe(false);
    expect(await abuse.forgetExpiredSightings(new Date(seenAt + DAY))).toBe(1);
    await expect(table.getEntity('s|act-legacy', '')).rejects.toMatchObject({ statusCode: 404 });
  });

  test('one instance appending: every append after the first is one request (the head it wrote last saves a read)', async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('audit');
    const log = new TablesAuditLog(table, new FakeClock());
    await log.append(auditEvent(1));
    const calls = recordCalls(table);
    for (const i of [2, 3, 4]) await log.append(auditEvent(i));
    // Three entity-group transactions, no read of the head.
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST', 'POST']);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
  });

  test('leases: a new key is one create and a release one replace; another instance still reads before deciding, and stale holders are fenced', async () => {
    const prefix = world.azurite.freshPrefix();
    let nowMs = AT.getTime();
    const now = () => new Date(nowMs);
    const tableA = await openTablesAccount(conn(), prefix).table('leases');
    const tableB = await openTablesAccount(conn(), prefix).table('leases');
    const a = new TablesLeaseStore(tableA, now);
    const b = new TablesLeaseStore(tableB, now);
    const callsA = recordStatuses(tableA);
    const callsB = recordStatuses(tableB);
    const first = await a.acquire('exec:R-1', 'A', 30_000);
    expect(first).toMatchObject({ owner: 'A', fence: 1 });
    await a.release(first!);
    // No read before either write: the key is new, then the row is the one A wrote.
    expect(callsA.splice(0)).toEqual(['POST 204', 'PUT 204']);
    const second = await a.acquire('exec:R-1', 'A', 30_000);
    expect(second).toMatchObject({ fence: 2 });
    expect(callsA.splice(0)).toEqual(['PUT 204']);
    // B has no memory of the row: its blind create meets A's row, and it reads before refusing.
    await expect(b.acquire('exec:R-1', 'B', 30_000)).resolves.toBeUndefined();
    expect(callsB.splice(0)).toEqual(['POST 409', 'GET 200']);
    nowMs += 31_000;
    const taken = await b.acquire('exec:R-1', 'B', 30_000);
    expect(taken).toMatchObject({ owner: 'B', fence: 3 });
    expect(callsB.splice(0)).toEqual(['POST 409', 'GET 200', 'PUT 204']);
    // A's lease lapsed by the row A remembers: its renew decides on a fresh read (B's row) and
    // forgets the row, so the release that follows reads first too. Neither writes B's row.
    await expect(a.renew(second!, 30_000)).rejects.toBeInstanceOf(LeaseLostError);
    await a.release(second!);
    expect(callsA.splice(0)).toEqual(['GET 200', 'GET 200']);
    // B's lease is untouched, and A cannot take it back while it holds.
    await expect(a.acquire('exec:R-1', 'A', 30_000)).resolves.toBeUndefined();
    await expect(b.renew(taken!, 30_000)).resolves.toMatchObject({ owner: 'B', fence: 3 });
    expect(callsB.splice(0)).toEqual(['PUT 204']);
    // Renewed meanwhile through another client (another renewal in flight): B's remembered ETag
    // is stale, so its renew fails with 412, finds the row still its own on a fresh read, and renews.
    await new TablesLeaseStore(tableB, now).renew(taken!, 30_000);
    callsB.splice(0);
    await expect(b.renew(taken!, 30_000)).resolves.toMatchObject({ owner: 'B', fence: 3 });
    expect(callsB.splice(0)).toEqual(['PUT 412', 'GET 200', 'PUT 204']);
  });

  test('appends made while one is in flight share the next transaction: the same chain, in call order, fewer requests', async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('audit');
    const log = new TablesAuditLog(table, new FakeClock());
    await log.append(auditEvent(1));
    const calls = recordCalls(table);
    // All 39 are queued before the first commit starts: 32 (the most one transaction takes), then 7.
    const first = log.append(auditEvent(2));
    const rest = Array.from({ length: 38 }, (_, i) => log.append(auditEvent(i + 3)));
    const entries = await Promise.all([first, ...rest]);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 39 }, (_, i) => i + 2));
    expect(entries.map((e) => e.detail)).toEqual(Array.from({ length: 39 }, (_, i) => `event ${i + 2}`));
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST']);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 40 });
    expect((await log.forRequest('req-17')).map((e) => e.seq)).toEqual([17]);
    expect((await log.latest(3)).map((e) => e.seq)).toEqual([38, 39, 40]);
  });

  test('an entry added past the chain head (not by acrbot, which writes an entry with its head) is BROKEN, not intact', async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('audit');
    const log = new TablesAuditLog(table, new FakeClock());
    for (const i of [1, 2, 3]) await log.append(auditEvent(i));
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
    const [newest] = await log.latest(1);
    const forged = { ...newest, seq: 4, action: 'request.approved', prevHash: newest.hash };
    await table.createEntity({ partitionKey: 'audit', rowKey: 'e|000000000004', ...docProperties(forged) });
    await expect(log.verify()).resolves.toMatchObject({
      intact: false,
      brokenAtSeq: 4,
      problem: expect.stringContaining('past the chain head'),
    });
  });

  test('an entry that cannot be stored fails only its own append when it shares a transaction', async () => {
    const table = await openTablesAccount(conn(), world.azurite.freshPrefix()).table('audit');
    const log = new TablesAuditLog(table, new FakeClock());
    await log.append(auditEvent(1));
    // Over the 30 properties × 30,000 characters a document may use: refused before anything is sent.
    const huge = auditEvent(3, { targetIds: ['x'.repeat(950_000)] });
    const results = await Promise.allSettled([log.append(auditEvent(2)), log.append(huge), log.append(auditEvent(4))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/too large/);
    expect(results.flatMap((r) => (r.status === 'fulfilled' ? [[r.value.seq, r.value.detail]] : []))).toEqual([
      [2, 'event 2'],
      [3, 'event 4'],
    ]);
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
  });

  test('a job put that races another instance deleting it (after its read) is written, as on SQLite', async () => {
    const prefix = world.azurite.freshPrefix();
    const tableA = await openTablesAccount(conn(), prefix).table('schedule');
    const a = new TablesScheduleStore(tableA);
    const b = new TablesScheduleStore(await openTablesAccount(conn(), prefix).table('schedule'));
    const job = {
      id: 'access.expire:R-1',
      kind: 'access.expire' as const,
      dueAt: '2025-01-15T10:00:00.000Z',
      attempts: 0,
    };
    await b.put(job);
    // a never saw the job: its blind create meets it, it reads it, and b deletes it right then.
    let raced = false;
    tableA.pipeline.addPolicy({
      name: 'delete-after-read',
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (!raced && request.method === 'GET') {
          raced = true;
          await b.delete(job.id);
        }
        return response;
      },
    });
    await a.put({ ...job, dueAt: '2025-01-15T11:00:00.000Z' });
    expect(raced).toBe(true);
    expect((await b.get(job.id))?.dueAt).toBe('2025-01-15T11:00:00.000Z');
  });

  test('scheduling a new job is one request; moving a job this instance wrote is one; another instance reads it first, and a stale memory is read again', async () => {
    const prefix = world.azurite.freshPrefix();
    const tableA = await openTablesAccount(conn(), prefix).table('schedule');
    const tableB = await openTablesAccount(conn(), prefix).table('schedule');
    const a = new TablesScheduleStore(tableA);
    const b = new TablesScheduleStore(tableB);
    const job = (dueAt: string, requestId = 'R-1') => ({
      id: 'access.expire:R-1',
      kind: 'access.expire' as const,
      dueAt,
      requestId,
      attempts: 0,
    });
    const callsA = recordStatuses(tableA);
    const callsB = recordStatuses(tableB);
    await a.put(job('2025-01-15T10:00:00.000Z'));
    expect(callsA.splice(0)).toEqual(['POST 202']);
    // a wrote the row: straight to the transaction conditional on its ETag, old index rows removed.
    await a.put(job('2025-01-15T11:00:00.000Z'));
    expect(callsA.splice(0)).toEqual(['POST 202']);
    // b never saw it: its blind create fails as a whole (409 in the sub-response; the $batch
    // itself answers 202), then a read and the replacing transaction.
    await b.put(job('2025-01-15T12:00:00.000Z', 'R-2'));
    expect(callsB.splice(0)).toEqual(['POST 202', 'GET 200', 'POST 202']);
    // a's memory is stale now: its transaction fails as a whole (412) and it reads before writing.
    await a.put(job('2025-01-15T13:00:00.000Z'));
    expect(callsA.splice(0)).toEqual(['POST 202', 'GET 200', 'POST 202']);
    expect(await b.due(new Date('2025-01-15T12:30:00.000Z'), 10)).toEqual([]);
    expect((await b.due(new Date('2025-01-15T13:00:00.000Z'), 10)).map((j) => j.dueAt)).toEqual([
      '2025-01-15T13:00:00.000Z',
    ]);
    expect((await b.forRequest('R-1')).map((j) => j.id)).toEqual(['access.expire:R-1']);
    expect(await b.forRequest('R-2')).toEqual([]);
    // Exactly the three rows of the last version are left.
    const rows: string[] = [];
    for await (const e of tableB.listEntities()) rows.push(e.rowKey!);
    expect(rows.sort()).toEqual([
      'd|2025-01-15T13:00:00.000Z|access.expire:R-1',
      'j|access.expire:R-1',
      'r|R-1|access.expire:R-1',
    ]);
  });

  test('schedule conditional writes: after the run’s read, a retry is one transaction and a done job one transaction and a delete; another instance’s write in between is kept', async () => {
    const prefix = world.azurite.freshPrefix();
    const tableA = await openTablesAccount(conn(), prefix).table('schedule');
    const tableB = await openTablesAccount(conn(), prefix).table('schedule');
    const a = new TablesScheduleStore(tableA);
    const b = new TablesScheduleStore(tableB);
    const job = {
      id: 'access.expire:R-1',
      kind: 'access.expire' as const,
      dueAt: '2025-01-15T10:00:00.000Z',
      requestId: 'R-1',
      attempts: 0,
    };
    const rows = async () => {
      const keys: string[] = [];
      for await (const e of tableB.listEntities()) keys.push(e.rowKey!);
      return keys.sort();
    };
    const callsA = recordStatuses(tableA);
    await b.put(job);
    // The scheduler's read under the job's lease; its failure written back on that ETag.
    const read = (await a.get(job.id))!;
    expect(await a.putIfUnchanged({ ...read, attempts: 1, dueAt: '2025-01-15T10:00:30.000Z' }, read.revision!)).toBe(
      true,
    );
    const retried = (await a.get(job.id))!;
    callsA.splice(0);
    // The next attempt succeeds: the job goes in one transaction (job row to a marker, index rows
    // deleted) and the marker's delete; no read.
    expect(await a.deleteIfUnchanged(job.id, retried.revision!)).toBe(true);
    expect(callsA.splice(0)).toEqual(['POST 202', 'DELETE 204']);
    expect(await rows()).toEqual([]);

    // b writes the job (a revoke, same due time) after a read it: a's delete and its retry write nothing.
    await b.put(job);
    const stale = (await a.get(job.id))!;
    await b.put({ ...job, payload: { reason: 'left the team' } });
    callsA.splice(0);
    expect(await a.deleteIfUnchanged(job.id, stale.revision!)).toBe(false);
    // The remembered ETag is stale: the transaction is refused as a whole, a read decides.
    expect(callsA.splice(0)).toEqual(['POST 202', 'GET 200']);
    expect(await a.putIfUnchanged({ ...stale, attempts: 1 }, stale.revision!)).toBe(false);
    expect(await b.get(job.id)).toMatchObject({ payload: { reason: 'left the team' }, attempts: 0 });
    expect((await b.due(new Date(job.dueAt), 10)).map((j) => j.payload)).toEqual([{ reason: 'left the team' }]);
    expect((await b.forRequest('R-1')).map((j) => j.id)).toEqual([job.id]);
    expect(await rows()).toEqual([
      'd|2025-01-15T10:00:00.000Z|access.expire:R-1',
      'j|access.expire:R-1',
      'r|R-1|access.expire:R-1',
    ]);
  });

  test('a removed job’s marker left behind (its delete failed) is no job: not due, not listed, replaced by a put, removed by a delete', async () => {
    const prefix = world.azurite.freshPrefix();
    const tableA = await openTablesAccount(conn(), prefix).table('schedule');
    const a = new TablesScheduleStore(tableA);
    const b = new TablesScheduleStore(await openTablesAccount(conn(), prefix).table('schedule'));
    const job = {
      id: 'access.remind:R-1',
      kind: 'access.remind' as const,
      dueAt: '2025-01-15T10:00:00.000Z',
      requestId: 'R-1',
      attempts: 0,
    };
    let failDelete = true;
    tableA.pipeline.addPolicy({
      name: 'lose-the-marker-delete',
      sendRequest: async (request, next) => {
        if (failDelete && request.method === 'DELETE') {
          failDelete = false;
          throw new Error('connection reset');
        }
        return next(request);
      },
    });
    await a.put(job);
    const read = (await a.get(job.id))!;
    await expect(a.deleteIfUnchanged(job.id, read.revision!)).rejects.toThrow(/connection reset/);
    const marker = await tableA.getEntity('schedule', `j|${job.id}`);
    expect(marker.removed).toBe(true);
    for (const store of [a, b]) {
      expect(await store.get(job.id)).toBeUndefined();
      expect(await store.due(new Date('2025-01-16T00:00:00.000Z'), 10)).toEqual([]);
      expect(await store.forRequest('R-1')).toEqual([]);
      expect(await store.deleteIfUnchanged(job.id, read.revision!)).toBe(false);
      expect(await store.putIfUnchanged(job, read.revision!)).toBe(false);
    }
    // Scheduled again (b never saw it: its blind create meets the marker, reads and replaces it).
    await b.put({ ...job, dueAt: '2025-01-15T11:00:00.000Z' });
    expect((await a.due(new Date('2025-01-15T11:00:00.000Z'), 10)).map((j) => j.dueAt)).toEqual([
      '2025-01-15T11:00:00.000Z',
    ]);
    expect((await a.forRequest('R-1')).map((j) => j.id)).toEqual([job.id]);
    // And a marker is removed by a plain delete.
    const again = (await a.get(job.id))!;
    failDelete = true;
    await expect(a.deleteIfUnchanged(job.id, again.revision!)).rejects.toThrow(/connection reset/);
    await b.delete(job.id);
    await expect(tableA.getEntity('schedule', `j|${job.id}`)).rejects.toMatchObject({ statusCode: 404 });
  });

  test('rate windows: a hit after this instance’s own is one write; another instance’s hit in between costs a 412 and a read, and every hit counts', async () => {
    const prefix = world.azurite.freshPrefix();
    const tableA = await openTablesAccount(conn(), prefix).table('abuse');
    const tableB = await openTablesAccount(conn(), prefix).table('abuse');
    const a = new TablesAbuseLedger(tableA);
    const b = new TablesAbuseLedger(tableB);
    const callsA = recordStatuses(tableA);
    await expect(a.hit('user:1', AT, 60_000)).resolves.toBe(1);
    expect(callsA.splice(0)).toEqual(['GET 404', 'POST 204']);
    await expect(a.hit('user:1', AT, 60_000)).resolves.toBe(2);
    expect(callsA.splice(0)).toEqual(['PUT 204']);
    await expect(b.hit('user:1', AT, 60_000)).resolves.toBe(3);
    await expect(a.hit('user:1', AT, 60_000)).resolves.toBe(4);
    expect(callsA.splice(0)).toEqual(['PUT 412', 'GET 200', 'PUT 204']);
    // The next window starts again at 1, still one write.
    await expect(a.hit('user:1', new Date(AT.getTime() + 60_000), 60_000)).resolves.toBe(1);
    expect(callsA.splice(0)).toEqual(['PUT 204']);
  });

  test('rate windows: a burst of one user’s hits in one instance is counted once each without racing itself (no 412)', async () => {
    const prefix = world.azurite.freshPrefix();
    const table = await openTablesAccount(conn(), prefix).table('abuse');
    const ledger = new TablesAbuseLedger(table);
    const calls = recordStatuses(table);
    const counts = await Promise.all(Array.from({ length: 20 }, () => ledger.hit('user:burst', AT, 60_000)));
    expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The first hit creates the row; the 19 that waited behind it are one If-Match write.
    expect(calls).toEqual(['GET 404', 'POST 204', 'PUT 204']);
    const row = await table.getEntity('w|user:burst', '');
    expect(row.count).toBe(20);
  });

  test('two audit logs on one table (two instances) interleave appends into one gap-free chain', async () => {
    const prefix = world.azurite.freshPrefix();
    const clock = new FakeClock();
    const a = (await tablesStores(conn(), clock, prefix)).audit;
    const b = (await tablesStores(conn(), clock, prefix)).audit;
    const entries = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).append(auditEvent(i + 1))));
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await expect(a.verify()).resolves.toEqual({ intact: true, count: 60 });
  });

  test('an entry whose chunk count was edited (10^12) is named broken at once, not read for weeks', async () => {
    const prefix = world.azurite.freshPrefix();
    const stores = await tablesStores(conn(), new FakeClock(), prefix);
    for (let i = 1; i <= 3; i++) await stores.audit.append(auditEvent(i));
    const table = await openTablesAccount(conn(), prefix).table('audit');
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'e|000000000002', docChunks: 1e12 }, 'Merge');
    await expect(stores.audit.verify()).resolves.toMatchObject({ intact: false, brokenAtSeq: 2 });
  });

  test('keyed chain on Tables: an entity rewritten through the Table API with re-computed hashes is named by its MAC', async () => {
    const key = Buffer.alloc(32, 3);
    const prefix = world.azurite.freshPrefix();
    const clock = new FakeClock();
    const stores = await tablesStores(conn(), clock, prefix, key);
    for (let i = 1; i <= 3; i++) await stores.audit.append(auditEvent(i));
    await expect(stores.audit.verify()).resolves.toEqual({ intact: true, count: 3 });
    // The attacker has the account key, not the audit key: edits entry 2, re-hashes 2 and 3 and the head.
    const table = await openTablesAccount(conn(), prefix).table('audit');
    const read = async (seq: number) =>
      JSON.parse(String((await table.getEntity('audit', `e|${String(seq).padStart(12, '0')}`)).doc0)) as AuditEntry;
    let prev = (await read(1)).hash;
    for (const seq of [2, 3]) {
      const { hash: _h, ...rest } = await read(seq);
      const body = { ...rest, prevHash: prev, ...(seq === 2 ? { outcome: 'granted' } : {}) };
      const forged = { ...body, hash: hashEntry(body) };
      prev = forged.hash;
      await table.updateEntity(
        {
          partitionKey: 'audit',
          rowKey: `e|${String(seq).padStart(12, '0')}`,
          doc0: JSON.stringify(forged),
          docChunks: 1,
        },
        'Replace',
      );
    }
    await table.updateEntity({ partitionKey: 'audit', rowKey: 'head', seq: 3, hash: prev }, 'Replace');
    await expect(new TablesAuditLog(table, clock).verify()).resolves.toEqual({ intact: true, count: 3 });
    await expect(stores.audit.verify()).resolves.toMatchObject({ intact: false, brokenAtSeq: 2 });
  });

  test('npm run audit:verify / audit:export read the Tables store (ACRBOT_STORAGE=tables:…) and name a broken entry', async () => {
    const prefix = world.azurite.freshPrefix();
    const clock = new FakeClock();
    const stores = await tablesStores(conn(), clock, prefix);
    for (let i = 1; i <= 3; i++) await stores.audit.append(auditEvent(i, i === 2 ? { requestId: 'R-AAAAAAAA' } : {}));
    const env = { ACRBOT_STORAGE: `tables:${world.azurite.connectionString}`, ACRBOT_TABLE_PREFIX: prefix };
    const ok = await auditCli(env, 'verify');
    expect(ok).toMatchObject({ code: 0, stdout: 'intact, 3 entries\n' });
    expect(ok.stderr).not.toContain(DEV_KEY);
    const exported = await auditCli(env, 'export', '--format', 'jsonl', '--request', 'R-AAAAAAAA');
    expect(exported.code).toBe(0);
    expect(
      exported.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as AuditEntry).seq),
    ).toEqual([2]);
    const table = await openTablesAccount(conn(), prefix).table('audit');
    const row = await table.getEntity<Record<string, unknown>>('audit', 'e|000000000002');
    await table.updateEntity(
      {
        partitionKey: 'audit',
        rowKey: 'e|000000000002',
        docChunks: 1,
        doc0: String(row.doc0).replace('pending', 'granted'),
      },
      'Replace',
    );
    expect(await auditCli(env, 'verify')).toMatchObject({
      code: 1,
      stdout: 'BROKEN at seq 2: content does not match its hash (the entry was modified)\n',
    });
    expect(await auditCli({ ...env, ACRBOT_TABLE_PREFIX: 'nosuchprefix' }, 'verify')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no audit table nosuchprefixaudit'),
    });
  });
});

async function auditCli(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'scripts/run-ts.js'), join(ROOT, 'scripts/audit-cli.ts'), ...args],
      { cwd: emptyWorkDir(), env: { PATH: process.env.PATH, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
