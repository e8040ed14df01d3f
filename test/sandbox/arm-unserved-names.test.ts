/**
 * Names the ARM emulator never served, answered as Azure answers them: ARM authorizes the request
 * on its scope before it looks the resource (or its resource group) up, so a caller without read
 * rights there cannot learn whether a name exists. acrbot's rights are Reader on the resource
 * groups of what it manages and roles on those resources (arm/caller-rights.ts, after the Bicep):
 *
 * - in a group it has Reader on, a mistyped name is 404 ResourceNotFound (closest-name
 *   suggestions depend on it);
 * - in a group it has no role in (or one that does not exist), 403 AuthorizationFailed, the same
 *   answer as for a registry that is there but not acrbot's;
 * - a missing group is 404 ResourceGroupNotFound only to a caller with rights on the subscription.
 *
 * Real HTTPS calls against the running emulator.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { armAuthorizationFailed } from '../helpers/arm-refusal';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.stop());

const sub = SANDBOX_SUBSCRIPTIONS.platform;
const subscription = `/subscriptions/${sub}`;
const ACR = 'Microsoft.ContainerRegistry/registries';
const AKS = 'Microsoft.ContainerService/managedClusters';
const registryIn = (group: string, name: string) => `${subscription}/resourceGroups/${group}/providers/${ACR}/${name}`;
const clusterIn = (group: string, name: string) => `${subscription}/resourceGroups/${group}/providers/${AKS}/${name}`;

function get(path: string, apiVersion = '2025-11-01') {
  return httpsJson(`${sandbox.armUrl}${path}?api-version=${apiVersion}`, {
    ca: sandbox.tls.caPem,
    token: sandbox.token,
  });
}

describe('in a resource group acrbot has Reader on', () => {
  it('a mistyped registry or cluster name is 404 ResourceNotFound', async () => {
    const registry = SANDBOX_REGISTRIES.contoso;
    const typo = await get(registryIn(registry.resourceGroup, 'contosoacrr'));
    expect(typo.status).toBe(404);
    expect(typo.body).toEqual({
      error: {
        code: 'ResourceNotFound',
        message: `The Resource '${ACR}/contosoacrr' under resource group '${registry.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      },
    });
    const cluster = await get(clusterIn(SANDBOX_CLUSTERS.prod.resourceGroup, 'aks-prdo'), '2026-04-01');
    expect(cluster.status).toBe(404);
    expect(cluster.body.error.code).toBe('ResourceNotFound');
  });

  it('the children of a registry that is not there are 404, and the group lists', async () => {
    const missing = registryIn(SANDBOX_REGISTRIES.contoso.resourceGroup, 'nosuchacr');
    const tokens = await get(`${missing}/tokens`);
    expect(tokens.status).toBe(404);
    expect(tokens.body.error.code).toBe('ParentResourceNotFound');
    const assignments = await get(`${missing}/providers/Microsoft.Authorization/roleAssignments`, '2022-04-01');
    expect(assignments.status).toBe(404);
    expect(assignments.body.error.code).toBe('ResourceNotFound');
    const listing = await get(
      `${subscription}/resourceGroups/${SANDBOX_REGISTRIES.contoso.resourceGroup}/providers/${ACR}`,
    );
    expect(listing.status).toBe(200);
  });
});

describe('in a resource group acrbot holds no role in', () => {
  beforeEach(() => sandbox.arm.state.addResourceGroup(sub, 'rg-elsewhere'));

  it('a registry or cluster name is 403 AuthorizationFailed with ARM body', async () => {
    const registry = registryIn('rg-elsewhere', 'contosoacr');
    const answer = await get(registry);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(armAuthorizationFailed(`${ACR}/read`, registry));
    const cluster = clusterIn('rg-elsewhere', 'aks-prod');
    const clusterAnswer = await get(cluster, '2026-04-01');
    expect(clusterAnswer.status).toBe(403);
    expect(clusterAnswer.body).toEqual(armAuthorizationFailed(`${AKS}/read`, cluster));
  });

  it('so are the children acrbot reads, and the listings of the group', async () => {
    const registry = registryIn('rg-elsewhere', 'contosoacr');
    expect((await get(`${registry}/tokens/acrbot-x1234`)).body).toEqual(
      armAuthorizationFailed(`${ACR}/tokens/read`, `${registry}/tokens/acrbot-x1234`),
    );
    expect((await get(`${registry}/scopeMaps`)).body).toEqual(
      armAuthorizationFailed(`${ACR}/scopeMaps/read`, `${registry}/scopeMaps`),
    );
    const assignments = `${registry}/providers/Microsoft.Authorization/roleAssignments`;
    expect((await get(assignments, '2022-04-01')).body).toEqual(
      armAuthorizationFailed('Microsoft.Authorization/roleAssignments/read', assignments),
    );
    for (const type of [ACR, AKS]) {
      const listing = `${subscription}/resourceGroups/rg-elsewhere/providers/${type}`;
      expect((await get(listing, '2026-04-01')).body).toEqual(armAuthorizationFailed(`${type}/read`, listing));
    }
    // The subscription-wide listing acrbot resolves names with still answers.
    expect((await get(`${subscription}/providers/${ACR}`)).status).toBe(200);
  });

  it('a registry that is there but not acrbot answers the same 403: nothing tells the two apart', async () => {
    const there = sandbox.arm.state.addRegistry(
      { subscriptionId: sub, resourceGroup: 'rg-elsewhere', name: 'otheracr' },
      { callerRights: false },
    );
    const absent = registryIn('rg-elsewhere', 'absentacr');
    const [a, b] = await Promise.all([get(there.id), get(absent)]);
    expect([a.status, b.status]).toEqual([403, 403]);
    expect(a.body).toEqual(armAuthorizationFailed(`${ACR}/read`, there.id));
    expect(b.body).toEqual(armAuthorizationFailed(`${ACR}/read`, absent));
  });

  it('a registry or cluster there is left out of the listings acrbot can make, as ARM lists only what the caller may read', async () => {
    const registry = sandbox.arm.state.addRegistry(
      { subscriptionId: sub, resourceGroup: 'rg-elsewhere', name: 'otheracr' },
      { callerRights: false },
    );
    sandbox.arm.state.addCluster(
      { subscriptionId: sub, resourceGroup: 'rg-elsewhere', name: 'aks-other', identity: 'SystemAssigned' },
      { callerRights: false },
    );
    const names = async (path: string, apiVersion?: string) =>
      ((await get(path, apiVersion)).body.value as { name: string }[]).map((r) => r.name);
    const registries = await names(`${subscription}/providers/${ACR}`);
    expect(registries).toContain(SANDBOX_REGISTRIES.contoso.name);
    expect(registries).not.toContain('otheracr');
    expect(await names(`${subscription}/providers/${AKS}`, '2026-04-01')).not.toContain('aks-other');
    // Given Reader on the registry alone, it lists (in the subscription and in its group).
    sandbox.arm.state.assignCallerRole(registry.id, BUILT_IN_ROLES.reader);
    expect(await names(`${subscription}/providers/${ACR}`)).toContain('otheracr');
    expect(await names(`${subscription}/resourceGroups/rg-elsewhere/providers/${ACR}`)).toEqual(['otheracr']);
  });

  it('a Reader given on the group makes the same name 404', async () => {
    sandbox.arm.state.assignCallerRole(`${subscription}/resourceGroups/rg-elsewhere`, BUILT_IN_ROLES.reader);
    const answer = await get(registryIn('rg-elsewhere', 'contosoacr'));
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('ResourceNotFound');
  });
});

describe('a resource group that does not exist', () => {
  const registry = registryIn('rg-nope', 'contosoacr');
  const listing = `${subscription}/resourceGroups/rg-nope/providers/${AKS}`;

  it('is 403 AuthorizationFailed to acrbot, whose rights are on resource groups only', async () => {
    expect((await get(registry)).body).toEqual(armAuthorizationFailed(`${ACR}/read`, registry));
    expect((await get(listing, '2026-04-01')).body).toEqual(armAuthorizationFailed(`${AKS}/read`, listing));
  });

  it('is 404 ResourceGroupNotFound to a caller with Reader on the subscription', async () => {
    sandbox.arm.state.assignCallerRole(subscription, BUILT_IN_ROLES.reader);
    for (const answer of [await get(registry), await get(listing, '2026-04-01')]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({
        error: { code: 'ResourceGroupNotFound', message: "Resource group 'rg-nope' could not be found." },
      });
    }
  });

  it('in a subscription ARM does not know is 404 SubscriptionNotFound first', async () => {
    const unknown = '5e1d0000-0000-4000-8000-00000000beef';
    const answer = await get(registry.replace(sub, unknown));
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('SubscriptionNotFound');
  });
});
