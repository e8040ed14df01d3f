/**
 * The HTTP front door (restify): `/api/messages` for Teams, `/healthz` (process alive) and
 * `/readyz` (store and Azure credential usable).
 */
import { randomUUID } from 'node:crypto';
import restify from 'restify';
import type { Logger } from '../observability/logger';
import { jsonBody } from './json-body';

/** Why the app is not ready, as a short code for `/readyz` (the detail goes to the log). */
export class NotReadyError extends Error {
  constructor(
    readonly reason: 'store' | 'azureCredential',
    options?: { cause?: unknown },
  ) {
    super(`not ready: ${reason}`, options);
    this.name = 'NotReadyError';
  }
}

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
  const server = restify.createServer({ name: 'acrbot', handleUncaughtExceptions: false });
  // Not restify's bodyParser: it holds a body's Buffers for the whole request (see json-body.ts).
  server.use(jsonBody({ maxBytes: 256 * 1024 }));
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    try {
      await deps.processActivity(req, res);
    } catch (err) {
      // The adapter answers the errors it knows (400, 401, 500). Anything else would reach
      // restify, which answers with the error's text and logs nothing: log it once here and
      // answer with an id to find that line by.
      const correlationId = randomUUID();
      deps.log.error({ err, correlationId }, 'Bot Framework request failed unexpectedly');
      if (!res.headersSent) res.send(500, { error: 'internal', correlationId });
    }
  });
  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    try {
      await deps.checkReady();
      res.send(200, { status: 'ready' });
    } catch (err) {
      // A short code only: raw error text can carry hosts, paths or connection details.
      const reason = err instanceof NotReadyError ? err.reason : 'internal';
      deps.log.error({ err, reason }, 'not ready');
      res.send(503, { status: 'not ready', reason });
    }
  });
  return server;
}
