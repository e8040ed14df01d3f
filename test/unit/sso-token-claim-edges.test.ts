/**
 * The tab's token validator at the edges of its claims: a token without `exp` is refused however
 * well it is signed (it would otherwise be good for a day, MAX_TOKEN_AGE_S, from any log it
 * leaked into); a `tid` that is no GUID is no tenant, refused before any issuer is trusted for it
 * (an issuer that trusts by `iss` alone, as the sandbox's does, would otherwise be asked); and the
 * caller's object id comes back in lower case, however the token prints it, since the tab
 * compares it with requesters' and approvers' ids as stored.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { type SsoSettings, validateSsoToken } from '../../src/tab/sso-token';
import { ssoRefusal } from './support/sso-refusal';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ISSUER = 'https://sandbox.acrbot.local/oidc';
const AUDIENCE = 'api://acrbot.example.com/6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21';
const USER = 'aaaaaaaa-0000-4000-8000-0000000000ab';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let keys: JWTVerifyGetKey;
const resolved: string[] = [];

beforeAll(async () => {
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
});

/** Trusts the one issuer by `iss` alone, whatever `tid` says (as sandbox mode's trust does). */
function settings(allowedTenantIds = [TENANT]): SsoSettings {
  return {
    trust: {
      resolve: (iss, tid) => {
        resolved.push(tid);
        return iss === ISSUER ? { issuer: ISSUER, keys } : undefined;
      },
    },
    audiences: [AUDIENCE],
    allowedTenantIds,
    allowedClientIds: [],
  };
}

async function token(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({
    iss: ISSUER,
    aud: AUDIENCE,
    tid: TENANT,
    oid: USER,
    name: 'Megan Bowen',
    scp: 'access_as_user',
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);
  return `Bearer ${jwt}`;
}

/** What the validator refuses `authorization` with, under `s`. */
const refusal = (authorization: string, s = settings()) => ssoRefusal(authorization, s);

describe('tab token claims at their edges', () => {
  test('a well-signed token without exp is refused', async () => {
    await expect(refusal(await token({ exp: undefined }))).resolves.toMatchObject({ status: 401 });
    // The same token with exp is accepted: the refusal is the missing claim's.
    await expect(validateSsoToken(await token({}), settings())).resolves.toMatchObject({ objectId: USER });
  });

  test('a tid that is no GUID is refused as untrusted before any issuer is asked about it', async () => {
    resolved.length = 0;
    // Even were such a "tenant" listed as allowed.
    await expect(refusal(await token({ tid: 'contoso' }), settings([TENANT, 'contoso']))).resolves.toEqual({
      status: 401,
      code: 'untrusted_issuer',
    });
    expect(resolved).toEqual([]);
  });

  test("the caller's object id and tenant come back in lower case", async () => {
    const user = await validateSsoToken(
      await token({ oid: USER.toUpperCase(), tid: TENANT.toUpperCase() }),
      settings(),
    );
    expect(user).toMatchObject({ objectId: USER, tenantId: TENANT });
  });
});
