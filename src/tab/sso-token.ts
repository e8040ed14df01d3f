/**
 * Validates the Teams SSO token the tab sends as `Authorization: Bearer <token>` (an Entra ID
 * access token for acrbot's own API, `api://<domain>/<app id>`), fully and in a fixed order:
 *
 * 1. a bearer token is present and is a JWT (else 401);
 * 2. its issuer is one the {@link IssuerTrust} trusts, which also says where the signing keys
 *    are (Entra: the tenant's JWKS; sandbox: the local issuer's JWKS, sandbox mode only) (401);
 * 3. signature (RS256 only), `iss` (exact), `aud` (one of ours), `exp`/`nbf` with a small
 *    clock skew, `iat` at most {@link MAX_TOKEN_AGE_S} ago and not ahead, via `jose` `jwtVerify`
 *    (401); signing keys that cannot be fetched are our outage, not a bad token (503);
 * 4. it is a delegated user token: `oid` and `tid` present, `tid` matching the issuer, an
 *    `idtyp` claim if present saying `user` (401);
 * 5. the tenant is in `allowedTenantIds` (403: a valid token from a foreign tenant);
 * 6. `scp` includes `access_as_user` and the client (`azp`, v1 `appid`) is one we expect (403).
 *
 * Errors carry a status and a short code only: never the token, never key material.
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { displayName } from '../domain/text';
import { jose } from './jose-module';
import { isGuid } from '../domain/identifiers';

/** The scope the tab's API exposes (Teams SSO convention). */
export const TAB_API_SCOPE = 'access_as_user';

/** Clock skew accepted on `exp`/`nbf` (Entra recommends a few minutes at most). */
export const CLOCK_SKEW_S = 60;

/**
 * The oldest token accepted, by its `iat` (jose's `maxTokenAge`), whatever its `exp` says: a day.
 * Entra's access tokens live 60–90 minutes by default, and a token lifetime policy can set them
 * from 10 minutes to 1 day at most, so no genuine token is refused by it; without it a validly
 * signed token claiming `exp` years ahead (a signing mistake, a token lifted from a log) would be
 * accepted until then.
 */
export const MAX_TOKEN_AGE_S = 24 * 3600;

/**
 * A refused token: 401 (who are you?) or 403 (we know you, and no); or 503 when it could not be
 * checked at all (the signing keys could not be fetched: our outage, not the caller's token).
 */
export class SsoError extends Error {
  constructor(
    readonly status: 401 | 403 | 503,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SsoError';
  }
}

/** Who is calling, from a validated token. */
export interface TabUser {
  objectId: string;
  name: string;
  tenantId: string;
  /** `preferred_username` / `upn` when present (display only). */
  username?: string;
}

/** Where the keys of a trusted issuer are, for one token. */
export interface TrustedIssuer {
  /** The exact `iss` value to require. */
  issuer: string;
  keys: JWTVerifyGetKey;
}

/** Decides which issuers are trusted (by mode) and finds their keys. */
export interface IssuerTrust {
  /** The trusted issuer for a token claiming `iss` in tenant `tid`, or undefined when not trusted. */
  resolve(iss: string, tid: string): TrustedIssuer | undefined;
}

/** What the validator checks against. */
export interface SsoSettings {
  trust: IssuerTrust;
  /** Accepted `aud` values: `api://<domain>/<app id>` (v1 tokens) and the app id (v2 tokens). */
  audiences: string[];
  allowedTenantIds: string[];
  /** Accepted `azp`/`appid` (client applications); empty accepts any client. */
  allowedClientIds: string[];
}

