/**
 * Every Graph call sends a `client-request-id` of its own (a GUID, one per call, the same on
 * every resend), which Graph logs and echoes. A call that gets no answer (connection reset or
 * refused, a 5xx with no body after the resends) still has an id Graph's support can look it up
 * by: the error, the port's failure, its sentence and its log line name it. A call never sent (no
 * token) names none. Ids and codes of an answer reach sentences only in the shape Graph writes
 * them, the "Retry-After too long" refusal included; nothing of the request's query or body does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenCredential } from '@azure/core-auth';
import { CloudApiError } from '../../src/domain/ports';
import { azureLookupIds } from '../../src/flows/azure-failure-text';
import { GraphError, GraphUnconfirmedError } from '../../src/integrations/graph/graph-failure';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import { serializeError } from '../../src/observability/logger';
import { type GraphListener as Listener, OwnGraph } from '../helpers/own-graph';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const APP = '3d000000-0000-4000-8000-0000000000a1';
const GRAPH_REQUEST_ID = '3d000000-0000-4000-8000-0000000000f9';
const END = '2030-01-01T00:00:00Z';

/** The test's Graph over HTTPS: `listener` answers; `sent` has each request's client-request-id. */
class RecordingGraph extends OwnGraph {
  readonly sent: (string | undefined)[] = [];

  protected override receive(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const id = req.headers['client-request-id'];
    this.sent.push(typeof id === 'string' ? id : undefined);
    super.receive(req, res);
  }
}

const graph = new RecordingGraph();
beforeAll(() => graph.start());
afterAll(() => graph.stop());
beforeEach(() => {
  graph.sent.length = 0;
});

/** Answers `status` with Graph's error envelope and `headers`. */
function answer(status: number, headers: Record<string, string>, code: string): Listener {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { code, message: 'Graph says no.' } }));
  };
}

describe('a call that gets no answer names the client request id it sent', () => {
  test('connection reset on a write: the error, the port’s failure, its sentence and its log line carry it', async () => {
    graph.listener = (req) => req.socket.destroy();
    const err = await new GraphServicePrincipals(graph.client())
      .addPassword(APP, END, 'acrbot-marker-display-name')
      .catch((e: unknown) => e);
    expect(graph.sent).toHaveLength(1);
    const [sent] = graph.sent;
    expect(sent).toMatch(GUID);

    expect(err).toBeInstanceOf(CloudApiError);
    // No status: nothing says Graph refused (the run calls it unconfirmed).
    expect(err).toMatchObject({ code: 'Unknown', statusCode: undefined, service: 'Microsoft Graph' });
    expect(err).toMatchObject({ clientRequestId: sent });
    expect((err as Error).cause).toBeInstanceOf(GraphUnconfirmedError);
    expect((err as Error).cause).toMatchObject({ clientRequestId: sent });
    expect(azureLookupIds(err as CloudApiError)).toBe(`Microsoft Graph request id unknown (client request id ${sent})`);
    const logged = serializeError(err);
    expect(logged).toMatchObject({
      clientRequestId: sent,
      cause: { type: 'GraphUnconfirmedError', clientRequestId: sent },
    });
    // The request's body is nowhere in what is logged.
    expect(JSON.stringify(logged)).not.toContain('acrbot-marker-display-name');
  });

  test('connection refused: the error carries the id, and neither the query nor the body', async () => {
    // The live Graph answers: a client that went there instead of the closed port would succeed.
    graph.listener = (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const closed = new OwnGraph();
    await closed.start();
    await closed.stop();
    const err = await graph
      .client(undefined, closed.url)
      .request('POST', '/applications?query-marker=1', { body: 'body-marker' }, {}, { once: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnconfirmedError);
    const { clientRequestId } = err as GraphUnconfirmedError;
    expect(clientRequestId).toMatch(GUID);
    expect((err as Error).message).toBe(`Microsoft Graph did not answer POST (client request id ${clientRequestId})`);
    const own = JSON.stringify({ ...(err as object), message: (err as Error).message });
    expect(own).not.toMatch(/query-marker|body-marker/);
    expect(graph.sent).toHaveLength(0);
  });

  test('a 5xx with no body or ids, resent until the SDK gives up: every resend carried one id, which the failure names', async () => {
    graph.listener = (_req, res) => {
      res.writeHead(503, { 'retry-after': '0' });
      res.end();
    };
    const client = graph.client();
    const err = await client.request('GET', `/applications/${APP}`).catch((e: unknown) => e);
    expect(graph.sent.length).toBeGreaterThan(1);
    const [sent] = graph.sent;
    expect(sent).toMatch(GUID);
    expect(new Set(graph.sent)).toEqual(new Set([sent]));
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 503, code: 'Unknown', requestId: undefined, clientRequestId: sent });

    // Another call, another id.
    graph.sent.length = 0;
    await client.request('GET', `/applications/${APP}`).catch(() => undefined);
    expect(graph.sent[0]).toMatch(GUID);
    expect(graph.sent[0]).not.toBe(sent);
  });

  test('a call never sent (no token) names no client request id: Graph never saw one', async () => {
    const noToken: TokenCredential = {
      getToken: async () => {
        throw new Error('token endpoint unreachable');
      },
    };
    const err = await new GraphServicePrincipals(graph.client(noToken))
      .addPassword(APP, END, 'marker')
      .catch((e: unknown) => e);
    expect(graph.sent).toEqual([]);
    expect(err).toBeInstanceOf(CloudApiError);
    expect((err as Error).cause).not.toBeInstanceOf(GraphUnconfirmedError);
    expect(err).not.toHaveProperty('clientRequestId');
  });
});

