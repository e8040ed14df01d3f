/**
 * The sandbox's stand-in for Microsoft Entra ID as a token issuer for the Teams tab (Teams SSO)
 * and for the bot's own Bot Framework token. No Entra exists in the sandbox, so this serves the
 * parts of the Entra v2.0 endpoint the tab and botbuilder's MSAL need, in Entra's shapes, over
 * the sandbox's HTTPS:
 *
 * - `GET /{tenant}/v2.0/.well-known/openid-configuration`: OpenID Connect discovery (issuer,
 *   jwks_uri, token_endpoint, RS256).
 * - `GET /{tenant}/discovery/v2.0/keys`: the JWKS (`kid`, `use: sig`, `alg: RS256`, like Entra's).
 * - `POST /{tenant}/oauth2/v2.0/token`: a sandbox-only grant
 *   (`grant_type=urn:acrbot:sandbox:user`, `user=<seeded user>`, `client_id`,
 *   `scope=<api resource>/access_as_user`) answering `{ token_type, access_token, expires_in }`,
 *   or an OAuth error body (`{ error, error_description }`, 400). The same endpoint answers
 *   Entra's client-credentials grant for applications of the sandbox directory
 *   (client-credentials.ts), recording each request in {@link OidcIssuer.tokenRequests}.
 * - Any of these under another tenant: 400 AADSTS90002 "Tenant '…' not found", as Entra answers
 *   (`invalid_request` from the token endpoint, `invalid_tenant` from discovery and keys).
 *
 * The access token carries the claims of an Entra v2.0 delegated token for a Teams SSO app:
 * `iss` `https://…/{tid}/v2.0`, `aud` = the requested resource (`api://<domain>/<app id>`),
 * `tid`, `oid`, `sub`, `name`, `preferred_username`, `scp: "access_as_user"`, `azp` = client id,
 * `ver: "2.0"`, `iat`/`nbf`/`exp` (one hour). Keys are generated when the issuer starts and never
 * leave the process. The bot validates these tokens with its production code; only its sandbox
 * configuration trusts this issuer.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Jose from 'jose';
import type { Directory, DirectoryUser } from '../directory';
import { SANDBOX_USERS } from '../fixtures';
import { readBody } from '../http-util';
import {
  clientCredentialsGrant,
  type ClientCredentialsRequest,
  APP_TOKEN_LIFETIME_S,
  entraError,
} from './client-credentials';

/** The only grant the sandbox token endpoint knows: a seeded user, no password (loopback only). */
export const SANDBOX_USER_GRANT = 'urn:acrbot:sandbox:user';

/** Client id of the sandbox sign-in page (stands in for the Teams clients Entra pre-authorizes). */
export const SANDBOX_TAB_CLIENT_ID = '5a0d0000-0000-4000-8000-0000000007ab';

/** Lifetime of issued tokens: Entra's default access-token lifetime is 60–90 minutes. */
const TOKEN_LIFETIME_S = 3600;

/** What {@link OidcIssuer.issue} signs. */
export interface IssueInput {
  /** A key of SANDBOX_USERS (`requester`, `approver`, `outsider`) or a directory user's object id. */
  user: string;
  /** The `aud` claim: the API resource, e.g. `api://localhost/<app id>`. */
  audience: string;
  clientId?: string;
  /** Space-separated scopes (`scp`); default `access_as_user`. */
  scope?: string;
  /** Extra or replaced claims (tests: a foreign `tid`, a past `exp`, …). */
  claims?: Record<string, unknown>;
}

/** The sandbox OpenID issuer. Mount {@link OidcIssuer.listener} on an HTTPS server, then set {@link OidcIssuer.baseUrl}. */
export class OidcIssuer {
  /** Base URL of the HTTPS server it is mounted on; set once listening. */
  baseUrl = '';
  /** Client-credentials requests answered so far (who, for what, how it ended; never the secret). */
  readonly tokenRequests: ClientCredentialsRequest[] = [];
  private readonly kid = randomUUID();

  private constructor(
    private readonly directory: Directory,
    private readonly privateKey: KeyObject,
    private readonly publicJwk: Jose.JWK,
  ) {}

