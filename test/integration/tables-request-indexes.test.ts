/**
 * The Tables request store's index rows on Azurite: requests written by older versions (no
 * `t|`/`u|` rows, or `t|` keyed by id only) get theirs from the backfill on open, safely with two
 * instances opening at once and resumed after a start that died; a normal start reads one row;
 * `listByTarget` reads only the requests in the states asked for, and the request decides.
 */
import { createHttpHeaders, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import { createHash } from 'node:crypto';
import { VersionConflictError } from '../../src/domain/ports';
import { type AccessRequest, transition } from '../../src/domain/request';
import { tablesStores } from '../../src/integrations/store/open-stores';
import {
  docProperties,
  keyPart,
  listAll,
  openTablesAccount,
  prefixFilter,
} from '../../src/integrations/store/tables-client';
import { backfillIndexes, LAYOUT, LAYOUT_MARKER, PK } from '../../src/integrations/store/tables-request-indexes';
import { TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';
import { APPROVER, CLUSTER_ID, pendingRequest, REGISTRY_ID, REQUESTER } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();
const AT = new Date('2025-01-15T10:00:00.000Z');

async function table(prefix = world.azurite.freshPrefix()): Promise<TableClient> {
  return openTablesAccount(world.conn(), prefix).table('requests');
}

const request = (n: number, overrides: Partial<AccessRequest> = {}): AccessRequest =>
  pendingRequest({
    id: `R-OLD${String(n).padStart(4, '0')}`,
    createdAt: new Date(Date.parse('2025-01-10T09:00:00.000Z') + n * 60_000).toISOString(),
    ...overrides,
  });

/** SHA-256 hex of an ARM id lower-cased: how layout 4 names a cluster or registry in `t|` keys. */
const digest = (armId: string) => createHash('sha256').update(armId.toLowerCase()).digest('hex');

/**
 * A request as an older version wrote it: the request row and its `s|` row (layout 1, before
 * 0d6f1e8), plus a `t|` row keyed by id and the `u|` row with `layout: 2` (before LAYOUT 3), or
 * the `t|` row keyed by state with both ids escaped in full with `layout: 3` (before LAYOUT 4).
 */
async function writeOld(t: TableClient, r: AccessRequest, layout: 1 | 2 | 3 = 1): Promise<void> {
  const key = (s: string) => keyPart(s);
  await t.createEntity({
    partitionKey: PK,
    rowKey: `r|${key(r.id)}`,
    version: r.version,
    state: r.state,
    ...docProperties(r),
  });
  await t.createEntity({ partitionKey: PK, rowKey: `s|${r.state}|${key(r.createdAt)}|${key(r.id)}`, id: r.id });
  if (layout === 1) return;
  const pair = `t|${key(r.plan.registry.id.toLowerCase())}|${key(r.plan.cluster.id.toLowerCase())}`;
  const tail = `${key(r.createdAt)}|${key(r.id)}`;
  if (layout === 3)
    await t.createEntity({ partitionKey: PK, rowKey: `${pair}|${r.state}|${tail}`, id: r.id, createdAt: r.createdAt });
  else await t.createEntity({ partitionKey: PK, rowKey: `${pair}|${key(r.id)}`, id: r.id });
  const user = `u|${key(r.requester.objectId.toLowerCase())}|${r.state}|${key(r.createdAt)}|${key(r.id)}`;
  await t.createEntity({ partitionKey: PK, rowKey: user, id: r.id, createdAt: r.createdAt });
}

/** The `t|` and `u|` row keys stored for request `id`. */
async function indexKeys(t: TableClient, id: string): Promise<string[]> {
  const rows = await listAll(t, `PartitionKey eq '${PK}' and id eq '${id}'`, ['RowKey']);
  return rows.map((r) => r.rowKey!).filter((k) => /^[tu]\|/.test(k));
}

/** Method and `$filter` of every request the client sends from now on. */
function recordCalls(t: TableClient): string[] {
  const calls: string[] = [];
  t.pipeline.addPolicy({
    name: `record-calls-${Math.random()}`,
    sendRequest: (req, next) => {
      const filter = new URL(req.url).searchParams.get('$filter');
      calls.push(filter ? `query ${filter}` : req.method);
      return next(req);
    },
  });
  return calls;
}

const ids = (rs: AccessRequest[]) => rs.map((r) => r.id);

/** Runs `action` once, after the first query of `t` with `filter` was answered; says whether it ran. */
function afterQuery(t: TableClient, filter: string, action: () => Promise<unknown>): { ran: boolean } {
  const state = { ran: false };
  t.pipeline.addPolicy({
    name: `after-query-${Math.random()}`,
    sendRequest: async (req, next) => {
      const response = await next(req);
      if (!state.ran && new URL(req.url).searchParams.get('$filter') === filter) {
        state.ran = true;
        await action();
      }
      return response;
    },
  });
  return state;
}

/** Two stores on one fresh table: `store` under test, `other` writing as another instance would. */
async function twoInstances(): Promise<{ t: TableClient; store: TablesRequestStore; other: TablesRequestStore }> {
  const prefix = world.azurite.freshPrefix();
  const t = await table(prefix);
  return { t, store: new TablesRequestStore(t), other: new TablesRequestStore(await table(prefix)) };
}

describe('Tables request index rows: backfill of requests written by older versions', () => {
  test('after open, old-layout requests transition in one transaction and every list finds them', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await table(prefix);
    const pending = request(1);
    const granted = request(2, { state: 'succeeded', version: 4 });
    const grantedV2 = request(3, { state: 'succeeded', version: 4 });
    const revokedV2 = request(4, { state: 'revoked', version: 5 });
    await writeOld(t, pending);
    await writeOld(t, granted);
    await writeOld(t, grantedV2, 2);
    await writeOld(t, revokedV2, 2);
    // What an older store sees: the requests without t|/u| rows are not in the lists.
    const before = new TablesRequestStore(t);
    expect(ids(await before.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded']))).toEqual([]);
    expect(ids(await before.listByRequester(REQUESTER.objectId, ['pending']))).toEqual([]);

    const store = (await tablesStores(world.conn(), new FakeClock(), prefix)).requests;
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded']))).toEqual([granted.id, grantedV2.id]);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['revoked']))).toEqual([revokedV2.id]);
    expect(ids(await store.listByRequester(REQUESTER.objectId, ['pending']))).toEqual([pending.id]);
    await expect(store.countByRequester(REQUESTER.objectId, ['pending'], 10)).resolves.toBe(1);
    // The id-keyed t| row of layout 2 is gone; each request has exactly its two rows.
    expect((await indexKeys(t, grantedV2.id)).sort()).toEqual([
      `t|${digest(REGISTRY_ID)}|${digest(CLUSTER_ID)}|succeeded|${keyPart(grantedV2.createdAt)}|${grantedV2.id}`,
      `u|${REQUESTER.objectId}|succeeded|${keyPart(grantedV2.createdAt)}|${grantedV2.id}`,
    ]);

    // The transition is one transaction: the index rows it moves are there (no 404, no repair).
    // (on a store of its own client, to count its requests after the read)
    const counted = new TablesRequestStore(t);
    const read = (await counted.get(pending.id))!;
    const calls = recordCalls(t);
    await counted.update(transition(read, { type: 'approve', by: APPROVER, at: AT }));
    expect(calls).toEqual(['POST']);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['approved']))).toEqual([pending.id]);
    expect(ids(await store.listByRequester(REQUESTER.objectId, ['pending']))).toEqual([]);
    const revoked = transition((await store.get(granted.id))!, { type: 'revoke', by: APPROVER, at: AT });
    await store.update(revoked);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded']))).toEqual([grantedV2.id]);
  });

  test('two instances opening at once: each request repaired by exactly one transaction, one marker', async () => {
    const prefix = world.azurite.freshPrefix();
    const [a, b] = [await table(prefix), await table(prefix)];
    const all = Array.from({ length: 30 }, (_, i) => request(i, { state: i % 3 ? 'succeeded' : 'pending' }));
    for (const [i, r] of all.entries()) await writeOld(a, r, i % 2 ? 1 : 2);
    const reports = await Promise.all([backfillIndexes(a, { concurrency: 4 }), backfillIndexes(b, { concurrency: 4 })]);
    expect(reports.map((r) => r.requests)).toEqual([30, 30]);
    // Creates and deletes are conditional: a request the other instance repaired first fails
    // this one's transaction, is read again and found intact.
    expect(reports[0].repaired + reports[1].repaired).toBe(30);
    for (const r of all) expect(await indexKeys(a, r.id)).toHaveLength(2);
    const store = new TablesRequestStore(b);
    const succeeded = all.filter((r) => r.state === 'succeeded').map((r) => r.id);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded'], 100))).toEqual(succeeded);
    await expect(store.countByRequester(REQUESTER.objectId, ['pending'], 100)).resolves.toBe(10);
    expect((await a.getEntity(PK, LAYOUT_MARKER)).layout).toBe(LAYOUT);
  });

  test('a request an older instance moves while the backfill repairs it gets the rows of its new state', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await table(prefix);
    const r = request(1);
    await writeOld(t, r);
    const approved = transition(r, { type: 'approve', by: APPROVER, at: AT });
    const older = await table(prefix);
    let moved = false;
    t.pipeline.addPolicy({
      name: 'older-instance-moves-first',
      sendRequest: async (req, next) => {
        if (req.method === 'POST' && !moved) {
          moved = true;
          // What an older version's transition writes: the request and its s| row, no t|/u|.
          await older.updateEntity(
            { partitionKey: PK, rowKey: `r|${r.id}`, version: 2, state: 'approved', ...docProperties(approved) },
            'Replace',
          );
          await older.deleteEntity(PK, `s|pending|${keyPart(r.createdAt)}|${r.id}`);
          await older.createEntity({
            partitionKey: PK,
            rowKey: `s|approved|${keyPart(r.createdAt)}|${r.id}`,
            id: r.id,
          });
        }
        return next(req);
      },
    });
    await expect(backfillIndexes(t)).resolves.toMatchObject({ requests: 1, repaired: 1 });
    expect(moved).toBe(true);
    // The repair read at 'pending' failed on the moved state row and was made again at 'approved'.
    const keys = await indexKeys(t, r.id);
    expect(keys.map((k) => k.slice(0, 2)).sort()).toEqual(['t|', 'u|']);
    for (const key of keys) expect(key).toContain('|approved|');
    const store = new TablesRequestStore(t);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['approved']))).toEqual([r.id]);
    await store.update(transition(approved, { type: 'start', at: AT }));
    expect(ids(await store.listByRequester(REQUESTER.objectId, ['executing']))).toEqual([r.id]);
  });

  test('a normal start reads the marker only: no scan of the requests, and nothing to report', async () => {
    const t = await table();
    await writeOld(t, request(1));
    const progress: string[] = [];
    await expect(backfillIndexes(t, { onProgress: (m) => progress.push(m) })).resolves.toEqual({
      scanned: true,
      requests: 1,
      repaired: 1,
    });
    expect(progress).toEqual([
      expect.stringMatching(/^request index backfill \(layout \d+\): reading the index rows, then every request/),
      'request index backfill: s| index rows read (1 request so far)',
      'request index backfill: t| index rows read (1 request so far)',
      'request index backfill: u| index rows read (1 request so far)',
      'request index backfill: n| index rows read (1 request so far)',
      'request index backfill done: 1 request read, 1 repaired',
    ]);
    const calls = recordCalls(t);
    progress.length = 0;
    await TablesRequestStore.open(t, undefined, (m) => progress.push(m));
    expect(calls).toEqual(['GET']);
    expect(progress).toEqual([]);
    await expect(backfillIndexes(t)).resolves.toEqual({ scanned: false, requests: 0, repaired: 0 });
  });

  test('a long scan says how far it got, page by page when asked, and how many it left', async () => {
    const t = await table();
    for (let n = 1; n <= 3; n++) await writeOld(t, request(n));
    // The service pages after 2 rows here, as it pages after 1,000 in production.
    t.pipeline.addPolicy({
      name: 'two-per-page',
      sendRequest: (req, next) => {
        const url = new URL(req.url);
        if (url.searchParams.get('$filter')?.includes("'r|'")) url.searchParams.set('$top', '2');
        req.url = url.toString();
        return next(req);
      },
    });
    const progress: string[] = [];
    await backfillIndexes(t, { onProgress: (m) => progress.push(m), progressEveryMs: 0 });
    expect(progress.slice(5)).toEqual([
      'request index backfill: 2 requests read, 2 repaired so far',
      'request index backfill: 3 requests read, 3 repaired so far',
      'request index backfill done: 3 requests read, 3 repaired',
    ]);
  });

  test('a request the service refuses to repair does not stop the others or the start: reported, no marker, repaired by the next start', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await table(prefix);
    const all = Array.from({ length: 12 }, (_, i) => request(i));
    for (const r of all) await writeOld(t, r);
    // The fifth transaction is refused by the service (not a race).
    const refusing = await table(prefix);
    let batches = 0;
    refusing.pipeline.addPolicy(
      {
        name: 'refuse-fifth-batch',
        sendRequest: async (req, next): Promise<PipelineResponse> => {
          if (req.method !== 'POST' || ++batches !== 5) return next(req);
          return { request: req, status: 400, headers: createHttpHeaders({ 'x-ms-error-code': 'InvalidInput' }) };
        },
      },
      { afterPhase: 'Retry' },
    );
    const problems: Error[] = [];
    const progress: string[] = [];
    const store = await TablesRequestStore.open(
      refusing,
      (err) => problems.push(err),
      (m) => progress.push(m),
    );
    expect(progress.at(-1)).toBe(
      'request index backfill done: 12 requests read, 11 repaired, 1 not repaired (see the error logged next)',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^1 request\(s\) kept their old index rows \(R-OLD\d{4}\)/);
    expect(problems[0].cause).toMatchObject({ statusCode: 400 });
    await expect(t.getEntity(PK, LAYOUT_MARKER)).rejects.toMatchObject({ statusCode: 404 });
    const done = (await Promise.all(all.map((r) => indexKeys(t, r.id)))).filter((k) => k.length === 2);
    expect(done).toHaveLength(11);
    expect(await store.listByRequester(REQUESTER.objectId, ['pending'], 100)).toHaveLength(11);
    // The next start repairs the one left and writes the marker.
    await expect(backfillIndexes(t)).resolves.toEqual({ scanned: true, requests: 12, repaired: 1 });
    await expect(t.getEntity(PK, LAYOUT_MARKER)).resolves.toMatchObject({ layout: LAYOUT });
    expect(ids(await store.listByRequester(REQUESTER.objectId, ['pending'], 100))).toEqual(all.map((r) => r.id));
  });

  test('a damaged request (no state row) is reported and skipped; the others are repaired', async () => {
    const t = await table();
    const [damaged, fine] = [request(20), request(21)];
    await writeOld(t, damaged);
    await writeOld(t, fine);
    await t.deleteEntity(PK, `s|pending|${keyPart(damaged.createdAt)}|${keyPart(damaged.id)}`);
    const report = await backfillIndexes(t);
    expect(report).toMatchObject({ scanned: true, requests: 2, repaired: 1 });
    expect(report.failed?.map((f) => f.id)).toEqual([damaged.id]);
    await expect(t.getEntity(PK, LAYOUT_MARKER)).rejects.toMatchObject({ statusCode: 404 });
    expect(await indexKeys(t, fine.id)).toHaveLength(2);
  });

  test('an old-layout request written after the backfill (an older instance still running) is repaired by its first transition', async () => {
    const t = await table();
    const store = await TablesRequestStore.open(t);
    const late = request(7);
    await writeOld(t, late);
    const approved = transition(late, { type: 'approve', by: APPROVER, at: AT });
    await expect(store.update(approved)).resolves.toBeUndefined();
    expect((await store.get(late.id))?.state).toBe('approved');
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['approved']))).toEqual([late.id]);
    // A stale version is still a conflict, not a repair.
    await expect(store.update({ ...approved, reason: 'again' })).rejects.toBeInstanceOf(VersionConflictError);
  });

  test('a repair applied whose answer was lost (the retry refused because of it) still lets the transition through', async () => {
    const t = await table();
    const store = await TablesRequestStore.open(t);
    const late = request(8);
    await writeOld(t, late);
    // The transition's transaction (404: the old layout's missing row), then the repair's: the
    // service applies the repair and its answer is lost; the retry policy resends it (412).
    let posts = 0;
    const repairStatuses: number[] = [];
    t.pipeline.addPolicy(
      {
        name: 'lose-the-repair-answer',
        sendRequest: async (req, next): Promise<PipelineResponse> => {
          const response = await next(req);
          if (req.method !== 'POST' || ++posts < 2 || posts > 3) return response;
          repairStatuses.push(response.status);
          if (posts === 3) return response;
          return { request: req, status: 500, headers: createHttpHeaders({ 'x-ms-error-code': 'OperationTimedOut' }) };
        },
      },
      { afterPhase: 'Retry' },
    );
    const approved = transition(late, { type: 'approve', by: APPROVER, at: AT });
    await expect(store.update(approved)).resolves.toBeUndefined();
    expect(repairStatuses).toHaveLength(2);
    expect((await store.get(late.id))?.state).toBe('approved');
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['approved']))).toEqual([late.id]);
  });
});

