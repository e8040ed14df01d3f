/**
 * The identity emulator answers a tenant it is not as Entra does, over raw HTTPS: 400 with
 * AADSTS90002 "Tenant '…' not found" in Entra's OAuth error body, `invalid_request` from the
 * token endpoint and `invalid_tenant` from OpenID discovery and its keys; never a 404, and the
 * token request is not looked at (nothing recorded, the secret not echoed). Tenant ids match in
 * any case; paths the sandbox does not serve stay 404.
 */
import { request } from 'node:https';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

let sandbox: Sandbox;
const APP_ID = '7b1d2c3e-4f50-4a6b-9c7d-8e9fa0b1c2d4';
const OTHER_TENANT = '99999999-0000-4000-8000-000000000099';
let secret: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const app = sandbox.directory.addApplication({ appId: APP_ID, displayName: 'bot' });
  secret = sandbox.directory.addPassword(app, {}).secretText;
});
afterAll(() => sandbox.stop());

/** One HTTPS request to the identity emulator; resolves with the status and parsed JSON body. */
function call(
  method: 'GET' | 'POST',
  path: string,
  form?: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const payload = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      `${sandbox.identity.baseUrl}${path}`,
      {
        method,
        ca: sandbox.tls.caPem,
        headers: payload
          ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload) }
          : {},
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

const grant = () => ({
  grant_type: 'client_credentials',
  client_id: APP_ID,
  client_secret: secret,
  scope: 'https://api.botframework.com/.default',
});

/** Entra's body for AADSTS90002 with `error`. */
function expectTenantNotFound(res: { status: number; body: any }, error: string, tenant: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({
    error,
    error_codes: [90002],
    error_uri: 'https://login.microsoftonline.com/error?code=90002',
    trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
  expect(res.body.error_description).toMatch(
    new RegExp(`^AADSTS90002: Tenant '${tenant.replace(/\./g, '\\.')}' not found\\. Check to make sure .* Trace ID: `),
  );
}

describe('a tenant the emulator is not', () => {
  test.each([OTHER_TENANT, 'contoso.onmicrosoft.com'])(
    'the token endpoint of %s answers 400 invalid_request AADSTS90002, and reads nothing of the request',
    async (tenant) => {
      const before = sandbox.identity.tokenRequests.length;
      const res = await call('POST', `/${tenant}/oauth2/v2.0/token`, grant());
      expectTenantNotFound(res, 'invalid_request', tenant);
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(sandbox.identity.tokenRequests).toHaveLength(before);
    },
  );

  test.each([
    ['OpenID discovery', '/v2.0/.well-known/openid-configuration'],
    ['the key set', '/discovery/v2.0/keys'],
  ])('%s answers 400 invalid_tenant AADSTS90002', async (_what, rest) => {
    expectTenantNotFound(await call('GET', `/${OTHER_TENANT}${rest}`), 'invalid_tenant', OTHER_TENANT);
  });
});

describe('the emulator’s own tenant', () => {
  test('matches in any case, and a token is still issued after a refused tenant', async () => {
    const upper = sandbox.directory.tenantId.toUpperCase();
    const discovery = await call('GET', `/${upper}/v2.0/.well-known/openid-configuration`);
    expect(discovery).toMatchObject({ status: 200, body: { issuer: sandbox.identity.issuer } });
    const token = await call('POST', `/${sandbox.directory.tenantId}/oauth2/v2.0/token`, grant());
    expect(token).toMatchObject({ status: 200, body: { token_type: 'Bearer' } });
  });

  test('a path the sandbox does not serve stays 404', async () => {
    const res = await call('GET', `/${sandbox.directory.tenantId}/oauth2/v2.0/authorize`);
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
