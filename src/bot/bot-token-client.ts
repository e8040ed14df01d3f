/**
 * Where the bot's own Bot Framework token comes from (the token on every card and reply it
 * sends), built as botbuilder's `ConfigurationServiceClientCredentialFactory` builds it from the
 * app settings, but with every token request on the given HTTP client (the process's pooled
 * one): through the outbound proxy when outbound-proxy.ts says so, NO_PROXY included, and with
 * bounded waits. botbuilder's own factory sends a password's token requests with MSAL's default
 * client, which reads no HTTPS_PROXY and waits for an answer without end, and a managed
 * identity's with the SDK's Node client (the proxy, but no bound).
 *
 * - SingleTenant (and MultiTenant, sandbox only): MSAL's `ConfidentialClientApplication` with the
 *   app password, authority `https://login.microsoftonline.com/<tenant>` (`botframework.com` for
 *   MultiTenant), handed to botframework-connector's `MsalServiceClientCredentialsFactory`; the
 *   client-credentials grant, token cache and errors stay botbuilder's and MSAL's code.
 * - UserAssignedMSI: botbuilder's managed-identity factory, with the `DefaultAzureCredential`
 *   it would make (`managedIdentityClientId` = the app id) given this HTTP client.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import type * as IdentityModule from '@azure/identity';
import {
  AppCredentials,
  ManagedIdentityServiceClientCredentialsFactory,
  MsalServiceClientCredentialsFactory,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import { dirname } from 'node:path';
import type { Agent } from 'node:https';
import type { AppConfig } from '../config/config';
import { MsalNetworkClient } from './msal-network-client';

/** The MSAL client type botframework-connector's factory takes. */
type ConfidentialClient = ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1];

/** The subset of `@azure/msal-node`'s API used here. */
interface MsalNode {
  ConfidentialClientApplication: new (config: {
    auth: { clientId: string; clientSecret: string; authority: string; knownAuthorities?: string[] };
    system: { networkClient: MsalNetworkClient };
  }) => ConfidentialClient;
  AuthError: new (errorCode: string, errorMessage: string) => Error;
}

/** Entra's public-cloud authority host, where botbuilder asks for the bot's token. */
const LOGIN_HOST = 'https://login.microsoftonline.com';

/** The audience of the bot's token for its replies and cards (botbuilder's `ToChannelFromBotOAuthScope`). */
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

/** The OAuth errors by which the token endpoint refuses the client itself (its secret or its app id). */
const CREDENTIAL_REFUSALS = new Set(['invalid_client', 'unauthorized_client']);

/**
 * The MSAL botframework-connector itself uses (its own nested copy): the client and the errors
 * it checks with `instanceof` must come from it.
 */
function connectorMsal(): MsalNode {
  return require(
    require.resolve('@azure/msal-node', { paths: [dirname(require.resolve('botframework-connector'))] }),
  ) as MsalNode;
}

/**
 * A factory whose tokens for `appId` with `password` come from `authority`, every request on
 * `http`. `knownAuthority`: the authority's host is declared known, so MSAL asks no one else to
 * validate it (a local authority: the sandbox's). `agent`: an agent registered with the pooled
 * client whose CA it then trusts for these requests (the sandbox's emulators).
 */
export function passwordTokenCredentials(input: {
  appId: string;
  password: string;
  authority: string;
  http: HttpClient;
  knownAuthority?: boolean;
  agent?: Agent;
}): MsalServiceClientCredentialsFactory {
  const msal = connectorMsal();
  const client = new msal.ConfidentialClientApplication({
    auth: {
      clientId: input.appId,
      clientSecret: input.password,
      authority: input.authority,
      ...(input.knownAuthority ? { knownAuthorities: [new URL(input.authority).host] } : {}),
    },
    system: {
      networkClient: new MsalNetworkClient(
        input.http,
        (code, message) => new msal.AuthError(code, message),
        input.agent,
      ),
    },
  });
  return new MsalServiceClientCredentialsFactory(input.appId, client);
}

/**
 * The bot-token factory for the app settings, its requests on `http`; undefined where botbuilder
 * needs none or has its own check to make (no app id: no token; a password app without a
 * password, SingleTenant without a tenant: botbuilder refuses the settings as before).
 */
export function botTokenCredentials(
  app: AppConfig['app'],
  http: HttpClient,
): ServiceClientCredentialsFactory | undefined {
  if (!app.id) return undefined;
  if (app.type === 'UserAssignedMSI') {
    return new ManagedIdentityServiceClientCredentialsFactory(app.id, {
      createAzureServiceTokenProvider: (appId: string) => {
        // Loaded at the first token: botframework-connector has loaded it already.
        const identity = require('@azure/identity') as typeof IdentityModule;
        return new identity.DefaultAzureCredential({ managedIdentityClientId: appId, httpClient: http });
      },
    });
  }
  if (!app.password || (app.type === 'SingleTenant' && !app.tenantId)) return undefined;
  // As botbuilder: SingleTenant asks the app's tenant, MultiTenant Bot Framework's.
  const tenant = app.type === 'SingleTenant' ? app.tenantId : 'botframework.com';
  return passwordTokenCredentials({
    appId: app.id,
    password: app.password,
    authority: `${LOGIN_HOST}/${tenant}`,
    http,
  });
}

/**
 * How the token endpoint answered a request for the bot's own token:
 * - `accepted`: a token came (or was still in botframework-connector's token cache, which it
 *   keeps per app id and audience for every credential of the process, the replies' included,
 *   until 5 minutes before the token expires);
 * - `refused`: the endpoint refused the credential: OAuth `invalid_client` (a wrong, expired or
 *   deleted secret) or `unauthorized_client` (no such app in the tenant), with Entra's error
 *   number (`AADSTS7000222`: expired secret, `AADSTS7000215`: wrong secret) when it sent one;
 * - `unanswered`: no answer (network, proxy, timeout), a 5xx, or an error that says nothing about
 *   the credential; `code` is MSAL's error code (`network_error`, `server_error` …).
 *
 * Neither holds the secret or the endpoint's text.
 */
export type BotTokenAnswer =
  { kind: 'accepted' } | { kind: 'refused'; code: string; aadsts?: string } | { kind: 'unanswered'; code: string };

/**
 * Asks `credentials` for the bot's token for `appId` as a reply does (Bot Framework audience),
 * and says how the token endpoint answered. Never throws.
 */
export async function askBotToken(
  credentials: ServiceClientCredentialsFactory,
  appId: string,
): Promise<BotTokenAnswer> {
  try {
    // The login endpoint only picks the audience's default here: the factories of this file
    // carry their own authority.
    const made = await credentials.createCredentials(appId, BOT_FRAMEWORK_AUDIENCE, `${LOGIN_HOST}/`, true);
    if (made instanceof AppCredentials) await made.getToken();
    return { kind: 'accepted' };
  } catch (err) {
    // MSAL's AuthError (ServerError for an OAuth error answer): `errorCode` is the OAuth error,
    // `errorNo` the first of Entra's error numbers.
    const e = err as { errorCode?: unknown; errorNo?: unknown; message?: unknown } | null;
    const code = typeof e?.errorCode === 'string' && e.errorCode ? e.errorCode : 'no_answer';
    if (!CREDENTIAL_REFUSALS.has(code)) return { kind: 'unanswered', code };
    const number = /^\d+$/.test(String(e?.errorNo ?? ''))
      ? String(e?.errorNo)
      : /AADSTS(\d+)/.exec(typeof e?.message === 'string' ? e.message : '')?.[1];
    return { kind: 'refused', code, ...(number ? { aadsts: `AADSTS${number}` } : {}) };
  }
}
