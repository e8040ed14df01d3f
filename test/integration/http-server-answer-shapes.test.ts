/**
 * What the HTTP front door answers where no handler chose the shape: `/api/messages` answers
 * JSON whatever the Accept header, `/readyz` names an unexpected failure `internal` only, an HTTP
 * error of 500 or more a handler raises is the safety net's 500 (its text not repeated), a JSON
 * API's prefix is a path segment (not any path starting with those letters, a trailing slash
 * ignored), and the log line of a failed request shows its method and path, never its headers.
 */
import type { AddressInfo } from 'node:net';
import type restify from 'restify';
import { createServer, jsonApi } from '../../src/http/server';
import { LogCapture } from '../helpers/log-capture';

const SECRET = 'SENTINEL-server-shapes-7d1f';
const DETAIL = `db at sql.internal.example refused: Password=${SECRET}`;

describe('the HTTP server where no handler chose the answer', () => {
  const logs = new LogCapture();
  let server: restify.Server;
  let base: string;

  beforeAll(async () => {
    server = createServer({
      processActivity: async (_req, res) => {
        res.send(401, 'Unauthorized');
      },
      checkReady: async () => {
        throw new Error(DETAIL);
      },
      log: logs.logger('trace'),
    });
    jsonApi(server, '/api/tab/');
    server.get('/unavailable', (_req: restify.Request, _res: restify.Response, next: restify.Next) => {
      next(Object.assign(new Error(DETAIL), { statusCode: 503 }));
    });
    server.get('/server-error', (_req: restify.Request, _res: restify.Response, next: restify.Next) => {
      next(Object.assign(new Error(DETAIL), { statusCode: 500 }));
    });
    server.get('/api/tabular', async (_req: restify.Request, res: restify.Response) => {
      res.send(200, { not: 'the tab api' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => logs.lines.splice(0));

  test('/api/messages answers JSON even to an Accept it has no formatter for', async () => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'image/png' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toBe('Unauthorized');
  });

  test('/readyz names a failure that is no NotReadyError "internal", its text in the log only', async () => {
    const res = await fetch(`${base}/readyz`);
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ status: 'not ready', reason: 'internal' });
    expect(text).not.toMatch(/internal\.example|Password/);
  });

  test.each(['/unavailable', '/server-error'])(
    '%s: an HTTP error of 500 or more is answered 500 with a correlation id, its text not repeated',
    async (path) => {
      const res = await fetch(`${base}${path}`);
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: 'internal', correlationId: expect.any(String) });
      expect(text).not.toMatch(/internal\.example|Password/);
      expect(logs.entries().filter((e) => e.msg === 'request failed unexpectedly')).toHaveLength(1);
    },
  );

  test('a JSON API prefix given with a trailing slash still marks the paths under it', async () => {
    const res = await fetch(`${base}/api/tab/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'not_found', message: 'There is no such API path.' });
  });

  test('a path that only starts with the prefix letters is no part of that API', async () => {
    const other = await fetch(`${base}/api/tabular`);
    expect(other.status).toBe(200);
    expect(other.headers.get('cache-control')).toBeNull();
    expect(await other.json()).toEqual({ not: 'the tab api' });
    const missing = await fetch(`${base}/api/tabs`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ResourceNotFound' });
  });

  test("a failed request's log line shows its method and path, never its headers", async () => {
    const res = await fetch(`${base}/server-error?x=1`, { headers: { 'x-probe': SECRET } });
    await res.text();
    const [line] = logs.entries().filter((e) => e.msg === 'request failed unexpectedly');
    expect(line.req).toEqual({ method: 'GET', url: '/server-error?x=1' });
    expect(JSON.stringify(line)).not.toContain('x-probe');
  });
});
