/**
 * An approver who asked for the open extension themselves is not told to decide it in the
 * drawer (`decidesExtension`): chat refuses a requester's own decision, so the drawer must not
 * send them there, whatever rule they approve under.
 */
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { Logger } from '../../src/observability/logger';
import type { TabHistory } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, REQUESTER, pendingRequest } from './support/requests';

const DAY = 24 * HOUR;
const clock = new FakeClock('2025-01-15T10:00:00.000Z');
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
const log = { error: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;

test("an approver's drawer does not offer the extension they asked for themselves", async () => {
  const GRANT: AccessRequest = pendingRequest({
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
  const store = new MemoryRequestStore();
  for (const r of [GRANT, EXT]) await store.create(r);
  // The requester approves under every rule, the extension's too.
  const api = testTabApi(clock, store, {
    log,
    roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
  });

  const res = await api.history(await bearer(REQUESTER, clock), GRANT.id);

  expect(res.status).toBe(200);
  const row = (res.body as TabHistory).row;
  expect(row.extensionWaiting).toBe(EXT.id);
  expect(row.decidesExtension).toBeUndefined();
  expect(row.mayDecide).toBeUndefined();
});
