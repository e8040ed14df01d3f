/**
 * Which drift marks come off (drift-cleared.ts): only `identityChanged` and `modeChanged`, and only
 * on positive evidence that the grant gives its cluster pull again. A `changed` assignment is the
 * owner's and its mark stands; a registry still in a mode that ignores the granted role, or in a
 * mode acrbot does not know, keeps the mark.
 */
import { hasClearableDrift, pullsAgain } from '../../src/domain/drift-cleared';
import type { DriftReason } from '../../src/domain/drift-reason';
import type { AccessRequest } from '../../src/domain/request';
import { grantPlan, pendingRequest } from './support/requests';
import { clusterPulling, registryIn } from './support/drift-azure';

const plan = grantPlan();
const KUBELET = plan.identity.objectId;

function marked(reason: DriftReason): AccessRequest {
  return pendingRequest({
    id: 'req-drift',
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: { expiresAt: '2025-03-01T00:00:00.000Z', driftDetectedAt: '2025-02-01T00:00:00.000Z', driftReason: reason },
  });
}

describe('drift marks that may come off (hasClearableDrift)', () => {
  it('takes identityChanged and modeChanged marks', () => {
    expect(hasClearableDrift(marked('identityChanged'))).toBe(true);
    expect(hasClearableDrift(marked('modeChanged'))).toBe(true);
  });

  it('leaves a changed or deleted assignment marked: the owner removed it', () => {
    expect(hasClearableDrift(marked('changed'))).toBe(false);
    expect(hasClearableDrift(marked('deleted'))).toBe(false);
  });
});

describe('whether the grant pulls again (pullsAgain)', () => {
  it('says yes when the cluster pulls as the granted identity and the mode honours the role', () => {
    expect(
      pullsAgain(marked('modeChanged'), clusterPulling(plan, KUBELET), registryIn(plan, 'LegacyRegistryPermissions')),
    ).toBe(true);
  });

  it('says no while the registry is still in ABAC mode, which ignores AcrPull', () => {
    expect(
      pullsAgain(marked('modeChanged'), clusterPulling(plan, KUBELET), registryIn(plan, 'AbacRepositoryPermissions')),
    ).toBe(false);
  });

  it('says no for a registry mode acrbot does not know', () => {
    expect(pullsAgain(marked('modeChanged'), clusterPulling(plan, KUBELET), registryIn(plan, 'Future'))).toBe(false);
  });
});
