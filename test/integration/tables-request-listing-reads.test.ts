/**
 * How the Tables request store reads the requests of a long listing, on Azurite: from
 * SCAN_FROM requests on, one query of the request rows in the states asked for instead of a
 * point read each (800 live grants were 800 GETs, 16 s), with the same order, limit and
 * decisions: the index rows name the requests, their own rows decide. Counts every request the
 * client sends, so a return to a point read per request fails here.
 */
import type { TableClient } from '@azure/data-tables';
import { type AccessRequest, REQUEST_STATES, type RequestState, transition } from '../../src/domain/request';
import { openTablesAccount, prefixFilter } from '../../src/integrations/store/tables-client';
import { PK } from '../../src/integrations/store/tables-request-indexes';
import { SCAN_FROM, TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { useAzurite } from '../helpers/azurite';
import { APPROVER, pendingRequest, REGISTRY_ID } from '../unit/support/requests';

jest.setTimeout(120_000);

const world = useAzurite();
const AT = new Date('2025-01-15T10:00:00.000Z');
const ENDED: RequestState[] = ['failed', 'rejected', 'expired', 'cancelled', 'revoked'];

async function table(prefix = world.azurite.freshPrefix()): Promise<TableClient> {
  return openTablesAccount(world.conn(), prefix).table('requests');
}

/** Request `n`, created `at` (by default `n`) minutes after the first. */
const request = (n: number, state: RequestState, at = n): AccessRequest =>
  pendingRequest({
    id: `R-L${String(n).padStart(5, '0')}`,
    createdAt: new Date(Date.parse('2025-01-10T09:00:00.000Z') + at * 60_000).toISOString(),
    state,
    version: 5,
  });

/** Every request the client sends from now on: `GET` (a point read), `query <filter>`, or the method. */
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

async function createAll(store: TablesRequestStore, requests: AccessRequest[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 16)
    await Promise.all(requests.slice(i, i + 16).map((r) => store.create(r)));
}

const ids = (rs: AccessRequest[]) => rs.map((r) => r.id);
const pointReads = (calls: string[]) => calls.filter((c) => c === 'GET').length;
const requestRowQueries = (calls: string[]) => calls.filter((c) => c.startsWith(`query ${prefixFilter(PK, 'r|')}`));

describe('Tables listings of many requests: one query of the request rows, not a point read each', () => {
  const live = Array.from({ length: SCAN_FROM + 20 }, (_, i) => request(i, 'succeeded'));
  // Two created at the same time, listed by id in either order; history in other states.
  live.push(request(900, 'succeeded', 5));
  const history = Array.from({ length: 30 }, (_, i) => request(1000 + i, 'revoked', 1000 + i));
  let t: TableClient;
  let store: TablesRequestStore;

  beforeAll(async () => {
    t = await table();
    store = new TablesRequestStore(t);
    await createAll(store, [...live, ...history]);
  });

  const inOrder = (rs: AccessRequest[], order: 'oldestFirst' | 'newestFirst' = 'oldestFirst') =>
    ids(
      [...rs].sort(
        (a, b) =>
          (order === 'newestFirst' ? -1 : 1) * a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      ),
    );

  test('listByState of every live grant (the drift sweep): one index query and one request-row query', async () => {
    const calls = recordCalls(t);
    // A fresh store: nothing remembered from the writes above.
    const found = await new TablesRequestStore(t).listByState(['succeeded'], 10_000);
    expect(ids(found)).toEqual(inOrder(live));
    expect(found.every((r) => r.state === 'succeeded' && r.version === 5)).toBe(true);
    expect(pointReads(calls)).toBe(0);
    expect(requestRowQueries(calls)).toEqual([`query ${prefixFilter(PK, 'r|')} and (state eq 'succeeded')`]);
    expect(calls).toHaveLength(2);
  });

  test('the limit and the order are the index rows’: the first `limit`, then the same read newest first', async () => {
    const calls = recordCalls(t);
    const limit = SCAN_FROM + 5;
    expect(ids(await store.listByState(['succeeded'], limit))).toEqual(inOrder(live).slice(0, limit));
    expect(ids(await store.listByState(['succeeded'], limit, 'newestFirst'))).toEqual(
      inOrder(live, 'newestFirst').slice(0, limit),
    );
    expect(pointReads(calls)).toBe(0);
  });

  test('the tab’s live listing and a registry’s holders (revoke) read the rows in one query too', async () => {
    const calls = recordCalls(t);
    const tab = await store.listByState(['pending', 'approved', 'executing', 'succeeded'], 5000);
    expect(ids(tab)).toEqual(inOrder(live));
    const holders = await store.listByRegistry(REGISTRY_ID, ['succeeded'], 1000);
    expect(ids(holders)).toEqual(inOrder(live));
    expect(pointReads(calls)).toBe(0);
    expect(requestRowQueries(calls)).toHaveLength(2);
  });

  test('a few requests keep their point reads: the query would read every request row for them', async () => {
    const calls = recordCalls(t);
    expect(ids(await store.listByState(['succeeded'], 3))).toEqual(inOrder(live).slice(0, 3));
    expect(pointReads(calls)).toBe(3);
    expect(requestRowQueries(calls)).toHaveLength(0);
  });
});

describe('Tables listings of many requests: the request rows decide', () => {
  test('one revoked after its index row was read is left out, one granted meanwhile is not added', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await table(prefix);
    const store = new TablesRequestStore(t);
    // Another instance, on a client of its own: its requests are not counted below.
    const other = new TablesRequestStore(await table(prefix));
    const live = Array.from({ length: SCAN_FROM + 10 }, (_, i) => request(i, 'succeeded'));
    const late = request(500, 'executing');
    await createAll(store, [...live, late]);
    let moved = false;
    t.pipeline.addPolicy({
      name: 'move-after-index-read',
      sendRequest: async (req, next) => {
        const response = await next(req);
        if (!moved && new URL(req.url).searchParams.get('$filter') === prefixFilter(PK, 's|succeeded|')) {
          moved = true;
          await other.update(transition(live[7], { type: 'revoke', by: APPROVER, at: AT }));
          await other.update(
            transition(late, { type: 'succeed', at: AT, outcome: { summary: 'Granted', azureRequestIds: [] } }),
          );
        }
        return response;
      },
    });
    const calls = recordCalls(t);
    const found = await store.listByState(['succeeded'], 10_000);
    expect(moved).toBe(true);
    expect(ids(found)).toEqual(ids(live.filter((_, i) => i !== 7)));
    // The one the query no longer returned was read alone, as a point read would have: revoked.
    expect(pointReads(calls)).toBe(1);
    // And the request rows decide the state kept: the revoked one is read in full, at its version.
    expect((await store.listByState(['revoked'], 10))[0]).toMatchObject({ id: live[7].id, version: 6 });
  });

  test('what the query returns is remembered as a point read is: a transition after the listing sends no read', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    const live = Array.from({ length: SCAN_FROM }, (_, i) => request(i, 'succeeded'));
    await createAll(store, live);
    const fresh = new TablesRequestStore(t);
    const [first] = await fresh.listByState(['succeeded'], 1000);
    const calls = recordCalls(t);
    await fresh.update(transition(first, { type: 'revoke', by: APPROVER, at: AT }));
    expect(calls).toEqual(['POST']);
  });

  test('a request row that does not decode fails the listing that names it, as its point read does', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    await createAll(
      store,
      Array.from({ length: SCAN_FROM }, (_, i) => request(i, 'succeeded')),
    );
    const damaged = request(500, 'succeeded');
    await store.create(damaged);
    // Its chunk count edited to one acrbot never writes (tables-client.ts, readDoc).
    await t.updateEntity({ partitionKey: PK, rowKey: `r|${damaged.id}`, docChunks: 99 }, 'Merge');
    await expect(new TablesRequestStore(t).listByState(['succeeded'], 1000)).rejects.toThrow(/chunk count/);
    // A listing that does not name it is not failed by it.
    await expect(new TablesRequestStore(t).listByState(['succeeded'], SCAN_FROM)).resolves.toHaveLength(SCAN_FROM);
  });
});

