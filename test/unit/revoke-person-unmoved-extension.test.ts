/**
 * Someone revoking an original whose later extension succeeded without moving its end (its
 * follow-up failed, access-extensions.ts movedByMissedExtensions) revokes it, with the extension:
 * the missed move is made only at expiry (access-lifecycle.ts revoke), never in place of a
 * revocation a person asked for. And a grant revoked while two other grants hold its role
 * assignment tells its requester the assignment stays until the later of their ends (the last
 * holder's), not the earlier (access-end-notice.ts keptFor). AccessLifecycle on memory stores
 * with a fake role-assignment port.
 */
import type { AccessRequest } from '../../src/domain/request';
import {
  fakeRoleAssignments,
  memoryWorld,
  quietLifecycle,
  succeededGrant,
  tellingMessenger,
} from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { APPROVER, grantPlan } from './support/requests';

const DAY = 24 * HOUR;
const NOW = '2025-02-12T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

function setUp() {
  const { clock, store } = memoryWorld(NOW);
  const { ports, deletes } = fakeRoleAssignments(grantPlan());
  /** What the requesters were told, by request id. */
  const told: { id: string; notice: { kept?: { until?: string } } }[] = [];
  const messenger = tellingMessenger((request, notice: { kept?: { until?: string } }) => {
    told.push({ id: request.id, notice });
  });
  return { store, deletes, told, lifecycle: quietLifecycle(clock, { store, ports, messenger }) };
}

/** A {@link succeededGrant} that made its role assignment. */
function succeeded(id: string, expiresAt: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return succeededGrant(id, expiresAt, {
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-id'] },
    ...overrides,
  });
}

test("a person's revocation of an original with an extension that never moved its end revokes both, end unmoved", async () => {
  const { store, deletes, lifecycle } = setUp();
  const original = succeeded('R-ORIGINAL', at(10 * DAY));
  // Succeeded, ends later, but not in the original's `extendedBy`: its move was missed.
  const extension = succeeded('R-EXTENSION', at(20 * DAY), { extendsRequestId: original.id });
  await store.create(original);
  await store.create(extension);

  const result = await lifecycle.revoke(original, APPROVER, 'token leaked', false);

  expect(result.state).toBe('revoked');
  expect((await store.get(original.id))?.state).toBe('revoked');
  expect((await store.get(extension.id))?.state).toBe('revoked');
  // Not moved to the extension's end first.
  expect((await store.get(original.id))?.access?.expiresAt).toBe(at(10 * DAY));
  expect(deletes).toHaveLength(1);
});

test('a revoked grant kept for two other holders is said to stay until the later of their ends', async () => {
  const { store, deletes, told, lifecycle } = setUp();
  const revoked = succeeded('R-AAAAAAAA', at(5 * DAY));
  await store.create(revoked);
  // Listed in both orders around the revoked one: the later end is named whichever comes first.
  await store.create(succeeded('R-BBBBBBBB', at(20 * DAY)));
  await store.create(succeeded('R-CCCCCCCC', at(10 * DAY)));

  await lifecycle.revoke(revoked, APPROVER, 'no longer needed', false);

  expect(deletes).toEqual([]);
  expect(told.filter((t) => t.id === revoked.id).map((t) => t.notice.kept?.until)).toEqual([at(20 * DAY)]);
});
