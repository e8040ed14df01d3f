/**
 * The Bot Framework CloudAdapter. With an app id, every inbound activity's JWT is checked
 * (Bearer scheme, issuer, audience, RS256 signature from the OpenID metadata's keys and their
 * endorsements, 5-minute skew, serviceUrl claim; G1); only sandbox mode may run without one.
 */
import {
  type Activity,
  ActivityEventNames,
  ActivityTypes,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  INVOKE_RESPONSE_KEY,
  type TurnContext,
} from 'botbuilder';
// CloudAdapter answers 401 only for this class (`err instanceof AuthenticationError`); botbuilder
// does not re-export it. botframework-connector is botbuilder's own dependency, same version.
import {
  type AuthenticateRequestResult,
  AuthenticationError,
  type ClaimsIdentity,
  type ConnectorFactory,
  type ServiceClientCredentialsFactory,
  ToBotFromBotOrEmulatorTokenValidationParameters,
} from 'botframework-connector';
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { AppConfig } from '../config/config';
import { causesOf } from '../domain/error-causes';
import { currentCorrelationId } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { sharedHttpClient } from '../integrations/http/pooled-http-client';
import { useChannelSigningKeys } from './channel-signing-keys';
import { cardInvokeError } from './card-invoke';
import { appIdOf, ConnectorClientCache } from './connector-client-cache';
import { compatHttpClient } from '../integrations/http/compat-http-client';
import { LeanCloudAdapter } from './lean-cloud-adapter';
import { botCredentials } from './local-login';
import { teamsRefusal } from './teams-refusal';
import { WelcomeNotPostedError } from './welcomes';
import { unexpectedErrorText } from '../views/message-view';

/**
 * Public-cloud Bot Framework endpoints (botframework-connector `AuthenticationConstants`,
 * CONTRACTS §6). Setting any one `ToBot…`/`ToChannel…` option switches botbuilder to fully
 * parameterized mode, where every unset one is `undefined` (issuer `undefined` = every token
 * refused; login URL `undefined` = no outbound token). So the test hooks override single
 * entries of this complete set.
 */
const PUBLIC_CLOUD = {
  ValidateAuthority: true,
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: CallerIdConstants.PublicAzureChannel,
} as const;

/**
 * botframework-connector's module-wide list of Emulator/skill token issuers, and its length as
 * shipped. `EmulatorValidation.isTokenFromEmulator` (4.23) pushes four issuers onto it for every
 * token whose `tid` it has not seen, before checking the issuer, and never trims it; every later
 * request scans it. A token with the channel's issuer passes `fromChannelIssuer` below, so
 * unsigned ones with random tenants still grew it without bound. acrbot accepts only the
 * channel's tokens, never an Emulator or skill one, so what is added serves nothing: the list is
 * cut back to this length after every authentication (`keepEmulatorIssuers`). The library is
 * archived; this is the only place its state can be kept in bounds.
 */
const EMULATOR_ISSUERS: string[] | undefined = (() => {
  const issuer: unknown = ToBotFromBotOrEmulatorTokenValidationParameters.issuer;
  return Array.isArray(issuer) ? (issuer as string[]) : undefined;
})();
const EMULATOR_ISSUERS_SHIPPED = EMULATOR_ISSUERS?.length ?? 0;

/** Runs `authenticate`, then drops whatever it added to `EMULATOR_ISSUERS` (see there). */
async function keepEmulatorIssuers<T>(authenticate: () => Promise<T>): Promise<T> {
  try {
    return await authenticate();
  } finally {
    // Requests in flight meanwhile lose their additions too: acrbot never reads them.
    if (EMULATOR_ISSUERS && EMULATOR_ISSUERS.length > EMULATOR_ISSUERS_SHIPPED)
      EMULATOR_ISSUERS.length = EMULATOR_ISSUERS_SHIPPED;
  }
}

