/**
 * acrbot's Graph client (`GraphClient`, under `GraphDirectory`) against the Graph emulator over
 * HTTPS, built as the app builds it: answers as the directory gives them, 404 as none, errors
 * as `GraphError` with status, code and request id, and every call over the pooled HTTP client
 * (undici), as the ARM adapters' and the Tables store's calls are (docs/performance.md round eight).
 */
import type { Agent } from 'node:https';
import { keepAliveAgent, staticTokenCredential } from '../../src/integrations/azure/arm-connection';
import { GraphClient, GraphError } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_CLUSTERS, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { undiciOrigins } from '../helpers/undici-origins';

let sandbox: Sandbox;
let agent: Agent;
let graph: GraphClient;
let directory: GraphDirectory;

beforeAll(async () => {
  sandbox = await startSandbox();
  agent = keepAliveAgent(sandbox.tls.caPem);
  graph = new GraphClient({
    endpoint: sandbox.graphUrl,
    credential: staticTokenCredential(sandbox.token),
    caPem: sandbox.tls.caPem,
    agent,
    tracing: false,
  });
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
    const err = await graph.request('GET', '/applications/not-a-guid').catch((e: unknown) => e);
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
