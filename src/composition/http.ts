/**
 * Step "http": the restify server (Teams messages, health, readiness) and its listen/close.
 * Further routes (e.g. the tab) are added in {@link serveHttp} so there is one server.
 */
import type { CloudAdapter } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { AcrBot } from '../bot/acr-bot';
import type { AppConfig } from '../config/config';
import { createServer } from '../http/server';
import { withCorrelation } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import type { AzureAccess } from './azure-access';
import type { Stores } from './stores';

/** A listening server. */
export interface HttpFrontDoor {
  port: number;
  /** Stops accepting turns (503) and closes the server once in-flight requests are done. */
  close(): Promise<void>;
}

/** Creates the server and listens on the configured port. */
export async function serveHttp(
  config: AppConfig,
  deps: { adapter: CloudAdapter; bot: AcrBot; stores: Stores; access: AzureAccess; log: Logger },
): Promise<HttpFrontDoor> {
  const { adapter, bot, stores, access, log } = deps;
  let accepting = true;
  const server = createServer({
    log,
    processActivity: async (req, res) => {
      if (!accepting) {
        res.send(503, { error: 'shutting down' });
        return;
      }
      // The Teams activity id (or a new id) correlates every log line of this turn.
      const activityId =
        typeof (req.body as { id?: unknown } | undefined)?.id === 'string'
          ? String((req.body as { id: string }).id).slice(0, 100)
          : undefined;
      await withCorrelation(
        () => adapter.process(req, res, (ctx) => bot.run(ctx)),
        activityId ? `turn-${activityId}` : undefined,
      );
    },
    checkReady: async () => {
      await stores.requests.ping();
      const token = await access.credential.getToken(`${access.arm.endpoint}/.default`);
      if (!token) throw new Error('no Azure token');
    },
  });
  await new Promise<void>((resolve) =>
    server.listen(config.port, config.host ?? (config.mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0'), resolve),
  );
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open until they time out.
      server.server.closeIdleConnections();
      await closed;
    },
  };
}
