/**
 * The sandbox identity emulator's client-credentials grant, over its HTTPS token endpoint: a
 * token for an application of the sandbox directory whose secret matches one of its passwords,
 * Entra's errors otherwise (none of which echoes the secret), and a record of every request that
 * never holds the secret.
 */
import { request } from 'node:https';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

let sandbox: Sandbox;
const APP_ID = '7b1d2c3e-4f50-4a6b-9c7d-8e9fa0b1c2d3';
let secret: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const app = sandbox.directory.addApplication({ appId: APP_ID, displayName: 'bot' });
  secret = sandbox.directory.addPassword(app, {}).secretText;
});
afterAll(() => sandbox.stop());

/** POSTs a form to the token endpoint; resolves with the status and parsed body. */
function token(form: Record<string, string>): Promise<{ status: number; body: any }> {
  const payload = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      sandbox.identity.tokenEndpoint,
      {
        method: 'POST',
        ca: sandbox.tls.caPem,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const grant = (extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: APP_ID,
  client_secret: secret,
  scope: 'https://api.botframework.com/.default',
  ...extra,
});

it('issues an app token for the resource of the scope, signed with the published keys', async () => {
  const res = await token(grant());
  expect(res).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3599 } });
  const { payload } = await jwtVerify(res.body.access_token, createLocalJWKSet(sandbox.identity.jwks()), {
    issuer: sandbox.identity.issuer,
    audience: 'https://api.botframework.com',
  });
  expect(payload).toMatchObject({ azp: APP_ID, idtyp: 'app', tid: sandbox.directory.tenantId });
  expect(sandbox.identity.tokenRequests.at(-1)).toMatchObject({
    clientId: APP_ID,
    scope: 'https://api.botframework.com/.default',
    outcome: 'issued',
  });
});

it.each([
  ['an unknown app', { client_id: '00000000-0000-4000-8000-00000000dead' }, 400, 'unauthorized_client', 700016],
  ['no secret', { client_secret: '' }, 401, 'invalid_client', 7000218],
  ['a wrong secret', { client_secret: 'not-the-secret' }, 401, 'invalid_client', 7000215],
  ['a scope without /.default', { scope: 'https://api.botframework.com/user.read' }, 400, 'invalid_scope', 1002012],
])('refuses %s as Entra does', async (_what, extra, status, error, aadsts) => {
  const res = await token(grant(extra));
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error, error_codes: [aadsts] });
  expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${aadsts}: `));
  expect(JSON.stringify(res.body)).not.toContain(secret);
  expect(sandbox.identity.tokenRequests.at(-1)).toMatchObject({ outcome: error, aadsts });
});

it('says so when the secret is the app’s but has expired', async () => {
  const app = sandbox.directory.getApplicationByAppId(APP_ID)!;
  const credential = app.passwords[0]!;
  const end = credential.endDateTime;
  credential.endDateTime = new Date(Date.now() - 1000).toISOString();
  try {
    const res = await token(grant());
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000222] } });
  } finally {
    credential.endDateTime = end;
  }
  expect((await token(grant())).status).toBe(200);
});

it('never records the secret', () => {
  expect(sandbox.identity.tokenRequests.length).toBeGreaterThan(0);
  expect(JSON.stringify(sandbox.identity.tokenRequests)).not.toContain(secret);
});
