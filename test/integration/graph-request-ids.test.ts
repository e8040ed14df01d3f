/**
 * A Microsoft Graph failure keeps Graph's ids as an ARM failure keeps ARM's: `request-id` (from
 * the header, else the error body's `innerError`, where it survives a proxy that drops headers),
 * `client-request-id` and `innerError.date` (CONTRACTS §4). The error the Graph adapter throws
 * carries them into the log line and into the failure sentence, which names them as Graph's
 * ("Microsoft Graph request id …"), not as an Azure request id the Activity Log would not know.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agent } from 'node:https';
import { CloudApiError } from '../../src/domain/ports';
import { azureLookupIds } from '../../src/flows/azure-failure-text';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { GraphError } from '../../src/integrations/graph/graph-failure';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import { serializeError } from '../../src/observability/logger';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { withOwnGraph } from '../helpers/own-graph';
import { sandboxGraphClient } from '../helpers/sandbox-graph';

let sandbox: Sandbox;
let agent: Agent;

beforeAll(async () => {
  sandbox = await startSandbox();
  agent = keepAliveAgent(sandbox.tls.caPem);
});
afterAll(async () => {
  agent.destroy();
  await sandbox.stop();
});

test("a refused Graph write: the port's error names Graph's request id and time, in the sentence and the log line", async () => {
  const graph = sandboxGraphClient(sandbox, agent);
  sandbox.graph.faults.add({ operation: 'applications.upsert', status: 403, count: 1 });
  const err = await new GraphServicePrincipals(graph)
    .upsertApplication('acrbot-request-ids', 'acrbot request ids')
    .catch((e: unknown) => e);
  const answered = sandbox.graph.requests.find((r) => r.operation === 'applications.upsert')!;
  expect(answered.requestId).toMatch(/^[0-9a-f-]{36}$/);

  expect(err).toBeInstanceOf(CloudApiError);
  const failure = err as CloudApiError & { date?: string };
  expect(failure).toMatchObject({
    code: 'Authorization_RequestDenied',
    statusCode: 403,
    requestId: answered.requestId,
    service: 'Microsoft Graph',
  });
  expect(failure.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  // acrbot sends a client request id of its own (a GUID), which Graph echoes.
  const sent = (failure as { clientRequestId?: string }).clientRequestId;
  expect(sent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(sent).not.toBe(answered.requestId);
  expect(azureLookupIds(failure)).toBe(
    `Microsoft Graph request id ${answered.requestId} (client request id ${sent}, at ${failure.date} UTC)`,
  );
  expect(serializeError(err)).toMatchObject({
    requestId: answered.requestId,
    service: 'Microsoft Graph',
    clientRequestId: sent,
    date: failure.date,
    cause: { type: 'GraphError', requestId: answered.requestId, clientRequestId: sent, date: failure.date },
  });
});

test('an ARM failure is still named as Azure’s, with its correlation id', () => {
  const arm = new CloudApiError('AuthorizationFailed', 403, 'token create failed', 'arm-req-1', 'arm-corr-1');
  expect(azureLookupIds(arm)).toBe('Azure request id arm-req-1 (correlation id arm-corr-1 in the Activity Log)');
});

test("headers dropped or mangled on the way (a proxy): Graph's ids are read from the error body's innerError", async () => {
  const innerError = {
    date: '2022-05-20T17:00:59',
    'request-id': '0b5f3c7e-1d2a-4e8b-9c6f-7a1e2d3c4b5a',
    'client-request-id': '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  };
  const behindProxy = (_req: IncomingMessage, res: ServerResponse): void => {
    // No client-request-id header, and a request-id no Graph writes: the body's are taken instead.
    res.writeHead(403, { 'content-type': 'application/json', 'request-id': '<b>see the proxy log</b>' });
    res.end(
      JSON.stringify({
        error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.', innerError },
      }),
    );
  };
  await withOwnGraph(behindProxy, async (graph) => {
    const err = await graph.request('GET', '/applications').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({
      status: 403,
      requestId: innerError['request-id'],
      clientRequestId: innerError['client-request-id'],
      date: innerError.date,
    });
    const failure = await new GraphServicePrincipals(graph)
      .findApplication('acrbot-behind-proxy')
      .catch((e: unknown) => e as CloudApiError);
    expect(azureLookupIds(failure as CloudApiError)).toBe(
      `Microsoft Graph request id ${innerError['request-id']} (client request id ${innerError['client-request-id']}, at 2022-05-20T17:00:59 UTC)`,
    );
  });
});
