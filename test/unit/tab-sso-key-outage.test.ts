/**
 * The token validator when the signing keys cannot be fetched, and when a token only looks like
 * that: an outage of the keys is a 503 (`key_unavailable`, the fetch error as its cause), not a
 * 401 telling the caller their token is bad; a token whose header names a `crit` extension jose
 * does not know is the token's fault (401), so nobody can raise the outage alarm with one.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { base64url, createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { SsoError, type SsoSettings, validateSsoToken } from '../../src/tab/sso-token';

const ISSUER = 'https://issuer.test/v2.0';
const AUDIENCE = 'api://tab.test/app';
const TENANT = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Math.floor(Date.now() / 1000);
const claims = { iss: ISSUER, aud: AUDIENCE, tid: TENANT, oid: USER, scp: 'access_as_user', iat: now, exp: now + 600 };

function settings(keys: JWTVerifyGetKey): SsoSettings {
  return {
    trust: { resolve: (iss) => (iss === ISSUER ? { issuer: ISSUER, keys } : undefined) },
    audiences: [AUDIENCE],
    allowedTenantIds: [TENANT],
    allowedClientIds: [],
  };
}

describe('tab token: signing keys out of reach', () => {
  test('the key set cannot be fetched: 503 key_unavailable, the fetch error kept as cause', async () => {
    const down = Object.assign(new Error('getaddrinfo ENOTFOUND login.microsoftonline.com'), { code: 'ENOTFOUND' });
    const t = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    const refused = await validateSsoToken(
      `Bearer ${t}`,
      settings(() => Promise.reject(down)),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SsoError);
    expect(refused).toMatchObject({ status: 503, code: 'key_unavailable', cause: down });
    expect((refused as Error).message).not.toMatch(/ENOTFOUND|microsoftonline/);
  });

  test('a header with an unknown crit extension: 401 invalid_signature, not a key outage', async () => {
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
    // jose will not sign such a header; made by hand, validly signed.
    const signed = `${base64url.encode(JSON.stringify({ alg: 'RS256', kid: 'k1', crit: ['x-made-up'], 'x-made-up': 1 }))}.${base64url.encode(JSON.stringify(claims))}`;
    const t = `${signed}.${base64url.encode(createSign('RSA-SHA256').update(signed).sign(privateKey))}`;
    await expect(validateSsoToken(`Bearer ${t}`, settings(keys))).rejects.toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });
});
