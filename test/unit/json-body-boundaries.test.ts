/**
 * The body reader at its edges: a body of exactly the limit is read and one byte more is not
 * (counted in bytes, not characters), a declared length over the limit is refused before any
 * byte is read, `identity` is no encoding, an empty JSON body is no body, and what a refused
 * body still sends is neither counted nor answered again.
 */
import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { isJson, jsonBody } from '../../src/http/json-body';

const MAX = 64;

/** A restify server with the reader and one POST route that records the body it was given. */
async function startServer(): Promise<{ url: URL; seen: unknown[]; close: () => Promise<void> }> {
  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(jsonBody({ maxBytes: MAX }));
  const seen: unknown[] = [];
  server.post('/in', async (req: restify.Request, res: restify.Response) => {
    seen.push(req.body);
    res.send(200, { ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/in`), seen, close: () => new Promise((r) => server.close(r)) };
}

/** POSTs `body` chunked with `headers`; resolves the status. */
function post(url: URL, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    if (body.length > 0) req.write(body);
    req.end();
  });
}

/** A JSON body of exactly `bytes` bytes, its string made of `fill`. */
function bodyOf(bytes: number, fill = 'x'): Buffer {
  const frame = Buffer.byteLength('{"t":""}');
  const each = Buffer.byteLength(fill);
  const body = Buffer.from(JSON.stringify({ t: fill.repeat(Math.floor((bytes - frame) / each)) }));
  expect(body.length).toBe(bytes);
  return body;
}

describe('jsonBody at its edges', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  it('reads a body of exactly the limit, and refuses one byte more with 413', async () => {
    expect(await post(server.url, bodyOf(MAX))).toBe(200);
    expect(server.seen).toEqual([{ t: 'x'.repeat(MAX - 8) }]);
    expect(await post(server.url, bodyOf(MAX + 1))).toBe(413);
    expect(server.seen).toHaveLength(1);
  });

  it('counts the bytes sent, not the characters: a body under the limit in characters but over it in bytes is refused', async () => {
    const body = bodyOf(8 + 3 * 20, '✓'); // 28 characters, 68 bytes
    expect(JSON.stringify({ t: '✓'.repeat(20) }).length).toBeLessThanOrEqual(MAX);
    expect(await post(server.url, body)).toBe(413);
    expect(server.seen).toEqual([]);
  });

  it('takes content-encoding: identity as no encoding', async () => {
    expect(await post(server.url, Buffer.from('{"a":1}'), { 'content-encoding': 'identity' })).toBe(200);
    expect(server.seen).toEqual([{ a: 1 }]);
  });

  it('gives the route no body for an empty JSON body, not a 400', async () => {
    expect(await post(server.url, Buffer.alloc(0))).toBe(200);
    expect(server.seen).toEqual([undefined]);
  });
});

describe('jsonBody on stand-ins (when it answers)', () => {
  /** The handler on stand-ins for restify's request and response: a declared length, or chunked (`undefined`). */
  function handle(length: number | undefined) {
    const req = Object.assign(new EventEmitter(), {
      method: 'POST',
      headers: {},
      getContentLength: () => length,
      isChunked: () => length === undefined,
      contentType: () => 'application/json',
      setEncoding: () => undefined,
      resume: () => undefined,
      destroy: () => undefined,
      body: undefined as unknown,
    });
    const res = Object.assign(new EventEmitter(), { headersSent: false, setHeader: jest.fn() });
    const next = jest.fn();
    jsonBody({ maxBytes: MAX })(req as never, res as never, next);
    return { req, res, next };
  }

  it('refuses a declared length one over the limit at once, before any byte arrives', () => {
    const { next, res } = handle(MAX + 1);
    expect(next).toHaveBeenCalledTimes(1);
    expect(next.mock.calls[0][0]).toMatchObject({ statusCode: 413, code: 'PayloadTooLarge' });
    expect(res.setHeader).toHaveBeenCalledWith('Connection', 'close');
  });

  it('reads a body whose declared length is the limit', () => {
    const { req, next } = handle(MAX);
    expect(next).not.toHaveBeenCalled();
    req.emit('data', bodyOf(MAX).toString());
    req.emit('end');
    expect(next.mock.calls).toEqual([[]]);
  });

  it('after refusing a body mid-way, stops reading it: later chunks are discarded, not counted and refused again', () => {
    const { req, res, next } = handle(undefined);
    req.emit('data', 'y'.repeat(MAX + 1));
    expect(next).toHaveBeenCalledTimes(1);
    const listeners = req.listenerCount('data');
    for (let i = 0; i < 5; i++) req.emit('data', 'y'.repeat(MAX));
    expect(req.listenerCount('data')).toBe(listeners);
    expect(res.setHeader).toHaveBeenCalledTimes(1);
    expect(res.listenerCount('finish')).toBe(1);
  });
});

describe('isJson', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON', true],
    ['application/activity+json', true],
    ['application/vnd.api+JSON', true],
    ['text/plain', false],
    ['xapplication/a+json', false],
    ['application/a+jsonp', false],
    ['text/application/a+json', false],
  ])('%s: %s', (type, expected) => {
    expect(isJson(type)).toBe(expected);
  });
});
