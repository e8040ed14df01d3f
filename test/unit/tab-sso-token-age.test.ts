/**
 * How old a tab token may be, whatever its `exp` claims: at most a day from its `iat`
 * (MAX_TOKEN_AGE_S; Entra's longest configurable access-token lifetime), so a validly signed token
 * with `exp` years ahead is refused a day after it was issued, while a genuine token (an hour, or
 * a day at most) is not.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { MAX_TOKEN_AGE_S, type SsoSettings, validateSsoToken } from '../../src/tab/sso-token';

const ISSUER = 'https://issuer.test/v2.0';
const AUDIENCE = 'api://tab.test/app';
const TENANT = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const NOW = new Date('2026-03-02T10:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);
const HOUR = 3600;
const YEAR = 365 * 24 * HOUR;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let settings: SsoSettings;

beforeAll(async () => {
  const keys: JWTVerifyGetKey = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
  settings = {
    trust: { resolve: (iss) => (iss === ISSUER ? { issuer: ISSUER, keys } : undefined) },
    audiences: [AUDIENCE],
    allowedTenantIds: [TENANT],
    allowedClientIds: [],
  };
});

async function token(iat: number, exp: number): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, tid: TENANT, oid: USER, scp: 'access_as_user', iat, exp })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);
}

const check = async (iat: number, exp: number) => validateSsoToken(`Bearer ${await token(iat, exp)}`, settings, NOW);

describe('tab token age', () => {
  test('the bound is a day, as long as Entra lets an access token live', () => {
    expect(MAX_TOKEN_AGE_S).toBe(24 * HOUR);
  });

  test('a genuine token (issued now, an hour) and one a token lifetime policy stretched to a day pass', async () => {
    await expect(check(now, now + HOUR)).resolves.toMatchObject({ objectId: USER });
    await expect(check(now - 23 * HOUR, now + HOUR)).resolves.toMatchObject({ objectId: USER });
  });

  test('exp ten years ahead, issued more than a day ago: refused as expired (maxTokenAge)', async () => {
    await expect(check(now - 25 * HOUR, now + 10 * YEAR)).rejects.toMatchObject({ status: 401, code: 'token_expired' });
    await expect(check(now - 25 * HOUR, now + HOUR)).rejects.toMatchObject({ status: 401, code: 'token_expired' });
  });

  test('issued in the future beyond the clock skew: refused', async () => {
    await expect(check(now + HOUR, now + 2 * HOUR)).rejects.toMatchObject({ status: 401, code: 'invalid_claims' });
  });
});
