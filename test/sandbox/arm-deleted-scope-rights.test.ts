/**
 * The bot's rights as role assignments (arm/caller-rights.ts), and what a deleted registry or
 * cluster answers with them: its own assignments go with it, and ARM authorizes before it looks
 * the resource up. So what only they allowed is 403 AuthorizationFailed; with Reader left on the
 * resource group (infra/modules/*-access.bicep), reads are 404 ResourceNotFound. Names the
 * emulator never served answer the same way (arm-unserved-names.test.ts has the rest).
 */
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { armAuthorizationFailed } from '../helpers/arm-refusal';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.stop());

const registry = SANDBOX_REGISTRIES.contoso;
const registryId = sandboxResourceId('registry', registry);
const registryGroup = `/subscriptions/${registry.subscriptionId}/resourceGroups/${registry.resourceGroup}`;
const cluster = SANDBOX_CLUSTERS.dev;
const clusterId = sandboxResourceId('cluster', cluster);
const clusterGroup = `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}`;

function call(method: string, path: string, apiVersion = '2022-04-01') {
  return httpsJson(`${sandbox.armUrl}${path}?api-version=${apiVersion}`, {
    ca: sandbox.tls.caPem,
    token: sandbox.token,
    method,
  });
}

const listing = () => call('GET', `${registryId}/providers/Microsoft.Authorization/roleAssignments`);

describe('a deleted registry', () => {
  it('answers a role assignment listing 403 AuthorizationFailed when the caller held its rights on it alone', async () => {
    expect(sandbox.arm.state.unassignCaller(registryGroup, 'Reader')).toBe(1);
    expect((await listing()).status).toBe(200);
    expect(sandbox.arm.state.removeRegistry(registryId)).toBe(true);
    const answer = await listing();
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(
      armAuthorizationFailed(
        'Microsoft.Authorization/roleAssignments/read',
        `${registryId}/providers/Microsoft.Authorization/roleAssignments`,
      ),
    );
    // The registry itself is refused too: nothing tells the caller it is gone.
    expect((await call('GET', registryId, '2025-11-01')).status).toBe(403);
  });

  it('answers reads 404 with Reader left on its resource group, and 403 to what only its own roles allowed', async () => {
    expect(sandbox.arm.state.removeRegistry(registryId)).toBe(true);
    const answer = await listing();
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('ResourceNotFound');
    expect((await call('GET', registryId, '2025-11-01')).body.error.code).toBe('ResourceNotFound');
    const tokenDelete = await call('DELETE', `${registryId}/tokens/acrbot-x1234`, '2025-11-01');
    expect(tokenDelete.status).toBe(403);
    expect(tokenDelete.body).toEqual(
      armAuthorizationFailed(
        'Microsoft.ContainerRegistry/registries/tokens/delete',
        `${registryId}/tokens/acrbot-x1234`,
      ),
    );
    const assignment = `${registryId}/providers/Microsoft.Authorization/roleAssignments/1b2c3d4e-0000-4000-8000-00000000000a`;
    expect((await call('DELETE', assignment)).body.error.code).toBe('AuthorizationFailed');
    // Its rights went with it; the Reader on the group stays.
    expect(sandbox.arm.state.access.listAssignments().filter((a) => a.scope.startsWith(registryId))).toEqual([]);
    expect(sandbox.arm.state.access.listAssignments().map((a) => a.scope)).toContain(registryGroup);
  });

  it('created again under the same id gets the rights again, as deploying the Bicep for it would', async () => {
    sandbox.arm.state.removeRegistry(registryId);
    sandbox.arm.state.addRegistry({ ...registry });
    expect((await call('DELETE', `${registryId}/tokens/acrbot-x1234`, '2025-11-01')).status).toBe(204);
  });
});

describe('a name the emulator never served', () => {
  it('answers 403 in a resource group the caller holds no right in, as Azure does', async () => {
    const typo = registryId.replace(registry.resourceGroup, 'rg-nope');
    const answer = await call('GET', typo, '2025-11-01');
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(armAuthorizationFailed('Microsoft.ContainerRegistry/registries/read', typo));
  });
});

describe('a deleted cluster', () => {
  it('answers listClusterUserCredential 403 (the user role was on it) and its read 404 (Reader on the group)', async () => {
    expect(sandbox.arm.state.removeCluster(clusterId)).toBe(true);
    const credential = await call('POST', `${clusterId}/listClusterUserCredential`, '2026-04-01');
    expect(credential.status).toBe(403);
    expect(credential.body).toEqual(
      armAuthorizationFailed('Microsoft.ContainerService/managedClusters/listClusterUserCredential/action', clusterId),
    );
    expect((await call('GET', clusterId, '2026-04-01')).body.error.code).toBe('ResourceNotFound');
    sandbox.arm.state.unassignCaller(clusterGroup, 'Reader');
    expect((await call('GET', clusterId, '2026-04-01')).status).toBe(403);
  });
});

describe('an unknown subscription', () => {
  it('is 404 SubscriptionNotFound before the caller rights are looked at', async () => {
    const unknown = '5e1d0000-0000-4000-8000-00000000beef';
    const elsewhere = registryId.replace(registry.subscriptionId, unknown);
    sandbox.arm.state.denyAction(`/subscriptions/${unknown}`, 'Microsoft.ContainerRegistry/registries/tokens/delete');
    const answer = await call('DELETE', `${elsewhere}/tokens/acrbot-x1234`, '2025-11-01');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('SubscriptionNotFound');
  });
});

describe('the status of a held create', () => {
  it("is authorized by the provider's operationStatuses/read, not by the child's read", async () => {
    const held = sandbox.arm.state.longRunning.hold({ operation: 'tokens.create', pathIncludes: 'held-token' });
    const put = await httpsJson(`${sandbox.armUrl}${registryId}/tokens/held-token?api-version=2025-11-01`, {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
      method: 'PUT',
      body: { properties: { scopeMapId: `${registryId}/scopeMaps/_repositories_pull`, status: 'enabled' } },
    });
    const statusUrl = put.headers['azure-asyncoperation'] as string;
    const poll = () => httpsJson(statusUrl, { ca: sandbox.tls.caPem, token: sandbox.token });
    sandbox.arm.state.denyAction(registryId, 'Microsoft.ContainerRegistry/registries/tokens/read');
    expect((await poll()).status).toBe(200);
    sandbox.arm.state.denyAction(registryId, 'Microsoft.ContainerRegistry/registries/tokens/operationStatuses/read');
    const refusedPoll = await poll();
    expect(refusedPoll.status).toBe(403);
    expect(refusedPoll.body.error.message).toContain(
      "action 'Microsoft.ContainerRegistry/registries/tokens/operationStatuses/read'",
    );
    held.finish();
  });
});
