/**
 * The pooled HTTP client (src/integrations/http/pooled-http-client.ts) against a real TLS server,
 * side by side with the SDK's own Node client: the same bytes on the wire and the same response
 * through an SDK pipeline, TLS trust exactly as registered, bounded and reused connections,
 * failures in the shape the SDK's retry policy reads, and everything unusual left to the Node
 * client.
 */
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { keepAliveAgent } from '../../src/integrations/azure/arm-connection';
import { PooledHttpClient } from '../../src/integrations/http/pooled-http-client';
import { createSandboxTls } from '../../src/sandbox/tls';
import { within } from '../helpers/within';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const tls = createSandboxTls(['127.0.0.1']);
let server: Server;
let base: string;
const seen: Seen[] = [];
let connections = 0;
/** Requests on /reset-once that are still to be answered by dropping the connection. */
let resetsLeft = 0;
const hanging: ServerResponse[] = [];
/** Told of each request the server has read (waitFor). */
const arrivals: Array<() => void> = [];

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body });
  for (const arrived of arrivals.splice(0)) arrived();
  if (path === '/hang') {
    hanging.push(res);
    return;
  }
  if (path === '/reset-once' && resetsLeft > 0) {
    resetsLeft--;
    req.socket.destroy();
    return;
  }
  const json = JSON.stringify({ echo: body, path });
  if (path === '/gzip' && /gzip/.test(String(req.headers['accept-encoding']))) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(json));
    return;
  }
  res.setHeader('set-cookie', ['a=1', 'b=2']);
  res.writeHead(path === '/missing' ? 404 : 200, {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': 'req-1',
    'x-empty': '',
  });
  res.end(json);
}

