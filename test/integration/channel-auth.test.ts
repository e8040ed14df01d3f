/**
 * G1: every inbound activity is authenticated. The real app (restify + CloudAdapter) runs with
 * an azure-like identity (SingleTenant app id, tenant, dummy password) and trusts a local
 * OpenID metadata + JWKS (test/helpers/fake-openid.ts) through botbuilder's documented
 * `ToBotFromChannelOpenIdMetadataUrl` setting (`ACRBOT_CHANNEL_OPENID_METADATA_URL`). Tokens
 * are real RS256 JWTs signed with jose.
 *
 * Outbound: replies need a bot token from login.microsoftonline.com, which tests cannot reach
 * and which MSAL will not take from a local authority (it insists on https plus cloud instance
 * discovery on login.microsoftonline.com). So the test puts a token for (app id,
 * `https://api.botframework.com`) into botframework-connector's app-token cache, the same cache
 * MSAL results land in; the bot then replies through the capturing connector with
 * `Authorization: Bearer <that token>` and no network call.
 *
 * The other half of G1 (`loadConfig` refuses azure mode, or NODE_ENV=production, without
 * MicrosoftAppId) is in test/unit/config.test.ts: "NODE_ENV=production without MicrosoftAppId
 * throws (G1)", "no MicrosoftAppId", "with nothing else set, ALL problems are listed at once";
 * the last case here repeats the headline check.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AppCredentials, ToBotFromBotOrEmulatorTokenValidationParameters } from 'botframework-connector';
import { createAdapter } from '../../src/bot/create-adapter';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { CHANNEL_APP_ID as APP_ID, startAuthenticatingHarness } from '../helpers/authenticating-harness';
import type { ChannelTokenOptions, FakeChannelIssuer } from '../helpers/fake-openid';
import { type Harness, users } from '../helpers/harness';
import { channelMessage, personalMessage, postActivity } from '../helpers/teams-activities';

const BOT_TOKEN = 'bot-token-from-the-test-cache';
/** botframework-connector's app-token cache (`AppCredentials.cache`, keyed `${appId}${scope}-cache`). */
const tokenCache = () =>
  (AppCredentials as unknown as { cache: Map<string, { accessToken: string; expiresOn: Date }> }).cache;
const TOKEN_CACHE_KEY = `${APP_ID}https://api.botframework.com-cache`;
const ALL_STATES = ['pending', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'expired'] as const;

