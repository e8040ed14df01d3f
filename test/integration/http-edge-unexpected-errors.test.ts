/**
 * The safety net of the routes other than `/api/messages` (the tab's, health, readiness): an
 * error a handler throws, rejects with or passes to `next` is logged once with a correlation id
 * and answered 500 with that id only. restify alone logged nothing and answered with the error's
 * own text (`"Error: <message>"`), hosts and connection strings included. The HTTP errors the
 * server means to send (404, 405, 413) are answered as before and logged as nothing worse.
 */
import type { AddressInfo } from 'node:net';
import type restify from 'restify';
import { createServer } from '../../src/http/server';
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINEL-http-edge-3c9e';
const DETAIL = `storage at https://store.internal.example/ refused: AccountKey=${SECRET}`;

describe('routes whose handler fails unexpectedly', () => {
  const logs = new LogCapture();
  let server: restify.Server;
  let base: string;

  beforeAll(async () => {
    server = createServer({ processActivity: async () => {}, checkReady: async () => {}, log: logs.logger() });
    server.get('/rejects', async () => {
      throw new Error(DETAIL);
    });
    server.get('/passes-to-next', (_req: restify.Request, _res: restify.Response, next: restify.Next) => {
      next(new Error(DETAIL));
    });
    server.get('/rejects-with-text', async () => {
      throw DETAIL;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => logs.lines.splice(0));

  test.each(['/rejects', '/passes-to-next', '/rejects-with-text'])(
    '%s: 500 with a correlation id only; the error logged once with that id, scrubbed',
    async (path) => {
      const res = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(text) as { error: string; correlationId: string };
      expect(body).toEqual({ error: 'internal', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(text).not.toMatch(/internal\.example|AccountKey/);
      const errors = logs.entries().filter((e) => (e.level as number) >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        msg: 'request failed unexpectedly',
        correlationId: body.correlationId,
        req: { method: 'GET', url: path },
      });
      expect(logs.lines.join('')).toContain('store.internal.example');
      expect(logs.lines.join('')).not.toContain(SECRET);
    },
  );

  test('the HTTP errors the server means (404, 405, 413) keep their answers and log no error', async () => {
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ResourceNotFound' });
    const method = await fetch(`${base}/api/messages`);
    expect(method.status).toBe(405);
    await method.arrayBuffer();
    const large = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(300 * 1024) }),
    });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ code: 'PayloadTooLarge' });
    expect(logs.entries().filter((e) => (e.level as number) >= 40)).toEqual([]);
  });
});
