/**
 * Step "http": the restify server (Teams messages, health, readiness) and its listen/close.
 * Further routes (e.g. the tab) are added in {@link serveHttp} so there is one server.
 */
import type { CloudAdapter } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { AcrBot } from '../bot/acr-bot';
import { askBotToken } from '../bot/bot-token-client';
import { botCredentials } from '../bot/local-login';
import { type AppConfig, listenHostOf } from '../config/config';
import type restify from 'restify';
import type { Clock } from '../domain/ports';
import { createServer, NotReadyError, stopKeepAlive } from '../http/server';
import { sharedHttpClient } from '../integrations/http/pooled-http-client';
import type { Logger } from '../observability/logger';
import { CachedInventory } from '../tab/inventory-cache';
import { dropMatrixOnAccessChange } from '../tab/matrix-invalidation';
import { mountTab, type MountTabInput } from '../tab/mount-tab';
import type { AzureAccess } from './azure-access';
import { tabActions } from './tab-actions';
import type { Flows } from './flows';
import type { Stores } from './stores';

/** A listening server. */
export interface HttpFrontDoor {
  port: number;
  /** Says ready on `/readyz` from now on (the background work has started). */
  started(): void;
  /** Stops accepting turns (503) and closes the server once in-flight requests are done. */
  close(): Promise<void>;
}

/** Creates the server and listens on the configured port. */
export async function serveHttp(
  config: AppConfig,
  deps: {
    adapter: CloudAdapter;
    bot: AcrBot;
    flows: Flows;
    stores: Stores;
    access: AzureAccess;
    clock: Clock;
    log: Logger;
    /** Sandbox mode: the emulated issuer for the tab's sign-in. */
    tabSignIn?: MountTabInput['sandbox'];
  },
): Promise<HttpFrontDoor> {
  const { adapter, bot, flows, stores, access, clock, log } = deps;
  let accepting = true;
  // Turns are served from the start (a resumed run and a click meet the same conditional
  // writes), but a load balancer sends an instance its share only once it is ready: after its
  // background work started.
  let started = false;
  const botCredential = botCredentialCheck(config, access, clock, log);
  const server = createServer({
    log,
    processActivity: async (req, res) => {
      if (!accepting) {
        res.send(503, { error: 'shutting down' });
        return;
      }
      // Under a correlation id the server made for the whole request (its safety net's 500
      // included); an authenticated turn runs under `turn-<activity id>` (lean-cloud-adapter.ts).
      await adapter.process(req, res, (ctx) => bot.run(ctx));
    },
    checkReady: async () => {
      if (!started) throw new NotReadyError('starting');
      await stores.requests.ping().catch((cause: unknown) => {
        throw new NotReadyError('store', { cause });
      });
      const token = await access.credential.getToken(`${access.arm.endpoint}/.default`).catch((cause: unknown) => {
        throw new NotReadyError('azureCredential', { cause });
      });
      if (!token) throw new NotReadyError('azureCredential');
      await botCredential?.();
    },
  });
  // The matrix read from Azure is reused for ACRBOT_TAB_INVENTORY_TTL; a change on this instance
  // that can alter it (and the tab's own actions) drops it.
  const inventory = new CachedInventory(flows.inventory, clock, config.tabInventoryTtlMs);
  dropMatrixOnAccessChange(flows, inventory);
  mountTab(server, {
    mode: config.mode,
    ssoAppId: config.tabAppId,
    botAppId: config.app.id,
    domain: config.tabDomain,
    allowedTenantIds: config.allowedTenantIds,
    auditorIds: config.auditorIds,
    isApprover: (actor) => flows.requests.isApprover(actor),
    isApproverOf: (actor, request) => flows.requests.isApproverOf(actor, request),
    ruleOf: (request) => flows.requests.ruleOf(request),
    store: stores.requests,
    audit: stores.audit,
    clock,
    log,
    sandbox: deps.tabSignIn,
    inventory,
    actions: tabActions(flows, () => inventory.invalidate()),
    pause: () => flows.pauses.current(),
    // A grant of another tenant's requester offers no Extend there (refused, as in their reminders).
    ownTenantId: flows.settings.ownTenantId,
  });
  await listen(server, config.port, listenHostOf(config));
  return {
    port: (server.address() as AddressInfo).port,
    started: () => {
      started = true;
    },
    close: async () => {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would hold close() open until they time out: idle ones are
      // closed now, busy ones as soon as their response is sent (it says Connection: close).
      stopKeepAlive(server);
      await closed;
    },
  };
}