describe('G1: inbound channel authentication (real JWTs, local OpenID metadata + JWKS)', () => {
  let issuer: FakeChannelIssuer;
  let h: Harness;
  const outboundAuth: Array<string | undefined> = [];
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    ({ issuer, h } = await startAuthenticatingHarness());
    // Private in the typings; a token MSAL would otherwise fetch from login.microsoftonline.com.
    tokenCache().set(TOKEN_CACHE_KEY, { accessToken: BOT_TOKEN, expiresOn: new Date(Date.now() + 3_600_000) });
    (h.connector as unknown as { server: Server }).server.prependListener('request', (req) =>
      outboundAuth.push(req.headers.authorization),
    );
  });
  afterAll(async () => {
    tokenCache().delete(TOKEN_CACHE_KEY);
    await h?.stop();
    await issuer?.stop();
  });
  // botbuilder console.error()s every rejected token; keep the output readable.
  beforeEach(() => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => consoleError.mockRestore());

  /** Everything a handler could have touched. */
  async function footprint() {
    return {
      requests: (await h.app.store.listByState([...ALL_STATES], 1000)).length,
      audit: (await h.app.audit.latest(1000)).length,
      outbound: h.connector.calls.length,
    };
  }

  const grantText = 'grant aks-prod contosoacr deploy payments-api';
  const activity = (text = grantText) => channelMessage(users.requester, text, { serviceUrl: h.serviceUrl });
  const token = (o: Partial<ChannelTokenOptions> = {}) =>
    issuer.channelToken({ appId: APP_ID, serviceUrl: h.serviceUrl, ...o });

  test('G1: the app runs with an app id, so authentication is on (sandbox mode, SingleTenant)', () => {
    expect(h.app.config).toMatchObject({
      mode: 'sandbox',
      app: { id: APP_ID, type: 'SingleTenant', tenantId: SANDBOX_TENANT_ID },
    });
  });

  type Case = { headers: Record<string, string>; activity?: Record<string, unknown> };
  const bearer = async (o: Partial<ChannelTokenOptions> = {}): Promise<Case> => ({
    headers: { authorization: `Bearer ${await token(o)}` },
  });

  test.each<[string, () => Promise<Case>, RegExp]>([
    ['no Authorization header', async () => ({ headers: {} }), /Unauthorized Access\. Request is not authorized/],
    ['an empty Bearer', async () => ({ headers: { authorization: 'Bearer ' } }), /No valid identity/],
    [
      'a token that is not a JWT',
      async () => ({ headers: { authorization: 'Bearer not.a.jwt' } }),
      /No valid identity/,
    ],
    [
      'a valid token under another scheme (Basic)',
      async () => ({ headers: { authorization: `Basic ${await token()}` } }),
      /No valid identity/,
    ],
    [
      'a token signed by a foreign key (kid not in the JWKS)',
      () => bearer({ key: 'foreign' }),
      /Signing Key could not be retrieved/,
    ],
    [
      'a token signed by a foreign key that claims the trusted kid',
      () => bearer({ key: 'foreign', kid: issuer.kids.trusted }),
      /invalid signature/,
    ],
    ['an expired token (beyond the 5-minute skew)', () => bearer({ expiresIn: -360, notBefore: -7200 }), /expired/],
    ['a token not yet valid (nbf beyond the 5-minute skew)', () => bearer({ notBefore: 600 }), /not active/],
    [
      "a wrong audience (another bot's app id)",
      () => bearer({ audience: '00000000-1111-4222-8333-444444444444' }),
      /Invalid AppId passed on token/,
    ],
    ['no audience', () => bearer({ audience: undefined }), /Invalid AppId passed on token/],
    [
      'a wrong issuer',
      () => bearer({ issuer: 'https://evil.example.com' }),
      /The token was not issued by the Bot Framework channel/,
    ],
    [
      "an Entra token naming the bot's app id (botbuilder's Emulator path: no audience, endorsement or serviceUrl check)",
      () =>
        bearer({
          issuer: `https://sts.windows.net/${SANDBOX_TENANT_ID}/`,
          audience: 'https://api.botframework.com',
          extraClaims: { appid: APP_ID, tid: SANDBOX_TENANT_ID, ver: '1.0' },
        }),
      /The token was not issued by the Bot Framework channel/,
    ],
    [
      'a serviceurl claim that differs from activity.serviceUrl',
      () => bearer({ serviceUrl: 'https://smba.trafficmanager.net/evil/' }),
      /ServiceUrl claim do not match/,
    ],
    ['no serviceurl claim', () => bearer({ serviceUrl: undefined }), /ServiceUrl claim do not match/],
    [
      'an activity without serviceUrl (botbuilder alone would skip the claim check)',
      async () => ({ ...(await bearer()), activity: { ...activity(), serviceUrl: undefined } }),
      /ServiceUrl claim do not match/,
    ],
    ['a key not endorsed for msteams', () => bearer({ key: 'webchatOnly' }), /Could not validate endorsement/],
    [
      'an msteams-only key on a webchat activity',
      async () => ({ ...(await bearer()), activity: { ...activity(), channelId: 'webchat' } }),
      /Could not validate endorsement/,
    ],
  ])('G1: %s → 401 and no handler runs', async (_name, make, reason) => {
    const before = await footprint();
    const refusals = () => h.logs.lines.filter((l) => l.includes('Bot Framework request refused')).length;
    const refusedBefore = refusals();
    const c = await make();
    const res = await postActivity(h.app.url, c.activity ?? activity(), c.headers);
    expect(res.status).toBe(401);
    expect(String(res.body)).toMatch(reason);
    // Logged once, as a warning in acrbot's own log, without the token.
    expect(refusals()).toBe(refusedBefore + 1);
    const line = h.logs.lines.filter((l) => l.includes('Bot Framework request refused')).at(-1)!;
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      status: 401,
      // An id the server made: the refused body's activity id is the caller's word.
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      err: { message: expect.stringMatching(reason) },
    });
    const bearerToken = /^Bearer (.+)$/.exec(c.headers.authorization ?? '')?.[1];
    if (bearerToken) expect(line).not.toContain(bearerToken);
    // Whatever a (wrongly) started turn left running has finished before nothing is checked.
    await h.app.services.background.drain();
    await h.app.services.executor.drain();
    expect(await footprint()).toEqual(before);
  });

  test("G1: unsigned tokens of random tenants do not grow botbuilder's module-wide issuer list (each used to add four, never removed)", async () => {
    const issuers = (ToBotFromBotOrEmulatorTokenValidationParameters as { issuer: string[] }).issuer;
    const before = issuers.length;
    const unsigned = (claims: Record<string, unknown>) =>
      ['{"alg":"none","typ":"JWT"}', JSON.stringify(claims)]
        .map((p) => Buffer.from(p).toString('base64url'))
        .join('.') + '.';
    for (let i = 0; i < 20; i++) {
      const tid = randomUUID();
      const res = await postActivity(h.app.url, activity(), {
        authorization: `Bearer ${unsigned({ iss: `https://sts.windows.net/${tid}/`, tid, appid: APP_ID })}`,
      });
      expect(res.status).toBe(401);
    }
    expect(issuers.length).toBe(before);
  });

  test("G1: unsigned tokens with the channel's issuer and random tenants: 401, and botbuilder's issuer list does not grow", async () => {
    const issuers = (ToBotFromBotOrEmulatorTokenValidationParameters as { issuer: string[] }).issuer;
    const before = [...issuers];
    const unsigned = (claims: Record<string, unknown>) =>
      ['{"alg":"none","typ":"JWT"}', JSON.stringify(claims)]
        .map((p) => Buffer.from(p).toString('base64url'))
        .join('.') + '.';
    for (let i = 0; i < 20; i++) {
      const tid = randomUUID();
      // The channel's issuer passes acrbot's own issuer check; botbuilder then sees an unknown tid.
      const claims = { iss: 'https://api.botframework.com', tid, aud: APP_ID, serviceurl: h.serviceUrl };
      const res = await postActivity(h.app.url, activity(), { authorization: `Bearer ${unsigned(claims)}` });
      expect(res.status).toBe(401);
    }
    expect(issuers).toEqual(before);
  });

  test('a body that is not an activity: 400 with a sentence, logged once as a warning, nothing runs', async () => {
    const before = await footprint();
    const refusals = () =>
      h.logs.entries().filter((e) => e.msg === 'Bot Framework request refused: the body is not an activity');
    const refusedBefore = refusals().length;
    const res = await postActivity(h.app.url, {}, { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'badRequest', message: expect.stringContaining('"type"') });
    expect(refusals()).toHaveLength(refusedBefore + 1);
    expect(refusals().at(-1)).toMatchObject({ level: 40, status: 400 });
    expect(await footprint()).toEqual(before);
  });

  test('G1: a valid channel token is accepted (200): the grant is stored and replies go out with the bot token', async () => {
    const before = await footprint();
    const authBefore = outboundAuth.length;
    const res = await postActivity(h.app.url, activity(), { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    const plan = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before.outbound && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      5_000,
      'the plan card',
    );
    const id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(plan.activity))![0];
    expect(await h.app.store.get(id)).toMatchObject({
      state: 'pending',
      requester: { objectId: users.requester.objectId },
    });
    const after = await footprint();
    expect(after.requests).toBe(before.requests + 1);
    expect(after.audit).toBeGreaterThan(before.audit);
    // Typing, plan card, approval card: every outbound call carries the bot's token.
    const sent = outboundAuth.slice(authBefore);
    expect(sent.length).toBeGreaterThanOrEqual(after.outbound - before.outbound);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${BOT_TOKEN}`]));
    expect(issuer.fetched).toEqual(
      expect.arrayContaining(['/v1/.well-known/openidconfiguration', '/v1/.well-known/keys']),
    );
  });

  test('G1: a valid token for a 1:1 chat is accepted too (help → reply)', async () => {
    const before = await footprint();
    const a = personalMessage(users.outsider, 'help', { serviceUrl: h.serviceUrl });
    const res = await postActivity(h.app.url, a, { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before.outbound && c.activity.type === 'message',
      5_000,
      'the help reply',
    );
  });

  test('G1: azure mode refuses to start without MicrosoftAppId (see also test/unit/config.test.ts)', () => {
    expect(() => loadConfig({ ACRBOT_MODE: 'azure' })).toThrow(ConfigError);
    expect(() => loadConfig({ ACRBOT_MODE: 'azure' })).toThrow(/MicrosoftAppId is required in azure mode/);
  });

  test('G1: the trust hooks are refused outside the sandbox', () => {
    expect(() => createAdapter({ ...h.app.config, mode: 'azure' }, createLogger({ level: 'silent' }))).toThrow(
      /only allowed with ACRBOT_MODE=sandbox/,
    );
  });
});
