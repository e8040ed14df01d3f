import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { AccessRequest } from '../../src/domain/request';
import { pendingRequest } from './support/requests';
import { describeAuditLogContract } from './support/audit-log-contract';
import { describeRequestStoreContract } from './support/request-store-contract';

// The memory stores pass the same contracts as SQLite (conditional update, copies not shared
// by reference, latest(0) is empty).
describeRequestStoreContract('MemoryRequestStore', () => ({
  store: new MemoryRequestStore(),
  dispose: async () => undefined,
}));

describeAuditLogContract('MemoryAuditLog', (clock) => ({
  log: new MemoryAuditLog(clock),
  clock,
  dispose: async () => undefined,
}));

// The memory store lists on what it read from each document when it was written, and parses only
// what it returns (round fifty-one): each listing's documents are its own copies, and a listing
// follows an update of the fields it filters and sorts on.
describe('MemoryRequestStore listings', () => {
  test('every listing returns fresh copies: changing one changes neither the store nor another listing', async () => {
    const store = new MemoryRequestStore();
    const request = pendingRequest();
    await store.create(request);
    const lists = [
      () => store.listByState(['pending']),
      () => store.listByTarget(request.plan.cluster.id, request.plan.registry.id, ['pending']),
      () => store.listByRegistry(request.plan.registry.id, ['pending']),
      () => store.listByRequester(request.requester.objectId, ['pending']),
    ];
    for (const list of lists) {
      const [first] = await list();
      first!.state = 'approved';
      first!.requester.objectId = 'tampered';
      const [again] = await list();
      expect(again).not.toBe(first);
      expect([again!.state, again!.requester.objectId]).toEqual(['pending', request.requester.objectId]);
      expect((await store.get(request.id))!.state).toBe('pending');
    }
  });

  test('a listing follows an update of the state, time, target and requester it filters and sorts on', async () => {
    const store = new MemoryRequestStore();
    const a = { ...pendingRequest(), id: 'A', createdAt: '2025-01-01T00:00:00.000Z' };
    const b = { ...pendingRequest(), id: 'B', createdAt: '2025-01-02T00:00:00.000Z' };
    await store.create(a);
    await store.create(b);
    expect((await store.listByState(['pending'])).map((r) => r.id)).toEqual(['A', 'B']);
    const moved: AccessRequest = structuredClone({
      ...a,
      version: a.version + 1,
      state: 'rejected',
      createdAt: '2025-01-03T00:00:00.000Z',
    });
    moved.plan.registry.id = `${a.plan.registry.id}-other`;
    moved.requester.objectId = 'SOMEONE-ELSE';
    await store.update(moved);
    expect((await store.listByState(['pending'])).map((r) => r.id)).toEqual(['B']);
    expect((await store.listByState(['pending', 'rejected'])).map((r) => r.id)).toEqual(['B', 'A']);
    expect((await store.listByRegistry(a.plan.registry.id, ['pending', 'rejected'])).map((r) => r.id)).toEqual(['B']);
    expect(
      (await store.listByTarget(a.plan.cluster.id, moved.plan.registry.id.toUpperCase(), ['rejected'])).map(
        (r) => r.id,
      ),
    ).toEqual(['A']);
    expect((await store.listByRequester('someone-else', ['rejected'])).map((r) => r.id)).toEqual(['A']);
    expect((await store.listByRequester(a.requester.objectId, ['pending', 'rejected'])).map((r) => r.id)).toEqual([
      'B',
    ]);
  });

  test('listByTarget matches the registry as well as the cluster', async () => {
    const store = new MemoryRequestStore();
    const a = { ...pendingRequest(), id: 'A', createdAt: '2025-01-01T00:00:00.000Z' };
    const b: AccessRequest = structuredClone({ ...pendingRequest(), id: 'B', createdAt: '2025-01-02T00:00:00.000Z' });
    b.plan.registry.id = `${a.plan.registry.id}-other`;
    await store.create(a);
    await store.create(b);
    const onTarget = async (registryId: string) =>
      (await store.listByTarget(a.plan.cluster.id, registryId, ['pending'])).map((r) => r.id);
    expect(await onTarget(a.plan.registry.id)).toEqual(['A']);
    expect(await onTarget(b.plan.registry.id)).toEqual(['B']);
  });
});