/** jsonwebtoken's verify() errors, which botbuilder rethrows as they are (CloudAdapter would answer 500). */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * botbuilder's validation plus two gaps closed: a bad signature or `nbf` is a 401, not a 500;
 * and an activity without `serviceUrl` is refused (botbuilder skips the serviceurl-claim
 * check when the activity has none, so a token from any conversation would be accepted).
 */
class ChannelAuthentication extends ConfigurationBotFrameworkAuthentication {
  /** Clients reused across turns instead of built per turn (see connector-client-cache.ts). */
  private readonly clients: ConnectorClientCache;

  constructor(
    options: ConfigurationBotFrameworkAuthenticationOptions,
    private readonly enforced: boolean,
    httpClient: HttpClient | undefined,
    /** The issuer of the channel's tokens (`https://api.botframework.com`; the sandbox's own under its hook). */
    private readonly channelIssuer: string,
    /** Where the bot's own token comes from; undefined: botbuilder's, from the options. */
    credentials: ServiceClientCredentialsFactory | undefined,
    log: Pick<Logger, 'warn'>,
  ) {
    // The connector clients' HTTP client (the token requests get theirs with `credentials`).
    super(options, credentials, undefined, undefined, httpClient ? { httpClient: compatHttpClient(httpClient) } : {});
    this.clients = new ConnectorClientCache(log);
  }

  override async authenticateRequest(activity: Activity, authHeader: string) {
    // Any JSON may arrive here: a serviceUrl that is not a string is refused like a missing one.
    const serviceUrl: unknown = activity.serviceUrl;
    if (this.enforced && (typeof serviceUrl !== 'string' || !serviceUrl.trim()))
      throw new AuthenticationError('Unauthorized. ServiceUrl claim do not match.', 401);
    if (this.enforced && !fromChannelIssuer(authHeader, this.channelIssuer))
      throw new AuthenticationError('Unauthorized. The token was not issued by the Bot Framework channel.', 401);
    try {
      return this.withCachedClients(await keepEmulatorIssuers(() => super.authenticateRequest(activity, authHeader)));
    } catch (err) {
      throw asUnauthorized(err);
    }
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string) {
    try {
      return this.withCachedClients(
        await keepEmulatorIssuers(() => super.authenticateStreamingRequest(authHeader, channelIdHeader)),
      );
    } catch (err) {
      throw asUnauthorized(err);
    }
  }

