/**
 * The HTTP front door (restify): `/api/messages` for Teams, `/healthz` (process alive) and
 * `/readyz` (background work started, store and Azure credential usable).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import restify from 'restify';
import { currentCorrelationId, withCorrelation } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { withoutLevelQueries } from '../observability/restify-log';
import { jsonBody } from './json-body';

/** The logger type restify's typings name (restify 11 itself logs through pino). */
type Bunyan = NonNullable<restify.ServerOptions['log']>;

/**
 * Why the app is not ready, as a short code for `/readyz` (the detail goes to the log):
 * `starting` until its background work (resumed runs, the schedule) has started, or a
 * dependency it cannot use (`botCredential`: the token service refuses the bot's own app password). (A stopping instance closes its idle connections and refuses new
 * ones, so a probe never reaches it.)
 */
export class NotReadyError extends Error {
  constructor(
    readonly reason: 'starting' | 'store' | 'azureCredential' | 'botCredential',
    options?: { cause?: unknown },
  ) {
    super(`not ready: ${reason}`, options);
    this.name = 'NotReadyError';
  }
}

/**
 * A lasting readiness failure is logged at its first probe and then once every this many probes,
 * with the count: every half hour under App Service's health check (one probe a minute), every
 * five minutes at a 10-second probe period.
 */
const READYZ_RELOG_EVERY = 30;

/** What the server needs from the app. */
export interface ServerDeps {
  /** Processes one Bot Framework request (adapter.process + bot.run). */
  processActivity(req: restify.Request, res: restify.Response): Promise<void>;
  /** Throws when not ready ({@link NotReadyError} with a short reason code). */
  checkReady(): Promise<void>;
  log: Logger;
}

/** Creates the restify server (not yet listening). */
export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({
    name: 'acrbot',
    handleUncaughtExceptions: false,
    // Without a logger restify makes its own pino at info, without redaction and deaf to
    // LOG_LEVEL; its warnings (e.g. a reply it cannot format) then logged the whole request,
    // Authorization header included. acrbot's logger redacts, and a request is reduced to its
    // method and path here. Its bunyan-style level questions (`log.trace()`) write no empty lines.
    log: withoutLevelQueries(
      deps.log.child({ component: 'restify' }, { serializers: { req: requestLine } }),
    ) as unknown as Bunyan,
  });
  trackKeepAlive(server);
  answerUnexpectedErrors(server, deps.log);
  // Not restify's bodyParser: it holds a body's Buffers for the whole request (see json-body.ts).
  server.use(jsonBody({ maxBytes: 256 * 1024 }));
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    // Every answer here is JSON, whatever the caller's Accept header says: restify negotiates
    // a string body (the 401's reason) from Accept, and for a type it has no formatter for
    // (e.g. image/png) it sent the status with an empty body.
    res.contentType = 'application/json';
    // The whole request, the safety net below included, runs under a correlation id made here:
    // the body's activity id is the caller's word until its token is checked (a refused request
    // must not log under an id of its choosing). An authenticated turn runs under
    // `turn-<activity id>` from there (lean-cloud-adapter.ts).
    await withCorrelation(async () => {
      try {
        await deps.processActivity(req, res);
      } catch (err) {
        // The adapter answers the errors it knows (400, 401, 500). Anything else would reach
        // restify, which answers with the error's text and logs nothing: log it once here and
        // answer with an id to find that line by.
        const correlationId = currentCorrelationId();
        deps.log.error({ err }, 'Bot Framework request failed unexpectedly');
        if (!res.headersSent) res.send(500, { error: 'internal', correlationId });
      }
    });
  });
  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok' });
  });
  // Probes come every few seconds: a failure is logged when its reason changes and again every
  // READYZ_RELOG_EVERY probes while it lasts, not once per probe; recovery is logged once.
  let failing: { reason: string; probes: number } | undefined;
  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    try {
      await deps.checkReady();
      // The end of a start-up is no recovery: `starting` was logged at info as a phase.
      if (failing && failing.reason !== 'starting')
        deps.log.info({ after: failing.reason, probes: failing.probes }, 'ready again');
      failing = undefined;
      res.send(200, { status: 'ready' });
    } catch (err) {
      // A short code only: raw error text can carry hosts, paths or connection details.
      const reason = err instanceof NotReadyError ? err.reason : 'internal';
      failing = failing?.reason === reason ? { reason, probes: failing.probes + 1 } : { reason, probes: 1 };
      const { probes } = failing;
      // Starting is a phase every instance goes through, probed every few seconds: not an error
      // an operator must act on.
      if ((probes - 1) % READYZ_RELOG_EVERY === 0) {
        if (reason === 'starting') deps.log.info({ reason }, 'not ready');
        else deps.log.error({ err, reason, probes }, 'not ready');
      }
      res.send(503, { status: 'not ready', reason });
    }
  });
  return server;
}

/**
 * The safety net of every other route (the tab's, health, readiness): an error a handler throws,
 * rejects with or passes to `next` that is no HTTP error of its own (a 4xx restify or the body
 * reader made) is logged once, with a correlation id, and answered 500 with that id only. Such a
 * 4xx goes to restify to answer, or under a {@link jsonApi} is answered in that API's shape.
 * restify alone logged nothing and answered with the error's text (`"Error: <message>"`), which
 * can carry hosts, paths or a connection string.
 */
