/**
 * A grant an earlier release made for a requester of another served tenant than acrbot's own
 * (own-tenant.ts) offers no Extend in the tab, by the rule their expiry reminder follows
 * (reminder-extend.ts): any request of theirs, an extension too, is refused when it is made. The
 * row says so (`otherTenant`), and the drawer says why instead of suggesting `extend` in chat;
 * so too for a pull secret whose credential lapsed while its term runs on, whose end is not said
 * to last "until it is extended".
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/own-tenant';
import type { TabMyAccess, TabRow } from '../../src/tab/tab-wire';
import { endFact, extendInChatHint, otherTenantExtendNote } from '../../web/src/format';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

/** The tenant the test tokens and requests are of, served but not acrbot's own below. */
const SERVED = pendingRequest().tenantId;
const OWN = '0a0b0000-0000-4000-8000-00000000c0c0';
const NOW = '2025-01-16T09:00:00.000Z';

/**
 * Their grant's row in My access (the drawer checked to say the same); `lapsedSecret`: a pull
 * secret instead, whose credential expired yesterday while its term runs to 01-22.
 */
async function myGrantRow(ownTenantId: string | undefined, lapsedSecret = false): Promise<TabRow> {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  await store.create(
    pendingRequest({
      id: 'R-ELSEWHR1',
      state: 'succeeded',
      decision: { by: APPROVER, at: '2025-01-15T09:10:00.000Z', approved: true },
      outcome: { summary: 'granted', azureRequestIds: [] },
      access: { durationMs: 7 * 86_400_000, expiresAt: '2025-01-22T09:10:00.000Z' },
      ...(lapsedSecret && { plan: secretPlan({ expiresAt: '2025-01-15T21:00:00.000Z' }) }),
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
  expect(otherTenantExtendNote(row, REQUESTER.objectId, Date.parse(NOW))).toBe(OTHER_TENANT_NO_EXTEND_NOTE);
  expect(extendInChatHint(row, REQUESTER.objectId)).toBe(false);
  // Only its requester is told (anyone else is not offered Extend anyway).
  expect(otherTenantExtendNote(row, 'someone else', Date.parse(NOW))).toBeUndefined();
});

test("acrbot's own tenant's requester (case aside) is offered Extend as before", async () => {
  for (const own of [SERVED, SERVED.toUpperCase(), undefined]) {
    const row = await myGrantRow(own);
    expect(row.canExtend).toBe(true);
    expect(row.otherTenant).toBeUndefined();
    expect(otherTenantExtendNote(row, REQUESTER.objectId, Date.parse(NOW))).toBeUndefined();
  }
});

describe('a pull secret whose credential lapsed while its term runs on', () => {
  test("another served tenant's requester is not told it lasts until it is extended, but what to do instead", async () => {
    const row = await myGrantRow(OWN, true);
    // The credential's end is the row's: it reads expired, its request active.
    expect(row).toMatchObject({ state: 'expired', requestState: 'succeeded', credentialEnds: true, otherTenant: true });
    expect(row.canExtend).toBe(false);
    expect(endFact(row, Date.parse(NOW))).toEqual([
      'Credential expired',
      '2025-01-15 21:00 UTC: pulls with the secret fail from then',
    ]);
    expect(otherTenantExtendNote(row, REQUESTER.objectId, Date.parse(NOW))).toBe(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(otherTenantExtendNote(row, 'someone else', Date.parse(NOW))).toBeUndefined();
    expect(extendInChatHint(row, REQUESTER.objectId)).toBe(false);
    // Before it lapsed, not told to extend it before then either.
    expect(endFact(row, Date.parse('2025-01-15T09:00:00.000Z'))).toEqual([
      'Credential expires',
      '2025-01-15 21:00 UTC (in 12 hours); nothing renews it',
    ]);
  });

  test("acrbot's own tenant's requester is told to extend it, as before, and given no note", async () => {
    const row = await myGrantRow(undefined, true);
    expect(row).toMatchObject({ state: 'expired', requestState: 'succeeded', credentialEnds: true });
    expect(row.otherTenant).toBeUndefined();
    expect(endFact(row, Date.parse(NOW))[1]).toBe(
      '2025-01-15 21:00 UTC: pulls with the secret fail until it is extended (a new credential) or asked for again',
    );
    expect(otherTenantExtendNote(row, REQUESTER.objectId, Date.parse(NOW))).toBeUndefined();
  });
});
