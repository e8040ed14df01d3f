import type { ClusterIdentityFacts, ClusterInfo } from '../../src/domain/azure-model';
import { UserFacingError } from '../../src/domain/errors';
import { choosePullIdentity } from '../../src/domain/identity';

const KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const CONTROL_PLANE = '0c000000-0000-4000-8000-0000000000c1';
const APP_ID = '0f000000-0000-4000-8000-0000000000f2';

function cluster(identity: ClusterIdentityFacts): ClusterInfo {
  return {
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod',
    name: 'aks-prod',
    subscriptionId: 's',
    resourceGroup: 'rg',
    identity,
    aadEnabled: false,
  };
}

function codeOf(identity: ClusterIdentityFacts): string {
  try {
    choosePullIdentity(cluster(identity));
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return (err as UserFacingError).code;
  }
  throw new Error('expected choosePullIdentity to throw');
}

describe('choosePullIdentity: managed-identity clusters use the kubelet identity', () => {
  test.each([
    ['SystemAssigned', 'system-assigned cluster'],
    ['UserAssigned', 'user-assigned cluster'],
    ['systemassigned', 'system-assigned cluster'],
    ['USERASSIGNED', 'user-assigned cluster'],
  ])('%s', (identityType, flavour) => {
    const chosen = choosePullIdentity(
      cluster({
        identityType,
        servicePrincipalClientId: 'msi',
        kubeletObjectId: KUBELET,
        controlPlanePrincipalId: CONTROL_PLANE,
      }),
    );
    expect(chosen).toEqual({
      kind: 'kubelet',
      objectId: KUBELET,
      description: `kubelet managed identity (${flavour})`,
    });
    expect(JSON.stringify(chosen)).not.toContain(CONTROL_PLANE);
  });

  test('the kubelet identity wins even if a service principal app id is also present', () => {
    expect(
      choosePullIdentity(
        cluster({
          identityType: 'SystemAssigned',
          servicePrincipalClientId: APP_ID,
          kubeletObjectId: KUBELET,
          controlPlanePrincipalId: CONTROL_PLANE,
        }),
      ),
    ).toMatchObject({ kind: 'kubelet', objectId: KUBELET });
  });

  test.each([
    ['SystemAssigned', undefined],
    ['UserAssigned', undefined],
    ['SystemAssigned', ''],
  ])('%s without a kubelet identity is an error, never the control plane (%j)', (identityType, kubeletObjectId) => {
    expect(
      codeOf({
        identityType,
        servicePrincipalClientId: 'msi',
        kubeletObjectId,
        controlPlanePrincipalId: CONTROL_PLANE,
      }),
    ).toBe('cluster.noKubeletIdentity');
  });
});

describe('choosePullIdentity: service-principal clusters use the app id', () => {
  test.each([[undefined], ['None'], ['ServicePrincipal']])('identity.type %j with an app id', (identityType) => {
    expect(choosePullIdentity(cluster({ identityType, servicePrincipalClientId: APP_ID }))).toEqual({
      kind: 'servicePrincipal',
      appId: APP_ID,
      description: 'cluster service principal',
    });
  });
});

describe('choosePullIdentity: no usable identity', () => {
  test.each<[string, ClusterIdentityFacts]>([
    ["clientId 'msi' and no identity block", { servicePrincipalClientId: 'msi' }],
    ["clientId 'MSI' and type None", { identityType: 'None', servicePrincipalClientId: 'MSI' }],
    ['nothing at all', {}],
    ['empty clientId', { servicePrincipalClientId: '' }],
    ['only a control-plane principal', { controlPlanePrincipalId: CONTROL_PLANE }],
  ])('%s', (_name, identity) => {
    expect(codeOf(identity)).toBe('cluster.noIdentity');
  });
});
