/**
 * The coordination contract (leases, schedule, dialog state, abuse ledger), run against every
 * store: memory, SQLite and Azure Tables must behave the same.
 */
import type {
  AbuseLedger,
  AccessPause,
  DialogStore,
  LeaseStore,
  PauseStore,
  ScheduledJob,
  ScheduleStore,
} from '../../../src/domain/ports';
import { LeaseLostError } from '../../../src/domain/ports';
import { FakeClock, MINUTE, SECOND } from './fake-clock';

export interface CoordinationFixture {
  leases: LeaseStore;
  schedule: ScheduleStore;
  dialogs: DialogStore;
  abuse: AbuseLedger;
  pause: PauseStore;
  dispose(): Promise<void>;
}

/** `make` must build the lease store on `clock` (leases read the time themselves). */
export function describeCoordinationContract(
  name: string,
  make: (clock: FakeClock) => Promise<CoordinationFixture> | CoordinationFixture,
): void {
  describe(`Coordination contract: ${name}`, () => {
    let clock: FakeClock;
    let f: CoordinationFixture;
    beforeEach(async () => {
      clock = new FakeClock('2025-01-15T09:00:00.000Z');
      f = await make(clock);
    });
    afterEach(async () => {
      await f.dispose();
    });

    describe('leases', () => {
      test('a free lease is taken with fence 1 and expiry now + ttl; another owner is refused while it holds', async () => {
        const lease = await f.leases.acquire('exec:R-1', 'a', 30 * SECOND);
        expect(lease).toEqual({ key: 'exec:R-1', owner: 'a', expiresAt: '2025-01-15T09:00:30.000Z', fence: 1 });
        clock.advance(29 * SECOND);
        expect(await f.leases.acquire('exec:R-1', 'b', 30 * SECOND)).toBeUndefined();
        // Other keys are independent.
        expect(await f.leases.acquire('exec:R-2', 'b', 30 * SECOND)).toMatchObject({ owner: 'b', fence: 1 });
      });

      test('after expiry another owner takes over with a higher fence; the stale owner is fenced', async () => {
        const stale = (await f.leases.acquire('exec:R-1', 'a', 30 * SECOND))!;
        clock.advance(30 * SECOND);
        const taken = await f.leases.acquire('exec:R-1', 'b', 30 * SECOND);
        expect(taken).toMatchObject({ owner: 'b', fence: 2, expiresAt: '2025-01-15T09:01:00.000Z' });
        await expect(f.leases.renew(stale, 30 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
        await expect(f.leases.renew(stale, 30 * SECOND)).rejects.toMatchObject({ key: 'exec:R-1' });
        // A stale release does not free the new holder's lease.
        await f.leases.release(stale);
        expect(await f.leases.acquire('exec:R-1', 'c', 30 * SECOND)).toBeUndefined();
      });

      test('holder names who holds a lease now: nobody before, the holder while it holds, nobody after release or expiry', async () => {
        expect(await f.leases.holder('assignment:x')).toBeUndefined();
        const lease = (await f.leases.acquire('assignment:x', 'a|R-1', 30 * SECOND))!;
        expect(await f.leases.holder('assignment:x')).toEqual(lease);
        await f.leases.release(lease);
        expect(await f.leases.holder('assignment:x')).toBeUndefined();
        await f.leases.acquire('assignment:x', 'b|R-2', 30 * SECOND);
        clock.advance(29 * SECOND);
        expect(await f.leases.holder('assignment:x')).toMatchObject({ owner: 'b|R-2', fence: 2 });
        clock.advance(SECOND);
        expect(await f.leases.holder('assignment:x')).toBeUndefined();
      });

      test('renew extends a held lease from now; the extension keeps others out', async () => {
        const lease = (await f.leases.acquire('job:x', 'a', 30 * SECOND))!;
        clock.advance(20 * SECOND);
        const renewed = await f.leases.renew(lease, 30 * SECOND);
        expect(renewed).toEqual({ ...lease, expiresAt: '2025-01-15T09:00:50.000Z' });
        clock.advance(20 * SECOND); // past the first expiry, before the renewed one
        expect(await f.leases.acquire('job:x', 'b', 30 * SECOND)).toBeUndefined();
        await expect(f.leases.renew(renewed, 30 * SECOND)).resolves.toMatchObject({ fence: 1 });
      });

      test('a lapsed lease is not renewed, though nobody took it over (it may have been read free); one renewed in time is', async () => {
        const lease = (await f.leases.acquire('assignment:x', 'a', 30 * SECOND))!;
        clock.advance(30 * SECOND - 1);
        const renewed = await f.leases.renew(lease, 30 * SECOND);
        expect(renewed).toEqual({ ...lease, expiresAt: '2025-01-15T09:00:59.999Z' });
        clock.advance(30 * SECOND); // exactly its expiry: a waiter reads it free
        expect(await f.leases.holder('assignment:x')).toBeUndefined();
        await expect(f.leases.renew(renewed, 30 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
        // Refused without a write: it stays free, and the next holder fences the old one.
        expect(await f.leases.holder('assignment:x')).toBeUndefined();
        expect(await f.leases.acquire('assignment:x', 'b', 30 * SECOND)).toMatchObject({ owner: 'b', fence: 2 });
      });

      test('release lets another owner in at once, with a higher fence; renew after release is refused', async () => {
        const lease = (await f.leases.acquire('job:x', 'a', 60 * SECOND))!;
        await f.leases.release(lease);
        await expect(f.leases.renew(lease, 60 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
        expect(await f.leases.acquire('job:x', 'b', 60 * SECOND)).toMatchObject({ owner: 'b', fence: 2 });
        // Releasing twice is a no-op.
        await expect(f.leases.release(lease)).resolves.toBeUndefined();
        expect(await f.leases.acquire('job:x', 'c', 60 * SECOND)).toBeUndefined();
      });

      test('the same owner acquiring again gets a new fence, and its older lease is fenced', async () => {
        const first = (await f.leases.acquire('job:x', 'a', 60 * SECOND))!;
        const second = (await f.leases.acquire('job:x', 'a', 60 * SECOND))!;
        expect(second.fence).toBe(first.fence + 1);
        await expect(f.leases.renew(first, 60 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
        await expect(f.leases.renew(second, 60 * SECOND)).resolves.toMatchObject({ fence: second.fence });
      });

      test('racing acquires: exactly one of ten owners gets the lease', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => f.leases.acquire('exec:R-race', `owner-${i}`, MINUTE)),
        );
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });

      test('racing take-overs of an expired lease: exactly one of ten owners gets it, one fence above the stale one', async () => {
        // The expired row exists (on Tables, remembered with its ETag): each take-over must be
        // conditional on the row it decided on, not only a new key's create.
        const stale = (await f.leases.acquire('exec:R-race', 'a', MINUTE))!;
        clock.advance(MINUTE);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => f.leases.acquire('exec:R-race', `owner-${i}`, MINUTE)),
        );
        const won = results.filter((r) => r !== undefined);
        expect(won).toHaveLength(1);
        expect(won[0]).toMatchObject({ fence: stale.fence + 1 });
        expect(await f.leases.holder('exec:R-race')).toEqual(won[0]);
        await expect(f.leases.renew(stale, MINUTE)).rejects.toBeInstanceOf(LeaseLostError);
      });

      test("a release of the same owner's older lease (older fence) does not free the newer one", async () => {
        // A run's late release of the lease it held before it acquired again: the owner matches,
        // only the fence tells the two apart.
        const first = (await f.leases.acquire('job:x', 'a', 60 * SECOND))!;
        const second = (await f.leases.acquire('job:x', 'a', 60 * SECOND))!;
        expect(second.fence).toBe(first.fence + 1);
        await f.leases.release(first);
        expect(await f.leases.holder('job:x')).toEqual(second);
        expect(await f.leases.acquire('job:x', 'b', 60 * SECOND)).toBeUndefined();
        await expect(f.leases.renew(second, 60 * SECOND)).resolves.toMatchObject({ owner: 'a', fence: second.fence });
      });
    });

    describe('schedule', () => {
      const job = (id: string, dueAt: string, extra: Partial<ScheduledJob> = {}): ScheduledJob => ({
        id,
        kind: 'access.expire',
        dueAt,
        attempts: 0,
        ...extra,
      });

      test('put/get round-trips every field; put with the same id replaces', async () => {
        const j = job('access.expire:R-1', '2025-01-15T10:00:00.000Z', {
          requestId: 'R-1',
          payload: { registry: 'r', nested: { n: 1 } },
          attempts: 2,
          lastError: 'ARM 503',
        });
        await f.schedule.put(j);
        expect(await f.schedule.get(j.id)).toEqual({ ...j, revision: expect.any(String) });
        const moved = { ...j, dueAt: '2025-01-15T11:00:00.000Z', attempts: 3 };
        await f.schedule.put(moved);
        expect(await f.schedule.get(j.id)).toEqual({ ...moved, revision: expect.any(String) });
        expect(await f.schedule.due(new Date('2025-01-15T10:30:00.000Z'), 10)).toEqual([]);
        expect(await f.schedule.get('absent')).toBeUndefined();
      });

      test('lastFailurePassing round-trips through every write and read; a job written without it reads without it', async () => {
        const passing = job('access.expire:R-1', '2025-01-15T10:00:00.000Z', {
          requestId: 'R-1',
          attempts: 1,
          lastError: 'ARM 503',
          lastFailurePassing: true,
        });
        await f.schedule.put(passing);
        const read = (await f.schedule.get(passing.id))!;
        expect(read).toEqual({ ...passing, revision: expect.any(String) });
        const at = new Date('2025-01-15T10:00:00.000Z');
        expect((await f.schedule.due(at, 10))[0]).toMatchObject({ lastFailurePassing: true });
        expect((await f.schedule.forRequest('R-1'))[0]).toMatchObject({ lastFailurePassing: true });
        expect((await f.schedule.withIdPrefix('access.expire:', 10))[0]).toMatchObject({ lastFailurePassing: true });
        const refused = { ...read, attempts: 2, lastError: 'ARM 403', lastFailurePassing: false };
        expect(await f.schedule.putIfUnchanged(refused, read.revision!)).toBe(true);
        expect(await f.schedule.get(passing.id)).toEqual({ ...refused, revision: expect.any(String) });
        // Written before the field existed (or never failed): no field, which reads as not passing.
        const older = job('access.expire:R-2', '2025-01-15T10:00:00.000Z', { attempts: 3, lastError: 'ARM 503' });
        expect(await f.schedule.putIfAbsent(older)).toBe(true);
        expect(await f.schedule.get(older.id)).not.toHaveProperty('lastFailurePassing');
      });

      test('dueAt is kept as normalised ISO text whatever form it was given in; forRequest lists by due time, then id', async () => {
        await f.schedule.put(job('access.remind:R-1:b', '2030-01-01T00:00:00Z', { requestId: 'R-1' }));
        await f.schedule.put(job('access.remind:R-1:a', '2029-12-31T23:00:00.000+00:00', { requestId: 'R-1' }));
        await f.schedule.put(job('access.expire:R-1', '2030-01-01T00:00:00.000Z', { requestId: 'R-1' }));
        expect((await f.schedule.get('access.remind:R-1:b'))!.dueAt).toBe('2030-01-01T00:00:00.000Z');
        expect((await f.schedule.forRequest('R-1')).map((j) => [j.id, j.dueAt])).toEqual([
          ['access.remind:R-1:a', '2029-12-31T23:00:00.000Z'],
          ['access.expire:R-1', '2030-01-01T00:00:00.000Z'],
          ['access.remind:R-1:b', '2030-01-01T00:00:00.000Z'],
        ]);
      });

      test('due returns jobs with dueAt <= now, earliest first (then by id), at most limit', async () => {
        await f.schedule.put(job('c', '2025-01-15T09:03:00.000Z'));
        await f.schedule.put(job('future', '2025-01-15T09:10:00.000Z'));
        await f.schedule.put(job('a', '2025-01-15T09:01:00.000Z'));
        await f.schedule.put(job('b2', '2025-01-15T09:02:00.000Z'));
        await f.schedule.put(job('b1', '2025-01-15T09:02:00.000Z'));
        const now = new Date('2025-01-15T09:05:00.000Z');
        expect((await f.schedule.due(now, 10)).map((j) => j.id)).toEqual(['a', 'b1', 'b2', 'c']);
        expect((await f.schedule.due(now, 2)).map((j) => j.id)).toEqual(['a', 'b1']);
        expect((await f.schedule.due(new Date('2025-01-15T09:03:00.000Z'), 10)).map((j) => j.id)).toEqual([
          'a',
          'b1',
          'b2',
          'c',
        ]);
        expect(await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 10)).toEqual([]);
      });

      test('jobs due at the same time come in the order of their ids’ characters (code units), not a locale’s', async () => {
        // A locale puts 'a' before 'B' and ':' before '.'; SQLite and Table Storage compare code units.
        const at = '2025-01-15T09:00:00.000Z';
        const ids = ['x_y', 'a', 'x:y', 'B', 'x.y', 'x-y'];
        for (const id of ids) await f.schedule.put(job(id, at, { requestId: 'R-1' }));
        const byCodeUnits = ['B', 'a', 'x-y', 'x.y', 'x:y', 'x_y'];
        expect((await f.schedule.due(new Date(at), 10)).map((j) => j.id)).toEqual(byCodeUnits);
        expect((await f.schedule.due(new Date(at), 2)).map((j) => j.id)).toEqual(['B', 'a']);
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id)).toEqual(byCodeUnits);
      });

      test('forRequest lists a request’s jobs; delete removes one and is a no-op when absent', async () => {
        await f.schedule.put(job('access.expire:R-1', '2025-01-15T10:00:00.000Z', { requestId: 'R-1' }));
        await f.schedule.put(
          job('access.remind:R-1', '2025-01-15T09:50:00.000Z', { requestId: 'R-1', kind: 'access.remind' }),
        );
        await f.schedule.put(job('access.expire:R-2', '2025-01-15T10:00:00.000Z', { requestId: 'R-2' }));
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id).sort()).toEqual([
          'access.expire:R-1',
          'access.remind:R-1',
        ]);
        await f.schedule.delete('access.expire:R-1');
        await f.schedule.delete('access.expire:R-1');
        await f.schedule.delete('never-existed');
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id)).toEqual(['access.remind:R-1']);
        expect(await f.schedule.get('access.expire:R-1')).toBeUndefined();
        expect((await f.schedule.due(new Date('2025-01-15T12:00:00.000Z'), 10)).map((j) => j.id)).toEqual([
          'access.remind:R-1',
          'access.expire:R-2',
        ]);
        expect(await f.schedule.forRequest('R-9')).toEqual([]);
      });

      test('every write gives the job a new revision, the same through get, due and forRequest; the one a put is given is ignored', async () => {
        const at = '2025-01-15T09:00:00.000Z';
        await f.schedule.put(job('access.expire:R-1', at, { requestId: 'R-1', revision: 'chosen-by-caller' }));
        const first = (await f.schedule.get('access.expire:R-1'))!;
        expect(first.revision).toEqual(expect.any(String));
        expect(first.revision).not.toBe('chosen-by-caller');
        expect((await f.schedule.due(new Date(at), 10)).map((j) => j.revision)).toEqual([first.revision]);
        expect((await f.schedule.forRequest('R-1')).map((j) => j.revision)).toEqual([first.revision]);
        // The same content written again is a write all the same: a run that read `first` must see it.
        await f.schedule.put(job('access.expire:R-1', at, { requestId: 'R-1' }));
        const second = (await f.schedule.get('access.expire:R-1'))!;
        expect(second.revision).not.toBe(first.revision);
        expect((await f.schedule.due(new Date(at), 10)).map((j) => j.revision)).toEqual([second.revision]);
      });

      test('putIfUnchanged replaces the job at the revision read (index moved); refused once it was written or deleted since, and never creates', async () => {
        await f.schedule.put(job('access.expire:R-1', '2025-01-15T09:00:00.000Z', { requestId: 'R-1' }));
        const read = (await f.schedule.get('access.expire:R-1'))!;
        const retry = { ...read, attempts: 1, lastError: 'ARM 503', dueAt: '2025-01-15T09:00:30.000Z' };
        expect(await f.schedule.putIfUnchanged(retry, read.revision!)).toBe(true);
        const after = (await f.schedule.get('access.expire:R-1'))!;
        expect(after).toEqual({ ...retry, revision: expect.any(String) });
        expect(after.revision).not.toBe(read.revision);
        expect(await f.schedule.due(new Date('2025-01-15T09:00:29.000Z'), 10)).toEqual([]);
        expect((await f.schedule.due(new Date('2025-01-15T09:00:30.000Z'), 10)).map((j) => j.attempts)).toEqual([1]);
        // Another writer moved it (a revoke, with who and why): the stale retry writes nothing.
        const revoke = job('access.expire:R-1', '2025-01-15T09:00:00.000Z', {
          requestId: 'R-1',
          payload: { by: { objectId: 'o', name: 'Ada' } },
        });
        await f.schedule.put(revoke);
        expect(await f.schedule.putIfUnchanged({ ...retry, attempts: 2 }, after.revision!)).toBe(false);
        expect(await f.schedule.get('access.expire:R-1')).toEqual({ ...revoke, revision: expect.any(String) });
        expect((await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 10)).map((j) => j.payload)).toEqual([
          revoke.payload,
        ]);
        expect((await f.schedule.forRequest('R-1')).map((j) => j.payload)).toEqual([revoke.payload]);
        // Deleted since: not brought back.
        const current = (await f.schedule.get('access.expire:R-1'))!;
        await f.schedule.delete('access.expire:R-1');
        expect(await f.schedule.putIfUnchanged(retry, current.revision!)).toBe(false);
        expect(await f.schedule.get('access.expire:R-1')).toBeUndefined();
        expect(await f.schedule.due(new Date('2025-01-15T12:00:00.000Z'), 10)).toEqual([]);
        expect(await f.schedule.forRequest('R-1')).toEqual([]);
      });

      test('putIfAbsent creates a job only where none is: an existing one stays as it is; a deleted one is created again', async () => {
        const plain = job('access.expire:R-1', '2025-01-15T12:00:00.000Z', { requestId: 'R-1' });
        expect(await f.schedule.putIfAbsent(plain)).toBe(true);
        const created = (await f.schedule.get(plain.id))!;
        expect(created).toEqual({ ...plain, revision: expect.any(String) });
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id)).toEqual([plain.id]);
        // A revoke written in between (due now, with who and why): a later create is refused.
        const revoke = job(plain.id, '2025-01-15T09:00:00.000Z', {
          requestId: 'R-1',
          payload: { by: { objectId: 'o', name: 'Ada' } },
        });
        await f.schedule.put(revoke);
        const revoked = (await f.schedule.get(plain.id))!;
        expect(await f.schedule.putIfAbsent(plain)).toBe(false);
        expect(await f.schedule.get(plain.id)).toEqual(revoked);
        expect((await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 10)).map((j) => j.payload)).toEqual([
          revoke.payload,
        ]);
        // Deleted (plainly, or at its revision): created again, due and listed.
        await f.schedule.delete(plain.id);
        expect(await f.schedule.putIfAbsent(plain)).toBe(true);
        const again = (await f.schedule.get(plain.id))!;
        expect(again.revision).not.toBe(created.revision);
        expect(await f.schedule.deleteIfUnchanged(plain.id, again.revision!)).toBe(true);
        expect(await f.schedule.putIfAbsent({ ...plain, attempts: 1 })).toBe(true);
        expect(await f.schedule.get(plain.id)).toMatchObject({ attempts: 1, dueAt: plain.dueAt });
        expect((await f.schedule.due(new Date('2025-01-15T12:00:00.000Z'), 10)).map((j) => j.id)).toEqual([plain.id]);
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id)).toEqual([plain.id]);
      });

      test('two creates of one absent job at once: exactly one applies', async () => {
        const results = await Promise.all([
          f.schedule.putIfAbsent(job('j', '2025-01-15T09:00:00.000Z', { attempts: 1 })),
          f.schedule.putIfAbsent(job('j', '2025-01-15T09:00:00.000Z', { attempts: 2 })),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await f.schedule.get('j'))?.attempts).toBe(results[0] ? 1 : 2);
        expect(await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 10)).toHaveLength(1);
      });

      test('deleteIfUnchanged deletes the job at the revision read; a job written since stays, due and listed', async () => {
        await f.schedule.put(job('access.expire:R-1', '2025-01-15T09:00:00.000Z', { requestId: 'R-1' }));
        await f.schedule.put(job('access.remind:R-1', '2025-01-15T09:00:00.000Z', { requestId: 'R-1' }));
        const done = (await f.schedule.get('access.remind:R-1'))!;
        expect(await f.schedule.deleteIfUnchanged(done.id, done.revision!)).toBe(true);
        expect(await f.schedule.get(done.id)).toBeUndefined();
        expect(await f.schedule.deleteIfUnchanged(done.id, done.revision!)).toBe(false);
        expect(await f.schedule.deleteIfUnchanged('never-existed', '')).toBe(false);
        // Rewritten with the same due time (a revoke moved to now while the run ran): it stays.
        const read = (await f.schedule.get('access.expire:R-1'))!;
        await f.schedule.put(
          job('access.expire:R-1', '2025-01-15T09:00:00.000Z', { requestId: 'R-1', payload: { reason: 'left' } }),
        );
        expect(await f.schedule.deleteIfUnchanged(read.id, read.revision!)).toBe(false);
        expect(await f.schedule.get(read.id)).toMatchObject({ payload: { reason: 'left' } });
        expect((await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 10)).map((j) => j.id)).toEqual([read.id]);
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id)).toEqual([read.id]);
        // After that, the job can be scheduled and moved as ever.
        await f.schedule.put(job('access.remind:R-1', '2025-01-15T09:30:00.000Z', { requestId: 'R-1' }));
        expect((await f.schedule.forRequest('R-1')).map((j) => j.id)).toEqual([read.id, 'access.remind:R-1']);
      });

      test('a job deleted and scheduled again never has a revision it had: a write conditional on the old one is refused', async () => {
        const spec = job('request.expire:R-1', '2025-01-15T09:00:00.000Z', { requestId: 'R-1' });
        await f.schedule.put(spec);
        const old = (await f.schedule.get(spec.id))!;
        await f.schedule.delete(spec.id);
        await f.schedule.put(spec);
        expect((await f.schedule.get(spec.id))!.revision).not.toBe(old.revision);
        expect(await f.schedule.deleteIfUnchanged(spec.id, old.revision!)).toBe(false);
        expect(await f.schedule.putIfUnchanged({ ...spec, attempts: 5 }, old.revision!)).toBe(false);
        expect(await f.schedule.get(spec.id)).toMatchObject({ attempts: 0 });
      });

      test('two conditional writes on one revision at once: exactly one applies', async () => {
        await f.schedule.put(job('j', '2025-01-15T09:00:00.000Z', { requestId: 'R-1' }));
        const read = (await f.schedule.get('j'))!;
        const results = await Promise.all([
          f.schedule.putIfUnchanged({ ...read, attempts: 1 }, read.revision!),
          f.schedule.deleteIfUnchanged('j', read.revision!),
          f.schedule.putIfUnchanged({ ...read, attempts: 2 }, read.revision!),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const left = await f.schedule.get('j');
        if (results[1]) expect(left).toBeUndefined();
        else expect(left?.attempts).toBe(results[0] ? 1 : 2);
        expect((await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 10)).map((j) => j.attempts)).toEqual(
          left ? [left.attempts] : [],
        );
      });

      test('withIdPrefix lists the jobs whose id starts with the prefix, in id order, at most limit; no neighbour, no deleted job', async () => {
        const at = '2025-01-15T09:00:00.000Z';
        const ids = [
          'breakglass.review:R-2',
          'breakglass.reviewX:R-1',
          'breakglass.review:R-3',
          'breakglass.review;R-1',
          'breakglass.review',
          'breakglass.revie',
          'breakglass.review:R-1',
          'access.expire:R-1',
          'c',
        ];
        for (const id of ids) await f.schedule.put(job(id, at, { requestId: 'R-1', kind: 'breakglass.review' }));
        const list = async (prefix: string, limit: number) =>
          (await f.schedule.withIdPrefix(prefix, limit)).map((j) => j.id);
        const reviews = ['breakglass.review:R-1', 'breakglass.review:R-2', 'breakglass.review:R-3'];
        expect(await list('breakglass.review:', 10)).toEqual(reviews);
        expect(await list('breakglass.review:', 2)).toEqual(reviews.slice(0, 2));
        expect(await list('breakglass.review:', 0)).toEqual([]);
        // Sorted here: Tables keeps `;` escaped (`!3B;`), which sorts before `:`.
        expect((await list('breakglass.review', 10)).sort()).toEqual(
          ['breakglass.review', ...reviews, 'breakglass.review;R-1', 'breakglass.reviewX:R-1'].sort(),
        );
        expect(await list('', 3)).toEqual(['access.expire:R-1', 'breakglass.revie', 'breakglass.review']);
        expect(await list('zzz', 10)).toEqual([]);
        // The whole job, at its revision, as get reads it.
        expect(await f.schedule.withIdPrefix('breakglass.review:R-2', 10)).toEqual([
          await f.schedule.get('breakglass.review:R-2'),
        ]);
        // Deleted (and deleted conditionally, which on Tables leaves a marker for a moment): not listed.
        await f.schedule.delete('breakglass.review:R-2');
        const read = (await f.schedule.get('breakglass.review:R-3'))!;
        expect(await f.schedule.deleteIfUnchanged(read.id, read.revision!)).toBe(true);
        expect(await list('breakglass.review:', 10)).toEqual(['breakglass.review:R-1']);
      });

      test('withIdPrefix takes the prefix character for character: `_` and `%` match only themselves, escaped characters keep their place', async () => {
        const at = '2025-01-15T09:00:00.000Z';
        const ids = ['a_b:1', 'aXb:1', 'a%b:1', 'a%%b:1', 'x|y', 'x|y 1', 'x|y 2', 'x|y!1', 'x|y;', 'x|yé', 'x|z'];
        // keyPart writes U+0001 as `!01;` and U+0100 as `!0100;`: without the `;` one would prefix the other.
        ids.push('p\u0001a', 'p\u0100a');
        for (const id of ids) await f.schedule.put(job(id, at));
        const list = async (prefix: string) => (await f.schedule.withIdPrefix(prefix, 100)).map((j) => j.id);
        expect(await list('a_b:')).toEqual(['a_b:1']);
        expect(await list('a%')).toEqual(['a%%b:1', 'a%b:1']);
        expect(await list('a%b')).toEqual(['a%b:1']);
        expect(await list('x|y ')).toEqual(['x|y 1', 'x|y 2']);
        expect(await list('x|y')).toEqual(['x|y', 'x|y 1', 'x|y 2', 'x|y!1', 'x|y;', 'x|yé']);
        expect(await list('x|yé')).toEqual(['x|yé']);
        expect(await list('p\u0001')).toEqual(['p\u0001a']);
        expect(await list('p\u0100')).toEqual(['p\u0100a']);
      });

      test('jobs are copied in and out', async () => {
        const j = job('x', '2025-01-15T09:00:00.000Z', { payload: { a: 1 } });
        await f.schedule.put(j);
        j.payload!.a = 2;
        const read = (await f.schedule.get('x'))!;
        expect(read.payload).toEqual({ a: 1 });
        read.payload!.a = 3;
        expect((await f.schedule.due(new Date('2025-01-15T09:00:00.000Z'), 1))[0].payload).toEqual({ a: 1 });
      });
    });

    describe('dialogs', () => {
      const at = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * SECOND);

      test('put/get until expiry; expired records are invisible; put replaces; delete removes', async () => {
        const record = {
          key: '19:conv|user-1',
          state: { step: 'cluster', picked: ['a'] },
          expiresAt: at(60).toISOString(),
        };
        await f.dialogs.put(record);
        expect(await f.dialogs.get(record.key, at(59))).toEqual(record);
        expect(await f.dialogs.get('19:conv|user-2', at(0))).toBeUndefined();
        expect(await f.dialogs.get(record.key, at(60))).toBeUndefined();
        await f.dialogs.put({ ...record, state: { step: 'registry' }, expiresAt: at(120).toISOString() });
        expect((await f.dialogs.get(record.key, at(100)))?.state).toEqual({ step: 'registry' });
        await f.dialogs.delete(record.key);
        await f.dialogs.delete(record.key);
        expect(await f.dialogs.get(record.key, at(100))).toBeUndefined();
      });

      test('purgeExpired deletes only expired records and counts them', async () => {
        await f.dialogs.put({ key: 'c|1', state: {}, expiresAt: at(10).toISOString() });
        await f.dialogs.put({ key: 'c|2', state: {}, expiresAt: at(20).toISOString() });
        await f.dialogs.put({ key: 'c|3', state: { keep: true }, expiresAt: at(30).toISOString() });
        expect(await f.dialogs.purgeExpired(at(20))).toBe(2);
        expect(await f.dialogs.purgeExpired(at(20))).toBe(0);
        expect(await f.dialogs.get('c|3', at(21))).toMatchObject({ state: { keep: true } });
      });

      test('purgeExpired: a record put again with a later expiry survives a purge at its first expiry; a deleted one is not counted', async () => {
        await f.dialogs.put({ key: 'c|again', state: { n: 1 }, expiresAt: at(10).toISOString() });
        await f.dialogs.put({ key: 'c|again', state: { n: 2 }, expiresAt: at(40).toISOString() });
        await f.dialogs.put({ key: 'c|gone', state: {}, expiresAt: at(10).toISOString() });
        await f.dialogs.delete('c|gone');
        await f.dialogs.put({ key: 'c|due', state: {}, expiresAt: at(10).toISOString() });
        expect(await f.dialogs.purgeExpired(at(20))).toBe(1);
        expect(await f.dialogs.get('c|again', at(21))).toMatchObject({ state: { n: 2 } });
        expect(await f.dialogs.purgeExpired(at(40))).toBe(1);
        expect(await f.dialogs.get('c|again', at(0))).toBeUndefined();
        expect(await f.dialogs.purgeExpired(at(100))).toBe(0);
      });

      test('purgeExpired at exactly the expiry; keys with characters a table key cannot hold', async () => {
        const key = '19:a/b#c?d\\e|!7C;user';
        await f.dialogs.put({ key, state: {}, expiresAt: at(10).toISOString() });
        await f.dialogs.put({ key: '19:a/b#c?d\\e|!7c;user', state: {}, expiresAt: at(11).toISOString() });
        expect(await f.dialogs.purgeExpired(at(9))).toBe(0);
        expect(await f.dialogs.purgeExpired(at(10))).toBe(1);
        expect(await f.dialogs.get('19:a/b#c?d\\e|!7c;user', at(10))).toBeDefined();
      });

      test('records are copied in and out', async () => {
        const record = { key: 'c|1', state: { n: 1 }, expiresAt: at(60).toISOString() };
        await f.dialogs.put(record);
        record.state.n = 2;
        const read = (await f.dialogs.get('c|1', at(0)))!;
        expect(read.state).toEqual({ n: 1 });
        (read.state as { n: number }).n = 3;
        expect((await f.dialogs.get('c|1', at(0)))!.state).toEqual({ n: 1 });
      });
    });

    describe('abuse ledger', () => {
      test('firstSighting: true once, false on redelivery, true again after the ttl', async () => {
        const t0 = new Date('2025-01-15T09:00:00.000Z');
        expect(await f.abuse.firstSighting('act-1', t0, MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('act-1', new Date(t0.getTime() + 59 * SECOND), MINUTE)).toBe(false);
        expect(await f.abuse.firstSighting('act-2', t0, MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('act-1', new Date(t0.getTime() + 2 * MINUTE), MINUTE)).toBe(true);
      });

      test('forgetExpiredSightings deletes the sightings whose ttl ran out and counts them; a forgotten id is new again', async () => {
        const t = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * SECOND);
        expect(await f.abuse.firstSighting('act-a', t(0), MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('act-b', t(10), MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('act-c', t(20), MINUTE)).toBe(true);
        // Redelivered: still one sighting, still the first time.
        expect(await f.abuse.firstSighting('act-a', t(15), MINUTE)).toBe(false);
        expect(await f.abuse.forgetExpiredSightings(t(70))).toBe(2);
        expect(await f.abuse.forgetExpiredSightings(t(70))).toBe(0);
        // Still remembered: act-c (seen at 20) within its ttl.
        expect(await f.abuse.firstSighting('act-c', t(75), MINUTE)).toBe(false);
        // Forgotten: a redelivery now counts as new (the ledger may forget after the ttl).
        expect(await f.abuse.firstSighting('act-a', t(76), MINUTE)).toBe(true);
        expect(await f.abuse.forgetExpiredSightings(t(80))).toBe(1);
        expect(await f.abuse.forgetExpiredSightings(t(135))).toBe(0);
        expect(await f.abuse.firstSighting('act-a', t(130), MINUTE)).toBe(false);
        expect(await f.abuse.forgetExpiredSightings(t(136))).toBe(1);
      });

      test('forgetExpiredSightings keeps a sighting recorded for days past the purges of shorter ones', async () => {
        const t = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * SECOND);
        const DAY = 24 * 60 * MINUTE;
        expect(await f.abuse.firstSighting('card-posted:reminder', t(0), 7 * DAY)).toBe(true);
        expect(await f.abuse.firstSighting('activity:redelivery', t(0), DAY)).toBe(true);
        const twoDays = (2 * DAY) / SECOND;
        expect(await f.abuse.forgetExpiredSightings(t(twoDays))).toBe(1);
        expect(await f.abuse.firstSighting('activity:redelivery', t(twoDays), DAY)).toBe(true);
        expect(await f.abuse.firstSighting('card-posted:reminder', t(twoDays), 7 * DAY)).toBe(false);
        const sevenDays = (7 * DAY) / SECOND;
        // Only the redelivery seen again at two days (a day's ttl): the reminder's record stays.
        expect(await f.abuse.forgetExpiredSightings(t(sevenDays - 1))).toBe(1);
        expect(await f.abuse.forgetExpiredSightings(t(sevenDays))).toBe(1);
        expect(await f.abuse.firstSighting('card-posted:reminder', t(sevenDays), 7 * DAY)).toBe(true);
      });

      test('forgetSighting makes one id new again (a failed attempt is not "received"); others stay; an unseen id is no error', async () => {
        const t0 = new Date('2025-01-15T09:00:00.000Z');
        expect(await f.abuse.firstSighting('act-f', t0, MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('act-g', t0, MINUTE)).toBe(true);
        await f.abuse.forgetSighting('act-f');
        await f.abuse.forgetSighting('act-never-seen');
        const later = new Date(t0.getTime() + 5 * SECOND);
        expect(await f.abuse.firstSighting('act-f', later, MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('act-f', later, MINUTE)).toBe(false);
        expect(await f.abuse.firstSighting('act-g', later, MINUTE)).toBe(false);
        // The sweep still finds (and counts) both remembered sightings, nothing twice.
        expect(await f.abuse.forgetExpiredSightings(new Date(later.getTime() + MINUTE))).toBe(2);
      });

      test("each sighting expires by its own ttl: a short ttl's sighting does not forget a longer one's", async () => {
        const t = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * SECOND);
        expect(await f.abuse.firstSighting('activity:long', t(0), 60 * MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('welcome:short', t(0), MINUTE)).toBe(true);
        // 90 s later a one-minute caller records (and prunes): the hour-long sighting stays.
        expect(await f.abuse.firstSighting('refused:other', t(90), MINUTE)).toBe(true);
        expect(await f.abuse.firstSighting('activity:long', t(95), 60 * MINUTE)).toBe(false);
        // A long caller's prune does not make the short sighting outlive its own ttl either.
        expect(await f.abuse.firstSighting('welcome:short', t(100), MINUTE)).toBe(true);
      });

      test('racing redeliveries: exactly one firstSighting is true', async () => {
        const t0 = new Date('2025-01-15T09:00:00.000Z');
        const results = await Promise.all(Array.from({ length: 8 }, () => f.abuse.firstSighting('act-r', t0, MINUTE)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      test('hit counts per key in fixed windows and restarts in the next window', async () => {
        const w = MINUTE;
        const t = (s: number) => new Date(Date.parse('2025-01-15T09:00:00.000Z') + s * SECOND);
        expect(await f.abuse.hit('user-1', t(0), w)).toBe(1);
        expect(await f.abuse.hit('user-1', t(30), w)).toBe(2);
        expect(await f.abuse.hit('user-2', t(30), w)).toBe(1);
        expect(await f.abuse.hit('user-1', t(59), w)).toBe(3);
        expect(await f.abuse.hit('user-1', t(60), w)).toBe(1);
        expect(await f.abuse.hit('user-1', t(61), w)).toBe(2);
      });

      test('concurrent hits are all counted', async () => {
        const now = new Date('2025-01-15T09:00:00.000Z');
        const counts = await Promise.all(Array.from({ length: 12 }, () => f.abuse.hit('user-c', now, MINUTE)));
        expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      });
    });

    describe('the pause of new access', () => {
      const pauseBy = (name: string, reason = 'unexpected grants on prod'): AccessPause => ({
        since: '2025-01-15T09:00:00.000Z',
        by: { objectId: `oid-${name}`, name },
        reason,
      });

      test('open until paused; a second pause leaves the first in force; resume lifts it once', async () => {
        expect(await f.pause.current()).toBeUndefined();
        expect(await f.pause.pause(pauseBy('Ada'))).toEqual({ applied: true, pause: pauseBy('Ada') });
        expect(await f.pause.current()).toEqual(pauseBy('Ada'));
        expect(await f.pause.pause(pauseBy('Bo', 'another reason entirely'))).toEqual({
          applied: false,
          pause: pauseBy('Ada'),
        });
        expect(await f.pause.current()).toEqual(pauseBy('Ada'));
        expect(await f.pause.resume()).toEqual(pauseBy('Ada'));
        expect(await f.pause.current()).toBeUndefined();
        expect(await f.pause.resume()).toBeUndefined();
        expect(await f.pause.pause(pauseBy('Bo'))).toEqual({ applied: true, pause: pauseBy('Bo') });
      });

      test('resume(expected) lifts only the pause it names (same moment, same author)', async () => {
        await f.pause.pause(pauseBy('Ada'));
        const other = { since: '2025-01-15T09:00:01.000Z', by: { objectId: 'oid-Ada' } };
        expect(await f.pause.resume(other)).toBeUndefined();
        expect(await f.pause.resume({ ...pauseBy('Bo'), since: pauseBy('Ada').since })).toBeUndefined();
        expect(await f.pause.current()).toEqual(pauseBy('Ada'));
        expect(await f.pause.resume({ since: pauseBy('Ada').since, by: { objectId: 'OID-ADA' } })).toEqual(
          pauseBy('Ada'),
        );
        expect(await f.pause.current()).toBeUndefined();
      });

      test('racing pauses: exactly one is applied and all answer it; racing resumes lift it once', async () => {
        const results = await Promise.all(['A', 'B', 'C', 'D', 'E', 'F'].map((n) => f.pause.pause(pauseBy(n))));
        const applied = results.filter((r) => r.applied);
        expect(applied).toHaveLength(1);
        for (const r of results) expect(r.pause).toEqual(applied[0].pause);
        const lifted = await Promise.all(Array.from({ length: 6 }, () => f.pause.resume()));
        expect(lifted.filter(Boolean)).toEqual([applied[0].pause]);
        expect(await f.pause.current()).toBeUndefined();
      });

      test('amend replaces the pause only while it is the record read; its identity stays, and resume(expected) still lifts it', async () => {
        const ada = pauseBy('Ada');
        const amended: AccessPause = {
          ...ada,
          reason: 'unexpected grants on prod and dev',
          amended: { by: { objectId: 'oid-Bo', name: 'Bo' }, at: '2025-01-15T09:05:00.000Z' },
        };
        // Nothing in force: nothing to amend.
        expect(await f.pause.amend(ada, amended)).toBeUndefined();
        expect(await f.pause.current()).toBeUndefined();
        await f.pause.pause(ada);
        expect(await f.pause.amend(ada, amended)).toEqual(amended);
        expect(await f.pause.current()).toEqual(amended);
        // Read before the amend: refused, nothing written (a stale reason, or no amendment).
        expect(await f.pause.amend(ada, { ...ada, reason: 'stale' })).toBeUndefined();
        expect(await f.pause.amend({ ...amended, amended: undefined }, { ...ada, reason: 'stale' })).toBeUndefined();
        // Another pause's identity is never written over this one.
        expect(await f.pause.amend(amended, { ...pauseBy('Bo'), reason: 'another pause' })).toBeUndefined();
        expect(await f.pause.current()).toEqual(amended);
        // An undo puts the record read back.
        expect(await f.pause.amend(amended, ada)).toEqual(ada);
        expect(await f.pause.current()).toEqual(ada);
        await f.pause.amend(ada, amended);
        expect(await f.pause.resume({ since: ada.since, by: { objectId: 'oid-Ada' } })).toEqual(amended);
        expect(await f.pause.current()).toBeUndefined();
        // A lifted pause is not amended (nor put back in force by an amend).
        expect(await f.pause.amend(amended, { ...amended, reason: 'too late' })).toBeUndefined();
        expect(await f.pause.current()).toBeUndefined();
      });

      test('racing amends of one record: exactly one is written, and the record is that one', async () => {
        const ada = pauseBy('Ada');
        await f.pause.pause(ada);
        const nexts = ['A', 'B', 'C', 'D', 'E', 'F'].map((n): AccessPause => ({
          ...ada,
          reason: `reason ${n}`,
          amended: { by: { objectId: `oid-${n}`, name: n }, at: '2025-01-15T09:05:00.000Z' },
        }));
        const results = await Promise.all(nexts.map((next) => f.pause.amend(ada, next)));
        const written = results.filter(Boolean);
        expect(written).toHaveLength(1);
        expect(await f.pause.current()).toEqual(written[0]);
      });
    });
  });
}
