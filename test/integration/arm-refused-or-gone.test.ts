/**
 * What a 403 on a registry's or cluster's scope means to the adapters (refused-or-gone.ts): the
 * resource itself is read; 404 is "gone" (as a 404 on the call would be), an answer keeps the
 * refusal, and a refused read is "cannot tell" (RefusedOrGoneError, with the request ids). Real
 * SDKs against the sandbox's ARM emulator, whose rights go with a deleted resource as in Azure.
 */
import { ResourceGoneError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import { ArmRegistryTokens } from '../../src/integrations/azure/arm-registry-tokens';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { RefusedOrGoneError } from '../../src/integrations/azure/refused-or-gone';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

const registry = SANDBOX_REGISTRIES.contoso;
const registryId = sandboxResourceId('registry', registry);
const registryGroup = `/subscriptions/${registry.subscriptionId}/resourceGroups/${registry.resourceGroup}`;
const cluster = SANDBOX_CLUSTERS.dev;
const clusterId = sandboxResourceId('cluster', cluster);
const clusterGroup = `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}`;
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const READ_ASSIGNMENTS = 'Microsoft.Authorization/roleAssignments/read';

let sandbox: Sandbox;
let roles: ArmRoleAssignments;
let tokens: ArmRegistryTokens;
let kube: KubePullSecrets;

beforeEach(async () => {
  sandbox = await startSandbox();
  const { conn, reader } = sandboxArm(sandbox);
  roles = new ArmRoleAssignments(conn, reader);
  tokens = new ArmRegistryTokens(reader);
  kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential);
});
afterEach(() => sandbox.stop());

/** `operation status` of every ARM call so far. */
const calls = () => sandbox.arm.requests.map((r) => `${r.operation} ${r.status}`);

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('role assignments on a registry', () => {
  test('a refused listing on a registry that reads 404 is "gone", with the same sentence as a 404 listing', async () => {
    // A group role that reads resources but not role assignments: the listing is refused.
    sandbox.arm.state.denyAction(registryGroup, READ_ASSIGNMENTS);
    sandbox.arm.state.removeRegistry(registryId);
    const err = await failure(roles.listForPrincipal(registryId, kubelet));
    expect(err).toBeInstanceOf(ResourceGoneError);
    expect((err as Error).message).toBe('Registry contosoacr no longer exists (Azure answered ResourceNotFound).');
    expect(calls()).toEqual(['roleAssignments.listForScope 403', 'registries.get 404']);
  });

  test('a refused listing on a registry that is there stays the refusal', async () => {
    sandbox.arm.state.denyAction(registryId, READ_ASSIGNMENTS);
    await expect(roles.listForPrincipal(registryId, kubelet)).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect(calls()).toEqual(['roleAssignments.listForScope 403', 'registries.get 200']);
  });

  test('refused, and the registry read refused too: cannot tell, named with both possibilities and the request ids', async () => {
    sandbox.arm.state.unassignCaller(registryGroup, 'Reader');
    sandbox.arm.state.removeRegistry(registryId);
    const err = await failure(roles.listForPrincipal(registryId, kubelet));
    expect(err).toBeInstanceOf(RefusedOrGoneError);
    const [listing] = sandbox.arm.requests;
    expect(err).toMatchObject({ code: 'registry.refusedOrGone', requestId: listing!.requestId });
    expect((err as Error).message).toMatch(
      /cannot tell whether the registry was deleted or acrbot's rights on it and on its resource group rg-acr were removed/,
    );
    expect((err as Error).message).toContain(`Azure request id ${listing!.requestId}`);
    // The way out is the Reader the Bicep gives on the group: never a right at subscription scope
    // (docs/security.md, GUARANTEES.md), and deploy.md says how without a RoleAssignmentExists.
    expect((err as Error).message).toContain(
      'acrbot sees that once its Reader on resource group rg-acr is back (docs/deploy.md, Troubleshooting',
    );
    expect((err as Error).message).not.toMatch(/subscription(?! [0-9a-f-]{36}\))/);
    expect(calls()).toEqual(['roleAssignments.listForScope 403', 'registries.get 403']);
  });

  test('the way out docs/deploy.md gives: Reader on the group back, the next attempt is answered 404 and it is gone', async () => {
    sandbox.arm.state.unassignCaller(registryGroup, 'Reader');
    sandbox.arm.state.removeRegistry(registryId);
    expect(await failure(roles.listForPrincipal(registryId, kubelet))).toBeInstanceOf(RefusedOrGoneError);
    // Reader (acdd72a7-…), as the Bicep gives it on the group (or an operator, under the Bicep's name).
    sandbox.arm.state.assignCallerRole(registryGroup, 'acdd72a7-3385-48ef-bd42-f606fba81ae7');
    expect(await failure(roles.listForPrincipal(registryId, kubelet))).toBeInstanceOf(ResourceGoneError);
    // With Reader on the group, the listing itself answers 404.
    expect(calls().slice(-1)).toEqual(['roleAssignments.listForScope 404']);
  });

  test('a delete refused on a deleted registry is done (its assignments went with it); on one that is there it fails', async () => {
    const name = '1b2c3d4e-0000-4000-8000-0000000000c1';
    sandbox.arm.state.removeRegistry(registryId);
    await roles.delete({ scope: registryId, name, subscriptionId: registry.subscriptionId });
    expect(calls()).toEqual(['roleAssignments.delete 403', 'registries.get 404']);

    sandbox.arm.state.addRegistry({ ...registry });
    sandbox.arm.state.denyAction(registryId, 'Microsoft.Authorization/roleAssignments/delete');
    const err = await failure(roles.delete({ scope: registryId, name, subscriptionId: registry.subscriptionId }));
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  });
});

