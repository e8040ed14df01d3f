/**
 * Token audiences: the sandbox credential gives one token per resource, as Entra does, and each
 * emulator accepts only a token for its own audience, refusing another service's with the real
 * service's status, error code, body and challenge:
 * - ARM: 401 `InvalidAuthenticationTokenAudience` in `{error:{code,message}}` + `WWW-Authenticate`;
 * - Graph: 401 `InvalidAuthenticationToken` "Access token validation failure. Invalid audience.";
 * - an Entra-enabled AKS API server: only the AKS server app `6dae42f8-…`, else a 401 Status
 *   (reason Unauthorized); a local-accounts cluster takes no Entra token at all.
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/core-auth';
import {
  SANDBOX_BEARER_TOKEN,
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { httpsJson } from '../../src/sandbox/http-util';
import {
  AKS_AAD_SERVER_APP_ID,
  ARM_AUDIENCE,
  GRAPH_APP_ID,
  GRAPH_AUDIENCE,
  resourceOfScopes,
  sandboxAccessToken,
  sandboxCredential,
  sandboxTokenAudience,
} from '../../src/sandbox/identity/access-tokens';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());

const armToken = sandboxAccessToken(ARM_AUDIENCE);
const graphToken = sandboxAccessToken(GRAPH_AUDIENCE);
const aksToken = sandboxAccessToken(AKS_AAD_SERVER_APP_ID);

const fixed = (token: string): TokenCredential => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600e3 }),
});

describe('the sandbox credential', () => {
  it('gives a distinct token per requested resource, naming its audience', async () => {
    const token = async (scope: string | string[]) => (await sandboxCredential.getToken(scope))!.token;
    expect(await token('https://management.azure.com/.default')).toBe(armToken);
    expect(await token('https://graph.microsoft.com/.default')).toBe(graphToken);
    expect(await token(`${AKS_AAD_SERVER_APP_ID}/.default`)).toBe(aksToken);
    expect(await token('https://127.0.0.1:8443/.default')).toBe(sandboxAccessToken('https://127.0.0.1:8443'));
    expect(new Set([armToken, graphToken, aksToken]).size).toBe(3);
    expect(sandboxTokenAudience(aksToken)).toBe(AKS_AAD_SERVER_APP_ID);
    expect(sandboxTokenAudience(SANDBOX_BEARER_TOKEN)).toBeUndefined();
  });

  it('refuses no scope or scopes of two resources, as Entra does', () => {
    expect(() => resourceOfScopes([])).toThrow(/AADSTS900144/);
    expect(() =>
      resourceOfScopes(['https://management.azure.com/.default', 'https://graph.microsoft.com/.default']),
    ).toThrow(/AADSTS28000/);
    expect(resourceOfScopes('https://graph.microsoft.com/User.Read')).toBe(GRAPH_AUDIENCE);
  });
});

describe('ARM accepts only ARM tokens', () => {
  const url = () => `${sandbox.armUrl}${sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod)}?api-version=2026-04-01`;

  it.each([
    ['Graph', graphToken, GRAPH_AUDIENCE],
    ['AKS', aksToken, AKS_AAD_SERVER_APP_ID],
  ])('refuses a %s token: 401 InvalidAuthenticationTokenAudience with a challenge', async (_name, token, aud) => {
    const res = await httpsJson(url(), { ca: sandbox.tls.caPem, token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: 'InvalidAuthenticationTokenAudience',
        message: expect.stringContaining(
          `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'`,
        ),
      },
    });
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer authorization_uri="https:\/\/login\.windows\.net\/.+", error="invalid_token", error_description="The access token has been obtained for wrong audience/,
    );
  });

  it('refuses the bare sandbox prefix as an invalid token', async () => {
    const res = await httpsJson(url(), { ca: sandbox.tls.caPem, token: SANDBOX_BEARER_TOKEN });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('accepts ARM audiences and its own endpoint (what the SDKs ask for with a custom endpoint)', async () => {
    for (const aud of [ARM_AUDIENCE, 'https://management.core.windows.net/', sandbox.armUrl]) {
      const res = await httpsJson(url(), { ca: sandbox.tls.caPem, token: sandboxAccessToken(aud) });
      expect(res.status).toBe(200);
    }
  });

  it('the real SDK sees a RestError 401 InvalidAuthenticationTokenAudience for a Graph token', async () => {
    const client = new ContainerServiceClient(fixed(graphToken), SANDBOX_SUBSCRIPTIONS.platform, {
      endpoint: sandbox.armUrl,
      tlsOptions: { ca: sandbox.tls.caPem },
    });
    await expect(client.managedClusters.get('rg-aks', 'aks-prod')).rejects.toMatchObject({
      statusCode: 401,
      code: 'InvalidAuthenticationTokenAudience',
    });
  });
});

describe('Graph accepts only Graph tokens', () => {
  const get = (token: string) =>
    httpsJson(`${sandbox.graphUrl}/v1.0/servicePrincipals/${SANDBOX_BOT_OBJECT_ID}`, { ca: sandbox.tls.caPem, token });

  it.each([
    ['ARM', armToken],
    ['AKS', aksToken],
    ['ARM emulator endpoint', sandboxAccessToken('https://127.0.0.1:1')],
  ])('refuses a %s token: 401 InvalidAuthenticationToken, invalid audience, Graph envelope', async (_n, token) => {
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: 'InvalidAuthenticationToken',
        message: 'Access token validation failure. Invalid audience.',
        innerError: expect.objectContaining({ 'request-id': expect.any(String), date: expect.any(String) }),
      },
    });
    expect(res.headers['www-authenticate']).toContain('client_id="00000003-0000-0000-c000-000000000000"');
  });

  it('accepts Graph audiences and its own endpoint', async () => {
    for (const aud of [GRAPH_AUDIENCE, GRAPH_APP_ID, sandbox.graphUrl]) {
      expect((await get(sandboxAccessToken(aud))).status).toBe(200);
    }
  });
});

describe('AKS API servers', () => {
  const unauthorized = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Unauthorized',
    reason: 'Unauthorized',
    code: 401,
  };
  const namespaces = (cluster: string, token: string) =>
    httpsJson(`${sandbox.kubernetes[cluster].url}/api/v1/namespaces`, { ca: sandbox.tls.caPem, token });

  it.each([
    ['ARM', armToken],
    ['Graph', graphToken],
    ['bare sandbox', SANDBOX_BEARER_TOKEN],
  ])('an Entra-enabled cluster refuses a %s token with a 401 Unauthorized Status', async (_n, token) => {
    const res = await namespaces('aks-prod', token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized);
  });

  it('an Entra-enabled cluster accepts a token for the AKS server app, as the bot', async () => {
    const k8s = sandbox.kubernetes['aks-prod'];
    const before = k8s.requests.length;
    expect((await namespaces('aks-prod', aksToken)).status).toBe(200);
    expect(k8s.requests.slice(before).map((r) => r.user)).toEqual([SANDBOX_BOT_OBJECT_ID]);
  });

  it('an Entra-only cluster (local accounts disabled) refuses its static token', async () => {
    const prod = sandbox.arm.state.getCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod))!;
    expect((await namespaces('aks-prod', prod.token)).status).toBe(401);
  });

  it('a local-accounts cluster refuses every Entra token, the AKS one too, and takes its static token', async () => {
    for (const token of [aksToken, armToken]) {
      const res = await namespaces('aks-dev', token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized);
    }
    const dev = sandbox.arm.state.getCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev))!;
    expect((await namespaces('aks-dev', dev.token)).status).toBe(200);
  });
});
