/**
 * An approver's drawer marks an open extension theirs to decide (`decidesExtension`) from the
 * extension its Extend check listed moments before (openExtensionsBy): the store is read by id
 * for the drawer's own request only, not again for the extension.
 */
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { Logger } from '../../src/observability/logger';
import type { TabHistory } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest } from './support/requests';

const DAY = 24 * HOUR;
const clock = new FakeClock('2025-01-15T10:00:00.000Z');
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
const log = { error: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;

/** A memory store that counts reads by id. */
class CountingStore extends MemoryRequestStore {
  readonly gets: string[] = [];
  override async get(id: string): Promise<AccessRequest | undefined> {
    this.gets.push(id);
    return super.get(id);
  }
}

test("an approver's drawer decides the open extension from the one listed, with no read of it by id", async () => {
  const GRANT = pendingRequest({
    id: 'R-GRANT001',
    state: 'succeeded',
    createdAt: at(-2 * DAY),
    updatedAt: at(-DAY),
    decision: { by: APPROVER, at: at(-2 * DAY), approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-1'] },
    access: { durationMs: 3 * DAY, expiresAt: at(5 * DAY) },
  });
  const EXT = pendingRequest({
    id: 'R-EXTEND01',
    createdAt: at(-HOUR),
    updatedAt: at(-HOUR),
    expiresAt: at(DAY),
    extendsRequestId: GRANT.id,
  });
  const store = new CountingStore();
  for (const r of [GRANT, EXT]) await store.create(r);
  const api = testTabApi(clock, store, {
    log,
    roles: {
      isApprover: async () => true,
      isApproverOf: async (_actor, request) => request.id === EXT.id,
      isAuditor: () => false,
    },
  });
  const res = await api.history(await bearer(APPROVER, clock), GRANT.id);
  expect(res.status).toBe(200);
  expect((res.body as TabHistory).row).toMatchObject({ extensionWaiting: EXT.id, decidesExtension: true });
  expect(store.gets).toEqual([GRANT.id]);
});
