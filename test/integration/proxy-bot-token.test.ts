/**
 * The bot's own Bot Framework token (src/bot/bot-token-client.ts) behind a forward proxy: the
 * token requests go on the pooled HTTP client, so through the proxy (a real CONNECT proxy in
 * front of the sandbox identity emulator, which serves Entra's client-credentials grant), around
 * it for a NO_PROXY host, and a proxy that never answers fails the token within the answer
 * timeout instead of holding the reply. And the production factory (SingleTenant, Entra's
 * authority) sends its requests on the HTTP client it is given, not on MSAL's own client (which
 * reads no HTTPS_PROXY).
 */
import {
  createDefaultHttpClient,
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
} from '@azure/core-rest-pipeline';
import type { Agent } from 'node:https';
import type { AppCredentials } from 'botframework-connector';
import { botTokenCredentials, passwordTokenCredentials } from '../../src/bot/bot-token-client';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { ForwardProxy } from '../helpers/forward-proxy';

const APP_ID = '0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4';
const AUDIENCE = 'https://api.botframework.com';

let sandbox: Sandbox;
let proxy: ForwardProxy;
let agent: Agent;
let password: string;
const clients: PooledHttpClient[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  proxy = await new ForwardProxy().start();
  agent = keepAliveAgent(sandbox.tls.caPem);
  const app = sandbox.directory.addApplication({ appId: APP_ID, displayName: 'acrbot (proxy)' });
  password = sandbox.directory.addPassword(app, { displayName: 'bot' }).secretText;
});
afterAll(async () => {
  agent.destroy();
  await proxy.stop();
  await sandbox.stop();
});
beforeEach(() => proxy.reset());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A pooled client whose proxy is the test proxy (NO_PROXY `noProxy`), as the process's would be. */
function pooled(noProxy: string[] = [], answerTimeoutMs?: number): PooledHttpClient {
  const client = new PooledHttpClient(createDefaultHttpClient(), answerTimeoutMs, {
    url: new URL(proxy.url),
    noProxy,
  });
  clients.push(client);
  return client;
}

/** A fresh bot token (not botbuilder's process-wide cache) from the sandbox authority over `http`. */
async function botToken(http: HttpClient): Promise<string> {
  const authority = sandbox.identity.authority;
  const factory = passwordTokenCredentials({ appId: APP_ID, password, authority, http, knownAuthority: true, agent });
  const credentials = (await factory.createCredentials(APP_ID, AUDIENCE, authority, true)) as AppCredentials;
  return credentials.getToken(true);
}

test('the bot token request goes through the proxy', async () => {
  expect(await botToken(pooled())).toMatch(/^ey/);
  expect(proxy.connectsTo(sandbox.identity.authority)).toBeGreaterThanOrEqual(1);
  expect(sandbox.identity.tokenRequests.at(-1)).toMatchObject({
    clientId: APP_ID,
    scope: `${AUDIENCE}/.default`,
    outcome: 'issued',
  });
});

test('NO_PROXY sends it around the proxy', async () => {
  const host = new URL(sandbox.identity.authority).hostname;
  expect(await botToken(pooled([host]))).toMatch(/^ey/);
  expect(proxy.connects).toEqual([]);
  expect(sandbox.identity.tokenRequests.at(-1)).toMatchObject({ clientId: APP_ID, outcome: 'issued' });
});

test('a proxy that never answers fails the token as ETIMEDOUT, naming the host but not the secret', async () => {
  // One MSAL client, which has read its authority's metadata; then the proxy hangs (a new pooled
  // client, so a new CONNECT) and the grant itself is sent into it.
  let current = pooled();
  const http: HttpClient = { sendRequest: (request) => current.sendRequest(request) };
  const authority = sandbox.identity.authority;
  const factory = passwordTokenCredentials({ appId: APP_ID, password, authority, http, knownAuthority: true, agent });
  const credentials = (await factory.createCredentials(APP_ID, AUDIENCE, authority, true)) as AppCredentials;
  expect(await credentials.getToken(true)).toMatch(/^ey/);
  proxy.mode = 'silent';
  current = pooled([], 100);
  const tunnels = proxy.connectsTo(authority);
  const asked = sandbox.identity.tokenRequests.length;
  const failure = await credentials.getToken(true).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(failure?.message).toMatch(/ETIMEDOUT/);
  expect(failure?.message).toContain(`the bot token request to ${new URL(authority).host} failed`);
  expect(failure?.message).not.toContain(password);
  expect(proxy.connectsTo(authority)).toBeGreaterThan(tunnels);
  expect(sandbox.identity.tokenRequests).toHaveLength(asked);
});

test('production (SingleTenant): every token request goes on the HTTP client given, to Entra', async () => {
  const tenant = '22222222-2222-4222-8222-222222222222';
  const seen: PipelineRequest[] = [];
  // Entra's answers, without leaving the machine: the token for the grant, its metadata else.
  const entra: HttpClient = {
    sendRequest: async (request) => {
      seen.push(request);
      const base = `https://login.microsoftonline.com/${tenant}`;
      const body = request.url.includes('/oauth2/v2.0/token')
        ? { token_type: 'Bearer', access_token: 'production-token', expires_in: 3599 }
        : request.url.includes('/discovery/instance')
          ? { tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`, metadata: [] }
          : {
              token_endpoint: `${base}/oauth2/v2.0/token`,
              authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
              end_session_endpoint: `${base}/oauth2/v2.0/logout`,
              issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
              jwks_uri: `${base}/discovery/v2.0/keys`,
            };
      return {
        status: 200,
        request,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: JSON.stringify(body),
      };
    },
  };
  const factory = botTokenCredentials(
    { id: APP_ID, password: 'not-a-real-secret', type: 'SingleTenant', tenantId: tenant },
    entra,
  );
  const loginUrl = 'https://login.microsoftonline.com/botframework.com';
  const credentials = (await factory!.createCredentials(APP_ID, AUDIENCE, loginUrl, true)) as AppCredentials;
  expect(await credentials.getToken(true)).toBe('production-token');
  expect(seen.length).toBeGreaterThanOrEqual(1);
  expect(seen.every((r) => new URL(r.url).host === 'login.microsoftonline.com')).toBe(true);
  const grant = seen.find((r) => r.method === 'POST')!;
  expect(grant.url.split('?')[0]).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
  expect(String(grant.body)).toContain('grant_type=client_credentials');
});
