/**
 * The RequestStore contract (G8), run against every implementation: the in-memory store must
 * behave exactly like SQLite.
 */
import type { CardCopy, RequestStore } from '../../../src/domain/ports';
import { VersionConflictError } from '../../../src/domain/ports';
import { transition, type AccessRequest, type RequestEvent } from '../../../src/domain/request';
import { APPROVER, OUTSIDER, pendingRequest } from './requests';

export interface RequestStoreFixture {
  store: RequestStore;
  dispose(): Promise<void>;
}

const AT = new Date('2025-01-15T10:00:00.000Z');

/** The time of the `i`th of a history of requests, a minute apart. */
const minute = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString();
/** The `i`th ended request of one requester on one registry (ids in the order of their times). */
const ended = (i: number): AccessRequest =>
  pendingRequest({ id: `R-L${String(i).padStart(7, '0')}`, state: 'revoked', createdAt: minute(i), version: 5 });
/** The ids of `rs`, in order. */
const idsOf = (rs: AccessRequest[]) => rs.map((r) => r.id);

export function describeRequestStoreContract(
  name: string,
  make: () => Promise<RequestStoreFixture> | RequestStoreFixture,
): void {
  describe(`RequestStore contract: ${name}`, () => {
    let fixture: RequestStoreFixture;
    let store: RequestStore;
    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });
    const it = test;

    it('create then get returns an equal document', async () => {
      const request = pendingRequest();
      await store.create(request);
      expect(await store.get(request.id)).toEqual(request);
    });

    it('get of an unknown id is undefined', async () => {
      expect(await store.get('R-22222222')).toBeUndefined();
    });

    it('create refuses an id that exists and keeps the original', async () => {
      const request = pendingRequest();
      await store.create(request);
      // Not `.rejects.toThrow()`: better-sqlite3's native SqliteError can come from another
      // jest realm and fail `instanceof Error`; the message is what matters.
      const error = await store.create({ ...request, reason: 'overwrite attempt' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toMatchObject({ message: `request ${request.id} already exists` });
      expect((await store.get(request.id))?.reason).toBe(request.reason);
    });

    it('create refuses an existing id even when the new document differs in state, requester and time (no index row collides)', async () => {
      const request = pendingRequest();
      await store.create(request);
      // Every index key holds the state (and the requester or time): only the request's own row
      // can refuse this create, so an upsert of it would overwrite the original.
      const other = {
        ...request,
        state: 'rejected' as const,
        requester: { ...request.requester, objectId: 'ab000000-0000-4000-8000-00000000ddd4' },
        createdAt: '2025-01-16T09:00:00.000Z',
        reason: 'overwrite attempt',
      };
      const error = await store.create(other).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toMatchObject({ message: `request ${request.id} already exists` });
      expect(await store.get(request.id)).toEqual(request);
      expect(await store.listByState(['pending'])).toEqual([request]);
      expect(await store.listByState(['rejected'])).toEqual([]);
      expect(await store.listByRequester(other.requester.objectId, ['pending', 'rejected'])).toEqual([]);
    });

    it('a limit of 0 or below, or no state, lists nothing (as every store answers it)', async () => {
      // Two, so that "all but the last" (a negative slice) is not also none.
      const request = pendingRequest();
      await store.create(request);
      await store.create(pendingRequest({ id: 'R-33333333', createdAt: '2025-01-15T10:00:01.000Z' }));
      const { cluster, registry } = request.plan;
      for (const limit of [0, -1]) {
        expect(await store.listByState(['pending'], limit)).toEqual([]);
        expect(await store.listByTarget(cluster.id, registry.id, ['pending'], limit)).toEqual([]);
        expect(await store.listByRegistry(registry.id, ['pending'], limit)).toEqual([]);
        expect(await store.listByRequester(request.requester.objectId, ['pending'], limit)).toEqual([]);
      }
      expect(await store.listByState([], 10)).toEqual([]);
      expect(await store.listByTarget(cluster.id, registry.id, [], 10)).toEqual([]);
      expect(await store.listByState(['pending'], 1)).toEqual([request]);
    });

    it('a limit of 0 or below lists nothing newest first too, by requester and by registry', async () => {
      // Two, so that "all but the last" (a negative slice) is not also none.
      const made = [ended(1), ended(2)];
      for (const r of made) await store.create(r);
      const who = made[0].requester.objectId;
      const registry = made[0].plan.registry.id;
      for (const limit of [0, -1]) {
        expect(await store.listByRequester(who, ['revoked'], limit, 'newestFirst')).toEqual([]);
        expect(await store.listByRegistry(registry, ['revoked'], limit, 'newestFirst')).toEqual([]);
      }
    });

    it('a state named twice lists each request once, in order and within the limit', async () => {
      const made = [ended(1), ended(2), ended(3)];
      for (const r of made) await store.create(r);
      const who = made[0].requester.objectId;
      const registry = made[0].plan.registry.id;
      const twice: AccessRequest['state'][] = ['revoked', 'failed', 'revoked'];
      expect(idsOf(await store.listByRequester(who, twice, 10, 'newestFirst'))).toEqual(idsOf([...made].reverse()));
      expect(idsOf(await store.listByRequester(who, twice, 10))).toEqual(idsOf(made));
      expect(idsOf(await store.listByRegistry(registry, twice, 10, 'newestFirst'))).toEqual(idsOf([...made].reverse()));
      expect(idsOf(await store.listByRegistry(registry, twice, 2))).toEqual(idsOf(made.slice(0, 2)));
    });

    it("the newest of a requester's and a registry's history of more than 1000 requests, and the oldest", async () => {
      // One page of an Azure Tables query is at most 1000 entities: there the newest request is
      // on the second page, which the newest-first reads must scan to.
      const made = Array.from({ length: 1003 }, (_, i) => ended(i));
      for (let i = 0; i < made.length; i += 25) await Promise.all(made.slice(i, i + 25).map((r) => store.create(r)));
      const who = made[0].requester.objectId;
      const registry = made[0].plan.registry.id;
      const newest = idsOf(made.slice(-3).reverse());
      expect(idsOf(await store.listByRequester(who, ['revoked'], 3, 'newestFirst'))).toEqual(newest);
      expect(idsOf(await store.listByRegistry(registry, ['revoked'], 3, 'newestFirst'))).toEqual(newest);
      expect(idsOf(await store.listByRegistry(registry, ['revoked'], 2))).toEqual(idsOf(made.slice(0, 2)));
    }, 120_000);

    it('newestFirst lists the newest of the states asked, merged and cut at the limit; the default stays oldest first', async () => {
      const made = Array.from({ length: 6 }, (_, i) =>
        pendingRequest({
          id: `R-N000000${i}`,
          state: i % 2 ? 'revoked' : 'failed',
          createdAt: minute(i),
          version: 5,
        }),
      );
      // Created newest first, so no store answers in insertion order by chance.
      for (const r of [...made].reverse()) await store.create(r);
      const ids = (rs: AccessRequest[]) => rs.map((r) => r.id.slice(-1));
      const { registry } = made[0].plan;
      expect(ids(await store.listByState(['revoked'], 2, 'newestFirst'))).toEqual(['5', '3']);
      expect(ids(await store.listByState(['revoked', 'failed'], 3, 'newestFirst'))).toEqual(['5', '4', '3']);
      expect(ids(await store.listByState(['revoked', 'failed'], 3))).toEqual(['0', '1', '2']);
      expect(ids(await store.listByState(['revoked', 'failed'], 3, 'oldestFirst'))).toEqual(['0', '1', '2']);
      expect(ids(await store.listByRegistry(registry.id, ['revoked', 'failed'], 3, 'newestFirst'))).toEqual([
        '5',
        '4',
        '3',
      ]);
      expect(ids(await store.listByRegistry(registry.id.toUpperCase(), ['revoked'], 2, 'newestFirst'))).toEqual([
        '5',
        '3',
      ]);
      expect(ids(await store.listByRegistry(registry.id, ['revoked'], 2))).toEqual(['1', '3']);
      // One requester's own (a user's access, the tab's My access): the same order and cut.
      const who = made[0].requester.objectId;
      expect(ids(await store.listByRequester(who, ['revoked', 'failed'], 3, 'newestFirst'))).toEqual(['5', '4', '3']);
      expect(ids(await store.listByRequester(who.toUpperCase(), ['revoked'], 2, 'newestFirst'))).toEqual(['5', '3']);
      expect(ids(await store.listByRequester(who, ['revoked', 'failed'], 3, 'oldestFirst'))).toEqual(['0', '1', '2']);
      expect(ids(await store.listByRequester(who, ['revoked'], 2))).toEqual(['1', '3']);
    });

    it('requests created at the same time are listed by id ascending in either order, each limit a prefix of a larger one', async () => {
      const SAME = '2025-06-01T00:00:00.000Z';
      const made = (id: string, state: 'revoked' | 'failed', createdAt = SAME) =>
        pendingRequest({ id, state, createdAt, version: 5 });
      // Neither in id order nor its reverse, so no store answers in insertion order by chance.
      const all = [
        made('R-TIEC0003', 'failed'),
        made('R-NEW00000', 'revoked', '2025-06-01T00:00:00.001Z'),
        made('R-TIEB0002', 'revoked'),
        made('R-OLD00000', 'revoked', '2025-05-31T23:59:59.999Z'),
        made('R-TIEA0001', 'revoked'),
      ];
      for (const r of all) await store.create(r);
      const ids = (rs: AccessRequest[]) => rs.map((r) => r.id.slice(2, 6));
      const { cluster, registry } = all[0].plan;
      const ended: ('revoked' | 'failed')[] = ['revoked', 'failed'];
      const newest = ['NEW0', 'TIEA', 'TIEB', 'TIEC', 'OLD0'];
      const oldest = ['OLD0', 'TIEA', 'TIEB', 'TIEC', 'NEW0'];
      for (const limit of [2, 3, 4, 5]) {
        expect(ids(await store.listByState(ended, limit, 'newestFirst'))).toEqual(newest.slice(0, limit));
        expect(ids(await store.listByState(ended, limit))).toEqual(oldest.slice(0, limit));
        expect(ids(await store.listByRegistry(registry.id, ended, limit, 'newestFirst'))).toEqual(
          newest.slice(0, limit),
        );
        expect(ids(await store.listByRegistry(registry.id, ended, limit))).toEqual(oldest.slice(0, limit));
        expect(ids(await store.listByTarget(cluster.id, registry.id, ended, limit))).toEqual(oldest.slice(0, limit));
        expect(ids(await store.listByTarget(cluster.id, registry.id, ended, limit, 'newestFirst'))).toEqual(
          newest.slice(0, limit),
        );
        expect(ids(await store.listByRequester(all[0].requester.objectId, ended, limit))).toEqual(
          oldest.slice(0, limit),
        );
        expect(ids(await store.listByRequester(all[0].requester.objectId, ended, limit, 'newestFirst'))).toEqual(
          newest.slice(0, limit),
        );
      }
      // One state alone: its own read, no merge.
      expect(ids(await store.listByState(['revoked'], 3, 'newestFirst'))).toEqual(['NEW0', 'TIEA', 'TIEB']);
      expect(ids(await store.listByState(['revoked'], 3))).toEqual(['OLD0', 'TIEA', 'TIEB']);
    });

    it('documents are copied in and out', async () => {
      const request = pendingRequest();
      await store.create(request);
      request.state = 'approved';
      const read = (await store.get(request.id))!;
      expect(read.state).toBe('pending');
      read.requester.objectId = 'tampered';
      expect((await store.get(request.id))!.requester.objectId).not.toBe('tampered');
    });

    it('a conditional update succeeds once; a second writer with the same base version gets VersionConflictError', async () => {
      const base = pendingRequest();
      await store.create(base);
      const approved = transition(base, { type: 'approve', by: APPROVER, at: AT });
      const rejected = transition(base, { type: 'reject', by: OUTSIDER, at: AT });
      await store.update(approved);
      const conflict = store.update(rejected);
      await expect(conflict).rejects.toBeInstanceOf(VersionConflictError);
      await expect(conflict).rejects.toMatchObject({ requestId: base.id });
      expect(await store.get(base.id)).toEqual(approved);
      expect((await store.get(base.id))?.version).toBe(2);
    });

    it('racing writers: exactly one of Promise.all([approve, reject]) wins', async () => {
      const base = pendingRequest();
      await store.create(base);
      const writes = [
        transition(base, { type: 'approve', by: APPROVER, at: AT }),
        transition(base, { type: 'reject', by: OUTSIDER, at: AT }),
      ];
      const results = await Promise.allSettled(writes.map((w) => store.update(w)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(losers).toHaveLength(1);
      expect(losers[0].reason).toBeInstanceOf(VersionConflictError);
      const winner = writes[results.findIndex((r) => r.status === 'fulfilled')];
      expect(await store.get(base.id)).toEqual(winner);
    });

    it('racing writers that keep the state (e.g. two records of created objects): exactly one wins', async () => {
      const base = pendingRequest();
      await store.create(base);
      const writes = ['first', 'second'].map((reason) => ({ ...base, version: base.version + 1, reason }));
      const results = await Promise.allSettled(writes.map((w) => store.update(w)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(loser?.reason).toBeInstanceOf(VersionConflictError);
      expect(await store.get(base.id)).toEqual(writes[results.findIndex((r) => r.status === 'fulfilled')]);
    });

    it('successive conditional updates chain versions', async () => {
      let r: AccessRequest = pendingRequest();
      await store.create(r);
      const events: RequestEvent[] = [
        { type: 'approve', by: APPROVER, at: AT },
        { type: 'start', at: AT },
        { type: 'succeed', at: AT, outcome: { summary: 'ok', azureRequestIds: ['x'] } },
      ];
      for (const e of events) {
        r = transition(r, e);
        await store.update(r);
      }
      expect(await store.get(r.id)).toMatchObject({ state: 'succeeded', version: 4 });
    });

    it('update refuses a skipped version, the same version, and an unknown id', async () => {
      const base = pendingRequest();
      await store.create(base);
      await expect(store.update({ ...base, version: 3, state: 'approved' })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      await expect(store.update({ ...base, state: 'approved' })).rejects.toBeInstanceOf(VersionConflictError);
      await expect(store.update({ ...base, id: 'R-33333333', version: 2 })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.get(base.id)).toEqual(base);
      expect(await store.get('R-33333333')).toBeUndefined();
    });

    it('listByTarget finds requests on one cluster and registry (case-insensitive ids) in the given states', async () => {
      const base = pendingRequest();
      const other = {
        ...base.plan,
        cluster: { ...base.plan.cluster, id: `${base.plan.cluster.id}-other` },
      } as AccessRequest['plan'];
      const a = { ...base, id: 'R-AAAAAAAA', state: 'succeeded' as const, createdAt: '2025-01-15T09:00:00.000Z' };
      const b = { ...base, id: 'R-BBBBBBBB', state: 'succeeded' as const, createdAt: '2025-01-15T09:01:00.000Z' };
      const c = { ...base, id: 'R-CCCCCCCC', state: 'revoked' as const };
      const d = { ...base, id: 'R-DDDDDDDD', state: 'succeeded' as const, plan: other };
      for (const r of [a, b, c, d]) await store.create(r);
      const ids = async (states: Parameters<RequestStore['listByTarget']>[2], limit?: number) =>
        (
          await store.listByTarget(
            base.plan.cluster.id.toUpperCase(),
            base.plan.registry.id.toLowerCase(),
            states,
            limit,
          )
        ).map((r) => r.id);
      expect(await ids(['succeeded'])).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB']);
      expect((await ids(['succeeded', 'revoked'])).sort()).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
      expect(await ids(['succeeded'], 1)).toEqual(['R-AAAAAAAA']);
      expect(await ids(['pending'])).toEqual([]);
    });

    it('listByRegistry finds requests on one registry from every cluster (case-insensitive id) in the given states, oldest first', async () => {
      const base = pendingRequest();
      const on = (cluster: string, registry = base.plan.registry) =>
        ({ ...base.plan, cluster: { ...base.plan.cluster, id: cluster }, registry }) as AccessRequest['plan'];
      const otherRegistry = { ...base.plan.registry, id: `${base.plan.registry.id}-other` };
      const mk = (id: string, minute: number, state: AccessRequest['state'], plan: AccessRequest['plan']) => ({
        ...base,
        id,
        state,
        plan,
        createdAt: `2025-01-15T09:0${minute}:00.000Z`,
      });
      await store.create(mk('R-CCCCCCCC', 3, 'succeeded', on(`${base.plan.cluster.id}-second`)));
      await store.create(mk('R-AAAAAAAA', 1, 'succeeded', on(base.plan.cluster.id)));
      await store.create(mk('R-BBBBBBBB', 2, 'executing', on(`${base.plan.cluster.id}-second`)));
      await store.create(mk('R-DDDDDDDD', 0, 'succeeded', on(base.plan.cluster.id, otherRegistry)));
      const ids = async (states: Parameters<RequestStore['listByRegistry']>[1], limit?: number) =>
        (await store.listByRegistry(base.plan.registry.id.toUpperCase(), states, limit)).map((r) => r.id);
      expect(await ids(['succeeded'])).toEqual(['R-AAAAAAAA', 'R-CCCCCCCC']);
      expect(await ids(['succeeded', 'executing'])).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
      expect(await ids(['succeeded', 'executing'], 2)).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB']);
      expect(await ids(['pending'])).toEqual([]);
      // It follows a transition (the request decides).
      const moved = (await store.get('R-BBBBBBBB'))!;
      await store.update({ ...moved, state: 'succeeded', version: moved.version + 1 });
      expect(await ids(['executing'])).toEqual([]);
      expect(await ids(['succeeded'])).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
    });

    it('listByTarget and listByRegistry find ids with letters outside ASCII (a resource group "Équipe-Ö"), in any case, as JavaScript folds them', async () => {
      // Azure allows Unicode letters in resource group names, and a cluster or registry found by
      // name carries its group's name in its id. SQLite's lower() folds ASCII only: compared with
      // a JavaScript-lower-cased id, such a request was found by no list, not even by its own ids
      // (a revocation then saw no other holder of a shared role assignment).
      const base = pendingRequest();
      const group = (id: string) => id.replace(/resourceGroups\/[^/]+/i, 'resourceGroups/Équipe-Ö');
      const plan = {
        ...base.plan,
        cluster: { ...base.plan.cluster, id: group(base.plan.cluster.id) },
        registry: { ...base.plan.registry, id: group(base.plan.registry.id) },
      } as AccessRequest['plan'];
      const other = {
        ...plan,
        cluster: { ...plan.cluster, id: `${plan.cluster.id}-other` },
      } as AccessRequest['plan'];
      const mk = (id: string, minute: number, p: AccessRequest['plan']): AccessRequest => ({
        ...base,
        id,
        state: 'succeeded',
        plan: p,
        createdAt: `2025-01-15T09:0${minute}:00.000Z`,
      });
      await store.create(mk('R-AAAAAAAA', 1, plan));
      await store.create(mk('R-BBBBBBBB', 2, other));
      await store.create(mk('R-CCCCCCCC', 3, plan));
      // Another registry in the same subscription, its group ASCII: never among the Équipe ones.
      await store.create({ ...pendingRequest({ id: 'R-DDDDDDDD' }), state: 'succeeded' });
      const { cluster, registry } = plan;
      for (const fold of [(s: string) => s, (s: string) => s.toLowerCase(), (s: string) => s.toUpperCase()]) {
        const byTarget = await store.listByTarget(fold(cluster.id), fold(registry.id), ['succeeded']);
        expect(byTarget.map((r) => r.id)).toEqual(['R-AAAAAAAA', 'R-CCCCCCCC']);
        expect(
          (await store.listByTarget(fold(cluster.id), fold(registry.id), ['succeeded'], 1)).map((r) => r.id),
        ).toEqual(['R-AAAAAAAA']);
        const byRegistry = await store.listByRegistry(fold(registry.id), ['succeeded']);
        expect(byRegistry.map((r) => r.id)).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
        expect((await store.listByRegistry(fold(registry.id), ['succeeded'], 2)).map((r) => r.id)).toEqual([
          'R-AAAAAAAA',
          'R-BBBBBBBB',
        ]);
      }
      expect((await store.listByRegistry(base.plan.registry.id, ['succeeded'])).map((r) => r.id)).toEqual([
        'R-DDDDDDDD',
      ]);
    });

    it("listByRequester finds one requester's requests (case-insensitive id) in the given states, oldest first, and follows transitions", async () => {
      const riley = { objectId: 'AB000000-0000-4000-8000-00000000AAA1', name: 'Riley' };
      const oscar = { objectId: 'ab000000-0000-4000-8000-00000000ccc3', name: 'Oscar' };
      const mk = (id: string, minute: number, requester = riley) =>
        pendingRequest({ id, requester, createdAt: `2025-01-15T09:0${minute}:00.000Z` });
      // Inserted out of order on purpose; Oscar's request is older than all of Riley's.
      await store.create(mk('R-CCCCCCCC', 3));
      await store.create(mk('R-AAAAAAAA', 1));
      await store.create(mk('R-BBBBBBBB', 2));
      await store.create(mk('R-OOOOOOOO', 0, oscar));
      const ids = async (who: string, states: Parameters<RequestStore['listByRequester']>[1], limit?: number) =>
        (await store.listByRequester(who, states, limit)).map((r) => r.id);
      const rileyId = riley.objectId.toLowerCase();
      expect(await ids(rileyId, ['pending'])).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
      expect(await ids(riley.objectId, ['pending'], 2)).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB']);
      expect(await ids(oscar.objectId.toUpperCase(), ['pending'])).toEqual(['R-OOOOOOOO']);
      expect(await ids('ab000000-0000-4000-8000-000000000000', ['pending'])).toEqual([]);
      expect(await ids(rileyId, [])).toEqual([]);
      // The count the pending cap reads: that user's only, stopping at the cap.
      expect(await store.countByRequester(riley.objectId.toUpperCase(), ['pending'], 10)).toBe(3);
      expect(await store.countByRequester(rileyId, ['pending'], 2)).toBe(2);
      expect(await store.countByRequester(rileyId, ['pending', 'approved'], 10)).toBe(3);
      expect(await store.countByRequester(oscar.objectId, ['pending'], 10)).toBe(1);
      expect(await store.countByRequester(rileyId, ['approved'], 10)).toBe(0);
      expect(await store.countByRequester(rileyId, [], 10)).toBe(0);

      // A transition moves the request out of one state and into the other, for this query too.
      const b = (await store.get('R-BBBBBBBB'))!;
      const approved = transition(b, { type: 'approve', by: APPROVER, at: AT });
      await store.update(approved);
      expect(await ids(rileyId, ['pending'])).toEqual(['R-AAAAAAAA', 'R-CCCCCCCC']);
      expect(await ids(rileyId, ['approved'])).toEqual(['R-BBBBBBBB']);
      expect(await ids(rileyId, ['pending', 'approved'])).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
      expect(await store.countByRequester(rileyId, ['pending'], 10)).toBe(2);
      expect(await store.countByRequester(rileyId, ['approved'], 10)).toBe(1);
      // An update that keeps the state keeps the request listed once.
      await store.update({ ...approved, version: approved.version + 1, reason: 'same state' });
      expect(await store.listByRequester(rileyId, ['approved'])).toEqual([
        { ...approved, version: approved.version + 1, reason: 'same state' },
      ]);
      // A refused (stale) write moves nothing.
      await expect(store.update({ ...b, version: 2, state: 'rejected' })).rejects.toBeInstanceOf(VersionConflictError);
      expect(await ids(rileyId, ['rejected'])).toEqual([]);
      expect(await ids(rileyId, ['pending', 'approved'])).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB', 'R-CCCCCCCC']);
    });

    it('listByState filters by state, orders by createdAt, honours the limit', async () => {
      const mk = (id: string, createdAt: string) => pendingRequest({ id, createdAt });
      // Inserted out of order on purpose.
      await store.create(mk('R-CCCCCCCC', '2025-01-15T09:03:00.000Z'));
      await store.create(mk('R-AAAAAAAA', '2025-01-15T09:01:00.000Z'));
      await store.create(mk('R-DDDDDDDD', '2025-01-15T09:04:00.000Z'));
      await store.create(mk('R-BBBBBBBB', '2025-01-15T09:02:00.000Z'));
      const d = (await store.get('R-DDDDDDDD'))!;
      await store.update(transition(d, { type: 'approve', by: APPROVER, at: AT }));
      const b = (await store.get('R-BBBBBBBB'))!;
      await store.update(transition(b, { type: 'expire', at: AT }));

      const ids = async (states: Parameters<RequestStore['listByState']>[0], limit?: number) =>
        (await store.listByState(states, limit)).map((r) => r.id);
      expect(await ids(['pending'])).toEqual(['R-AAAAAAAA', 'R-CCCCCCCC']);
      expect(await ids(['approved'])).toEqual(['R-DDDDDDDD']);
      expect(await ids(['pending', 'approved', 'expired'])).toEqual([
        'R-AAAAAAAA',
        'R-BBBBBBBB',
        'R-CCCCCCCC',
        'R-DDDDDDDD',
      ]);
      expect(await ids(['pending', 'approved', 'expired'], 2)).toEqual(['R-AAAAAAAA', 'R-BBBBBBBB']);
      expect(await ids(['succeeded'])).toEqual([]);
      expect(await ids([])).toEqual([]);
      expect((await store.listByState(['approved']))[0]).toMatchObject({
        state: 'approved',
        version: 2,
        decision: { by: APPROVER },
      });
    });

    it('card copies: insertion order, de-duplicated by activity id, per request', async () => {
      const copy = (requestId: string, activityId: string, role: CardCopy['role']): CardCopy => ({
        requestId,
        activityId,
        role,
        conversation: { id: `conv-${activityId}`, serviceUrl: 'https://smba.example/', nested: { tenant: 't' } },
      });
      await store.addCardCopy(copy('R-AAAAAAAA', 'act-2', 'approver'));
      await store.addCardCopy(copy('R-AAAAAAAA', 'act-1', 'requester'));
      await store.addCardCopy(copy('R-AAAAAAAA', 'act-2', 'approver'));
      await store.addCardCopy(copy('R-BBBBBBBB', 'act-3', 'audit'));
      expect(await store.listCardCopies('R-AAAAAAAA')).toEqual([
        copy('R-AAAAAAAA', 'act-2', 'approver'),
        copy('R-AAAAAAAA', 'act-1', 'requester'),
      ]);
      expect(await store.listCardCopies('R-BBBBBBBB')).toEqual([copy('R-BBBBBBBB', 'act-3', 'audit')]);
      expect(await store.listCardCopies('R-CCCCCCCC')).toEqual([]);
    });

    it('card copies are copied in and out', async () => {
      const copy: CardCopy = {
        requestId: 'R-AAAAAAAA',
        activityId: 'act-1',
        role: 'approver',
        conversation: { id: 'conv-1' },
      };
      await store.addCardCopy(copy);
      (copy.conversation as { id: string }).id = 'changed-by-caller';
      const [read] = await store.listCardCopies('R-AAAAAAAA');
      expect(read.conversation).toEqual({ id: 'conv-1' });
      (read.conversation as { id: string }).id = 'changed-by-reader';
      expect((await store.listCardCopies('R-AAAAAAAA'))[0].conversation).toEqual({ id: 'conv-1' });
    });

    it('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