describe('Tables listings of ended requests', () => {
  test('all of them named (the tab’s ended listing, room for all): one query of their rows', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    const ended = Array.from({ length: SCAN_FROM + 20 }, (_, i) => request(i, ENDED[i % ENDED.length]));
    await createAll(store, ended);
    const calls = recordCalls(t);
    const found = await store.listByState(ENDED, 5000, 'newestFirst');
    expect(ids(found)).toEqual(ids([...ended].reverse()));
    expect(pointReads(calls)).toBe(0);
    expect(requestRowQueries(calls)).toHaveLength(1);
    expect(calls).toHaveLength(ENDED.length + 1);
  });

  test('a listing cut at its limit keeps its point reads: a query would read every ended request ever', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    const revoked = Array.from({ length: 2 * SCAN_FROM + 10 }, (_, i) => request(i, 'revoked'));
    await createAll(store, revoked);
    const calls = recordCalls(t);
    const found = await store.listByState(['revoked'], SCAN_FROM, 'newestFirst');
    expect(ids(found)).toEqual(ids([...revoked].reverse().slice(0, SCAN_FROM)));
    expect(requestRowQueries(calls)).toHaveLength(0);
    expect(pointReads(calls)).toBe(SCAN_FROM);
  });
});

test('every state fits one filter (the service takes at most 15 comparisons)', async () => {
  const t = await table();
  const store = new TablesRequestStore(t);
  const all = Array.from({ length: SCAN_FROM }, (_, i) => request(i, REQUEST_STATES[i % REQUEST_STATES.length]));
  await createAll(store, all);
  const calls = recordCalls(t);
  expect(ids(await store.listByState([...REQUEST_STATES], 5000))).toEqual(ids(all));
  expect(pointReads(calls)).toBe(0);
});
