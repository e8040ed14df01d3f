/**
 * `/readyz` and the bot's own credential (its app password): Teams' messages are checked
 * without it and answered 200, so an expired or revoked password showed only as every reply
 * failing while `/readyz` said ready. Now `/readyz` asks for the bot's token as a reply does
 * (here from the sandbox identity emulator, ACRBOT_CHANNEL_LOGIN_URL, which checks the secret
 * against the app's passwords): refused → 503 `botCredential`, logged once with Entra's AADSTS
 * number and never the secret; a token endpoint that does not answer leaves readiness alone.
 */
import type { Clock } from '../../src/domain/ports';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { startFakeChannelIssuer, type FakeChannelIssuer } from '../helpers/fake-openid';
import { freePort } from '../helpers/free-port';
import { startHarness, type Harness } from '../helpers/harness';

jest.setTimeout(60_000);

let sandbox: Sandbox;
let issuer: FakeChannelIssuer;
let h: Harness | undefined;

beforeAll(async () => {
  sandbox = await startSandbox();
  issuer = await startFakeChannelIssuer();
});

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

afterAll(async () => {
  await issuer.stop();
  await sandbox.stop();
});

/** A clock the test moves forward (the re-check of a refused credential waits a minute). */
function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}

/** An app of the sandbox directory with one password; each test its own app, so no token is cached for it. */
function appWithPassword(appId: string) {
  const app = sandbox.directory.addApplication({ appId, displayName: `acrbot readyz ${appId.slice(-4)}` });
  return sandbox.directory.addPassword(app, { displayName: 'bot' });
}

function botEnv(appId: string, password: string, loginUrl = sandbox.identity.authority): Record<string, string> {
  return {
    MicrosoftAppId: appId,
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: SANDBOX_TENANT_ID,
    MicrosoftAppPassword: password,
    ACRBOT_CHANNEL_OPENID_METADATA_URL: issuer.metadataUrl,
    ACRBOT_CHANNEL_LOGIN_URL: loginUrl,
  };
}

async function readyz(): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${h!.app.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

const tokenRequestsOf = (appId: string) => sandbox.identity.tokenRequests.filter((r) => r.clientId === appId);
const linesWith = (text: string) => h!.logs.lines.filter((l) => l.includes(text));

test('an expired app password: /readyz answers 503 botCredential, logged once with its AADSTS number; accepted again: ready', async () => {
  const APP = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c31';
  const { secretText, credential } = appWithPassword(APP);
  const clock = movableClock();
  h = await startHarness(botEnv(APP, secretText), { sandbox, clock });
  const endDateTime = credential.endDateTime;
  credential.endDateTime = new Date(Date.now() - 60_000).toISOString();

  expect(await readyz()).toEqual({ status: 503, body: { status: 'not ready', reason: 'botCredential' } });
  expect(await readyz()).toEqual({ status: 503, body: { status: 'not ready', reason: 'botCredential' } });
  // Asked once: a refusal stands for a minute, so the probes do not hammer the token endpoint.
  expect(tokenRequestsOf(APP)).toEqual([
    expect.objectContaining({
      scope: 'https://api.botframework.com/.default',
      outcome: 'invalid_client',
      aadsts: 7000222,
    }),
  ]);
  const refused = linesWith("the bot's credential was refused");
  expect(refused).toHaveLength(1);
  expect(JSON.parse(refused[0]!)).toMatchObject({ level: 50, code: 'invalid_client', aadsts: 'AADSTS7000222' });
  expect(h.logs.lines.filter((l) => l.includes(secretText))).toEqual([]);

  // The password is valid again (in Entra: its end date moved): a minute later, ready.
  credential.endDateTime = endDateTime;
  clock.advance(61_000);
  expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
  expect(tokenRequestsOf(APP).at(-1)).toMatchObject({ outcome: 'issued' });
  expect(linesWith("the bot's credential is accepted by its token endpoint again")).toHaveLength(1);
  // The token is cached for its lifetime: the next probes ask no one.
  const asked = tokenRequestsOf(APP).length;
  expect((await readyz()).status).toBe(200);
  expect((await readyz()).status).toBe(200);
  expect(tokenRequestsOf(APP)).toHaveLength(asked);
  expect(h.logs.lines.filter((l) => l.includes(secretText))).toEqual([]);
});

test('a valid app password: /readyz answers ready, with the token the replies use', async () => {
  const APP = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c32';
  const { secretText } = appWithPassword(APP);
  h = await startHarness(botEnv(APP, secretText), { sandbox });
  expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
  expect(tokenRequestsOf(APP)).toEqual([
    expect.objectContaining({ scope: 'https://api.botframework.com/.default', outcome: 'issued' }),
  ]);
  expect(linesWith("the bot's credential")).toEqual([]);
});

test('a token endpoint that does not answer leaves /readyz ready (logged once), it is no verdict on the credential', async () => {
  const APP = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c33';
  const { secretText } = appWithPassword(APP);
  // Nothing listens there: every token request fails to connect (MSAL's first request, the
  // authority's metadata, fails as endpoints_resolution_error).
  const nowhere = `https://127.0.0.1:${await freePort()}/${SANDBOX_TENANT_ID}`;
  const clock = movableClock();
  h = await startHarness(botEnv(APP, secretText, nowhere), { sandbox, clock });
  expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
  clock.advance(61_000);
  expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
  const unanswered = linesWith("the bot's credential could not be checked");
  expect(unanswered).toHaveLength(1);
  expect(JSON.parse(unanswered[0]!)).toMatchObject({ level: 40, code: 'endpoints_resolution_error' });
  expect(linesWith("the bot's credential was refused")).toEqual([]);
});
