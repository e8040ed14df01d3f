/**
 * Entra's client-credentials grant (`grant_type=client_credentials`, `client_id`,
 * `client_secret`, `scope=<resource>/.default`), as the sandbox issuer's token endpoint answers
 * it: the bot's own Bot Framework token when a test points botbuilder's login URL here
 * (ACRBOT_CHANNEL_LOGIN_URL) instead of at login.microsoftonline.com.
 *
 * The client is an application of the sandbox directory and the secret is checked against its
 * password credentials (salted hashes only; the directory never keeps the text). Failures use
 * Entra's codes and messages, which name the app but never echo the secret: AADSTS700016
 * (unknown app), AADSTS7000218 (no secret), AADSTS7000215 (wrong secret), AADSTS7000222 (expired
 * secret), AADSTS1002012 (scope without `/.default`).
 *
 * Every request is recorded ({@link ClientCredentialsRequest}): who asked, for what, and how it
 * ended, so a test can see the secret reached this endpoint (and was the app's) without the
 * emulator keeping it.
 */
import { randomUUID } from 'node:crypto';
import type { Directory } from '../directory';

/** One token request the endpoint answered. Never holds the secret. */
export interface ClientCredentialsRequest {
  clientId: string;
  scope: string;
  /** `issued`, or the Entra error code answered (`invalid_client`, `unauthorized_client`, …). */
  outcome: string;
  /** The AADSTS number of a failure. */
  aadsts?: number;
  /** Epoch milliseconds. */
  at: number;
}

/** What the token endpoint sends back. */
export interface TokenReply {
  status: number;
  body: unknown;
}

/** Signs an app-only access token for `clientId` and `audience`. */
export type AppTokenSigner = (input: { clientId: string; audience: string }) => Promise<string>;

/** Lifetime of an app token: Entra gives 60–90 minutes (`expires_in` 3599 is typical). */
export const APP_TOKEN_LIFETIME_S = 3599;

/** Answers one client-credentials request and records it in `log`. */
export async function clientCredentialsGrant(
  form: URLSearchParams,
  directory: Directory,
  sign: AppTokenSigner,
  log: ClientCredentialsRequest[],
): Promise<TokenReply> {
  const clientId = form.get('client_id') ?? '';
  const scope = form.get('scope') ?? '';
  const secret = form.get('client_secret');
  const fail = (status: number, error: string, aadsts: number, description: string): TokenReply => {
    log.push({ clientId, scope, outcome: error, aadsts, at: Date.now() });
    return { status, body: entraError(error, aadsts, description) };
  };
  const app = directory.getApplicationByAppId(clientId);
  if (!app)
    return fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId.slice(0, 60)}' was not found in the directory '${directory.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  if (!secret)
    return fail(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  if (!directory.verifyApplicationSecret(clientId, secret)) {
    // A secret that matches a password whose end date has passed (0: any end date).
    if (directory.verifyApplicationSecret(clientId, secret, 0))
      return fail(
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${app.appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      );
    return fail(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
    );
  }
  const scopes = scope.split(' ').filter(Boolean);
  if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default'))
    return fail(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope.slice(0, 200)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  const audience = scopes[0]!.slice(0, -'/.default'.length);
  const token = await sign({ clientId: app.appId, audience });
  log.push({ clientId, scope, outcome: 'issued', at: Date.now() });
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: APP_TOKEN_LIFETIME_S,
      ext_expires_in: APP_TOKEN_LIFETIME_S,
      access_token: token,
    },
  };
}

/** Entra's OAuth error body: `AADSTS<n>: <text> Trace ID… Correlation ID… Timestamp…`, plus the code list. */
export function entraError(error: string, aadsts: number, description: string) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  };
}