  /** Proactive messages (continueConversationAsync) ask for a factory each time. */
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.clients.connectorFactory(appIdOf(claimsIdentity), super.createConnectorFactory(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity) {
    return this.clients.userTokenClient(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  /** The JWT is still checked on every request above; only the outbound client is reused. */
  private withCachedClients(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const inner = result.connectorFactory;
    if (!inner) return result;
    return { ...result, connectorFactory: this.clients.connectorFactory(appIdOf(result.claimsIdentity), inner) };
  }
}

/**
 * False when the Bearer token reads (unverified) as issued by anyone but the channel. acrbot
 * takes activities from the Teams channel only; botbuilder would also try a token from any
 * Entra tenant as an Emulator or skill token, and on the way (botframework-connector 4.23,
 * `EmulatorValidation.isTokenFromEmulator`) add four issuers per unknown `tid` to a module-wide
 * list it never trims and scans on every request: unsigned tokens with random tenants grew it
 * without bound. On that path an Entra token naming the bot's app id was accepted with no
 * audience, endorsement or serviceUrl check. Refused here, before any of that runs; what this
 * lets through is verified by botbuilder as before (signature, audience, endorsements, claims).
 * A token with the channel's issuer and any `tid` still reaches that list: `keepEmulatorIssuers`
 * trims it after each request (whether real channel tokens carry a `tid` is not known here, so
 * one is not refused for it).
 * A header that does not decode is left to botbuilder, which refuses it without that list.
 */
function fromChannelIssuer(authHeader: string, channelIssuer: string): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(authHeader ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return true;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return true;
  }
  return (claims as { iss?: unknown } | null)?.iss === channelIssuer;
}

function asUnauthorized(err: unknown): unknown {
  const e = err as { name?: string; message?: string };
  return JWT_ERRORS.has(String(e?.name)) ? new AuthenticationError(`Unauthorized. ${e.message}`, 401) : err;
}

/**
 * Builds the adapter from config. `httpClient` sends the Bot Connector calls (cards, replies,
 * typing); without it they use the SDK's default client. The bot's own token requests, and the
 * reads of the channel's signing keys, go on `httpClient`, else on the process's pooled client
 * (bot-token-client.ts, channel-signing-keys.ts: through the outbound proxy, with bounded
 * waits). `sandboxCaPem` is the CA of the sandbox's own emulators, trusted for the bot-token
 * requests of the ACRBOT_CHANNEL_LOGIN_URL hook only.
 */
export function createAdapter(
  config: AppConfig,
  log: Logger,
  httpClient?: HttpClient,
  sandboxCaPem?: string,
): CloudAdapter {
  const { openIdMetadataUrl, tokenIssuer, loginUrl } = config.channelAuth;
  const hooked = Boolean(openIdMetadataUrl || tokenIssuer || loginUrl);
  // The hooks choose which keys are trusted and where the app password is sent; outside the
  // sandbox that would be a way around G1 and G12.
  if (hooked && config.mode !== 'sandbox') {
    throw new Error(
      'ACRBOT_CHANNEL_OPENID_METADATA_URL, ACRBOT_CHANNEL_TOKEN_ISSUER and ACRBOT_CHANNEL_LOGIN_URL are test hooks and only allowed with ACRBOT_MODE=sandbox',
    );
  }
  const options: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.app.id ?? '',
    MicrosoftAppPassword: config.app.password ?? '',
    MicrosoftAppType: config.app.type,
    MicrosoftAppTenantId: config.app.tenantId ?? '',
  };
  if (hooked) {
    // Test hook (documented in README): trust a local OpenID metadata document / issuer for channel tokens.
    // And (ACRBOT_CHANNEL_LOGIN_URL) ask a local authority for the bot's own token.
    Object.assign(options, PUBLIC_CLOUD, {
      ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl ?? PUBLIC_CLOUD.ToBotFromChannelOpenIdMetadataUrl,
      ToBotFromChannelTokenIssuer: tokenIssuer ?? PUBLIC_CLOUD.ToBotFromChannelTokenIssuer,
      ToChannelFromBotLoginUrl: loginUrl ?? PUBLIC_CLOUD.ToChannelFromBotLoginUrl,
    });
  }
  // Built here, not by botbuilder: its token requests would bypass the outbound proxy.
  const tokenHttp = (): HttpClient => httpClient ?? sharedHttpClient();
  // The channel's signing keys too: botframework-connector reads them with node-fetch, around
  // the proxy and without a time limit (channel-signing-keys.ts).
  if (config.app.id)
    useChannelSigningKeys(openIdMetadataUrl ?? PUBLIC_CLOUD.ToBotFromChannelOpenIdMetadataUrl, tokenHttp(), log);
  const credentials = botCredentials({ app: config.app, loginUrl, http: tokenHttp(), caPem: sandboxCaPem });
  const adapter = new LeanCloudAdapter(
    new ChannelAuthentication(
      options,
      Boolean(config.app.id),
      httpClient,
      tokenIssuer ?? PUBLIC_CLOUD.ToBotFromChannelTokenIssuer,
      credentials,
      log,
    ),
    (err, status) => {
      // A refused token or body is the caller's problem (a probe, an expired token), not the bot's.
      if (status === 400) log.warn({ status }, 'Bot Framework request refused: the body is not an activity');
      else if (status === 401) log.warn({ err, status }, 'Bot Framework request refused: not authenticated');
      else log.error({ err, status }, 'Bot Framework request failed');
    },
  );
  adapter.use(async (ctx, next) => noteRefusedReplies(ctx, log, next));
  adapter.onTurnError = async (ctx, error) => {
    // Thrown on, so the turn is answered 500 (lean-cloud-adapter.ts, which logs it once): the Bot
    // Framework service delivers the event again, and that delivery posts the welcome.
    if (error instanceof WelcomeNotPostedError) throw error;
    // Teams refused this turn's own reply: logged once already (noteRefusedReplies). An apology
    // would be refused the same way, and a 500 would only bring a redelivery refused again.
    // An invoke is still answered below: that is the HTTP response, not a post.
    const refused = isRefusedReply(ctx, error);
    if (refused && ctx.activity.type !== 'invoke') return;
    if (!refused) log.error({ err: error, activityType: ctx.activity.type }, 'unhandled error in turn');
    // The reference people quote is the correlation id every log line of this turn carries.
    const reference = currentCorrelationId() ?? 'unknown';
    if (ctx.activity.type === 'message') {
      await ctx
        .sendActivity(unexpectedErrorText(reference, true))
        .catch((sendErr: unknown) => log.warn({ err: sendErr }, 'could not tell the user about an unexpected error'));
    } else if (ctx.activity.type === 'invoke' && !ctx.turnState.get(INVOKE_RESPONSE_KEY)) {
      // Unanswered, botbuilder answers an invoke 501 ("not implemented") with no body: Teams then
      // shows a generic failure for a click acrbot does handle. A 500 in Teams' error shape says
      // what happened and gives the reference, never the error's own text (CONTRACTS §6).
      await ctx
        .sendActivity({
          type: 'invokeResponse',
          value: cardInvokeError(500, 'InternalError', unexpectedErrorText(reference, false)),
        })
        .catch((sendErr: unknown) =>
          log.warn({ err: sendErr }, 'could not answer an invoke after an unexpected error'),
        );
    }
  };
  return adapter;
}

/** Where a turn keeps the first post of its own that Teams refused for good (teams-refusal.ts). */
const REFUSED_REPLY = Symbol('acrbot.refusedReply');

/**
 * Middleware: records a reply of this turn that Teams refused with a 403 or 404 (acrbot removed
 * from the team, a private channel bots cannot post in, a deleted conversation), and logs it
 * once, as a warning, when the turn ends: acrbot cannot answer there, whatever the turn does
 * about it (the welcome is kept as given, welcomes.ts; an escaped error is answered 200 by
 * onTurnError). Proactive turns are left alone: their callers catch and log what was refused
 * (card-messenger.ts and the parts it delegates to).
 */
async function noteRefusedReplies(ctx: TurnContext, log: Logger, next: () => Promise<void>): Promise<void> {
  const { type, name } = ctx.activity;
  if (type === ActivityTypes.Event && name === ActivityEventNames.ContinueConversation) return next();
  ctx.onSendActivities(async (_ctx, _activities, send) => {
    try {
      return await send();
    } catch (err) {
      if (!ctx.turnState.get(REFUSED_REPLY) && teamsRefusal(err)) ctx.turnState.set(REFUSED_REPLY, err);
      throw err;
    }
  });
  try {
    await next();
  } finally {
    const err: unknown = ctx.turnState.get(REFUSED_REPLY);
    const refusal = teamsRefusal(err);
    if (refusal)
      log.warn(
        {
          err,
          conversationId: String(ctx.activity.conversation?.id ?? '').slice(0, 300),
          activityType: String(type).slice(0, 40),
          teamsStatus: refusal.status,
          teamsCode: refusal.code,
        },
        "Teams refused acrbot's reply: acrbot cannot post in this conversation",
      );
  }
}

/** Whether `error` is (or was caused by) the reply of this turn that Teams refused. */
function isRefusedReply(ctx: TurnContext, error: unknown): boolean {
  const refused: unknown = ctx.turnState.get(REFUSED_REPLY);
  if (!refused) return false;
  // Deeper than the failure readers' 5 (error-causes.ts): the refused reply's error may come back
  // wrapped by each layer between the send and the end of the turn.
  for (const e of causesOf(error, 8)) if (e === refused) return true;
  return false;
}
