/**
 * A grant whose role assignment its owner removed outside acrbot (`az aks update --detach-acr`:
 * drift `deleted`), then another requester's grant of the same pair, approved after it, whose PUT
 * makes the assignment again under the same deterministic name. The removal stands for the
 * drifted grant (G15): it does not hold the assignment the later grant made, so that grant's end
 * deletes it, and the drifted grant's own end keeps it only for a grant still running. A grant
 * drifted with its assignment intact (the registry's mode) still holds it. Through the real app
 * and the ARM emulator, with a test clock (shared steps: test/helpers/lifecycle.ts).
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  assignmentsOn,
  contosoId,
  DAY,
  grant,
  h,
  MINUTE,
  runDueAfter,
  second,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

/** An ABAC condition limiting pull to some repositories (set outside acrbot). */
const CONDITION =
  "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase 'team-a/'))";

const auditOf = async (id: string, action: string) =>
  (await h.app.audit.forRequest(id)).filter((e) => `${e.action}:${e.outcome}` === action);

/** Removes every role assignment on contosoacr, as `az aks update --detach-acr` does, and lets the sweep see it. */
async function detachAndSweep(id: string): Promise<void> {
  const arm = h.app.sandbox!.arm.state;
  for (const a of assignmentsOn(contosoId)) arm.roleAssignments.delete(a.name);
  // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
  advance(LISTING_LAG_GRACE_MS);
  expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([id]);
  expect((await h.app.store.get(id))!.access?.driftReason).toBe('deleted');
}

describe('a drifted grant and the assignment a later grant made again', () => {
  useLifecycleHooks();

  test('removed outside acrbot, then granted again: the later grant\'s end deletes the assignment, not kept "still used by" the drifted one', async () => {
    await start();
    const old = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    await detachAndSweep(old.id);
    advance(MINUTE);
    const later = await grant(second, 'aks-prod contosoacr --for 1d second team needs it');
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    await runDueAfter(DAY);
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toEqual([]);
    expect(await actions(later.id)).toContain('access.revoke.roleAssignment:deleted');
    expect(await auditOf(later.id, 'access.revoke.roleAssignment:kept')).toEqual([]);
    // The drifted grant's end finds nothing left to delete.
    await runDueAfter(2 * DAY);
    expect((await h.app.store.get(old.id))!.state).toBe('revoked');
    expect(await actions(old.id)).toContain('access.revoke.roleAssignment:absent');
  });

  test("the drifted grant's end keeps the assignment for the later grant still running, which deletes it at its own end", async () => {
    await start();
    const old = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await detachAndSweep(old.id);
    advance(MINUTE);
    const later = await grant(second, 'aks-prod contosoacr --for 3d second team needs it');

    await runDueAfter(DAY);
    expect((await h.app.store.get(old.id))!.state).toBe('revoked');
    expect(await auditOf(old.id, 'access.revoke.roleAssignment:kept')).toEqual([
      expect.objectContaining({ detail: `still used by ${later.id}` }),
    ]);
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    await runDueAfter(2 * DAY);
    expect(assignmentsOn(contosoId)).toEqual([]);
    expect(await actions(later.id)).toContain('access.revoke.roleAssignment:deleted');
  });

  test("a grant drifted with its assignment intact (the registry's mode) still holds it past a later grant's end", async () => {
    await start();
    const old = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    registry.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([old.id]);
    expect((await h.app.store.get(old.id))!.access?.driftReason).toBe('modeChanged');
    registry.roleAssignmentMode = 'LegacyRegistryPermissions';
    advance(MINUTE);
    const later = await grant(second, 'aks-prod contosoacr --for 1d second team needs it');

    await runDueAfter(DAY);
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(await auditOf(later.id, 'access.revoke.roleAssignment:kept')).toEqual([
      expect.objectContaining({ detail: `still used by ${old.id}` }),
    ]);
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    await runDueAfter(2 * DAY);
    expect(assignmentsOn(contosoId)).toEqual([]);
  });

  test('overlapping grants both drifted by a condition set outside acrbot: the first end keeps it for the other (made before the drift)', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    advance(MINUTE);
    const other = await grant(second, 'aks-prod contosoacr --for 3d second team needs it');
    expect(other.outcome?.alreadyPresent).toBeFalsy();
    const [assignment] = assignmentsOn(contosoId);
    assignment.condition = CONDITION;
    assignment.conditionVersion = '2.0';
    advance(MINUTE);
    expect((await h.app.services.drift.sweep()).map((r) => r.id).sort()).toEqual([first.id, other.id].sort());
    expect((await h.app.store.get(other.id))!.access?.driftReason).toBe('changed');

    await runDueAfter(DAY);
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect(await auditOf(first.id, 'access.revoke.roleAssignment:kept')).toEqual([
      expect.objectContaining({ detail: `still used by ${other.id}` }),
    ]);
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });
});
