/**
 * What the tab's routes answer around the API itself: its pages carry the whole policy (CSP that
 * allows nothing by default and framing by Teams only, no-store, nosniff, no referrer); its
 * assets are revalidated on every load (no-cache, an ETag honoured in any form RFC 9110 allows)
 * and refused, even when not built, with nosniff; an asset that exists but cannot be read is
 * logged; an empty body is no body of the wrong type; an empty Authorization is none; and a
 * failing sandbox sign-in is logged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type restify from 'restify';
import { createServer } from '../../src/http/server';
import type { TabApi } from '../../src/tab/tab-api';
import type { SandboxSignIn } from '../../src/tab/sandbox-signin';
import { registerTabRoutes } from '../../src/tab/tab-routes';
import { LogCapture } from '../helpers/log-capture';
import { TempDirs } from '../helpers/temp-dirs';

const ok = { status: 200, body: { ok: true } };

describe('the tab routes around the API', () => {
  const dirs = new TempDirs();
  const logs = new LogCapture();
  let server: restify.Server;
  let base: string;
  let webRoot: string;
  let api: { [K in 'me' | 'myAccess' | 'matrix' | 'history' | 'extend' | 'revoke']: jest.Mock };

  beforeEach(async () => {
    webRoot = dirs.make('acrbot-tab-web-');
    api = {
      me: jest.fn(async () => ok),
      myAccess: jest.fn(async () => ok),
      matrix: jest.fn(async () => ok),
      history: jest.fn(async () => ok),
      extend: jest.fn(async () => ok),
      revoke: jest.fn(async () => ok),
    };
    const signIn = {
      page: async () => {
        throw new Error('issuer down');
      },
    };
    server = createServer({ processActivity: async () => {}, checkReady: async () => {}, log: logs.logger() });
    registerTabRoutes(server, {
      api: api as unknown as TabApi,
      webRoot,
      log: logs.logger(),
      sandboxSignIn: signIn as unknown as SandboxSignIn,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    logs.lines.splice(0);
    dirs.removeAll();
  });

  test('a page: CSP denies by default and lets only Teams and Microsoft 365 frame it; no-store, nosniff, no referrer', async () => {
    const res = await fetch(`${base}/tabs/personal`);
    await res.text();
    expect(res.status).toBe(200);
    const directives = (res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim());
    expect(directives).toContain("default-src 'none'");
    expect(directives).toContain("base-uri 'none'");
    const ancestors = directives
      .find((d) => d.startsWith('frame-ancestors '))
      ?.split(' ')
      .slice(1);
    expect(ancestors).toContain('teams.microsoft.com');
    expect(ancestors).toContain("'self'");
    expect(ancestors).not.toContain('*');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('a built asset: no-cache with a strong ETag, and a 304 for that tag however If-None-Match names it', async () => {
    writeFileSync(join(webRoot, 'app.js'), 'console.log(1);\n');
    const res = await fetch(`${base}/tabs/assets/app.js`);
    expect(await res.text()).toBe('console.log(1);\n');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetch(`${base}/tabs/assets/app.js`, { headers: { 'if-none-match': ifNoneMatch } });
      expect({ ifNoneMatch, status: again.status }).toEqual({ ifNoneMatch, status: 304 });
      expect(again.headers.get('cache-control')).toBe('no-cache');
    }
    const changed = await fetch(`${base}/tabs/assets/app.js`, { headers: { 'if-none-match': '"other"' } });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();
  });

  test('an asset the tab does not serve, or one not built: refused with nosniff; not built is no-store too', async () => {
    const unknown = await fetch(`${base}/tabs/assets/index.html`);
    await unknown.arrayBuffer();
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-content-type-options')).toBe('nosniff');
    const notBuilt = await fetch(`${base}/tabs/assets/app.css`);
    expect(notBuilt.status).toBe(503);
    expect(await notBuilt.json()).toMatchObject({ error: 'not_built' });
    expect(notBuilt.headers.get('cache-control')).toBe('no-store');
    expect(notBuilt.headers.get('x-content-type-options')).toBe('nosniff');
    // Not built is expected in a fresh checkout: not logged.
    expect(logs.entries().filter((e) => e.msg === 'tab asset could not be read')).toEqual([]);
  });

  test('an asset that exists but cannot be read is logged, and answered as not built', async () => {
    mkdirSync(join(webRoot, 'signin.js')); // a directory: EISDIR
    const res = await fetch(`${base}/tabs/assets/signin.js`);
    await res.arrayBuffer();
    expect(res.status).toBe(503);
    expect(logs.entries().filter((e) => e.msg === 'tab asset could not be read')).toEqual([
      expect.objectContaining({ asset: 'signin.js' }),
    ]);
  });

  test('a revoke with an empty body reaches the action whatever its content type; one with text is 415', async () => {
    // A stream body is sent chunked: the body reader reads it (an empty text) rather than skipping it.
    const empty = await fetch(`${base}/api/tab/requests/R-7KQ2M9XD/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new ReadableStream({ start: (controller) => controller.close() }),
      duplex: 'half',
    } as RequestInit);
    await empty.arrayBuffer();
    expect(empty.status).toBe(200);
    expect(api.revoke).toHaveBeenCalledTimes(1);
    const text = await fetch(`${base}/api/tab/requests/R-7KQ2M9XD/extend`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'days=3',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: 'unsupported_media_type' });
    expect(api.extend).not.toHaveBeenCalled();
  });

  test('an empty Authorization header reaches the API as no authorization', async () => {
    const res = await fetch(`${base}/api/tab/me`, { headers: { authorization: '' } });
    await res.arrayBuffer();
    expect(api.me).toHaveBeenCalledWith(undefined);
  });

  test('a sandbox sign-in that fails is logged and answered 502 as a page', async () => {
    const res = await fetch(`${base}/tabs/sandbox-signin?user=requester`);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('did not answer');
    expect(logs.entries().filter((e) => e.msg === 'sandbox sign-in failed')).toHaveLength(1);
  });
});
