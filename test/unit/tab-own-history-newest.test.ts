/**
 * A requester's own history (the tab's My access and their matrix, chat's `access`) is read as an
 * approver's listing is: live requests first, then the ended ones newest first in the room left.
 * Read oldest first in one go, a history longer than the listing (an automation account's year)
 * filled it with year-old ended requests, and their live grants and pending requests vanished
 * from "My access" without a word.
 */
import type { AccessRequest } from '../../src/domain/request';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LIST_LIMIT } from '../../src/tab/tab-api';
import type { TabMatrixPage, TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const clock = new FakeClock('2025-03-01T09:00:00.000Z');
/** `minutes` after the start of 2024: every request here is older than the clock. */
const at = (minutes: number) => new Date(Date.parse('2024-01-01T00:00:00.000Z') + minutes * 60_000).toISOString();

/** The requester's `n`th ended request (revoked), `n` minutes into 2024. */
function ended(n: number): AccessRequest {
  return pendingRequest({
    id: `R-E${String(n).padStart(7, '0')}`,
    state: 'revoked',
    createdAt: at(n),
    updatedAt: at(n),
    decision: { by: APPROVER, at: at(n), approved: true },
    access: { expiresAt: at(n + 1), revokedAt: at(n + 1), revokedBy: APPROVER },
  });
}

test('past the listing, their live grant and pending request are still shown, with their newest ended ones', async () => {
  const store = new MemoryRequestStore();
  // More ended requests than one listing takes, all older than what is live.
  const history = Array.from({ length: LIST_LIMIT + 2 }, (_, n) => ended(n));
  for (const r of history) await store.create(r);
  const live = pendingRequest({
    id: 'R-LIVE0001',
    state: 'succeeded',
    createdAt: at(LIST_LIMIT + 10),
    updatedAt: at(LIST_LIMIT + 10),
    plan: secretPlan({ expiresAt: '2025-06-01T00:00:00.000Z' }),
    decision: { by: APPROVER, at: at(LIST_LIMIT + 10), approved: true },
    outcome: { summary: 'secret written', azureRequestIds: [] },
    access: { durationMs: 90 * 86_400_000, expiresAt: '2025-06-01T00:00:00.000Z' },
  });
  const waiting = pendingRequest({
    id: 'R-PEND0001',
    createdAt: '2025-03-01T08:00:00.000Z',
    expiresAt: '2025-03-02T08:00:00.000Z',
  });
  await store.create(live);
  await store.create(waiting);
  const api = testTabApi(clock, store, { actions: undefined });
  const auth = await bearer(REQUESTER, clock);

  const mine = (await api.myAccess(auth)).body as TabMyAccess;
  const listed = mine.requests.map((r) => r.requestId);
  expect(listed).toHaveLength(LIST_LIMIT);
  expect(listed).toEqual(expect.arrayContaining([waiting.id, live.id, history.at(-1)!.id]));
  expect(mine.grants.map((r) => r.requestId)).toEqual([live.id]);
  // What did not fit is the oldest ended: two live took their room.
  expect(listed).not.toContain(history[0]!.id);
  expect(listed).not.toContain(history[1]!.id);

  // Their matrix (what their requests gave) reads them alike.
  const all: string[] = [];
  for (let offset: number | undefined = 0; offset !== undefined;) {
    const page = (await api.matrix(auth, { offset: String(offset), limit: '1000' })).body as TabMatrixPage;
    expect(page.total).toBe(LIST_LIMIT - 1); // the pending request gave nothing
    all.push(...page.rows.map((r) => r.requestId!));
    offset = page.nextOffset;
  }
  expect(all).toEqual(expect.arrayContaining([live.id, history.at(-1)!.id]));
  expect(all).not.toContain(history[1]!.id);
});

test("chat's `access` past its bound shows the requester's newest ended access, not the oldest", async () => {
  const store = new MemoryRequestStore();
  const history = Array.from({ length: 5 }, (_, n) => ended(n));
  for (const r of history) await store.create(r);
  const ports = { requests: store, clock } as unknown as AccessInventoryPorts;
  const inventory = new AccessInventory(ports, {} as ResourceResolver, [], 3);

  const own = await inventory.forUser(REQUESTER);
  expect(own.entries.map((e) => e.request.requestId)).toEqual([history[4]!.id, history[3]!.id, history[2]!.id]);
  expect(own.incomplete).toMatch(/newest 3 of its ended requests/);
});
