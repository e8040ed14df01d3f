/**
 * A requester's own requests as chat lists them (flows/requester-requests.ts), over more of them
 * than a read takes: `status` without an id shows the newest ten of their tenant, `access` the
 * newest open ones, each read newest first from the by-requester index (an oldest-first read of
 * a long history would hold only old ones). Over the memory and the SQLite request stores.
 */
import type { RequestStore } from '../../src/domain/ports';
import type { RequestState } from '../../src/domain/request';
import { MY_REQUESTS_SHOWN, newestRequestsOf, openRequestsOf } from '../../src/flows/requester-requests';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const OTHER_TENANT = '5b1e2c3d-0000-4000-8000-00000000b0b0';

/** More open requests than `openRequestsOf` reads (200), then more ended ones than `newestRequestsOf` reads (50). */
const OPEN = 210;
const ENDED = 60;
const OPEN_STATES: RequestState[] = ['pending', 'approved', 'executing'];
const ENDED_STATES: RequestState[] = ['rejected', 'revoked', 'cancelled', 'expired'];
/** The newest open one, and one of the newest of all, made in the requester's guest tenant. */
const OTHER_TENANT_OPEN = OPEN - 2;
const OTHER_TENANT_ENDED = OPEN + ENDED - 5;

const id = (n: number) => `R-N${String(n).padStart(5, '0')}`;
const hoursIn = (n: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 3_600_000).toISOString();

const stores: Array<[string, () => RequestStore]> = [
  ['memory', () => new MemoryRequestStore()],
  ['SQLite', () => new SqliteRequestStore(openSqlite(':memory:'))],
];

describe.each(stores)("a requester's many requests (%s store)", (_name, makeStore) => {
  let store: RequestStore;
  beforeAll(async () => {
    store = makeStore();
    // An hour apart, oldest first: the open ones, then the ended ones.
    for (let n = 0; n < OPEN + ENDED; n++) {
      const state = n < OPEN ? OPEN_STATES[n % OPEN_STATES.length] : ENDED_STATES[n % ENDED_STATES.length];
      const other = n === OTHER_TENANT_OPEN || n === OTHER_TENANT_ENDED;
      await store.create(
        pendingRequest({ id: id(n), state, createdAt: hoursIn(n), tenantId: other ? OTHER_TENANT : TENANT }),
      );
    }
    // Someone else's, newer than all of the requester's: never theirs.
    for (let n = 0; n < 3; n++) {
      await store.create(
        pendingRequest({ id: `R-OUTSIDE${n}`, requester: OUTSIDER, createdAt: hoursIn(OPEN + ENDED + n) }),
      );
    }
  });
  afterAll(() => store.close());

  /** Ids of the requester's requests numbered `from` down, in `tenant`'s only, `count` of them. */
  function newestDown(from: number, count: number): string[] {
    const out: string[] = [];
    for (let n = from; out.length < count; n--)
      if (n !== OTHER_TENANT_OPEN && n !== OTHER_TENANT_ENDED) out.push(id(n));
    return out;
  }

  test('status lists the newest ten of the tenant, every state, newest first', async () => {
    const mine = await newestRequestsOf(store, REQUESTER.objectId, TENANT);
    expect(mine.requests.map((r) => r.id)).toEqual(newestDown(OPEN + ENDED - 1, MY_REQUESTS_SHOWN));
    expect(mine.boundReached).toBe(true);
    expect(mine.more).toBeGreaterThan(0);
    // Read in the guest tenant: only the one made there among the newest read.
    const there = await newestRequestsOf(store, REQUESTER.objectId, OTHER_TENANT);
    expect(there.requests.map((r) => r.id)).toEqual([id(OTHER_TENANT_ENDED)]);
  });

  test('access lists the newest open ones of the tenant, newest first', async () => {
    const open = await openRequestsOf(store, REQUESTER.objectId, TENANT, 5);
    expect(open.requests.map((r) => r.id)).toEqual(newestDown(OPEN - 1, 5));
    expect(open.requests.every((r) => OPEN_STATES.includes(r.state))).toBe(true);
    expect(open.boundReached).toBe(true);
    const there = await openRequestsOf(store, REQUESTER.objectId, OTHER_TENANT, 5);
    expect(there.requests.map((r) => r.id)).toEqual([id(OTHER_TENANT_OPEN)]);
  });
});