beforeAll(async () => {
  server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('secureConnection', (_socket: TLSSocket) => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  connections = 0;
  resetsLeft = 0;
});

/** A client over pools, whose fallback records what it is handed. */
function pooledClient(answerTimeoutMs?: number): { client: PooledHttpClient; fallen: PipelineRequest[] } {
  const node = createDefaultHttpClient();
  const fallen: PipelineRequest[] = [];
  const client = new PooledHttpClient(
    {
      sendRequest: (request) => {
        fallen.push(request);
        return node.sendRequest(request);
      },
    },
    answerTimeoutMs,
  );
  return { client, fallen };
}

/** Runs `body` with a pooled client and an agent registered with the test CA, then closes both. */
async function withPooled(
  body: (t: { client: PooledHttpClient; fallen: PipelineRequest[]; agent: Agent }) => Promise<void>,
  answerTimeoutMs?: number,
): Promise<void> {
  const agent = keepAliveAgent(tls.caPem);
  const { client, fallen } = pooledClient(answerTimeoutMs);
  try {
    await body({ client, fallen, agent });
  } finally {
    await client.close();
    agent.destroy();
  }
}

/** An SDK pipeline as acrbot's clients build one: the shared agent, retries without waiting. */
function send(
  http: HttpClient,
  agent: Agent | undefined,
  path: string,
  init: Partial<Parameters<typeof createPipelineRequest>[0]> = {},
  maxRetries = 3,
): Promise<PipelineResponse> {
  const pipeline = createPipelineFromOptions({
    ...(agent ? { agent } : {}),
    retryOptions: { maxRetries, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
    userAgentOptions: { userAgentPrefix: 'acrbot-test' },
  });
  const request = createPipelineRequest({ url: `${base}${path}`, method: 'GET', ...init });
  return pipeline.sendRequest(http, request);
}

/** The parts of a response a caller reads. */
function visible(r: PipelineResponse) {
  return {
    status: r.status,
    body: r.bodyAsText,
    contentType: r.headers.get('content-type'),
    requestId: r.headers.get('x-ms-request-id'),
    cookie: r.headers.get('set-cookie'),
    empty: r.headers.has('x-empty'),
  };
}

/** A recorded request without what differs per request (the client request id). */
function wire(s: Seen) {
  const { 'x-ms-client-request-id': id, ...headers } = s.headers;
  expect(id).toBeTruthy();
  return { method: s.method, url: s.url, headers, body: s.body };
}

describe('the pooled HTTP client', () => {
  test('sends the same request and reads the same response as the Node client', () =>
    withPooled(async ({ client, fallen, agent }) => {
      // A fresh request each time: the pipeline writes its headers into the request's own.
      const put = () => ({
        method: 'PUT' as const,
        body: JSON.stringify({ properties: { principalId: 'p-1', note: 'ümlaut 日本' } }),
        headers: createHttpHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
      });
      const node = await send(createDefaultHttpClient(), agent, '/echo?api-version=1&x=%20y', put());
      const pooled = await send(client, agent, '/echo?api-version=1&x=%20y', put());
      expect(fallen).toHaveLength(0);
      expect(seen).toHaveLength(2);
      expect(wire(seen[1]!)).toEqual(wire(seen[0]!));
      expect(visible(pooled)).toEqual(visible(node));
      expect(visible(pooled)).toMatchObject({ status: 200, requestId: 'req-1', cookie: 'a=1', empty: false });

      // A gzip answer to the decompression the pipeline asks for is read as text, as the Node client reads it.
      const zipped = await send(client, agent, '/gzip');
      expect(zipped.bodyAsText).toBe((await send(createDefaultHttpClient(), agent, '/gzip')).bodyAsText);
      expect(JSON.parse(zipped.bodyAsText!)).toEqual({ echo: '', path: '/gzip' });
      expect(fallen).toHaveLength(0);
    }));

  test('a 404 is a response, not an error (the pipeline and its caller decide)', () =>
    withPooled(async ({ client, agent }) => {
      const r = await send(client, agent, '/missing');
      expect(r.status).toBe(404);
      expect(JSON.parse(r.bodyAsText!)).toEqual({ echo: '', path: '/missing' });
    }));

  test('reuses warm connections and opens at most 32 per origin under a burst', () =>
    withPooled(async ({ client, agent }) => {
      await Promise.all(Array.from({ length: 100 }, () => send(client, agent, '/echo')));
      expect(seen).toHaveLength(100);
      expect(connections).toBeGreaterThan(0);
      expect(connections).toBeLessThanOrEqual(32);
      const afterBurst = connections;
      for (let i = 0; i < 10; i++) await send(client, agent, '/echo');
      expect(connections).toBe(afterBurst);
    }));

  test('trusts exactly what the registered agent trusts: without it, a private CA is refused', async () => {
    const { client, fallen } = pooledClient();
    try {
      // No agent: the default trust store, which does not hold the test CA. Nothing is sent.
      const refused = await send(client, undefined, '/echo', {}, 0).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(RestError);
      expect(String((refused as RestError).code)).toMatch(/CERT|SIGNATURE|ISSUER/);
      expect(seen).toHaveLength(0);
      expect(fallen).toHaveLength(0);

      // An agent acrbot did not register (a proxy's, say): the caller wanted that agent, so the
      // Node client sends the request with it.
      const foreign = new Agent({ ca: tls.caPem, keepAlive: true });
      const r = await send(client, foreign, '/echo');
      expect(r.status).toBe(200);
      expect(fallen).toHaveLength(1);
      expect(fallen[0]!.agent).toBe(foreign);
      foreign.destroy();
    } finally {
      await client.close();
    }
  });

  test('leaves streamed, progress-reporting, HEAD, hop-by-hop and insecure requests to the Node client', () =>
    withPooled(async ({ client, fallen, agent }) => {
      const progress: number[] = [];
      await send(client, agent, '/echo', { onDownloadProgress: (p) => progress.push(p.loadedBytes) });
      const streamed = await send(client, agent, '/echo', { streamResponseStatusCodes: new Set([200]) });
      streamed.readableStreamBody?.resume();
      await send(client, agent, '/echo', { method: 'HEAD' });
      // A hop-by-hop header undici would refuse: the Node client sends it as it did.
      const closing = await send(client, agent, '/echo', { headers: createHttpHeaders({ connection: 'close' }) });
      expect(closing.status).toBe(200);
      expect(seen.at(-1)?.headers.connection).toBe('close');
      expect(fallen.map((r) => r.method)).toEqual(['GET', 'GET', 'HEAD', 'GET']);
      expect(progress.length).toBeGreaterThan(0);

      // Plain http without allowInsecureConnection: the Node client's own refusal, nothing sent.
      const http = await client
        .sendRequest(createPipelineRequest({ url: base.replace('https:', 'http:'), method: 'GET' }))
        .then(
          () => undefined,
          (err: unknown) => err as Error,
        );
      expect(http?.message).toMatch(/allowInsecureConnection is false/);
      expect(fallen).toHaveLength(5);
    }));

  test('a dropped connection is ECONNRESET, which the SDK retry policy retries', () =>
    withPooled(async ({ client, agent }) => {
      resetsLeft = 1;
      const r = await send(client, agent, '/reset-once');
      expect(r.status).toBe(200);
      expect(seen).toHaveLength(2);

      resetsLeft = 1;
      const failed = await send(client, agent, '/reset-once', {}, 0).then(
        () => undefined,
        (err: unknown) => err as RestError & { cause?: unknown },
      );
      expect(failed).toBeInstanceOf(RestError);
      expect(failed?.code).toBe('ECONNRESET');
      expect(failed?.cause).toBeInstanceOf(Error);
    }));

  test('a refused connection keeps its system code (ECONNREFUSED)', async () => {
    const { client } = pooledClient();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      const err = await client
        .sendRequest(createPipelineRequest({ url: `https://127.0.0.1:${port}/`, method: 'GET' }))
        .then(
          () => undefined,
          (e: unknown) => e as RestError,
        );
      expect(err).toBeInstanceOf(RestError);
      expect(err?.code).toBe('ECONNREFUSED');
    } finally {
      await client.close();
    }
  });

  test('a server that never answers fails the request as ETIMEDOUT after the answer deadline, and the SDK retries it', () =>
    withPooled(async ({ client, agent }) => {
      const failure = await send(client, agent, '/hang', {}, 1).then(
        () => undefined,
        (e: unknown) => e as RestError,
      );
      expect(failure).toBeInstanceOf(RestError);
      expect(failure?.code).toBe('ETIMEDOUT');
      expect(seen.filter((s) => s.url === '/hang')).toHaveLength(2);
    }, 50));

  test('an abort or a timeout rejects with an AbortError, as the Node client does', () =>
    withPooled(async ({ client, agent }) => {
      const controller = new AbortController();
      const request = createPipelineRequest({ url: `${base}/hang`, method: 'GET', abortSignal: controller.signal });
      request.agent = agent;
      const pending = client.sendRequest(request).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      try {
        await waitFor(() => seen.length === 1, 'the /hang request at the server');
      } finally {
        // Also when the wait fails: closing the pooled client waits for the request to end.
        controller.abort();
      }
      expect((await pending)?.name).toBe('AbortError');

      const timed = createPipelineRequest({ url: `${base}/hang`, method: 'GET', timeout: 50 });
      timed.agent = agent;
      const timedOut = await client.sendRequest(timed).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(timedOut?.name).toBe('AbortError');

      const already = createPipelineRequest({ url: `${base}/echo`, method: 'GET', abortSignal: AbortSignal.abort() });
      already.agent = agent;
      const before = seen.length;
      await expect(client.sendRequest(already)).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toHaveLength(before);
    }));
});

/**
 * Resolves once `condition` holds, checked as each request reaches the server; fails naming
 * `what` if it does not come to hold within the bound (within.ts), rather than waiting for ever.
 */
function waitFor(condition: () => boolean, what: string): Promise<void> {
  const held = new Promise<void>((resolve) => {
    const check = () => {
      if (condition()) resolve();
      else arrivals.push(check);
    };
    check();
  });
  return within(held, what);
}