describe('what an answer names reaches errors only in the shape Graph writes it', () => {
  test('Retry-After too long: a request id and code Graph would not write are not taken; Graph’s own are', async () => {
    graph.listener = answer(
      429,
      { 'retry-after': '3600', 'request-id': '<b>see the proxy log</b>' },
      '[Open this](https://phish.example.invalid)',
    );
    const client = graph.client();
    const err = await client.request('GET', `/applications/${APP}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({
      status: 429,
      code: 'TooManyRequests',
      requestId: undefined,
      clientRequestId: graph.sent[0],
    });
    expect(JSON.stringify(serializeError(err))).not.toMatch(/proxy log|phish/);

    graph.listener = answer(429, { 'retry-after': '3600', 'request-id': GRAPH_REQUEST_ID }, 'ActivityLimitReached');
    const kept = await client.request('GET', `/applications/${APP}`).catch((e: unknown) => e);
    expect(kept).toMatchObject({ status: 429, code: 'ActivityLimitReached', requestId: GRAPH_REQUEST_ID });
    expect((kept as Error).message).toContain(`request id ${GRAPH_REQUEST_ID}`);
  });

  test('an error answer’s code Graph would not write is Unknown; a success’s malformed request id is not kept', async () => {
    graph.listener = answer(403, { 'request-id': GRAPH_REQUEST_ID }, '**Ask [here](https://phish.example.invalid)**');
    const client = graph.client();
    const refused = await new GraphServicePrincipals(client).addPassword(APP, END, 'marker').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'Unknown', statusCode: 403, requestId: GRAPH_REQUEST_ID });

    const okWith =
      (requestId: string): Listener =>
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
        res.end(JSON.stringify({ id: APP, appId: APP }));
      };
    graph.listener = okWith('<img src=x onerror=alert(1)>');
    await expect(client.request('GET', `/applications/${APP}`)).resolves.toMatchObject({ requestId: undefined });
    graph.listener = okWith(GRAPH_REQUEST_ID);
    await expect(client.request('GET', `/applications/${APP}`)).resolves.toMatchObject({ requestId: GRAPH_REQUEST_ID });
  });

  test('a success whose body is not JSON: unconfirmed, with the ids it can be looked up by', async () => {
    graph.listener = (req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'request-id': GRAPH_REQUEST_ID,
        'client-request-id': String(req.headers['client-request-id']),
      });
      res.end('{"keyId":"k","secretText":cut-short');
    };
    const err = await new GraphServicePrincipals(graph.client())
      .addPassword(APP, END, 'marker')
      .catch((e: unknown) => e);
    const [sent] = graph.sent;
    expect(err).toMatchObject({
      code: 'Unknown',
      statusCode: undefined,
      requestId: GRAPH_REQUEST_ID,
      clientRequestId: sent,
    });
    expect(azureLookupIds(err as CloudApiError)).toBe(
      `Microsoft Graph request id ${GRAPH_REQUEST_ID} (client request id ${sent})`,
    );
  });
});
