import type { AddressInfo } from 'node:net';
import type restify from 'restify';
import { createServer } from '../../src/http/server';
import { LogCapture } from '../helpers/log-capture';

/**
 * The safety net of `/api/messages`: an error the adapter did not answer (it answers 400, 401
 * and 500 itself) is logged once with a correlation id and answered with that id, never with
 * the error's text (which restify would send, logging nothing).
 */
describe('/api/messages when processing throws', () => {
  const logs = new LogCapture();
  let server: restify.Server;
  let url: string;
  let fail: (res: restify.Response) => Promise<void>;

  beforeAll(async () => {
    server = createServer({
      processActivity: (_req, res) => fail(res),
      checkReady: async () => {},
      log: logs.logger(),
    });
    // A route answering a bare string, as botbuilder's 401 does: restify chooses its type from Accept.
    server.get('/text', async (_req: restify.Request, res: restify.Response) => {
      res.send(200, 'plain words');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => logs.lines.splice(0));

  const post = () =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message"}' });

  test('500 with a correlation id and no error text; the error logged once with that id', async () => {
    fail = async () => {
      throw new Error('socket hang up at https://login.internal.example/tenant/path');
    };
    const res = await post();
    const text = await res.text();
    expect(res.status).toBe(500);
    const body = JSON.parse(text) as { error: string; correlationId: string };
    expect(body).toEqual({ error: 'internal', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(text).not.toMatch(/hang up|internal\.example/);
    const errors = logs.entries().filter((e) => (e.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'Bot Framework request failed unexpectedly',
      correlationId: body.correlationId,
      err: expect.objectContaining({ message: expect.stringContaining('socket hang up') }),
    });
  });

  test('an error after the answer was sent is logged, and the answer stands', async () => {
    fail = async (res) => {
      res.send(200);
      throw new Error('failed after answering');
    };
    const res = await post();
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    const errors = logs.entries().filter((e) => (e.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ err: expect.objectContaining({ message: 'failed after answering' }) });
  });

  test('the 500 and its log line carry an id the server made, not one from the unauthenticated body', async () => {
    // An authenticated turn runs under turn-<activity id> (lean-cloud-adapter.ts); the request
    // before that is the caller's word, and its id is the server's.
    fail = async () => {
      throw new Error('unexpected');
    };
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"message","id":"act-42"}',
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { correlationId: string };
    expect(body).toEqual({ error: 'internal', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const errors = logs.entries().filter((e) => (e.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'Bot Framework request failed unexpectedly',
      correlationId: body.correlationId,
    });
  });

  test("restify's own warnings go to acrbot's logger, with the request's method and path only", async () => {
    const secret = 'Bearer SENTINEL-restify-7d1e';
    const res = await fetch(url.replace('/api/messages', '/text'), {
      headers: { accept: 'image/png', authorization: secret },
    });
    await res.arrayBuffer();
    const warnings = logs.entries().filter((e) => e.component === 'restify');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, req: { method: 'GET', url: '/text' } });
    expect(logs.lines.join('')).not.toContain('SENTINEL');
  });
});
