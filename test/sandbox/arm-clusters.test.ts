/**
 * The ARM emulator's AKS surface, through the real `@azure/arm-containerservice` client.
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/core-auth';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_SUBSCRIPTIONS,
  SANDBOX_TENANT_ID,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const credential: TokenCredential = sandboxCredential;

let sandbox: Sandbox;
let aks: ContainerServiceClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  aks = new ContainerServiceClient(credential, SANDBOX_SUBSCRIPTIONS.platform, {
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.arm.clearRequests();
  sandbox.arm.faults.clear();
});

function decode(value: Uint8Array | undefined): string {
  return Buffer.from(value ?? []).toString('utf8');
}

describe('managedClusters.get', () => {
  it('returns a SystemAssigned AAD cluster with the kubelet identity (SDK flattens properties)', async () => {
    const c = SANDBOX_CLUSTERS.prod;
    const cluster = await aks.managedClusters.get(c.resourceGroup, c.name);
    expect(cluster.id).toBe(sandboxResourceId('cluster', c));
    expect(cluster.identity?.type).toBe('SystemAssigned');
    expect(cluster.identity?.principalId).toBe(c.controlPlanePrincipalId);
    expect(cluster.servicePrincipalProfile?.clientId).toBe('msi');
    expect(cluster.identityProfile?.['kubeletidentity']?.objectId).toBe(c.kubeletObjectId);
    expect(cluster.identityProfile?.['kubeletidentity']?.clientId).toBe(c.kubeletClientId);
    expect(cluster.aadProfile).toMatchObject({ managed: true, enableAzureRbac: true, tenantID: SANDBOX_TENANT_ID });
  });

  it('returns a legacy service principal cluster without identity blocks', async () => {
    const c = SANDBOX_CLUSTERS.legacy;
    const cluster = await aks.managedClusters.get(c.resourceGroup, c.name);
    expect(cluster.identity).toBeUndefined();
    expect(cluster.identityProfile).toBeUndefined();
    expect(cluster.servicePrincipalProfile?.clientId).toBe(c.servicePrincipalAppId);
  });

  it('returns a UserAssigned cluster in the second subscription', async () => {
    const c = SANDBOX_CLUSTERS.dev;
    const client = new ContainerServiceClient(credential, c.subscriptionId, {
      endpoint: sandbox.armUrl,
      tlsOptions: { ca: sandbox.tls.caPem },
    });
    const cluster = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(cluster.identity?.type).toBe('UserAssigned');
    expect(cluster.identity?.principalId).toBeUndefined();
    const uami = Object.values(cluster.identity?.userAssignedIdentities ?? {});
    expect(uami).toEqual([expect.objectContaining({ principalId: c.controlPlanePrincipalId })]);
    expect(cluster.identityProfile?.['kubeletidentity']?.objectId).toBe(c.kubeletObjectId);
    expect(cluster.aadProfile).toBeUndefined();
  });

  it('puts properties under "properties" on the wire', async () => {
    const res = await httpsJson(
      `${sandbox.armUrl}${sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod)}?api-version=2026-04-01`,
      { ca: sandbox.tls.caPem, token: sandbox.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.properties.identityProfile.kubeletidentity.objectId).toBe(SANDBOX_CLUSTERS.prod.kubeletObjectId);
    expect(res.body.properties.identityProfile.kubeletidentity.resourceId).toContain(
      '/resourcegroups/MC_rg-aks_aks-prod_',
    );
    expect(res.body.identityProfile).toBeUndefined();
  });

  it('matches ids case-insensitively and tolerates repeated slashes', async () => {
    const id = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
    const lower = await httpsJson(`${sandbox.armUrl}${id.toLowerCase()}?api-version=2026-04-01`, {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
    });
    expect(lower.status).toBe(200);
    expect(lower.body.id).toBe(id);
    const doubled = await httpsJson(
      `${sandbox.armUrl}//${id.slice(1).replace('/providers/', '//providers/')}?api-version=2026-04-01`,
      { ca: sandbox.tls.caPem, token: sandbox.token },
    );
    expect(doubled.status).toBe(200);
    expect(doubled.body.name).toBe('aks-prod');
  });

  it('answers 404 ResourceNotFound, and ResourceGroupNotFound to a caller with rights on the subscription', async () => {
    await expect(aks.managedClusters.get('rg-aks', 'nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
      message:
        "The Resource 'Microsoft.ContainerService/managedClusters/nope' under resource group 'rg-aks' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    });
    // ARM authorizes first: the caller's Reader is on rg-aks only, so a group that is not there is refused.
    await expect(aks.managedClusters.get('rg-missing', 'aks-prod')).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    const subscription = `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}`;
    sandbox.arm.state.assignCallerRole(subscription, BUILT_IN_ROLES.reader);
    try {
      await expect(aks.managedClusters.get('rg-missing', 'aks-prod')).rejects.toMatchObject({
        statusCode: 404,
        code: 'ResourceGroupNotFound',
        message: "Resource group 'rg-missing' could not be found.",
      });
    } finally {
      sandbox.arm.state.unassignCaller(subscription, 'Reader');
    }
  });
});

describe('managedClusters.list and listByResourceGroup', () => {
  it('lists the clusters of one subscription and of one resource group', async () => {
    const names: string[] = [];
    for await (const c of aks.managedClusters.list()) names.push(c.name!);
    expect(names.sort()).toEqual(['aks-legacy', 'aks-prod']);
    const inGroup: string[] = [];
    for await (const c of aks.managedClusters.listByResourceGroup('rg-legacy')) inGroup.push(c.name!);
    expect(inGroup).toEqual(['aks-legacy']);
  });

  it('pages with nextLink through the SDK iterator', async () => {
    sandbox.arm.state.pageSize = 1;
    try {
      const names: string[] = [];
      for await (const c of aks.managedClusters.list()) names.push(c.name!);
      expect(names.sort()).toEqual(['aks-legacy', 'aks-prod']);
      expect(sandbox.arm.requests.filter((r) => r.operation === 'managedClusters.list')).toHaveLength(2);
    } finally {
      sandbox.arm.state.pageSize = 50;
    }
  });
});

describe('managedClusters.listClusterUserCredential', () => {
  it('gives an exec (kubelogin) kubeconfig for an AAD cluster, pointing at the configured API server', async () => {
    const c = SANDBOX_CLUSTERS.prod;
    sandbox.arm.state.updateCluster(sandboxResourceId('cluster', c), { apiServerUrl: 'https://127.0.0.1:6443' });
    const creds = await aks.managedClusters.listClusterUserCredentials(c.resourceGroup, c.name);
    expect(creds.kubeconfigs?.[0]?.name).toBe('clusterUser');
    const yaml = decode(creds.kubeconfigs?.[0]?.value);
    expect(yaml).toContain('server: "https://127.0.0.1:6443"');
    expect(yaml).toContain('command: kubelogin');
    expect(yaml).toContain('- 6dae42f8-4368-4678-94ff-3960e28e3630');
    expect(yaml).toContain(`- ${SANDBOX_TENANT_ID}`);
    expect(yaml).toContain(`certificate-authority-data: ${Buffer.from(sandbox.tls.caPem).toString('base64')}`);
    expect(yaml).not.toContain('token:');
  });

  it("gives a static token for a local-accounts cluster, pointing at the cluster's (emulated) API server", async () => {
    const c = SANDBOX_CLUSTERS.legacy;
    const yaml = decode(
      (await aks.managedClusters.listClusterUserCredentials(c.resourceGroup, c.name)).kubeconfigs?.[0]?.value,
    );
    expect(yaml).toContain(`server: "${sandbox.kubernetes['aks-legacy'].url}"`);
    expect(yaml).toContain('token: "sandbox-kube-token-aks-legacy"');
    expect(yaml).toContain('name: "clusterUser_rg-legacy_aks-legacy"');
  });

  it('refuses static credentials when local accounts are disabled', async () => {
    const c = SANDBOX_CLUSTERS.legacy;
    const id = sandboxResourceId('cluster', c);
    const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
    sandbox.arm.state.updateCluster(id, { disableLocalAccounts: true });
    // acrbot's Bicep gives it the user role only; the admin credential's 400 needs the admin role.
    sandbox.arm.state.assignCallerRole(prodId, BUILT_IN_ROLES.aksClusterAdmin);
    try {
      await expect(aks.managedClusters.listClusterUserCredentials(c.resourceGroup, c.name)).rejects.toMatchObject({
        statusCode: 400,
        code: 'BadRequest',
        message: 'Getting static credential is not allowed because this cluster is set to disable local accounts.',
      });
      // An AAD cluster with local accounts disabled still hands out its exec credential.
      sandbox.arm.state.updateCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod), {
        disableLocalAccounts: true,
      });
      await expect(aks.managedClusters.listClusterUserCredentials('rg-aks', 'aks-prod')).resolves.toBeDefined();
      await expect(aks.managedClusters.listClusterAdminCredentials('rg-aks', 'aks-prod')).rejects.toMatchObject({
        statusCode: 400,
        code: 'BadRequest',
      });
    } finally {
      sandbox.arm.state.unassignCaller(prodId, 'Azure Kubernetes Service Cluster Admin Role');
      sandbox.arm.state.updateCluster(id, { disableLocalAccounts: false });
      sandbox.arm.state.updateCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod), {
        disableLocalAccounts: false,
      });
    }
  });

  it('enforces the caller rights on the credential action', async () => {
    const id = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
    sandbox.arm.state.denyAction(id, 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action');
    try {
      await expect(aks.managedClusters.listClusterUserCredentials('rg-aks', 'aks-prod')).rejects.toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
      });
    } finally {
      sandbox.arm.state.allowAction(id, 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action');
    }
  });
});

describe('protocol', () => {
  it('rejects a wrong or missing bearer token with 401', async () => {
    const url = `${sandbox.armUrl}${sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod)}?api-version=2026-04-01`;
    const wrong = await httpsJson(url, { ca: sandbox.tls.caPem, token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('InvalidAuthenticationToken');
    const missing = await httpsJson(url, { ca: sandbox.tls.caPem });
    expect(missing.status).toBe(401);
    const bad = new ContainerServiceClient(
      { getToken: async () => ({ token: 'bad', expiresOnTimestamp: Date.now() + 3600e3 }) },
      SANDBOX_SUBSCRIPTIONS.platform,
      {
        endpoint: sandbox.armUrl,
        tlsOptions: { ca: sandbox.tls.caPem },
      },
    );
    await expect(bad.managedClusters.get('rg-aks', 'aks-prod')).rejects.toMatchObject({
      statusCode: 401,
      code: 'InvalidAuthenticationToken',
    });
  });

  it('sends ARM headers and logs each call with its api-version', async () => {
    const res = await httpsJson(
      `${sandbox.armUrl}${sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod)}?api-version=2099-01-01`,
      { ca: sandbox.tls.caPem, token: sandbox.token },
    );
    expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-ms-correlation-request-id']).toBeDefined();
    expect(Number(res.headers['x-ms-ratelimit-remaining-subscription-reads'])).toBeGreaterThan(0);
    await aks.managedClusters.get('rg-aks', 'aks-prod');
    expect(sandbox.arm.requests.map((r) => [r.operation, r.status, r.apiVersion])).toEqual([
      ['managedClusters.get', 200, '2099-01-01'],
      ['managedClusters.get', 200, '2026-04-01'],
    ]);
    expect(sandbox.arm.requests[0]!.requestId).toBe(res.headers['x-ms-request-id']);
  });

  it('requires an api-version, like ARM', async () => {
    const res = await httpsJson(`${sandbox.armUrl}${sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod)}`, {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MissingApiVersionParameter');
  });

  it('absorbs a 503 with Retry-After through the SDK retry', async () => {
    sandbox.arm.faults.add({
      operation: 'managedClusters.get',
      status: 503,
      count: 2,
      headers: { 'retry-after-ms': '10' },
    });
    const cluster = await aks.managedClusters.get('rg-aks', 'aks-prod');
    expect(cluster.name).toBe('aks-prod');
    expect(sandbox.arm.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });
});