/** Reads the bearer token of an Authorization header value. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Validates a token; resolves to the caller or rejects with {@link SsoError}. */
export async function validateSsoToken(
  authorization: string | undefined,
  settings: SsoSettings,
  now: Date = new Date(),
): Promise<TabUser> {
  if (!authorization) throw new SsoError(401, 'missing_token', 'Sign in: no bearer token was sent.');
  const token = bearerToken(authorization);
  if (!token) throw new SsoError(401, 'malformed_token', 'The Authorization header is not a bearer JWT.');
  let unverified: JWTPayload;
  try {
    unverified = jose().decodeJwt(token);
  } catch {
    throw new SsoError(401, 'malformed_token', 'The bearer token is not a JWT.');
  }
  const tid = typeof unverified.tid === 'string' ? unverified.tid : '';
  const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
  const trusted = isGuid(tid) ? settings.trust.resolve(iss, tid) : undefined;
  if (!trusted) throw new SsoError(401, 'untrusted_issuer', 'The token was not issued by a trusted issuer.');

  let payload: JWTPayload;
  try {
    ({ payload } = await jose().jwtVerify(token, trusted.keys, {
      issuer: trusted.issuer,
      audience: settings.audiences,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_SKEW_S,
      currentDate: now,
      maxTokenAge: MAX_TOKEN_AGE_S,
      requiredClaims: ['exp', 'iat', 'tid', 'oid'],
    }));
  } catch (err) {
    throw joseFailure(err);
  }
  const oid = typeof payload.oid === 'string' ? payload.oid : '';
  // `idtyp` (an optional claim) says `app` on an app-only token: never a user's, whatever other
  // claims it carries (Entra issues no app token with `scp`; a token that says both is refused).
  if (!isGuid(oid) || payload.tid !== tid || (payload.idtyp !== undefined && payload.idtyp !== 'user'))
    throw new SsoError(401, 'not_a_user_token', 'The token does not name a user of a tenant.');
  if (!settings.allowedTenantIds.some((t) => t.toLowerCase() === tid.toLowerCase()))
    throw new SsoError(403, 'tenant_not_allowed', 'Your organisation is not allowed to use this acrbot.');
  const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
  if (!scopes.includes(TAB_API_SCOPE))
    throw new SsoError(403, 'insufficient_scope', `The token lacks the ${TAB_API_SCOPE} scope.`);
  const client = String(payload.azp ?? payload.appid ?? '').toLowerCase();
  if (settings.allowedClientIds.length > 0 && !settings.allowedClientIds.some((c) => c.toLowerCase() === client))
    throw new SsoError(403, 'client_not_allowed', 'The token was issued to an application acrbot does not expect.');
  // The name claim is the user's own display name: cleaned like one from Teams (bidi controls,
  // zero-width characters and line breaks would reach cards and the audit log otherwise).
  const name = displayName(typeof payload.name === 'string' ? payload.name : undefined, oid);
  const username = payload.preferred_username ?? payload.upn;
  return {
    objectId: oid.toLowerCase(),
    name,
    tenantId: tid.toLowerCase(),
    username: typeof username === 'string' ? username.slice(0, 120) : undefined,
  };
}

function joseFailure(err: unknown): SsoError {
  const joseErrors = jose().errors;
  if (err instanceof joseErrors.JWTExpired) return new SsoError(401, 'token_expired', 'The token has expired.');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new SsoError(401, 'wrong_audience', 'The token is not for this API.');
    if (err.claim === 'iss') return new SsoError(401, 'untrusted_issuer', 'The token issuer does not match.');
    if (err.claim === 'nbf') return new SsoError(401, 'token_not_yet_valid', 'The token is not valid yet.');
    return new SsoError(401, 'invalid_claims', `The token's ${err.claim} claim is missing or invalid.`);
  }
  // A token that names no key (`kid`) matches every key of a set that has several, as Entra's
  // has: it is the token's fault, not an outage of the keys (which is logged as an error). So is
  // one whose header lists a `crit` extension jose does not know (JOSENotSupported, raised before
  // any key is looked at): anyone could otherwise raise the outage alarm with a made-up header.
  if (
    err instanceof joseErrors.JOSENotSupported ||
    err instanceof joseErrors.JWSSignatureVerificationFailed ||
    err instanceof joseErrors.JWKSNoMatchingKey ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys ||
    err instanceof joseErrors.JOSEAlgNotAllowed ||
    err instanceof joseErrors.JWSInvalid ||
    err instanceof joseErrors.JWTInvalid
  )
    return new SsoError(401, 'invalid_signature', 'The token signature is not valid.');
  // Key fetch failures (network, Entra down, a key set that is no JSON) and the like: the token
  // may well be fine, so it is not refused as invalid (a client would sign in again for
  // nothing); 503, and the caller logs it as unexpected.
  return new SsoError(
    503,
    'key_unavailable',
    'acrbot cannot check sign-ins right now (the signing keys could not be loaded); try again in a minute.',
    { cause: err },
  );
}