describe('Tables request index rows: layout 3 (ids in full in `t|` keys) moves to layout 4 (digests)', () => {
  /** A store as the previous version left it: layout-3 rows and its marker. */
  async function layout3Store(prefix: string, requests: AccessRequest[]): Promise<TableClient> {
    const t = await table(prefix);
    for (const r of requests) await writeOld(t, r, 3);
    await t.createEntity({ partitionKey: PK, rowKey: LAYOUT_MARKER, layout: 3 });
    return t;
  }

  test('two instances opening at once move every `t|` row to its digest key, once each, and write the current marker', async () => {
    const prefix = world.azurite.freshPrefix();
    const all = Array.from({ length: 24 }, (_, i) =>
      request(i, { state: i % 3 ? 'succeeded' : 'pending', version: i % 3 ? 4 : 1 }),
    );
    const a = await layout3Store(prefix, all);
    const b = await table(prefix);
    // Without the move, this version lists nothing on the pair.
    expect(await new TablesRequestStore(a).listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded', 'pending'])).toEqual([]);
    const reports = await Promise.all([backfillIndexes(a, { concurrency: 4 }), backfillIndexes(b, { concurrency: 4 })]);
    expect(reports[0].repaired + reports[1].repaired).toBe(24);
    for (const r of all)
      expect((await indexKeys(a, r.id)).sort()).toEqual([
        `t|${digest(REGISTRY_ID)}|${digest(CLUSTER_ID)}|${r.state}|${keyPart(r.createdAt)}|${r.id}`,
        `u|${REQUESTER.objectId}|${r.state}|${keyPart(r.createdAt)}|${r.id}`,
      ]);
    // No layout-3 row is left: nothing under the escaped ids.
    const legacy = `t|${keyPart(REGISTRY_ID.toLowerCase())}|`;
    expect(await listAll(a, prefixFilter(PK, legacy), ['RowKey'])).toEqual([]);
    expect((await a.getEntity(PK, LAYOUT_MARKER)).layout).toBe(LAYOUT);
    const store = new TablesRequestStore(b);
    const succeeded = all.filter((r) => r.state === 'succeeded').map((r) => r.id);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded'], 100))).toEqual(succeeded);
    expect(ids(await store.listByRegistry(REGISTRY_ID, ['succeeded'], 100))).toEqual(succeeded);
    // The next start reads the marker only.
    await expect(backfillIndexes(b)).resolves.toEqual({ scanned: false, requests: 0, repaired: 0 });
  });

  test('a request an instance of the previous version writes afterwards is moved by its first transition here, its layout-3 row removed', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await layout3Store(prefix, []);
    const store = await TablesRequestStore.open(t);
    const late = request(9);
    await writeOld(t, late, 3);
    await store.update(transition(late, { type: 'approve', by: APPROVER, at: AT }));
    expect(await indexKeys(t, late.id)).toEqual([
      `t|${digest(REGISTRY_ID)}|${digest(CLUSTER_ID)}|approved|${keyPart(late.createdAt)}|${late.id}`,
      `u|${REQUESTER.objectId}|approved|${keyPart(late.createdAt)}|${late.id}`,
    ]);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['approved']))).toEqual([late.id]);
  });
});

