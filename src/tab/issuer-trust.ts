/**
 * Which token issuers the tab API trusts, by mode, and where their signing keys are.
 *
 * - **Azure mode** ({@link entraTrust}): Microsoft Entra ID. v2.0 tokens have `iss`
 *   `https://login.microsoftonline.com/{tid}/v2.0`, v1.0 tokens `https://sts.windows.net/{tid}/`;
 *   either is accepted for the token's own `tid` only. Keys come from the tenant's JWKS
 *   `https://login.microsoftonline.com/{tid}/discovery/v2.0/keys` (one cached key set per allowed
 *   tenant). A token of a tenant outside the allowlist is verified against the `common` key set
 *   (Entra signs every tenant's tokens with the same global keys), so a genuine foreign token gets
 *   403 and a forged one 401, without fetching keys for arbitrary tenants.
 * - **Sandbox mode** ({@link singleIssuerTrust}): exactly the sandbox's local issuer, its JWKS
 *   fetched over the sandbox's HTTPS with the sandbox CA. Azure mode never builds this trust, so
 *   sandbox tokens are refused there (`untrusted_issuer`).
 */
import type { JWTVerifyGetKey } from 'jose';
import { jose } from './jose-module';
import { httpsFetch } from './https-fetch';
import type { IssuerTrust, TrustedIssuer } from './sso-token';

/** Entra's public cloud authority. */
export const ENTRA_AUTHORITY = 'https://login.microsoftonline.com';

/** How long a fetched key set is used before it is fetched again (jose's cooldown still applies on unknown kids). */
const JWKS_MAX_AGE_MS = 6 * 3_600_000;

/** Options of {@link entraTrust}. */
export interface EntraTrustOptions {
  allowedTenantIds: string[];
  /** Default {@link ENTRA_AUTHORITY}. */
  authority?: string;
  /** Key set for a JWKS URL (tests inject local keys; default: jose's remote key set). */
  keySet?: (jwksUrl: string) => JWTVerifyGetKey;
}

/** Trust in Microsoft Entra ID (azure mode). */
export function entraTrust(options: EntraTrustOptions): IssuerTrust {
  const authority = (options.authority ?? ENTRA_AUTHORITY).replace(/\/+$/, '');
  const keySet =
    options.keySet ?? ((url: string) => jose().createRemoteJWKSet(new URL(url), { cacheMaxAge: JWKS_MAX_AGE_MS }));
  const allowed = new Set(options.allowedTenantIds.map((t) => t.toLowerCase()));
  const byTenant = new Map<string, JWTVerifyGetKey>();
  let common: JWTVerifyGetKey | undefined;
  const keysFor = (tid: string): JWTVerifyGetKey => {
    if (!allowed.has(tid)) return (common ??= keySet(`${authority}/common/discovery/v2.0/keys`));
    let keys = byTenant.get(tid);
    if (!keys) byTenant.set(tid, (keys = keySet(`${authority}/${tid}/discovery/v2.0/keys`)));
    return keys;
  };
  return {
    resolve(iss: string, tid: string): TrustedIssuer | undefined {
      const t = tid.toLowerCase();
      const accepted = [`${authority}/${t}/v2.0`, `https://sts.windows.net/${t}/`];
      // Entra prints tenant ids in lowercase; compare exactly after lowering the tid only.
      const issuer = accepted.find((a) => a === iss);
      return issuer ? { issuer, keys: keysFor(t) } : undefined;
    },
  };
}

/** Options of {@link singleIssuerTrust}. */
export interface SingleIssuerOptions {
  issuer: string;
  jwksUri: string;
  /** CA to trust for the JWKS fetch (the sandbox CA); only for this fetch, never process-wide. */
  caPem?: string;
}

/** Trust in exactly one issuer (the sandbox's local OpenID issuer, sandbox mode only). */
export function singleIssuerTrust(options: SingleIssuerOptions): IssuerTrust {
  // Made on the first token, so that jose loads with the tab's first request, not at start.
  let remote: JWTVerifyGetKey | undefined;
  const keys: JWTVerifyGetKey = (header, token) => {
    const { createRemoteJWKSet, customFetch } = jose();
    remote ??= createRemoteJWKSet(new URL(options.jwksUri), { [customFetch]: httpsFetch(options.caPem) });
    return remote(header, token);
  };
  return {
    resolve: (iss) => (iss === options.issuer ? { issuer: options.issuer, keys } : undefined),
  };
}
