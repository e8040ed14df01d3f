/**
 * The token validator with Entra-shaped tokens (azure-mode trust, keys injected locally so no
 * network is used): v2.0 and v1.0 issuers for the token's own tenant, the tenant's key set for
 * allowed tenants and the common key set for others, and the refusals.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { entraTrust } from '../../src/tab/issuer-trust';
import { TEAMS_CLIENT_IDS, tabAudiences } from '../../src/tab/tab-auth';
import { type SsoSettings, validateSsoToken } from '../../src/tab/sso-token';
import { ssoRefusal } from './support/sso-refusal';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = '11111111-1111-4111-8111-111111111111';
const APP_ID = '6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21';
const USER = 'aaaaaaaa-0000-4000-8000-000000000001';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const requestedKeySets: string[] = [];
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
});

function settings(): SsoSettings {
  return {
    trust: entraTrust({
      allowedTenantIds: [TENANT],
      keySet: (url) => {
        requestedKeySets.push(url);
        return keys;
      },
    }),
    audiences: tabAudiences('acrbot.example.com', APP_ID),
    allowedTenantIds: [TENANT],
    allowedClientIds: [...TEAMS_CLIENT_IDS],
  };
}

async function token(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    aud: `api://acrbot.example.com/${APP_ID}`,
    tid: TENANT,
    oid: USER,
    name: 'Megan Bowen',
    scp: 'access_as_user',
    azp: TEAMS_CLIENT_IDS[1],
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);
}

/** What the validator refuses token `t` with, under `settings()`. */
const refusal = (t: string) => ssoRefusal(`Bearer ${t}`, settings());

describe('Teams SSO token validation (Entra trust)', () => {
  test('a v2.0 token from Teams web for our API is accepted, keys from the tenant JWKS', async () => {
    requestedKeySets.length = 0;
    const user = await validateSsoToken(`Bearer ${await token({})}`, settings());
    expect(user).toMatchObject({ objectId: USER, tenantId: TENANT, name: 'Megan Bowen' });
    expect(requestedKeySets).toEqual([`https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`]);
  });

  test('a v1.0 token (sts.windows.net issuer, appid, app id audience form botid-) is accepted', async () => {
    const t = await token({
      iss: `https://sts.windows.net/${TENANT}/`,
      aud: `api://acrbot.example.com/botid-${APP_ID}`,
      azp: undefined,
      appid: TEAMS_CLIENT_IDS[0],
    });
    await expect(validateSsoToken(`Bearer ${t}`, settings())).resolves.toMatchObject({ objectId: USER });
  });

  test("an issuer of another tenant than the token's tid → 401", async () => {
    const t = await token({ iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` });
    expect(await refusal(t)).toEqual({ status: 401, code: 'untrusted_issuer' });
  });

  test('a genuine token of a foreign tenant → 403, verified with the common key set', async () => {
    requestedKeySets.length = 0;
    const t = await token({ iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT });
    expect(await refusal(t)).toEqual({ status: 403, code: 'tenant_not_allowed' });
    expect(requestedKeySets).toEqual(['https://login.microsoftonline.com/common/discovery/v2.0/keys']);
  });

  test('an app-only token (no oid, no scp) → 401', async () => {
    const t = await token({ oid: undefined, scp: undefined, roles: ['Something.All'] });
    expect((await refusal(t)).status).toBe(401);
  });

  test('a token whose idtyp says app → 401 even with a user scope and oid', async () => {
    expect(await refusal(await token({ idtyp: 'app' }))).toEqual({ status: 401, code: 'not_a_user_token' });
    expect(await refusal(await token({ idtyp: 'device' }))).toEqual({ status: 401, code: 'not_a_user_token' });
    await expect(validateSsoToken(`Bearer ${await token({ idtyp: 'user' })}`, settings())).resolves.toMatchObject({
      objectId: USER,
    });
  });

  test('audience api://<other domain>/<app id> → 401 wrong_audience', async () => {
    expect(await refusal(await token({ aud: `api://evil.example.com/${APP_ID}` }))).toEqual({
      status: 401,
      code: 'wrong_audience',
    });
  });

  test('not yet valid (nbf beyond the skew) → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await refusal(await token({ nbf: now + 600 }))).status).toBe(401);
  });

  test("a token naming no key (no kid) against Entra's key set of several keys → 401 invalid_signature, not a key outage", async () => {
    // Entra's JWKS lists several keys without "alg", so a token without "kid" matches them all.
    // key_unavailable is what the tab logs as an error and operations.md reads as "Entra's keys
    // cannot be loaded, nobody can sign in": anyone could raise that alarm with such a token.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const several = createLocalJWKSet({
      keys: [
        { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig' },
        { ...(await exportJWK(other)), kid: 'k2', use: 'sig' },
      ],
    });
    const entra = { ...settings(), trust: entraTrust({ allowedTenantIds: [TENANT], keySet: () => several }) };
    const now = Math.floor(Date.now() / 1000);
    const noKid = await new SignJWT({
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: `api://acrbot.example.com/${APP_ID}`,
      tid: TENANT,
      oid: USER,
      scp: 'access_as_user',
      azp: TEAMS_CLIENT_IDS[1],
      iat: now,
      exp: now + 3600,
    })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    await expect(validateSsoToken(`Bearer ${noKid}`, entra)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });

  test('HS256 signed with the public key as secret (algorithm confusion) → 401', async () => {
    const secret = new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const now = Math.floor(Date.now() / 1000);
    const t = await new SignJWT({
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: `api://acrbot.example.com/${APP_ID}`,
      tid: TENANT,
      oid: USER,
      scp: 'access_as_user',
      azp: TEAMS_CLIENT_IDS[1],
      iat: now,
      exp: now + 3600,
    })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(secret);
    expect(await refusal(t)).toEqual({ status: 401, code: 'invalid_signature' });
  });
});
