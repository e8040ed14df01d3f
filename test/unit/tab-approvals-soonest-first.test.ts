/**
 * "Waiting for your approval" at volume: reviews owed first, as read, then pending requests by when
 * deciding runs out (`decideBy`, the request's `expiresAt`), not by when they were made: a new
 * extension whose wait is cut to its grant's end, an hour away, leads hundreds made before it. A
 * read past the bound says so (`waitingBoundReached`). Rows and the drawer say whether chat's
 * `pending R-…` answers the caller (`mayDecide`, `decidesExtension`): an approver under another
 * rule only (the tab shows them everything) is refused there.
 */
import type { RequestStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import type { Logger } from '../../src/observability/logger';
import type { TabHistory, TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const DAY = 24 * HOUR;
const clock = new FakeClock('2025-01-15T10:00:00.000Z');
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
const log = { error: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;

/** Riley's pending request `id`, made `madeAgo` ago, waiting for a decision until `decideIn` from now. */
const waiting = (id: string, madeAgo: number, decideIn: number, extra: Partial<AccessRequest> = {}) =>
  pendingRequest({ id, createdAt: at(-madeAgo), updatedAt: at(-madeAgo), expiresAt: at(decideIn), ...extra });

/** Riley's grant `id`, live until `endsIn` from now. */
const granted = (id: string, endsIn: number): AccessRequest =>
  pendingRequest({
    id,
    state: 'succeeded',
    createdAt: at(-2 * DAY),
    updatedAt: at(-DAY),
    decision: { by: APPROVER, at: at(-2 * DAY), approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-1'] },
    access: { durationMs: 3 * DAY, expiresAt: at(endsIn) },
  });

async function approvalsOf(store: RequestStore, reviews: AccessRequest[] = [], reviewsBound = false) {
  const api = testTabApi(clock, store, {
    log,
    roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
    actions: { reviewsOwed: async () => ({ requests: reviews, boundReached: reviewsBound }) },
  });
  const res = await api.myAccess(await bearer(APPROVER, clock));
  expect(res.status).toBe(200);
  return res.body as TabMyAccess;
}

describe('Waiting for your approval: the soonest to run out first', () => {
  test('reviews owed keep their order; then pending by decision deadline, then by creation', async () => {
    const store = new MemoryRequestStore();
    const GRANT = granted('R-GRANT001', 90 * 60_000);
    const requests = [
      waiting('R-OLDEST01', 20 * HOUR, 4 * HOUR),
      waiting('R-SAMEEND1', 2 * HOUR, 22 * HOUR),
      waiting('R-SAMEEND2', 3 * HOUR, 22 * HOUR),
      // Made last, but its wait is cut to its grant's end, 90 minutes away.
      waiting('R-NEWEXT01', 60_000, 90 * 60_000, { extendsRequestId: GRANT.id }),
    ];
    for (const r of [GRANT, ...requests]) await store.create(r);
    const reviews = [granted('R-REVIEW02', DAY), granted('R-REVIEW01', DAY)].map((r) => ({
      ...r,
      requester: { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Bo' },
    }));
    const body = await approvalsOf(store, reviews);
    expect(body.approvals.map((r) => r.requestId)).toEqual([
      'R-REVIEW02',
      'R-REVIEW01',
      'R-NEWEXT01',
      'R-OLDEST01',
      'R-SAMEEND2',
      'R-SAMEEND1',
    ]);
    // Each is the caller's to decide under its own rule: chat's `pending R-…` answers them.
    expect(body.approvals.every((r) => r.mayDecide === true)).toBe(true);
    expect(body).not.toHaveProperty('waitingBoundReached');
  });

  test('a read of pending requests past the bound says so in the answer', async () => {
    const store = new MemoryRequestStore();
    await store.create(waiting('R-WAITS001', HOUR, DAY));
    // As many pending as one read takes and one more: only listByState's length matters.
    const full: RequestStore = Object.assign(Object.create(store), {
      listByState: async () => Array.from({ length: WAITING_SCAN_LIMIT + 1 }, () => waiting('R-WAITS001', HOUR, DAY)),
    });
    expect((await approvalsOf(full)).waitingBoundReached).toBe(true);
  });

  test('a read of reviews owed past the bound says so too', async () => {
    expect((await approvalsOf(new MemoryRequestStore(), [], true)).waitingBoundReached).toBe(true);
  });
});

describe("the drawer says whether chat's `pending R-…` answers the caller", () => {
  const GRANT = granted('R-GRANT001', 5 * DAY);
  const EXT = waiting('R-EXTEND01', HOUR, DAY, { extendsRequestId: GRANT.id });
  const OTHER = waiting('R-OTHERRU1', HOUR, DAY);

  async function drawerOf(id: string, approvesUnder: (request: AccessRequest) => boolean) {
    const store = new MemoryRequestStore();
    for (const r of [GRANT, EXT, OTHER]) await store.create(r);
    const api = testTabApi(clock, store, {
      log,
      // An approver under some rule (sees everything), deciding only the requests `approvesUnder` names.
      roles: {
        isApprover: async () => true,
        isApproverOf: async (_actor, request) => approvesUnder(request),
        isAuditor: () => false,
      },
    });
    const res = await api.history(await bearer(APPROVER, clock), id);
    expect(res.status).toBe(200);
    return (res.body as TabHistory).row;
  }

  test("an approver of the request's own rule may decide it", async () => {
    expect((await drawerOf(OTHER.id, () => true)).mayDecide).toBe(true);
  });

  test('an approver of another rule only may not: no `pending R-…` for them', async () => {
    expect(await drawerOf(OTHER.id, () => false)).not.toHaveProperty('mayDecide');
  });

  test("an open extension is marked theirs to decide only under the extension's own rule", async () => {
    const theirs = await drawerOf(GRANT.id, (r) => r.id === EXT.id);
    expect(theirs).toMatchObject({ extensionWaiting: EXT.id, decidesExtension: true });
    expect(theirs).not.toHaveProperty('mayDecide');
    const notTheirs = await drawerOf(GRANT.id, (r) => r.id === GRANT.id);
    expect(notTheirs.extensionWaiting).toBe(EXT.id);
    expect(notTheirs).not.toHaveProperty('decidesExtension');
  });

  test('the requester is never marked as deciding their own request', async () => {
    const store = new MemoryRequestStore();
    await store.create(OTHER);
    const api = testTabApi(clock, store, {
      log,
      roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
    });
    const res = await api.history(await bearer(REQUESTER, clock), OTHER.id);
    expect((res.body as TabHistory).row).not.toHaveProperty('mayDecide');
  });
});
