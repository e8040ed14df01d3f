/**
 * The tab's "extension waiting" marker follows the access a row belongs to, by the rule extending
 * follows (access-actions.ts `accessHolderOf`): an extension whose end its original took over
 * (`extendedBy`) is the original's access, and a new extension of it names the original — so
 * the row of extension E1 shows E2, which extends the original R, as R's row does. An extension
 * the original did not take over is its own. Lists find the original among the requests they
 * listed (no store read per row); a drawer reads it once.
 *
 * An extension's row is live (and so carries the marker) while the access is being revoked: the
 * pending E2 stays until the revocation closes it (docs/lifecycle.md), and the tab says it waits.
 */
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabApi } from '../../src/tab/tab-api';
import type { TabHistory, TabMyAccess, TabRow } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const DAY = 24 * HOUR;

/** A memory store that counts reads by id (what the marker may cost). */
class CountingStore extends MemoryRequestStore {
  gets = 0;
  override async get(id: string): Promise<AccessRequest | undefined> {
    this.gets++;
    return super.get(id);
  }
}

describe('the "extension waiting" marker follows the access a row belongs to', () => {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  const ending = { revokingSince: at(-HOUR) };
  /** Riley's succeeded request `id`, its access ending at `endsIn`, as `extra` says. */
  const succeeded = (id: string, endsIn: number, extra: Partial<AccessRequest> = {}): AccessRequest =>
    pendingRequest({
      id,
      state: 'succeeded',
      createdAt: at(-2 * DAY),
      updatedAt: at(-HOUR),
      decision: { by: APPROVER, at: at(-2 * DAY), approved: true },
      outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-1'] },
      ...extra,
      access: { durationMs: DAY, expiresAt: at(endsIn), ...extra.access },
    });
  // R, extended by E1 (its end is E1's now) and being revoked; E2 extends R and waits.
  const R = succeeded('R-ORIGINA1', 8 * DAY, { access: { durationMs: DAY, extendedBy: ['R-EXTEND01'], ...ending } });
  const E1 = succeeded('R-EXTEND01', 8 * DAY, { extendsRequestId: R.id, access: { durationMs: DAY, ...ending } });
  // An extension of R that succeeded without moving R's end (after the revocation began): its own.
  const OWN = succeeded('R-EXTOWN01', 9 * DAY, { extendsRequestId: R.id, access: { durationMs: DAY, ...ending } });
  const E2 = pendingRequest({
    id: 'R-EXTEND02',
    createdAt: at(-HOUR),
    updatedAt: at(-HOUR),
    extendsRequestId: R.id,
    access: { durationMs: 7 * DAY },
  });
  let store: CountingStore;
  let api: TabApi;
  let auth: string;

  beforeEach(async () => {
    store = new CountingStore();
    for (const r of [R, E1, OWN, E2]) await store.create(r);
    api = testTabApi(clock, store);
    auth = await bearer(REQUESTER, clock);
    store.gets = 0;
  });

  test("My access: E1's row shows E2 (waiting on R, whose access E1 is) as R's does, and no Extend; the rows cost no read by id", async () => {
    const res = await api.myAccess(auth);
    expect(res.status).toBe(200);
    const rows = (res.body as TabMyAccess).requests;
    const row = (id: string) => rows.find((r) => r.requestId === id)!;
    expect(row(E1.id)).toMatchObject({ state: 'revoking', canExtend: false, extensionWaiting: E2.id });
    expect(row(R.id)).toMatchObject({ state: 'revoking', canExtend: false, extensionWaiting: E2.id });
    // R never took OWN's end over: OWN's access is its own, and nothing waits on it.
    expect(row(OWN.id).state).toBe('revoking');
    expect(row(OWN.id)).not.toHaveProperty('extensionWaiting');
    expect(store.gets).toBe(0);
  });

  test('the drawer of E1 shows E2 too, reading R once', async () => {
    const res = await api.history(auth, E1.id);
    expect(res.status).toBe(200);
    const row: TabRow = (res.body as TabHistory).row;
    expect(row).toMatchObject({ canExtend: false, extensionWaiting: E2.id });
    // E1 itself (the drawer's request) and its original R.
    expect(store.gets).toBe(2);
    const own = await api.history(auth, OWN.id);
    expect((own.body as TabHistory).row).not.toHaveProperty('extensionWaiting');
  });
});
