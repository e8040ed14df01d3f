/**
 * acrbot's Graph client (`GraphClient`, under `GraphDirectory`) against the Graph emulator over
 * HTTPS, built as the app builds it: answers as the directory gives them, 404 as none, errors
 * as `GraphError` with status, code and request id, and every call over the pooled HTTP client
 * (undici), as the ARM adapters' and the Tables store's calls are (docs/performance.md round eight).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agent } from 'node:https';
import { CloudApiError } from '../../src/domain/ports';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphError } from '../../src/integrations/graph/graph-failure';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_CLUSTERS, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { withOwnGraph } from '../helpers/own-graph';
import { sandboxGraphClient } from '../helpers/sandbox-graph';
import { undiciOrigins } from '../helpers/undici-origins';
import { serializeError } from '../../src/observability/logger';

let sandbox: Sandbox;
let agent: Agent;
let graph: GraphClient;
let directory: GraphDirectory;

beforeAll(async () => {
  sandbox = await startSandbox();
  agent = keepAliveAgent(sandbox.tls.caPem);
  graph = sandboxGraphClient(sandbox, agent);
  directory = new GraphDirectory(graph);
});
afterAll(async () => {
  agent.destroy();
  await sandbox.stop();
});
beforeEach(() => sandbox.graph.clearRequests());

describe('GraphClient', () => {
  test('lookups and membership checks answer as the directory does; 404 is none', async () => {
    const kubelet = SANDBOX_CLUSTERS.prod;
    await expect(directory.servicePrincipalObjectId(kubelet.kubeletClientId)).resolves.toBe(kubelet.kubeletObjectId);
    await expect(directory.servicePrincipalObjectId('00000000-0000-4000-8000-000000000000')).resolves.toBeUndefined();
    await expect(directory.isMemberOfGroup(SANDBOX_USERS.approver.objectId, SANDBOX_APPROVER_GROUP_ID)).resolves.toBe(
      true,
    );
    await expect(directory.isMemberOfGroup(SANDBOX_USERS.outsider.objectId, SANDBOX_APPROVER_GROUP_ID)).resolves.toBe(
      false,
    );
  });

  test('an error answer is a GraphError with the status, Graph’s code and the request id', async () => {
    const err = await graph
      .request('GET', '/applications/00000000-0000-4000-8000-00000000dead')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    const [answered] = sandbox.graph.requests;
    expect(answered.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err).toMatchObject({ status: 404, code: 'Request_ResourceNotFound', requestId: answered.requestId });
  });

  test('the calls go over the pooled HTTP client (undici), not the SDK’s Node client', async () => {
    const origins = await undiciOrigins(async () => {
      await directory.servicePrincipalObjectId(SANDBOX_CLUSTERS.prod.kubeletClientId);
      await directory.isMemberOfGroup(SANDBOX_USERS.approver.objectId, SANDBOX_APPROVER_GROUP_ID);
    });
    expect(sandbox.graph.requests).toHaveLength(2);
    expect(origins).toEqual([new URL(sandbox.graphUrl).origin, new URL(sandbox.graphUrl).origin]);
  });
});

describe('GraphClient under throttling', () => {
  test('a 429 that names no wait is sent again after a backoff (the SDK alone gives up on it)', async () => {
    const patient = sandboxGraphClient(sandbox, agent, { throttleBackoffMs: 1 });
    sandbox.graph.faults.add({
      operation: 'directoryObjects.checkMemberGroups',
      status: 429,
      count: 2,
      noRetryAfter: true,
    });
    await expect(
      new GraphDirectory(patient).isMemberOfGroup(SANDBOX_USERS.approver.objectId, SANDBOX_APPROVER_GROUP_ID),
    ).resolves.toBe(true);
    const gets = sandbox.graph.requests.filter((r) => r.operation === 'directoryObjects.checkMemberGroups');
    expect(gets.map((r) => r.status)).toEqual([429, 429, 200]);
  });
});

describe('GraphClient writes that must not be sent twice', () => {
  test('addPassword whose 503 came after Graph applied it is not resent: one password, the failure reported', async () => {
    const sps = new GraphServicePrincipals(graph, [10], async () => {});
    const app = await sps.upsertApplication('acrbot-once-test', 'acrbot once test');
    sandbox.graph.faults.add({
      operation: 'applications.addPassword',
      status: 503,
      afterApply: true,
      headers: { 'Retry-After': '0' },
    });
    await expect(sps.addPassword(app.id, new Date(Date.now() + 86_400_000).toISOString(), 'marker')).rejects.toThrow();
    expect(
      sandbox.graph.requests.filter((r) => r.operation === 'applications.addPassword').map((r) => r.status),
    ).toEqual([503]);
    // The password Graph did add is on the application (for the run's clean-up to find), and only one.
    expect((await sps.inspectApplication(app.id)).passwordKeyIds).toHaveLength(1);
  });

  test('a throttled addPassword is sent again after its Retry-After: Graph throttles before it applies anything', async () => {
    const sps = new GraphServicePrincipals(graph, [10], async () => {});
    const app = await sps.upsertApplication('acrbot-once-429', 'acrbot once 429');
    sandbox.graph.faults.add({
      operation: 'applications.addPassword',
      status: 429,
      count: 2,
      headers: { 'Retry-After': '0' },
    });
    await expect(
      sps.addPassword(app.id, new Date(Date.now() + 86_400_000).toISOString(), 'marker'),
    ).resolves.toMatchObject({ keyId: expect.any(String) });
    expect(
      sandbox.graph.requests.filter((r) => r.operation === 'applications.addPassword').map((r) => r.status),
    ).toEqual([429, 429, 200]);
    expect((await sps.inspectApplication(app.id)).passwordKeyIds).toHaveLength(1);
  });

  test('a service principal create whose answer was lost is found, not failed with a conflict against itself', async () => {
    const sps = new GraphServicePrincipals(graph, [10], async () => {});
    const app = await sps.upsertApplication('acrbot-once-sp', 'acrbot once sp');
    sandbox.graph.faults.add({ operation: 'servicePrincipals.create', status: 500, afterApply: true });
    await expect(sps.createServicePrincipal(app.appId)).rejects.toThrow();
    // The caller's next attempt meets the principal its first one created.
    const again = await sps.createServicePrincipal(app.appId);
    expect(again.id).toBe((await sps.findServicePrincipal(app.appId))!.id);
    expect(
      sandbox.graph.requests.filter((r) => r.operation === 'servicePrincipals.create').map((r) => r.status),
    ).toEqual([500, 409]);
  });

  test('a service principal create refused with a 400 that is not replication is failed at once, not sent again', async () => {
    const sleeps: number[] = [];
    const sps = new GraphServicePrincipals(graph, [10, 10, 10], async (ms) => {
      sleeps.push(ms);
    });
    const app = await sps.upsertApplication('acrbot-bad-sp', 'acrbot bad sp');
    sandbox.graph.faults.add({
      operation: 'servicePrincipals.create',
      status: 400,
      code: 'Request_BadRequest',
      message: "Invalid value specified for property 'appRoleAssignmentRequired' of resource 'ServicePrincipal'.",
    });
    await expect(sps.createServicePrincipal(app.appId)).rejects.toThrow();
    expect(
      sandbox.graph.requests.filter((r) => r.operation === 'servicePrincipals.create').map((r) => r.status),
    ).toEqual([400]);
    expect(sleeps).toEqual([]);
    // The replication case (Graph's own message for it) is still waited out.
    sandbox.graph.faults.add({ operation: 'servicePrincipals.create', status: 400, code: 'Request_BadRequest' });
    await expect(sps.createServicePrincipal(app.appId)).resolves.toMatchObject({ id: expect.any(String) });
    expect(sleeps).toEqual([10]);
  });

  test('a new application Graph does not find yet (replication): the inspection and addPassword fail with its 404, sent once, nothing added, Graph’s error kept as the cause', async () => {
    const sps = new GraphServicePrincipals(graph, [10], async () => {});
    // The inspection's three reads of the application (owners, credentials, federated
    // credentials) and addPassword each use one call of the lag.
    sandbox.directory.readReplicationDelay = 4;
    try {
      const app = await sps.upsertApplication('acrbot-replicating', 'acrbot replicating');
      expect(app.created).toBe(true);
      const read = await sps.inspectApplication(app.id).catch((e: unknown) => e);
      expect(read).toMatchObject({ code: 'Request_ResourceNotFound', statusCode: 404 });
      expect((read as Error).cause).toBeInstanceOf(GraphError);
      const added = await sps
        .addPassword(app.id, new Date(Date.now() + 86_400_000).toISOString(), 'marker')
        .catch((e: unknown) => e);
      expect(added).toMatchObject({ code: 'Request_ResourceNotFound', statusCode: 404 });
      expect((added as Error).cause).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
      expect(
        sandbox.graph.requests.filter((r) => r.operation === 'applications.addPassword').map((r) => r.status),
      ).toEqual([404]);
      // The retrying is the secret runner's (it knows whether acrbot just created the application).
      expect(sandbox.directory.getApplication(app.id)!.passwords).toEqual([]);
      expect((await sps.inspectApplication(app.id)).passwordKeyIds).toEqual([]);
      await sps.deleteApplication(app.id);
    } finally {
      sandbox.directory.readReplicationDelay = 0;
    }
  });

  test('an upsert that found its application but cannot read it yet asks again; failing, it is not reported as a refusal', async () => {
    const sps = new GraphServicePrincipals(graph, [10, 10], async () => {});
    const first = await sps.upsertApplication('acrbot-once-read', 'acrbot once read');
    // The next read after a 204 misses it once (replication): asked again, found.
    sandbox.graph.faults.add({
      operation: 'applications.getByUniqueName',
      status: 404,
      code: 'Request_ResourceNotFound',
    });
    await expect(sps.upsertApplication('acrbot-once-read', 'acrbot once read')).resolves.toMatchObject({
      id: first.id,
      created: false,
    });
    // Missing for good: the error has no status, so the run does not take it for "nothing was created".
    sandbox.graph.faults.add({
      operation: 'applications.getByUniqueName',
      status: 404,
      code: 'Request_ResourceNotFound',
      count: 3,
    });
    await expect(sps.upsertApplication('acrbot-once-read', 'acrbot once read')).rejects.toMatchObject({
      statusCode: undefined,
    });
  });

  test('a 2xx answer that is not JSON (addPassword’s, holding the new secret) fails without quoting any of it', async () => {
    const secretText = 'Qx8~not-a-real-secret-but-the-shape-of-one.AbCdEfGh';
    const mangled = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'r-1' });
      // Mangled on its way (the value unquoted): V8's SyntaxError quotes the text around the break.
      res.end(`{"keyId":"k","secretText":${secretText}}`);
    };
    await withOwnGraph(mangled, async (behind) => {
      const err = await behind.request('POST', '/applications/a/addPassword', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /answered 200 with a body that is not JSON .*content withheld; request id r-1/,
      );
      expect(JSON.stringify(serializeError(err))).not.toContain(secretText.slice(0, 8));
    });
  });

  test('an error page that is not JSON (a proxy) is a GraphError with its status, not a SyntaxError', async () => {
    const proxyPage = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(403, { 'content-type': 'text/html' });
      res.end('<html><body>403 Forbidden (proxy)</body></html>');
    };
    await withOwnGraph(proxyPage, async (behind) => {
      const err = await new GraphDirectory(behind)
        .servicePrincipalObjectId(SANDBOX_CLUSTERS.legacy.servicePrincipalAppId)
        .catch((e: unknown) => e);
      // The directory gives the flows the port's error, Graph's kept as its cause.
      expect(err).toBeInstanceOf(CloudApiError);
      expect(err).toMatchObject({ statusCode: 403 });
      expect((err as Error).cause).toBeInstanceOf(GraphError);
      expect((err as Error).cause).toMatchObject({ status: 403 });
    });
  });
});