describe('Tables listByTarget: only the states asked for', () => {
  test('a pair with a long history: one query per state and one read per match, not one per request ever made', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    const history = Array.from({ length: 40 }, (_, i) => request(i, { state: 'revoked', version: 5 }));
    const active = [request(50, { state: 'succeeded', version: 4 }), request(51, { state: 'succeeded', version: 4 })];
    for (const r of [...history, ...active]) await store.create(r);
    const calls = recordCalls(t);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded'], 1000))).toEqual(ids(active));
    // Before: one query of all 42 t| rows, then 42 GETs (43 requests); now 1 + 2.
    expect(calls).toHaveLength(3);
    expect(calls.filter((c) => c === 'GET')).toHaveLength(2);
    calls.length = 0;
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['executing', 'succeeded'], 1))).toEqual([
      active[0].id,
    ]);
    expect(calls).toHaveLength(3);
  });

  test('the request decides: one revoked by another instance after its index row was read is left out', async () => {
    const { t, store, other } = await twoInstances();
    const [a, b] = [request(1, { state: 'succeeded', version: 4 }), request(2, { state: 'succeeded', version: 4 })];
    await store.create(a);
    await store.create(b);
    const revoked = afterQuery(t, prefixFilter(PK, `t|${digest(REGISTRY_ID)}|${digest(CLUSTER_ID)}|succeeded|`), () =>
      other.update(transition(b, { type: 'revoke', by: APPROVER, at: AT })),
    );
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded']))).toEqual([a.id]);
    expect(revoked.ran).toBe(true);
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['revoked']))).toEqual([b.id]);
  });
});

