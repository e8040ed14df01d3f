import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { jsonBody } from '../../src/http/json-body';

/** What the route saw. */
interface Seen {
  body: unknown;
  rawBody: unknown;
}

/** A restify server with the reader and one route that records what it was given. */
async function startServer(maxBytes = 64): Promise<{ url: URL; seen: Seen[]; close: () => Promise<void> }> {
  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(jsonBody({ maxBytes }));
  const seen: Seen[] = [];
  const record = async (req: restify.Request, res: restify.Response) => {
    seen.push({ body: req.body, rawBody: (req as { rawBody?: unknown }).rawBody });
    res.send(200, { ok: true });
  };
  server.post('/in', record);
  server.get('/in', record);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/in`), seen, close: () => new Promise((r) => server.close(r)) };
}

/** Sends `parts` as separate writes (so the body arrives in several chunks); resolves status and body. */
function send(
  url: URL,
  parts: Buffer[],
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { 'transfer-encoding': 'chunked', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const p of parts) req.write(p);
    req.end();
  });
}

describe('jsonBody (the request body reader)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await server.close();
  });

  it('parses a JSON body that arrives in chunks, a multi-byte character split between two of them', async () => {
    const bytes = Buffer.from(JSON.stringify({ text: 'grüße ✓' }));
    const split = bytes.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte character
    const res = await send(server.url, [bytes.subarray(0, split), bytes.subarray(split)]);
    expect(res.status).toBe(200);
    expect(server.seen).toEqual([{ body: { text: 'grüße ✓' }, rawBody: '{"text":"grüße ✓"}' }]);
  });

  it('accepts +json media types', async () => {
    const res = await send(server.url, [Buffer.from('{"a":1}')], { 'content-type': 'application/activity+json' });
    expect(res.status).toBe(200);
    expect(server.seen[0].body).toEqual({ a: 1 });
  });

  it('keeps no Buffer of the body: no copy of the whole body, and the text is built as it arrives', async () => {
    const concat = jest.spyOn(Buffer, 'concat');
    const big = Buffer.from(JSON.stringify({ t: 'x'.repeat(40) }));
    const res = await send(server.url, [big.subarray(0, 10), big.subarray(10, 30), big.subarray(30)]);
    expect(res.status).toBe(200);
    expect(server.seen[0].body).toEqual({ t: 'x'.repeat(40) });
    expect(concat).not.toHaveBeenCalled();
  });

  it('refuses a body over the limit with 413 and never calls the route', async () => {
    const res = await send(server.url, [Buffer.from('{"t":"'), Buffer.from('y'.repeat(100)), Buffer.from('"}')]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ code: 'PayloadTooLarge', message: 'Request body size exceeds 64' });
    expect(server.seen).toEqual([]);
  });

  it('answers 413 while a body over the limit is still being sent, says Connection: close, and closes it', async () => {
    // A body that never ends: the client keeps writing until the answer comes.
    const answer = await new Promise<{ status: number; connection?: string; body: string; closed: Promise<void> }>(
      (resolve, reject) => {
        const req = httpRequest(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        });
        let answered = false;
        const chunk = Buffer.from('y'.repeat(32));
        const write = () => {
          while (!answered) if (!req.write(chunk)) return void req.once('drain', write);
        };
        req.on('response', (res) => {
          answered = true;
          // The server ends the connection it did not read to the end.
          const closed = new Promise<void>((done) => req.socket!.once('close', () => done()));
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, closed }),
          );
        });
        // The socket may be reset under the client's last writes once the answer is out.
        req.on('error', (err) => (answered ? undefined : reject(err)));
        req.write('{"t":"');
        write();
      },
    );
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'PayloadTooLarge' });
    await answer.closed;
    expect(server.seen).toEqual([]);
  });

  it('refuses a declared content-length over the limit without reading the body', async () => {
    const body = Buffer.from(JSON.stringify({ t: 'z'.repeat(100) }));
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        server.url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(res).toBe(413);
    expect(server.seen).toEqual([]);
  });

  it('answers invalid JSON with 400 and never calls the route', async () => {
    const res = await send(server.url, [Buffer.from('{"a":')]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'InvalidContent' });
    expect(JSON.parse(res.body).message).toMatch(/^Invalid JSON: /);
    expect(server.seen).toEqual([]);
  });

  it('leaves a body of another type as text', async () => {
    const res = await send(server.url, [Buffer.from('plain words')], { 'content-type': 'text/plain' });
    expect(res.status).toBe(200);
    expect(server.seen).toEqual([{ body: 'plain words', rawBody: 'plain words' }]);
  });

  it('refuses a compressed body with 415 (Teams sends plain JSON)', async () => {
    const res = await send(server.url, [Buffer.from('{}')], {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(415);
    expect(server.seen).toEqual([]);
  });

  it('reads nothing for GET', async () => {
    const res = await send(server.url, [], {}, 'GET');
    expect(res.status).toBe(200);
    expect(server.seen).toEqual([{ body: undefined, rawBody: undefined }]);
  });

  describe('a response that closes', () => {
    /** The handler on stand-ins for restify's request and response, to drive their events. */
    function handle() {
      const req = Object.assign(new EventEmitter(), {
        method: 'POST',
        headers: {},
        getContentLength: () => 4,
        isChunked: () => false,
        contentType: () => 'application/json',
        setEncoding: () => undefined,
        resume: () => undefined,
        body: undefined as unknown,
      });
      const res = new EventEmitter();
      const next = jest.fn();
      jsonBody({ maxBytes: 64 })(req as never, res as never, next);
      return { req, res, next };
    }

    it('before the body ended: the request goes on with a 400 BadRequest error', () => {
      const { req, res, next } = handle();
      req.emit('data', '{"a"');
      res.emit('close');
      expect(next).toHaveBeenCalledTimes(1);
      expect(next.mock.calls[0][0]).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    });

    it('after the body was read (every request): nothing more happens', () => {
      const { req, res, next } = handle();
      req.emit('data', '{"a":1}');
      req.emit('end');
      res.emit('close');
      expect(next.mock.calls).toEqual([[]]);
      expect(req.body).toEqual({ a: 1 });
    });
  });
});