/** How long a refused or unanswered check of the bot's credential stands before `/readyz` asks again. */
const BOT_CREDENTIAL_RECHECK_MS = 60_000;

/**
 * `/readyz`'s check of the bot's own credential, when it has an app password (nothing to check
 * for a managed identity, or without an app id): Teams' messages are checked without it and
 * answered 200, so an expired or revoked password would otherwise show only as every reply
 * failing. It asks for the bot's token the way a reply does (bot-token-client.ts: the same
 * client settings, and the token cache botframework-connector shares with the replies), so a
 * probe costs a token request only when the cached token is near its end.
 *
 * - Refused by the token endpoint (`invalid_client`, `unauthorized_client`): not ready
 *   (`botCredential`) until a later ask is accepted, asked again at most once a minute.
 * - Unanswered (network, proxy, a 5xx): no verdict of its own. The last answer stands (ready
 *   if there was none), and it is asked again a minute later: an unreachable token endpoint
 *   is every instance's problem, and taking them out of the load balancer would not help.
 *
 * A change of answer is logged once (the refusal with Entra's AADSTS number, never the secret),
 * not at every probe.
 */
function botCredentialCheck(
  config: AppConfig,
  access: AzureAccess,
  clock: Clock,
  log: Logger,
): (() => Promise<void>) | undefined {
  const { id: appId, password, type } = config.app;
  if (!appId || !password || type === 'UserAssignedMSI') return undefined;
  // The factory the adapter's replies use (a sandbox test hook: the local authority).
  const credentials = botCredentials({
    app: config.app,
    loginUrl: config.channelAuth.loginUrl,
    http: sharedHttpClient(),
    caPem: access.caPem,
  });
  if (!credentials) return undefined;
  let refused = false;
  let last: 'accepted' | 'refused' | 'unanswered' | undefined;
  let nextAskAt = 0;
  let asking: Promise<void> | undefined;
  const ask = async () => {
    const answer = await askBotToken(credentials, appId);
    nextAskAt = answer.kind === 'accepted' ? 0 : clock.now().getTime() + BOT_CREDENTIAL_RECHECK_MS;
    if (answer.kind !== 'unanswered') refused = answer.kind === 'refused';
    if (answer.kind === last) return;
    const before = last;
    last = answer.kind;
    if (answer.kind === 'refused')
      log.error(
        { code: answer.code, aadsts: answer.aadsts },
        "the bot's credential was refused by its token endpoint: MicrosoftAppPassword is expired, revoked or wrong (or MicrosoftAppId is not in MicrosoftAppTenantId); no reply goes out until it is replaced",
      );
    else if (answer.kind === 'unanswered')
      log.warn(
        { code: answer.code },
        "the bot's credential could not be checked: its token endpoint did not answer; /readyz keeps its last verdict",
      );
    else if (before) log.info({}, "the bot's credential is accepted by its token endpoint again");
  };
  return async () => {
    if (clock.now().getTime() >= nextAskAt) {
      asking ??= ask().finally(() => {
        asking = undefined;
      });
      await asking;
    }
    // server.ts's reason union does not name this reason yet.
    if (refused) throw new NotReadyError('botCredential');
  };
}

/**
 * Listens, or fails with a sentence an operator can act on: without an `error` listener a port
 * in use is an uncaught exception and a stack trace.
 */
function listen(server: restify.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is in use (another acrbot, or another server): stop it, or set PORT to a free port`
          : err.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine: check HOST`
            : `${err.code ?? err.message}`;
      reject(new Error(`cannot listen on ${host}:${port}: ${why}`, { cause: err }));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.removeListener('error', failed);
      resolve();
    });
  });
}
