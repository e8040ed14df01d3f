/**
 * Starting and stopping the sandbox: TLS, seeding, options, prompt shutdown, and the ARM/Graph
 * emulators sharing one directory.
 */
import type { TokenCredential } from '@azure/core-auth';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { X509Certificate } from 'node:crypto';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_APPROVER_GROUP_ID,
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { ARM_AUDIENCE, sandboxAccessToken, sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox } from '../../src/sandbox/sandbox';
import { createSandboxTls } from '../../src/sandbox/tls';

const credential: TokenCredential = sandboxCredential;

describe('createSandboxTls', () => {
  it('issues a CA and a server certificate for the hosts, memoised per host list', () => {
    const tls = createSandboxTls(['127.0.0.1', 'localhost']);
    expect(createSandboxTls(['127.0.0.1', 'localhost'])).toBe(tls);
    const ca = new X509Certificate(tls.caPem);
    const cert = new X509Certificate(tls.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
  });
});

describe('startSandbox', () => {
  it('serves ARM and Graph over HTTPS with the seeded world, and stops promptly with open connections', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.armUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.graphUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.token).toBe(sandboxAccessToken(ARM_AUDIENCE));

      const state = sandbox.arm.state;
      expect(
        state
          .listClusters()
          .map((c) => c.name)
          .sort(),
      ).toEqual(['aks-dev', 'aks-legacy', 'aks-prod']);
      expect(state.listRegistries()).toHaveLength(4);
      expect(state.getRegistry(sandboxResourceId('registry', SANDBOX_REGISTRIES.abac))?.roleAssignmentMode).toBe(
        'AbacRepositoryPermissions',
      );
      for (const u of Object.values(SANDBOX_USERS)) expect(sandbox.directory.principalKind(u.objectId)).toBe('User');
      expect(sandbox.directory.principalKind(SANDBOX_BOT_OBJECT_ID)).toBe('ServicePrincipal');
      expect(sandbox.directory.transitiveGroupIds(SANDBOX_USERS.approver.objectId).has(SANDBOX_APPROVER_GROUP_ID)).toBe(
        true,
      );
      for (const c of [SANDBOX_CLUSTERS.prod, SANDBOX_CLUSTERS.dev]) {
        expect(sandbox.directory.principalKind(c.kubeletObjectId)).toBe('ServicePrincipal');
        expect(sandbox.directory.principalKind(c.controlPlanePrincipalId)).toBe('ServicePrincipal');
      }

      // A keep-alive SDK connection is open when stop() runs; stop must not wait for it.
      const acr = new ContainerRegistryManagementClient(credential, SANDBOX_SUBSCRIPTIONS.platform, {
        endpoint: sandbox.armUrl,
        tlsOptions: { ca: sandbox.tls.caPem },
      });
      await acr.registries.get('rg-acr', 'contosoacr');
    } finally {
      // stop() resolves with the SDK's keep-alive connection still pooled (a stop that waited
      // for it would hang the test); afterwards nothing listens any more.
      await sandbox.stop();
      await expect(fetch(`${sandbox.armUrl}/subscriptions`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    }
  });

  it('grants AcrPull to a legacy cluster: app id → Graph object id → ARM role assignment', async () => {
    const sandbox = await startSandbox();
    try {
      const legacy = SANDBOX_CLUSTERS.legacy;
      const sp = await httpsJson(
        `${sandbox.graphUrl}/v1.0/servicePrincipals(appId='${legacy.servicePrincipalAppId}')`,
        { ca: sandbox.tls.caPem, token: sandbox.tokens.graph },
      );
      const auth = new AuthorizationManagementClient(credential, SANDBOX_SUBSCRIPTIONS.platform, {
        $host: sandbox.armUrl,
        endpoint: sandbox.armUrl,
        tlsOptions: { ca: sandbox.tls.caPem },
      });
      const registryId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
      await auth.roleAssignments.create(registryId, '2b000000-0000-4000-8000-000000000001', {
        roleDefinitionId: `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`,
        principalId: sp.body.id,
        principalType: 'ServicePrincipal',
      });
      expect(sandbox.arm.state.hasPullAccess(registryId, legacy.servicePrincipalObjectId)).toBe(true);
    } finally {
      await sandbox.stop();
    }
  });

  it('honours seed:false, pageSize and recordRequests:false', async () => {
    const sandbox = await startSandbox({ seed: false, pageSize: 1, recordRequests: false });
    try {
      expect(sandbox.arm.state.listClusters()).toEqual([]);
      expect(sandbox.arm.state.pageSize).toBe(1);
      const res = await httpsJson(
        `${sandbox.armUrl}/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01`,
        { ca: sandbox.tls.caPem, token: sandbox.token },
      );
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('SubscriptionNotFound');
      expect(sandbox.arm.requests).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  });

  it('hands out kubeconfigs that trust the sandbox CA by default', async () => {
    const sandbox = await startSandbox();
    try {
      const id = sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev);
      const res = await httpsJson(`${sandbox.armUrl}${id}/listClusterUserCredential?api-version=2026-04-01`, {
        ca: sandbox.tls.caPem,
        token: sandbox.token,
        method: 'POST',
      });
      const yaml = Buffer.from(res.body.kubeconfigs[0].value, 'base64').toString('utf8');
      expect(yaml).toContain(`certificate-authority-data: ${Buffer.from(sandbox.tls.caPem).toString('base64')}`);
      expect(yaml).toContain('token: "sandbox-kube-token-aks-dev"');
    } finally {
      await sandbox.stop();
    }
  });
});
