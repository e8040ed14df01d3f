/**
 * Mounts the tab on acrbot's restify server:
 *
 * - `/tabs/personal` ("My access"), `/tabs/matrix` ("Access matrix"), `/tabs/config` (the
 *   configurable tab's configuration page): one HTML page each, the bundle and the stylesheet
 *   under `/tabs/assets/` (built by esbuild into a git-ignored folder, see scripts/build-web.ts);
 * - `/api/tab/…`: the JSON API ({@link TabApi});
 * - `/tabs/sandbox-signin?user=<seeded user>` in sandbox mode only (see sandbox-signin.ts).
 *
 * Every page is sent with a Content-Security-Policy that allows only our own scripts and styles
 * and framing by Teams / Microsoft 365 hosts (what Teams needs to show a tab).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type restify from 'restify';
import { isJson } from '../http/json-body';
import { jsonApi } from '../http/server';
import { withCorrelation } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import type { ApiReply, TabApi } from './tab-api';
import { TabAssetCache } from './asset-cache';
import { escapeHtml } from './html';
import type { SandboxSignIn } from './sandbox-signin';

/** Hosts that may frame the tab (Teams, Microsoft 365 app and Outlook, per the Teams tab docs). */
const FRAME_ANCESTORS = [
  "'self'",
  'teams.microsoft.com',
  '*.teams.microsoft.com',
  '*.teams.microsoft.us',
  'local.teams.office.com',
  '*.office.com',
  'outlook.office.com',
  'outlook.office365.com',
  '*.microsoft365.com',
  '*.cloud.microsoft',
  '*.skype.com',
].join(' ');

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // teams-js 2.58 fetches its list of valid host origins from Microsoft's CDN on every load
  // (validOriginsCdnEndpoint); without it Chromium logs a CSP error each time and teams-js
  // falls back to its bundled copy. That one origin, no wildcard.
  "connect-src 'self' https://res.cdn.office.net",
  "base-uri 'none'",
  "form-action 'self'",
  `frame-ancestors ${FRAME_ANCESTORS}`,
].join('; ');

/** The pages and what the bundle shows on each. */
export const TAB_PAGES = {
  personal: 'My access',
  matrix: 'Access matrix',
  config: 'Configure the access matrix',
} as const;

/** What the routes need. */
export interface TabRouteDeps {
  api: TabApi;
  /** Folder with the built front end (`app.js`, `app.css`). */
  webRoot: string;
  log: Logger;
  /** Sandbox mode only. */
  sandboxSignIn?: SandboxSignIn;
}

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'signin.js': 'text/javascript; charset=utf-8',
};