function answerUnexpectedErrors(server: restify.Server, log: Logger): void {
  server.on('restifyError', (req: restify.Request, res: restify.Response, err: unknown, done: () => void) => {
    const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
    if (err instanceof Error && typeof status === 'number' && status < 500) {
      if (underJsonApi(server, req) && !res.headersSent) {
        res.contentType = 'application/json';
        res.send(status, clientError(status, (err as { code?: unknown }).code));
      }
      return done();
    }
    // The handler's own id is out of reach here (its async context ended with its promise).
    const correlationId = currentCorrelationId() ?? randomUUID();
    withCorrelation(() => log.error({ err, req: requestLine(req) }, 'request failed unexpectedly'), correlationId);
    if (!res.headersSent) {
      res.contentType = 'application/json';
      // Marks the reply sent, so restify does not answer with the error's text as well.
      res.send(500, { error: 'internal', correlationId });
    }
    done();
  });
}

/** Per server: the path prefixes marked by {@link jsonApi}. */
const jsonApis = new WeakMap<restify.Server, string[]>();

/**
 * Marks the paths under `prefix` (e.g. `/api/tab`) as a JSON API, so that the answers its own
 * handlers do not make look like theirs: every answer under it says `Cache-Control: no-store`
 * and `X-Content-Type-Options: nosniff` (set before routing, so a 404, a 405 or the body reader's
 * 400/413/415 carry them too), and such a 4xx is answered `{ error, message }` with a fixed
 * sentence for its status instead of restify's `{ code, message }`, whose message repeats the
 * request's path or the JSON parser's words about the body.
 */
export function jsonApi(server: restify.Server, prefix: string): void {
  const prefixes = jsonApis.get(server) ?? [];
  if (prefixes.length === 0) {
    jsonApis.set(server, prefixes);
    server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
      if (underJsonApi(server, req)) {
        // setHeader, not restify's header(): that one appends to a value already set.
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
      }
      next();
    });
  }
  prefixes.push(prefix.replace(/\/+$/, ''));
}

function underJsonApi(server: restify.Server, req: restify.Request): boolean {
  // The path as the router matches it: decoded (`/api/%74ab/me` is routed to `/api/tab/me`),
  // without the query, case-sensitively. One that cannot be decoded is matched as sent.
  const path = decodedPath(req.getPath());
  return (jsonApis.get(server) ?? []).some((p) => path === p || path.startsWith(`${p}/`));
}

/** `path` with its percent-escapes decoded, or as it is when they are malformed. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes: the router refuses the path itself (404 or 400)
  }
}

/**
 * The answer to a 4xx restify or the body reader raised under a JSON API (`code` is the error's,
 * e.g. the body reader's `InvalidContent`): nothing of the request in it.
 */
function clientError(status: number, code: unknown): { error: string; message: string } {
  switch (status) {
    case 400:
      return code === 'InvalidContent'
        ? { error: 'bad_request', message: 'The request body is not valid JSON.' }
        : { error: 'bad_request', message: 'The request could not be read.' };
    case 404:
      return { error: 'not_found', message: 'There is no such API path.' };
    case 405:
      return { error: 'method_not_allowed', message: 'This API path does not take that method.' };
    case 413:
      return { error: 'too_large', message: 'The request body is too large.' };
    case 415:
      return { error: 'unsupported_media_type', message: 'Send the request body as plain JSON, not encoded.' };
    default:
      return { error: 'bad_request', message: `The request was refused (HTTP ${status}).` };
  }
}

/** What restify's log lines show of a request: never its headers or body. */
function requestLine(req: { method?: string; url?: string }): { method?: string; url?: string } {
  return { method: req.method, url: req.url };
}

/** Per server: the responses not yet finished, and whether keep-alive has been stopped. */
const keepAlive = new WeakMap<restify.Server, { stopped: boolean; open: Set<ServerResponse> }>();

function trackKeepAlive(server: restify.Server): void {
  const state = { stopped: false, open: new Set<ServerResponse>() };
  keepAlive.set(server, state);
  server.server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (state.stopped) {
      res.setHeader('Connection', 'close');
      return;
    }
    state.open.add(res);
    res.once('close', () => state.open.delete(res));
  });
}

/**
 * Ends keep-alive on a server created by {@link createServer}: every response from now on,
 * including those of requests already being handled, says `Connection: close`, and Node ends its
 * connection once it is sent. Idle connections are closed at once. Without this a connection
 * busy when the server began closing went idle afterwards and held `server.close()` open until
 * its keep-alive timeout (about 5 s).
 */
export function stopKeepAlive(server: restify.Server): void {
  const state = keepAlive.get(server);
  if (state && !state.stopped) {
    state.stopped = true;
    for (const res of state.open) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      // Headers already out (a reply being streamed): end the connection once it is sent.
      else if (!res.writableFinished) res.once('finish', () => res.req.socket.end());
    }
    state.open.clear();
  }
  server.server.closeIdleConnections();
}
