/**
 * The channel's signing keys behind a forward proxy (src/bot/channel-signing-keys.ts): an
 * azure-mode bot reads login.botframework.com's OpenID metadata and keys on its HTTP client, so
 * through the proxy, and a signed activity is authenticated and answered 200. Here
 * login.botframework.com is a local stand-in the proxy tunnels to; the name does not resolve on
 * this machine, so the proxy is the only way there (botframework-connector's own node-fetch read
 * answered every activity 500, `getaddrinfo ENOTFOUND login.botframework.com`). Concurrent first
 * activities read the documents once; NO_PROXY sends the read around the proxy.
 */
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import type { Agent } from 'node:https';
import { createAdapter } from '../../src/bot/create-adapter';
import type { AppConfig } from '../../src/config/config';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createSandboxTls } from '../../src/sandbox/tls';
import { type FakeChannelIssuer, startFakeChannelIssuer } from '../helpers/fake-openid';
import { ForwardProxy } from '../helpers/forward-proxy';
import { LogCapture } from '../helpers/log-capture';

const APP_ID = '11111111-1111-4111-8111-111111111111';
const TENANT = '22222222-2222-4222-8222-222222222222';
const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const LOGIN = 'login.botframework.com:443';
const METADATA = '/v1/.well-known/openidconfiguration';
const KEYS = '/v1/.well-known/keys';

const azure = {
  mode: 'azure',
  channelAuth: {},
  app: { id: APP_ID, password: 'not-a-real-secret', type: 'SingleTenant', tenantId: TENANT },
} as unknown as AppConfig;

let issuer: FakeChannelIssuer;
let agent: Agent;
const proxy = new ForwardProxy();
const clients: PooledHttpClient[] = [];

beforeAll(async () => {
  const tls = createSandboxTls(['login.botframework.com']);
  issuer = await startFakeChannelIssuer({
    tls: { certPem: tls.certPem, keyPem: tls.keyPem },
    publicOrigin: 'https://login.botframework.com',
  });
  agent = keepAliveAgent(tls.caPem);
  await proxy.start();
  proxy.routes.set(LOGIN, issuer.listening);
});
afterAll(async () => {
  agent.destroy();
  await proxy.stop();
  await issuer.stop();
});
beforeEach(() => {
  proxy.reset();
  issuer.fetched.length = 0;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/**
 * The process's pooled client as it is behind HTTPS_PROXY (NO_PROXY `noProxy`), trusting the
 * stand-in's test CA (login.botframework.com's own certificate is trusted by the Node defaults).
 */
function behindProxy(noProxy: string[] = []): HttpClient {
  const pooled = new PooledHttpClient(createDefaultHttpClient(), undefined, { url: new URL(proxy.url), noProxy });
  clients.push(pooled);
  return {
    sendRequest: (request) => {
      request.agent ??= agent;
      return pooled.sendRequest(request);
    },
  };
}

/** POSTs a message signed by the stand-in's trusted key to `adapter`; its status, and whether the turn ran. */
async function post(adapter: ReturnType<typeof createAdapter>): Promise<{ status: number; ran: boolean }> {
  const token = await issuer.channelToken({ appId: APP_ID, serviceUrl: SERVICE_URL });
  const activity = {
    type: 'message',
    id: 'm1',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    text: 'help',
    from: { id: '29:u', aadObjectId: '33333333-3333-4333-8333-333333333333' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: 'a:1', tenantId: TENANT },
  };
  const res = { code: 0, status: (c: number) => void (res.code = c), send() {}, end() {}, header() {} };
  let ran = false;
  await adapter.process(
    { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: activity } as never,
    res as never,
    async () => void (ran = true),
  );
  return { status: res.code, ran };
}

test('azure mode behind HTTPS_PROXY: the keys are read through the proxy and a signed activity is answered 200', async () => {
  const logs = new LogCapture();
  const adapter = createAdapter(azure, logs.logger(), behindProxy());
  expect(await post(adapter)).toEqual({ status: 200, ran: true });
  expect(proxy.connects).toContain(LOGIN);
  expect(issuer.fetched).toEqual([METADATA, KEYS]);
  expect(logs.entries().filter((e) => Number(e.level) >= 40)).toEqual([]);
});

test('concurrent first activities read the documents once', async () => {
  const adapter = createAdapter(azure, new LogCapture().logger(), behindProxy());
  const results = await Promise.all(Array.from({ length: 5 }, () => post(adapter)));
  expect(results).toEqual(Array.from({ length: 5 }, () => ({ status: 200, ran: true })));
  expect(issuer.fetched).toEqual([METADATA, KEYS]);
});

test('NO_PROXY sends the read around the proxy: the stand-in, reachable only through it, is not read', async () => {
  const adapter = createAdapter(azure, new LogCapture().logger(), behindProxy(['login.botframework.com']));
  // Where login.botframework.com does not resolve, a 500; where it does, the real keys, which do
  // not include the stand-in's kid (a 401). Either way not this bot's token accepted.
  const { status, ran } = await post(adapter);
  expect(status).not.toBe(200);
  expect(ran).toBe(false);
  expect(proxy.connects).toEqual([]);
  expect(issuer.fetched).toEqual([]);
});