/** Registers the tab's routes on `server`. */
export function registerTabRoutes(server: restify.Server, deps: TabRouteDeps): void {
  const { api } = deps;
  const assets = new TabAssetCache();
  const auth = (req: restify.Request) => req.header('authorization') || undefined;
  const idOf = (req: restify.Request) => String((req.params as { id?: string }).id ?? '');
  // Each API call under its own correlation id: every log line of the call carries it, and a
  // failure's answer names it (TabApi logs and answers it).
  const json =
    (call: (req: restify.Request) => Promise<ApiReply>) =>
    // async: restify accepts a two-argument handler only when it is an AsyncFunction.
    async (req: restify.Request, res: restify.Response): Promise<void> =>
      withCorrelation(async () => {
        const reply = await call(req);
        // Also here, whatever path reached the handler (the pre-routing hook judges the path
        // sent): setHeader replaces, so the hook's and these never make two values.
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        for (const [k, v] of Object.entries(reply.headers ?? {})) res.header(k, v);
        res.send(reply.status, reply.body);
      }, randomUUID());

  // Every answer under /api/tab, restify's 404/405 and the body reader's refusals included:
  // no-store (answers are per user), nosniff (a browser must never read an answer, user text in
  // JSON, as anything but JSON), and the API's `{ error, message }` shape (server.ts).
  jsonApi(server, '/api/tab');
  server.get(
    '/api/tab/me',
    json((req) => api.me(auth(req))),
  );
  server.get(
    '/api/tab/my-access',
    json((req) => api.myAccess(auth(req))),
  );
  server.get(
    '/api/tab/matrix',
    json((req) => {
      const query = new URL(req.url ?? '/', 'http://tab.invalid').searchParams;
      return api.matrix(auth(req), {
        offset: query.get('offset') ?? undefined,
        limit: query.get('limit') ?? undefined,
      });
    }),
  );
  server.get(
    '/api/tab/requests/:id',
    json((req) => api.history(auth(req), idOf(req))),
  );
  server.post(
    '/api/tab/requests/:id/extend',
    json((req) => notJson(req) ?? api.extend(auth(req), idOf(req), req.body)),
  );
  server.get(
    '/api/tab/requests/:id/revoke-preview',
    json((req) => api.revokePreview(auth(req), idOf(req))),
  );
  server.post(
    '/api/tab/requests/:id/revoke',
    json((req) => notJson(req) ?? api.revoke(auth(req), idOf(req), req.body)),
  );

  for (const page of Object.keys(TAB_PAGES) as (keyof typeof TAB_PAGES)[]) {
    server.get(`/tabs/${page}`, async (_req: restify.Request, res: restify.Response) => {
      sendHtml(res, 200, pageHtml(page, Boolean(deps.sandboxSignIn)));
    });
  }
  server.get('/tabs/assets/:name', async (req: restify.Request, res: restify.Response) => {
    const name = String((req.params as { name?: string }).name ?? '');
    // Own keys only: `constructor` and the other names every object has are no assets.
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) {
      res.header('X-Content-Type-Options', 'nosniff');
      res.send(404, { error: 'not_found' });
      return;
    }
    const asset = await assets.read(join(deps.webRoot, name)).catch((err: NodeJS.ErrnoException) => {
      // Not built is expected in a fresh checkout; anything else (permissions, I/O) is logged.
      if (err.code !== 'ENOENT') deps.log.error({ err, asset: name }, 'tab asset could not be read');
      return undefined;
    });
    if (!asset) {
      res.header('Cache-Control', 'no-store');
      res.header('X-Content-Type-Options', 'nosniff');
      res.send(503, { error: 'not_built', message: 'The tab front end is not built; run npm run build.' });
      return;
    }
    // No-cache: a browser asks again on every load, so a new build is used at once; the strong
    // ETag (the content's hash) lets it keep its copy with a 304 while the build is the same.
    const { body, etag } = asset;
    const common = { ETag: etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
    if (matchesEtag(req.header('if-none-match'), etag)) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    res.writeHead(200, { ...common, 'Content-Type': type, 'Content-Length': body.length });
    res.end(body);
  });
  if (deps.sandboxSignIn) {
    const signIn = deps.sandboxSignIn;
    server.get('/tabs/sandbox-signin', async (req: restify.Request, res: restify.Response) => {
      try {
        const query = Object.fromEntries(new URL(req.url ?? '/', 'http://tab.invalid').searchParams);
        const reply = await signIn.page(query);
        sendHtml(res, reply.status, reply.html);
      } catch (err) {
        deps.log.error({ err }, 'sandbox sign-in failed');
        sendHtml(
          res,
          502,
          '<!doctype html><title>acrbot</title><p>The sandbox issuer did not answer; see the log.</p>',
        );
      }
    });
  }
}

/**
 * The refusal of a body that is not JSON (the body reader leaves it as text): 415, rather than
 * looking for `reason` in a string and answering that none was sent. No body at all goes on (the
 * action says what is missing). Before the token is checked: it says nothing about the caller.
 */
function notJson(req: restify.Request): Promise<ApiReply> | undefined {
  const raw = (req as { rawBody?: string }).rawBody;
  if (raw === undefined || raw === '' || isJson(req.contentType())) return undefined;
  return Promise.resolve({
    status: 415,
    body: { error: 'unsupported_media_type', message: 'Send JSON (Content-Type: application/json).' },
  });
}

/** Whether an `If-None-Match` header names `etag` (a list of tags, or `*`; RFC 9110 13.1.2). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  // Weak comparison, as RFC 9110 asks for If-None-Match: W/"x" matches "x".
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function sendHtml(res: restify.Response, status: number, html: string): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': body.length,
    'Content-Security-Policy': CSP,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

function pageHtml(page: keyof typeof TAB_PAGES, sandbox: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="acrbot-page" content="${page}">
<meta name="acrbot-sandbox" content="${sandbox ? 'true' : 'false'}">
<title>acrbot · ${escapeHtml(TAB_PAGES[page])}</title>
<link rel="stylesheet" href="/tabs/assets/app.css">
<script src="/tabs/assets/app.js" defer></script>
</head>
<body class="theme-default">
<main id="app" aria-busy="true"><p class="status">Loading…</p></main>
</body>
</html>
`;
}