describe('tokens and scope maps', () => {
  test('a refused token delete on a deleted registry is done; refused on one that is there, it fails', async () => {
    sandbox.arm.state.removeRegistry(registryId);
    await tokens.deleteToken(registry, 'acrbot-x1234');
    await tokens.deleteScopeMap(registry, 'acrbot-x1234');
    expect(calls()).toEqual(['tokens.delete 403', 'registries.get 404', 'scopeMaps.delete 403', 'registries.get 404']);

    sandbox.arm.state.addRegistry({ ...registry });
    sandbox.arm.state.denyAction(registryId, 'Microsoft.ContainerRegistry/registries/tokens/delete');
    await expect(tokens.deleteToken(registry, 'acrbot-x1234')).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
  });

  test('a token read refused on a deleted registry is "none" when the registry reads 404, "cannot tell" when refused', async () => {
    sandbox.arm.state.removeRegistry(registryId);
    sandbox.arm.state.denyAction(registryGroup, 'Microsoft.ContainerRegistry/registries/tokens/read');
    await expect(tokens.getToken(registry, 'acrbot-x1234')).resolves.toBeUndefined();
    expect(calls()).toEqual(['tokens.get 403', 'registries.get 404']);
    sandbox.arm.state.unassignCaller(registryGroup, 'Reader');
    await expect(tokens.getToken(registry, 'acrbot-x1234')).rejects.toBeInstanceOf(RefusedOrGoneError);
  });
});

describe("a cluster's credentials", () => {
  const ref = { ...cluster, aadEnabled: false };

  test('refused on a deleted cluster: gone when it reads 404, cannot tell when the read is refused too', async () => {
    sandbox.arm.state.removeCluster(clusterId);
    const gone = await failure(kube.access(ref));
    expect(gone).toBeInstanceOf(ResourceGoneError);
    expect(gone).toMatchObject({ kind: 'cluster', azureCode: 'ResourceNotFound' });
    expect(calls()).toEqual(['managedClusters.listClusterUserCredential 403', 'managedClusters.get 404']);

    sandbox.arm.state.unassignCaller(clusterGroup, 'Reader');
    const unknown = await failure(kube.access(ref));
    expect(unknown).toBeInstanceOf(RefusedOrGoneError);
    expect((unknown as Error).message).toMatch(
      /cannot tell whether the cluster was deleted or acrbot's rights on it and on its resource group rg-dev were removed/,
    );
  });

  test('refused on a cluster that is there: the Cluster User Role sentence, as before', async () => {
    sandbox.arm.state.denyAction(
      clusterId,
      'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    );
    await expect(kube.access(ref)).rejects.toMatchObject({
      code: 'cluster.noCredentials',
      message: expect.stringMatching(/give its identity the Azure Kubernetes Service Cluster User Role on the cluster/),
    });
    expect(calls()).toEqual(['managedClusters.listClusterUserCredential 403', 'managedClusters.get 200']);
  });
});