describe('Tables request lists across several states', () => {
  test('a request moving from one state asked for to the next between the per-state reads is still listed', async () => {
    const { t, store, other } = await twoInstances();
    const executing = request(1, { state: 'executing', version: 3 });
    await store.create(executing);
    const pair = `t|${digest(REGISTRY_ID)}|${digest(CLUSTER_ID)}|`;
    let succeededRead: Promise<unknown> | undefined;
    let moved = false;
    t.pipeline.addPolicy({
      name: 'succeed-after-executing-read',
      sendRequest: async (req, next) => {
        const filter = new URL(req.url).searchParams.get('$filter') ?? '';
        if (filter === prefixFilter(PK, `${pair}succeeded|`)) return (succeededRead = next(req));
        if (!moved && filter === prefixFilter(PK, `${pair}executing|`)) {
          // The request moves just before the `executing` read is answered. Read at the same
          // time, the `succeeded` read was answered before the move, so the request would be in
          // neither answer; read after this one, it sees the move.
          await succeededRead;
          moved = true;
          await other.update(
            transition(executing, { type: 'succeed', at: AT, outcome: { summary: 'Granted', azureRequestIds: [] } }),
          );
        }
        return next(req);
      },
    });
    expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded', 'executing']))).toEqual([executing.id]);
    expect(moved).toBe(true);
  });

  test('a request moving between two per-state reads, so read in both, is listed once', async () => {
    const { t, store, other } = await twoInstances();
    const approved = request(2, { state: 'approved', version: 2 });
    await store.create(approved);
    const moved = afterQuery(t, prefixFilter(PK, 's|approved|'), () =>
      other.update(transition(approved, { type: 'start', at: AT })),
    );
    expect(ids(await store.listByState(['approved', 'executing']))).toEqual([approved.id]);
    expect(moved.ran).toBe(true);
  });
});
