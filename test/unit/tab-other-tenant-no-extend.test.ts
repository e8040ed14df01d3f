/**
 * A grant an earlier release made for a requester of another served tenant than acrbot's own
 * (own-tenant.ts) offers no Extend in the tab, by the rule their expiry reminder follows
 * (reminder-extend.ts): any request of theirs, an extension too, is refused when it is made. The
 * row says so (`otherTenant`), and the drawer says why instead of suggesting `extend` in chat.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/own-tenant';
import type { TabMyAccess, TabRow } from '../../src/tab/tab-wire';
import { extendInChatHint, otherTenantExtendNote } from '../../web/src/format';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

/** The tenant the test tokens and requests are of, served but not acrbot's own below. */
const SERVED = pendingRequest().tenantId;
const OWN = '0a0b0000-0000-4000-8000-00000000c0c0';

async function myGrantRow(ownTenantId: string | undefined): Promise<TabRow> {
  const clock = new FakeClock('2025-01-16T09:00:00.000Z');
  const store = new MemoryRequestStore();
  await store.create(
    pendingRequest({
      id: 'R-ELSEWHR1',
      state: 'succeeded',
      decision: { by: APPROVER, at: '2025-01-15T09:10:00.000Z', approved: true },
      outcome: { summary: 'granted', azureRequestIds: [] },
      access: { durationMs: 7 * 86_400_000, expiresAt: '2025-01-22T09:10:00.000Z' },
    }),
  );
  const api = testTabApi(clock, store, ownTenantId === undefined ? {} : { ownTenantId });
  const auth = await bearer(REQUESTER, clock);
  const mine = (await api.myAccess(auth)).body as TabMyAccess;
  const history = await api.history(auth, 'R-ELSEWHR1');
  expect(history.status).toBe(200);
  const drawer = (history.body as { row: TabRow }).row;
  // The list and the drawer decide alike.
  expect(drawer.canExtend).toBe(mine.requests[0]!.canExtend);
  expect(drawer.otherTenant).toBe(mine.requests[0]!.otherTenant);
  return mine.requests[0]!;
}

test("another served tenant's requester is offered no Extend on their grant, and the row says why", async () => {
  const row = await myGrantRow(OWN);
  expect(row.canExtend).toBe(false);
  expect(row.otherTenant).toBe(true);
  expect(otherTenantExtendNote(row, REQUESTER.objectId)).toBe(OTHER_TENANT_NO_EXTEND_NOTE);
  expect(extendInChatHint(row, REQUESTER.objectId)).toBe(false);
  // Only its requester is told (anyone else is not offered Extend anyway).
  expect(otherTenantExtendNote(row, 'someone else')).toBeUndefined();
});

test("acrbot's own tenant's requester (case aside) is offered Extend as before", async () => {
  for (const own of [SERVED, SERVED.toUpperCase(), undefined]) {
    const row = await myGrantRow(own);
    expect(row.canExtend).toBe(true);
    expect(row.otherTenant).toBeUndefined();
    expect(otherTenantExtendNote(row, REQUESTER.objectId)).toBeUndefined();
  }
});