  /**
   * Returns an issuer that signs with `signingKeyPem`, an RSA private key (the sandbox passes its
   * cached TLS key, so a start generates no key, P5); without it a fresh 2048-bit key pair is
   * generated in the thread pool, off the main thread.
   */
  static async create(directory: Directory, signingKeyPem?: string): Promise<OidcIssuer> {
    const { privateKey, publicKey } = signingKeyPem
      ? { privateKey: createPrivateKey(signingKeyPem), publicKey: createPublicKey(signingKeyPem) }
      : await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>((resolve, reject) =>
          generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) =>
            err ? reject(err) : resolve({ publicKey, privateKey }),
          ),
        );
    // Node's own JWK export (what jose's exportJWK returns for a KeyObject): jose itself is
    // loaded with the first token, not on the sandbox's start path (P5).
    return new OidcIssuer(directory, privateKey, publicKey.export({ format: 'jwk' }) as Jose.JWK);
  }

  get tenantId(): string {
    return this.directory.tenantId;
  }
  /** The `iss` of every token, Entra v2.0 shaped. */
  get issuer(): string {
    return `${this.baseUrl}/${this.tenantId}/v2.0`;
  }
  get discoveryUrl(): string {
    return `${this.issuer}/.well-known/openid-configuration`;
  }
  get jwksUri(): string {
    return `${this.baseUrl}/${this.tenantId}/discovery/v2.0/keys`;
  }
  get tokenEndpoint(): string {
    return `${this.baseUrl}/${this.tenantId}/oauth2/v2.0/token`;
  }
  /**
   * The authority to ask for app tokens (botbuilder's `ToChannelFromBotLoginUrl`, MSAL's
   * `authority`): `<base>/<tenant>`, as `https://login.microsoftonline.com/<tenant>`.
   */
  get authority(): string {
    return `${this.baseUrl}/${this.tenantId}`;
  }

  /** The public key set, as served at {@link jwksUri}. */
  jwks(): { keys: Jose.JWK[] } {
    return { keys: [{ ...this.publicJwk, kid: this.kid, use: 'sig', alg: 'RS256' }] };
  }

  /** Signs an access token for a seeded user (also what the token endpoint does). */
  async issue(input: IssueInput): Promise<string> {
    const user = this.findUser(input.user);
    if (!user) throw new Error(`unknown sandbox user '${input.user.slice(0, 60)}'`);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: input.audience,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_S,
      tid: this.tenantId,
      oid: user.id,
      sub: `sandbox-${user.id}`,
      name: user.displayName,
      preferred_username: user.userPrincipalName,
      scp: input.scope ?? 'access_as_user',
      azp: input.clientId ?? SANDBOX_TAB_CLIENT_ID,
      azpacr: '0',
      ver: '2.0',
      uti: randomUUID(),
      ...input.claims,
    };
    const { SignJWT } = require('jose') as typeof Jose;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).sign(this.privateKey);
  }

  /** Signs an app-only access token (client credentials) for `clientId`, good for `audience`. */
  async issueAppToken(input: { clientId: string; audience: string }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const sp = this.directory.getServicePrincipalByAppId(input.clientId);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: input.audience,
      iat: now,
      nbf: now,
      exp: now + APP_TOKEN_LIFETIME_S,
      tid: this.tenantId,
      ...(sp && { oid: sp.id, sub: sp.id }),
      azp: input.clientId,
      azpacr: '1',
      idtyp: 'app',
      ver: '2.0',
      uti: randomUUID(),
    };
    const { SignJWT } = require('jose') as typeof Jose;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).sign(this.privateKey);
  }

  private findUser(key: string): DirectoryUser | undefined {
    const seeded = (SANDBOX_USERS as Record<string, { objectId: string }>)[key];
    return this.directory.users.get((seeded?.objectId ?? key).toLowerCase());
  }

  /** Node request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.route(req).then(
      (reply) => send(res, reply.status, reply.body),
      (err: unknown) => send(res, 500, { error: 'server_error', error_description: (err as Error).message }),
    );
  };

  private async route(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/');
    const [, tenant = '', ...rest] = path.split('/');
    const endpoint = `${req.method ?? 'GET'} ${rest.join('/')}`;
    if (!TENANT_ENDPOINTS.has(endpoint) || MULTI_TENANT_ALIASES.has(tenant.toLowerCase()))
      return { status: 404, body: { error: 'not_found', error_description: `No sandbox identity endpoint ${path}` } };
    // Entra looks the tenant up before it reads the request (tenant ids in any case).
    if (tenant.toLowerCase() !== this.tenantId.toLowerCase()) {
      req.resume(); // the form is never read; discarded so the connection can be reused
      return tenantNotFound(tenant, endpoint);
    }
    if (endpoint === DISCOVERY) {
      return {
        status: 200,
        body: {
          issuer: this.issuer,
          jwks_uri: this.jwksUri,
          token_endpoint: this.tokenEndpoint,
          // Listed as Entra lists it (MSAL requires the field); the sandbox serves no sign-in page.
          authorization_endpoint: `${this.baseUrl}/${this.tenantId}/oauth2/v2.0/authorize`,
          token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
          grant_types_supported: [SANDBOX_USER_GRANT, 'client_credentials'],
          response_types_supported: ['token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          tenant_region_scope: 'sandbox',
        },
      };
    }
    if (endpoint === KEYS) return { status: 200, body: this.jwks() };
    return this.token(await readBody(req));
  }

  private async token(body: string): Promise<{ status: number; body: unknown }> {
    const form = new URLSearchParams(body);
    const bad = (error: string, description: string) => ({
      status: 400,
      body: { error, error_description: description },
    });
    if (form.get('grant_type') === 'client_credentials')
      return clientCredentialsGrant(form, this.directory, (input) => this.issueAppToken(input), this.tokenRequests);
    if (form.get('grant_type') !== SANDBOX_USER_GRANT)
      return bad(
        'unsupported_grant_type',
        `The sandbox issuer only supports grant_type=${SANDBOX_USER_GRANT} and client_credentials.`,
      );
    const user = form.get('user') ?? '';
    if (!this.findUser(user)) return bad('invalid_grant', `No sandbox user '${user.slice(0, 60)}'.`);
    // Entra scope syntax: `<resource>/<scope>`; the resource becomes `aud`.
    const scope = form.get('scope') ?? '';
    const match = /^(api:\/\/\S+)\/(access_as_user)$/.exec(scope);
    if (!match) return bad('invalid_scope', 'scope must be api://<domain>/<app id>/access_as_user.');
    const token = await this.issue({
      user,
      audience: match[1]!,
      clientId: form.get('client_id') ?? SANDBOX_TAB_CLIENT_ID,
      scope: match[2],
    });
    return { status: 200, body: { token_type: 'Bearer', access_token: token, expires_in: TOKEN_LIFETIME_S } };
  }
}

const DISCOVERY = 'GET v2.0/.well-known/openid-configuration';
const KEYS = 'GET discovery/v2.0/keys';
const TOKEN = 'POST oauth2/v2.0/token';
/** The endpoints served under `/{tenant}/`, as `<method> <path after the tenant>`. */
const TENANT_ENDPOINTS = new Set([DISCOVERY, KEYS, TOKEN]);
/** Entra's multi-tenant authorities, which the sandbox does not serve (Entra would not say "not found"). */
const MULTI_TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);

/**
 * 400 AADSTS90002 for a tenant the directory is not, as Entra answers it: the token endpoint
 * with `invalid_request` ("(invalid_request) AADSTS90002: Tenant '…' not found", in
 * microsoft/azure-tools-for-java#3900 and microsoftarchive/BatchAI#31), OpenID discovery and its
 * keys with `invalid_tenant` (MSAL's "OIDC Discovery endpoint rejects our request" in
 * Azure/azure-cli#22145 and james-gould/azure-keyvault-emulator#324). The text is Entra's current
 * wording. Nothing of the request is read: a token request to the wrong tenant is not recorded.
 */
function tenantNotFound(tenant: string, endpoint: string): { status: number; body: unknown } {
  return {
    status: 400,
    body: entraError(
      endpoint === TOKEN ? 'invalid_request' : 'invalid_tenant',
      90002,
      `Tenant '${tenant.slice(0, 100)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    'Cache-Control': 'no-store',
  });
  res.end(payload);
}
