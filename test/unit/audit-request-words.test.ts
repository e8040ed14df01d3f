import { grantEndWords } from '../../src/domain/audit-end-words';
import { createdDetail, createdTargets, sharingWords } from '../../src/domain/audit-request-words';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';

const cluster = (name: string) => ({
  id: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  subscriptionId: 's1',
  resourceGroup: 'rg',
});

const plan = (sharedWith?: GrantPlan['sharedWith']): GrantPlan =>
  ({
    kind: 'grant',
    cluster: cluster('aks-a'),
    registry: { id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr' },
    identity: { kind: 'kubelet', objectId: 'oid-1', description: 'kubelet' },
    role: { id: 'role-guid', name: 'AcrPull' },
    scope: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr',
    roleAssignmentName: 'ra-1',
    operations: [],
    ...(sharedWith && { sharedWith }),
  }) as unknown as GrantPlan;

const request = (over: Partial<AccessRequest>): AccessRequest =>
  ({ reason: 'deploy it', plan: plan(), access: { durationMs: 86_400_000 }, ...over }) as AccessRequest;

describe('request.created words', () => {
  test('kind and term, a cut term, break-glass and permanent', () => {
    expect(createdDetail(request({}))).toBe('grant for 1d: deploy it');
    expect(createdDetail(request({}), { durationMs: 7 * 86_400_000 })).toBe('grant for 1d (asked for 7d): deploy it');
    expect(createdDetail(request({ policy: { breakGlass: true } as AccessRequest['policy'] }))).toBe(
      'break-glass grant for 1d: deploy it',
    );
    expect(createdDetail(request({ access: { permanent: true } }))).toBe('grant permanent: deploy it');
    expect(createdDetail(request({ access: undefined }))).toBe('grant with no end: deploy it');
  });

  test('sharing clusters: in the targets, counted in the detail; unchecked subscriptions named', () => {
    const shared = plan({ clusters: [cluster('aks-b'), cluster('aks-c')], more: 2, unchecked: ['s2', 's3'] });
    expect(createdTargets(shared)).toEqual([
      shared.cluster.id,
      shared.registry.id,
      cluster('aks-b').id,
      cluster('aks-c').id,
    ]);
    expect(createdDetail(request({ plan: shared }))).toBe(
      'grant for 1d; the identity is also the pull identity of 4 other clusters (their ids follow the registry in the targets, 2 more not recorded), which can pull too; sharing unchecked in subscriptions s2, s3 (their clusters could not be listed): deploy it',
    );
    expect(sharingWords(shared, 'named')).toBe(
      `the identity is also the pull identity of 4 other clusters, which can pull too: ${cluster('aks-b').id}, ${cluster('aks-c').id} and 2 more (request.created names the recorded ones); sharing unchecked in subscriptions s2, s3 (their clusters could not be listed)`,
    );
    expect(sharingWords(plan({ clusters: [], more: 0, unchecked: [] }), 'named')).toBe('');
  });
});

describe('access end words', () => {
  const id = `${plan().scope}/providers/Microsoft.Authorization/roleAssignments/ra-1`;
  const step = (outcome: string) => ({ action: 'access.revoke.roleAssignment', outcome });

  test('deleted (also by an earlier attempt) says nothing more; a secret neither', () => {
    expect(grantEndWords(request({}), [step('deleted')], false)).toBeUndefined();
    expect(grantEndWords(request({}), [step('deleted'), step('absent')], false)).toBeUndefined();
    expect(
      grantEndWords(request({ plan: { kind: 'secret' } as AccessRequest['plan'] }), [step('absent')], false),
    ).toBeUndefined();
  });

  test('absent, kept, registry gone, not acrbot', () => {
    expect(grantEndWords(request({}), [step('absent')], false)).toBe(
      `nothing to delete: ${id} was removed outside acrbot`,
    );
    expect(
      grantEndWords(
        request({ access: { driftDetectedAt: '2026-12-01T00:00:00.000Z', driftReason: 'changed' } }),
        [step('absent')],
        false,
      ),
    ).toBe(`nothing to delete: ${id} was changed outside acrbot (drift noticed 2026-12-01T00:00:00.000Z)`);
    expect(
      grantEndWords(request({ access: { orphanWatchUntil: '2027-01-01T00:00:00.000Z' } }), [step('absent')], false),
    ).toBe(
      `nothing deleted: the registry is gone from its recorded id; acrbot watches for ${id} until 2027-01-01T00:00:00.000Z`,
    );
    expect(grantEndWords(request({}), [step('kept')], false)).toMatch(/^nothing deleted: .* is kept/);
    const notOurs = `the cluster can still pull through an assignment acrbot did not make: AcrPull for oid-1 on ${plan().scope}`;
    expect(grantEndWords(request({}), [step('notOurs')], false)).toBe(notOurs);
    expect(grantEndWords(request({}), [], true)).toBe(notOurs);
  });
});
