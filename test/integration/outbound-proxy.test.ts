/**
 * acrbot behind a forward proxy (HTTPS_PROXY, NO_PROXY): ARM, Graph and Bot Connector calls go
 * through a real CONNECT proxy in front of the sandbox emulators, over the pooled HTTP client's
 * connections (one tunnel per connection, reused); NO_PROXY sends a host around it; a proxy that
 * never answers fails the call as ETIMEDOUT within the answer timeout; the target's certificate
 * is still checked through the tunnel; the proxy's password reaches neither the errors nor logs.
 *
 * The process's shared client reads the environment once, when first used (as in production):
 * it is created here with the proxy variables set, which are restored at once. The other clients
 * get their proxy settings passed explicitly. The SDK reads HTTPS_PROXY when a pipeline is built
 * (NO_PROXY only once per process), so the connector tests set HTTPS_PROXY around their turns to
 * have the SDK put its own proxy agent on the connector's requests, as it does in production.
 */
import {
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TurnContext } from 'botbuilder';
import { createServer, type Server } from 'node:http';
import type { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '../../src/bot/create-adapter';
import type { AppConfig } from '../../src/config/config';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { ArmResourceReader } from '../../src/integrations/azure/azure-resource-reader';
import { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import type { OutboundProxy } from '../../src/integrations/http/outbound-proxy';
import { PooledHttpClient, sharedHttpClient } from '../../src/integrations/http/pooled-http-client';
import { BlobAnchorLog } from '../../src/integrations/store/blob-anchor-log';
import { openTablesAccount } from '../../src/integrations/store/tables-client';
import { createLogger, serializeError } from '../../src/observability/logger';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { createSandboxTls } from '../../src/sandbox/tls';
import { startAzurite } from '../helpers/azurite';
import { ForwardProxy, withEnvironment } from '../helpers/forward-proxy';
import { inProactiveTurn } from '../helpers/proactive-turn';
import { undiciOrigins } from '../helpers/undici-origins';

/** A Bot Connector stand-in over plain http (botbuilder allows http service URLs): posts, or hangs. */
class ConnectorStandIn {
  readonly requests: string[] = [];
  hang = false;
  url = '';
  private server?: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests.push(`${req.method}`);
        if (this.hang) return;
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ id: `act-${this.requests.length}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const config = { mode: 'sandbox', channelAuth: {}, app: { type: 'MultiTenant' } } as unknown as AppConfig;

let sandbox: Sandbox;
let agent: Agent;
const proxy = new ForwardProxy();
const connector = new ConnectorStandIn();
/** Clients made by a test, closed after it. */
const clients: PooledHttpClient[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  agent = keepAliveAgent(sandbox.tls.caPem);
  await proxy.start();
  await connector.start();
  // The process's one client, configured as in production: from the environment, at first use.
  await withEnvironment(
    { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost', HTTP_PROXY: undefined, ALL_PROXY: undefined },
    () => sharedHttpClient(),
  );
});
afterAll(async () => {
  await sharedHttpClient().close();
  agent.destroy();
  await connector.stop();
  await proxy.stop();
  await sandbox.stop();
});
beforeEach(() => {
  proxy.reset();
  connector.requests.length = 0;
  connector.hang = false;
  sandbox.graph.clearRequests();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A pooled client with `settings` as its proxy (closed after the test); what it left to the Node client. */
function proxiedClient(settings: OutboundProxy | undefined, answerTimeoutMs?: number) {
  const node = createDefaultHttpClient();
  const fallen: PipelineRequest[] = [];
  const client = new PooledHttpClient(
    { sendRequest: (r) => (fallen.push(r), node.sendRequest(r)) },
    answerTimeoutMs,
    settings,
  );
  clients.push(client);
  return { client, fallen };
}

const settingsOf = (url: string, noProxy: string[] = []): OutboundProxy => ({ url: new URL(url), noProxy });

/** A GET through an SDK pipeline as acrbot's clients build one (the shared agent unless told). */
function send(
  http: HttpClient,
  url: string,
  init: Omit<Partial<Parameters<typeof createPipelineRequest>[0]>, 'agent'> & { agent?: Agent | null } = {},
  maxRetries = 0,
): Promise<PipelineResponse> {
  const { agent: chosen = agent, ...rest } = init;
  const pipeline = createPipelineFromOptions({
    ...(chosen ? { agent: chosen } : {}),
    retryOptions: { maxRetries, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
  });
  return pipeline.sendRequest(http, createPipelineRequest({ url, method: 'GET', ...rest }));
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as RestError & { cause?: unknown },
  );

/** Runs `logic` in a proactive turn in the stand-in's conversation over `http`, with HTTPS_PROXY set to `proxyUrl`. */
async function inTurn<T>(http: HttpClient, proxyUrl: string, logic: (ctx: TurnContext) => Promise<T>): Promise<T> {
  const adapter = createAdapter(config, createLogger({ level: 'silent' }), http);
  // The connector client (and its pipeline, whose proxy policy reads HTTPS_PROXY) is built in the turn.
  return withEnvironment({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: undefined, ALL_PROXY: undefined }, () =>
    inProactiveTurn(adapter, connector.url, logic),
  );
}

const postCard = (ctx: TurnContext) => ctx.sendActivity({ type: 'message', text: 'approval card' });

describe('behind HTTPS_PROXY', () => {
  test('ARM and Graph calls go through the proxy, one tunnel per connection, reused', async () => {
    const connection = { endpoint: sandbox.armUrl, credential: sandbox.credential, agent, tracing: false };
    const reader = new ArmResourceReader(connection);
    const graph = new GraphDirectory(
      new GraphClient({ endpoint: sandbox.graphUrl, credential: sandbox.credential, agent, tracing: false }),
    );
    const c = SANDBOX_CLUSTERS.prod;
    const origins = await undiciOrigins(async () => {
      for (let i = 0; i < 3; i++) {
        expect(await reader.getCluster(c.subscriptionId, c.resourceGroup, c.name)).toMatchObject({ name: c.name });
        expect(await graph.servicePrincipalObjectId(c.kubeletClientId)).toBe(c.kubeletObjectId);
      }
    });
    // Over the pools (the answer timeout applies): six requests to the emulators, and the two
    // CONNECTs undici sent the proxy, one per emulator for six sequential calls.
    const proxyOrigin = new URL(proxy.url).origin;
    expect(origins.filter((o) => o !== proxyOrigin)).toHaveLength(6);
    expect(origins.filter((o) => o === proxyOrigin)).toHaveLength(2);
    expect(proxy.connectsTo(sandbox.armUrl)).toBe(1);
    expect(proxy.connectsTo(sandbox.graphUrl)).toBe(1);
    expect(sandbox.graph.requests).toHaveLength(3);
  });

  test('NO_PROXY sends its hosts around the proxy (and only those)', async () => {
    // The shared client was made with NO_PROXY=localhost; the sandbox certificate names localhost too.
    const direct = `https://localhost:${new URL(sandbox.graphUrl).port}`;
    const graph = new GraphDirectory(
      new GraphClient({ endpoint: direct, credential: sandbox.credential, agent, tracing: false }),
    );
    const c = SANDBOX_CLUSTERS.prod;
    expect(await graph.servicePrincipalObjectId(c.kubeletClientId)).toBe(c.kubeletObjectId);
    expect(sandbox.graph.requests).toHaveLength(1);
    expect(proxy.connects).toEqual([]);

    // NO_PROXY names hosts, not addresses behind them: the same emulator by its address is
    // proxied (a client of its own, so no tunnel is already open).
    const { client } = proxiedClient(settingsOf(proxy.url, ['localhost']));
    await send(client, `${sandbox.graphUrl}/v1.0/organization`);
    await send(client, `${direct}/v1.0/organization`);
    expect(proxy.connects).toEqual([new URL(sandbox.graphUrl).host]);
    expect(sandbox.graph.requests).toHaveLength(3);
  });

  test('a Bot Connector call goes through the proxy, on the pools', async () => {
    // botbuilder's compat layer rebuilds each request without the agent the SDK's proxy policy
    // set, so this call reaches the pooled client with no agent at all: the client's own
    // decision is all that sends it through the proxy.
    const origins = await undiciOrigins(() => inTurn(sharedHttpClient(), proxy.url, postCard));
    expect(connector.requests).toEqual(['POST']);
    // The POST on the pools, and the CONNECT undici sent the proxy to open its connection.
    expect(origins).toEqual([new URL(connector.url).origin, new URL(proxy.url).origin]);
    expect(proxy.connectsTo(connector.url)).toBe(1);
  });

  test('Azure Tables and the anchor blobs, which carry the SDK’s own proxy agent, take the pools through the proxy', async () => {
    const azurite = await startAzurite();
    try {
      const origins = await undiciOrigins(() =>
        // The Tables SDK's pipeline reads HTTPS_PROXY when the client is built, and puts its proxy
        // agent on each request; the pooled client takes it as its own (same proxy) and tunnels.
        withEnvironment({ HTTPS_PROXY: proxy.url, HTTP_PROXY: undefined, ALL_PROXY: undefined }, async () => {
          const account = openTablesAccount({ kind: 'connectionString', value: azurite.connectionString }, 'proxy', {
            tracing: false,
          });
          const table = await account.table('Rows');
          await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', n: 1 }, 'Replace');
          expect(await table.getEntity('p', 'r')).toMatchObject({ n: 1 });
        }),
      );
      const tables = new URL(azurite.tableEndpoint).origin;
      expect(origins.filter((o) => o === tables).length).toBeGreaterThanOrEqual(3);
      expect(proxy.connectsTo(tables)).toBeGreaterThanOrEqual(1);
      // Nothing went the Node client's way (its http proxy agent would have forwarded in absolute form).
      expect(proxy.forwarded).toEqual([]);

      // The blob anchor log's Storage SDK sends over the pooled client too (a compat adapter),
      // so its calls get the answer timeout; only the download (a HEAD, then a streamed answer),
      // which the pools do not take, goes the Node client's way, through the proxy all the same
      // (plain http to Azurite: forwarded in absolute form).
      const blobOrigins = await undiciOrigins(() =>
        withEnvironment({ HTTPS_PROXY: proxy.url, HTTP_PROXY: undefined, ALL_PROXY: undefined }, async () => {
          const anchors = new BlobAnchorLog(
            { kind: 'connectionString', value: azurite.connectionString, container: 'anchors' },
            () => new Date('2026-01-02T03:04:05Z'),
          );
          await anchors.append('anchor-1');
          expect(await anchors.lines()).toEqual(['anchor-1']);
        }),
      );
      const blob = new URL(azurite.blobEndpoint);
      // Container create, blob create, append block, container exists, list: on the pools.
      expect(blobOrigins.filter((o) => o === blob.origin).length).toBeGreaterThanOrEqual(5);
      expect(proxy.connectsTo(blob.origin)).toBeGreaterThanOrEqual(1);
      const day = `${blob.origin}/devstoreaccount1/anchors/anchors-2026-01-02.log`;
      expect(proxy.forwarded).toEqual([`HEAD ${day}`, `GET ${day}`]);
    } finally {
      await azurite.stop();
    }
  });

  test('the agent of a proxy this client does not use is the caller’s choice: the Node client sends it', async () => {
    const other = await new ForwardProxy().start();
    try {
      const { client, fallen } = proxiedClient(settingsOf(proxy.url));
      // The SDK's proxy policy, told of another proxy, puts that proxy's agent on the request.
      const pipeline = createPipelineFromOptions({
        proxyOptions: { host: 'http://127.0.0.1', port: Number(new URL(other.url).port) },
        retryOptions: { maxRetries: 0 },
      });
      const request = createPipelineRequest({ url: connector.url, method: 'GET', allowInsecureConnection: true });
      expect((await pipeline.sendRequest(client, request)).status).toBe(200);
      expect(fallen).toHaveLength(1);
      expect(other.connects).toHaveLength(0);
      expect(other.forwarded).toEqual([`GET ${connector.url}`]);
      expect(proxy.connects).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  test('what the pools do not take (a HEAD) still goes through the proxy, on the Node client', async () => {
    const { client, fallen } = proxiedClient(settingsOf(proxy.url));
    const r = await send(client, connector.url, { method: 'HEAD', allowInsecureConnection: true, agent: null });
    expect(r.status).toBe(200);
    expect(fallen.map((f) => f.method)).toEqual(['HEAD']);
    // A plain http target: the SDK's http proxy agent forwards it in absolute form.
    expect(proxy.forwarded).toEqual([`HEAD ${connector.url}`]);

    // With acrbot's registered agent on an https target: a CONNECT, so not around the proxy.
    // (The SDK's proxy agent trusts the Node defaults, not the registered CA, so the sandbox's
    // certificate is then refused; none of acrbot's registered-agent requests go this way.)
    await failureOf(send(client, `${sandbox.graphUrl}/v1.0/organization`, { method: 'HEAD' }));
    expect(proxy.connects).toEqual([new URL(sandbox.graphUrl).host]);
    expect(fallen[1]!.agent).toBe(agent);
  });
});

describe('sandbox mode', () => {
  test('loopback hosts are reached directly once the client is told (the emulators are on this machine)', async () => {
    const { client, fallen } = proxiedClient(settingsOf(proxy.url));
    client.reachLoopbackDirectly();
    const direct = `https://localhost:${new URL(sandbox.graphUrl).port}`;
    // Unauthenticated (a 401 from the emulator), which is enough: it answered, not the proxy.
    for (const base of [sandbox.graphUrl, direct]) await send(client, `${base}/v1.0/organization`);
    // On the Node client too (a HEAD): the SDK's proxy policy gets the same exceptions.
    await send(client, connector.url, { method: 'HEAD', allowInsecureConnection: true, agent: null });
    expect(fallen.map((f) => f.method)).toEqual(['HEAD']);
    expect(proxy.connects).toEqual([]);
    expect(proxy.forwarded).toEqual([]);
    expect(sandbox.graph.requests).toHaveLength(2);
  });
});

describe('a proxy that never answers', () => {
  test('a CONNECT never answered fails as ETIMEDOUT within the answer timeout, and the SDK retries it', async () => {
    proxy.mode = 'silent';
    const { client, fallen } = proxiedClient(settingsOf(proxy.url), 100);
    const failure = await failureOf(send(client, `${sandbox.armUrl}/subscriptions`, {}, 1));
    expect(failure).toBeInstanceOf(RestError);
    expect(failure?.code).toBe('ETIMEDOUT');
    expect(proxy.connectsTo(sandbox.armUrl)).toBe(2);
    expect(fallen).toHaveLength(0);
  });

  test('a tunnel that carries nothing (200, then silence) fails as ETIMEDOUT too', async () => {
    proxy.mode = 'blackhole';
    const { client } = proxiedClient(settingsOf(proxy.url), 100);
    const failure = await failureOf(send(client, `${sandbox.graphUrl}/v1.0/organization`));
    expect(failure?.code).toBe('ETIMEDOUT');
    expect(proxy.connectsTo(sandbox.graphUrl)).toBe(1);
  });

  test('what goes the Node client’s way (a HEAD) is bounded too: no answer fails as ETIMEDOUT', async () => {
    connector.hang = true;
    const { client, fallen } = proxiedClient(settingsOf(proxy.url), 100);
    const request = createPipelineRequest({ url: connector.url, method: 'HEAD', allowInsecureConnection: true });
    const failure = await failureOf(client.sendRequest(request));
    expect(failure).toBeInstanceOf(RestError);
    expect(failure?.code).toBe('ETIMEDOUT');
    expect(fallen.map((f) => f.method)).toEqual(['HEAD']);
    // The request keeps no signal it did not have (a retry sends the same object).
    expect(request.abortSignal).toBeUndefined();
  });

  test('a card send through a hung proxy fails (ETIMEDOUT) instead of holding the turn', async () => {
    proxy.mode = 'silent';
    const { client, fallen } = proxiedClient(settingsOf(proxy.url), 200);
    const failure = await failureOf(inTurn(client, proxy.url, postCard));
    expect(failure).toBeInstanceOf(RestError);
    expect(failure?.code).toBe('ETIMEDOUT');
    expect(fallen).toHaveLength(0);
    expect(connector.requests).toEqual([]);
  });
});

describe('trust and credentials through the proxy', () => {
  test('the target’s certificate is still checked inside the tunnel: a wrong CA is refused', async () => {
    const wrong = keepAliveAgent(createSandboxTls(['127.0.0.1']).caPem);
    try {
      const { client } = proxiedClient(settingsOf(proxy.url));
      const failure = await failureOf(send(client, `${sandbox.graphUrl}/v1.0/organization`, { agent: wrong }));
      expect(failure).toBeInstanceOf(RestError);
      expect(String(failure?.code)).toMatch(/CERT|SIGNATURE|ISSUER/);
      expect(proxy.connectsTo(sandbox.graphUrl)).toBe(1);
      expect(sandbox.graph.requests).toHaveLength(0);

      // And with the right one, the same client gets through.
      expect((await send(client, `${sandbox.graphUrl}/v1.0/organization`)).status).toBeLessThan(500);
    } finally {
      wrong.destroy();
    }
  });

  test('the URL’s credentials go to the proxy, and never into an error', async () => {
    proxy.credentials = 'acrbot:s3cret-Pa55';
    const good = proxiedClient(settingsOf(proxy.url.replace('//', '//acrbot:s3cret-Pa55@'))).client;
    expect((await send(good, `${sandbox.graphUrl}/v1.0/organization`)).status).toBeLessThan(500);
    expect(proxy.authorizations.at(-1)).toBe(`Basic ${Buffer.from('acrbot:s3cret-Pa55').toString('base64')}`);

    const bad = proxiedClient(settingsOf(proxy.url.replace('//', '//acrbot:wr0ng-Pa55@'))).client;
    const failure = await failureOf(send(bad, `${sandbox.graphUrl}/v1.0/organization`));
    expect(failure).toBeInstanceOf(RestError);
    expect(failure?.message).toMatch(/407/);
    const logged = JSON.stringify(serializeError(failure));
    expect(logged).toMatch(/407/);
    expect(logged).not.toMatch(/wr0ng|s3cret/);
    expect(`${failure?.message} ${String(failure?.cause)}`).not.toMatch(/wr0ng|s3cret/);
  });
});
