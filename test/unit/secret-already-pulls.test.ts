/**
 * What already let a planned pull secret's cluster pull (secret-already-pulls.ts `alreadyPullsFrom`):
 * acrbot's records of the pair decide which pulling assignment is acrbot's, whatever the state of
 * the grant that holds it (G15); only one no record holds, and not named as acrbot names its
 * grants, is outside acrbot.
 */
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { AccessRequest } from '../../src/domain/request';
import { alreadyPullsFrom } from '../../src/flows/secret-already-pulls';
import { grantPlan, ownRoleAssignment, pendingRequest, REGISTRY_ID } from './support/requests';

const NOW = new Date('2025-02-01T09:00:00.000Z');
const plan = grantPlan();
const kubelet = plan.identity.objectId;
// The fixture's recorded name is not the one acrbot derives: only the record says it is acrbot's.
const recordedOnly = ownRoleAssignment(plan);

/** A succeeded grant of the pair, its access ending a day after NOW, with `access` overrides. */
const grant = (access: Partial<NonNullable<AccessRequest['access']>> = {}): AccessRequest =>
  pendingRequest({
    state: 'succeeded',
    access: { durationMs: 18 * 24 * 3_600_000, expiresAt: '2025-02-02T09:00:00.000Z', ...access },
  });

const assignment = (name: string): RoleAssignmentInfo => ({
  ...recordedOnly,
  id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${name}`,
  name,
});

describe('alreadyPullsFrom', () => {
  test('a live grant whose assignment is listed: the grant, nothing outside', () => {
    const live = grant();
    expect(alreadyPullsFrom(kubelet, [live], [recordedOnly], NOW)).toEqual({ grants: [live] });
  });

  test.each([
    ['marked drifted', grant({ driftDetectedAt: '2025-01-20T09:00:00.000Z', driftReason: 'changed' })],
    ['past its end', grant({ expiresAt: '2025-01-31T09:00:00.000Z' })],
    ['being revoked', grant({ revokingSince: '2025-02-01T08:59:00.000Z' })],
  ])('a grant %s: its assignment is neither a live grant nor outside acrbot', (_, unlive) => {
    expect(alreadyPullsFrom(kubelet, [unlive], [recordedOnly], NOW)).toEqual({ grants: [] });
  });

  test('an assignment no record holds and not named as acrbot names: outside, after those records hold', () => {
    const drifted = grant({ driftDetectedAt: '2025-01-20T09:00:00.000Z', driftReason: 'changed' });
    const other = assignment('ffffffff-0000-4000-8000-000000000001');
    expect(alreadyPullsFrom(kubelet, [drifted], [recordedOnly, other], NOW)).toEqual({
      grants: [],
      outside: other.id,
    });
  });

  test('named as acrbot names its grants, with no record of the pair: a hint, not outside acrbot', () => {
    const named = assignment(roleAssignmentName(REGISTRY_ID, kubelet, plan.role.id));
    expect(alreadyPullsFrom(kubelet, [], [named], NOW)).toEqual({ grants: [] });
  });

  test('without the list: the live grants as recorded, none being revoked', () => {
    const live = grant();
    const revoking = grant({ revokingSince: '2025-02-01T08:59:00.000Z' });
    expect(alreadyPullsFrom(kubelet, [live, revoking], undefined, NOW)).toEqual({ grants: [live] });
  });
});
