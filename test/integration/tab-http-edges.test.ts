/**
 * The tab API's answers that its handlers do not make, over HTTP on the real server: restify's
 * 404 and 405 and the body reader's 400 and 413 carry `Cache-Control: no-store` and `nosniff` and
 * the API's `{ error, message }` shape without repeating the request; a body that is not JSON is
 * refused 415 instead of read as "no reason"; and signing keys that cannot be fetched answer 503
 * with a correlation id and `Retry-After`, not a 401 that says the token is bad.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTVerifyGetKey } from 'jose';
import type { Actor } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { KEYS_RETRY_AFTER_S, TabApi } from '../../src/tab/tab-api';
import { LogCapture } from '../helpers/log-capture';
import { serveTabApi, TAB_AUDIENCE, TAB_ISSUER, tabToken } from '../helpers/tab-http';
import { pendingRequest } from '../unit/support/requests';

const ISSUER = TAB_ISSUER;
const AUDIENCE = TAB_AUDIENCE;
const TENANT = '11111111-1111-4111-8111-111111111111';
const CALLER: Actor = { objectId: '22222222-2222-4222-8222-222222222222', name: 'Riley Requester' };
const REQUEST_ID = 'R-EDGE0001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Text the caller sends that no answer may repeat. */
const MARKER = 'zq-marker-9931';

describe('tab API answers its handlers do not make', () => {
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let keysDown = false;
  const revoked: string[] = [];
  const logs = new LogCapture();

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    const local = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
    // Entra's key set unreachable while keysDown (what jose's remote key set throws then).
    const keys: JWTVerifyGetKey = (header, t) =>
      keysDown
        ? Promise.reject(
            Object.assign(new Error('getaddrinfo ENOTFOUND login.microsoftonline.com'), { code: 'ENOTFOUND' }),
          )
        : local(header, t);
    const store = new MemoryRequestStore();
    await store.create(pendingRequest({ id: REQUEST_ID, tenantId: TENANT, requester: CALLER }));
    const api = new TabApi({
      sso: {
        trust: { resolve: (iss) => (iss === ISSUER ? { issuer: ISSUER, keys } : undefined) },
        audiences: [AUDIENCE],
        allowedTenantIds: [TENANT],
        allowedClientIds: [],
      },
      store,
      audit: new MemoryAuditLog({ now: () => new Date() }),
      roles: { isApprover: async () => false, isApproverOf: async () => false, isAuditor: () => false },
      clock: { now: () => new Date() },
      log: logs.logger(),
      botAppId: 'bot-app',
      actions: {
        revoke: async ({ reason }) => {
          revoked.push(reason);
          return { message: 'revoked' };
        },
      },
    });
    ({ base, stop } = await serveTabApi(api, logs.logger()));
    token = await tabToken(pair.privateKey, TENANT, CALLER);
  });
  afterAll(async () => {
    await stop();
  });
  beforeEach(() => {
    logs.lines.splice(0);
    revoked.splice(0);
    keysDown = false;
  });

  const call = async (path: string, init: { method?: string; type?: string; body?: string } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, ...(init.type && { 'Content-Type': init.type }) },
      body: init.body,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Record<string, unknown> };
  };

  /** What every /api/tab answer carries, exactly once each. */
  const expectApiHeaders = (res: Awaited<ReturnType<typeof call>>) => {
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('application/json');
  };

  test('invalid JSON: 400 in the API shape, the parser words (and the body) not repeated', async () => {
    const res = await call(`/api/tab/requests/${REQUEST_ID}/revoke`, {
      method: 'POST',
      type: 'application/json',
      body: `{"reason": ${MARKER}`,
    });
    expect(res.status).toBe(400);
    expectApiHeaders(res);
    expect(res.body).toEqual({ error: 'bad_request', message: 'The request body is not valid JSON.' });
    expect(revoked).toEqual([]);
  });

  test('a body over the limit: 413 in the API shape', async () => {
    const res = await call(`/api/tab/requests/${REQUEST_ID}/revoke`, {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({ reason: 'x'.repeat(300 * 1024) }),
    });
    expect(res.status).toBe(413);
    expectApiHeaders(res);
    expect(res.body).toEqual({ error: 'too_large', message: 'The request body is too large.' });
  });

  test('an unknown path: 404 in the API shape, the path not repeated', async () => {
    const res = await call(`/api/tab/${MARKER}<script>`);
    expect(res.status).toBe(404);
    expectApiHeaders(res);
    expect(res.body).toEqual({ error: 'not_found', message: 'There is no such API path.' });
    expect(res.text).not.toContain(MARKER);
  });

  test('a method the path does not take: 405 in the API shape, Allow kept', async () => {
    const res = await call('/api/tab/me', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expectApiHeaders(res);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.body).toEqual({ error: 'method_not_allowed', message: 'This API path does not take that method.' });
  });

  test('the answers of the handlers themselves carry each header once', async () => {
    expectApiHeaders(await call('/api/tab/me'));
  });

  test('a percent-encoded path routed to the API carries the headers and the API shape too', async () => {
    for (const path of ['/api/%74ab/me', '/%61pi/tab/me']) {
      const res = await call(path);
      expect(res.status).toBe(200);
      expectApiHeaders(res);
    }
    const missing = await call(`/api/%74ab/${MARKER}`);
    expect(missing.status).toBe(404);
    expectApiHeaders(missing);
    expect(missing.text).not.toContain(MARKER);
  });

  test('a revoke sent as text/plain: 415, not "reason is required"; as JSON it reaches the action', async () => {
    const body = JSON.stringify({ reason: 'no longer needed for the deploy' });
    const refused = await call(`/api/tab/requests/${REQUEST_ID}/revoke`, { method: 'POST', type: 'text/plain', body });
    expect(refused.status).toBe(415);
    expectApiHeaders(refused);
    expect(refused.body).toEqual({
      error: 'unsupported_media_type',
      message: 'Send JSON (Content-Type: application/json).',
    });
    const extend = await call(`/api/tab/requests/${REQUEST_ID}/extend`, { method: 'POST', type: 'text/plain', body });
    expect(extend.status).toBe(415);
    expect(revoked).toEqual([]);
    const done = await call(`/api/tab/requests/${REQUEST_ID}/revoke`, {
      method: 'POST',
      type: 'application/json',
      body,
    });
    expect(done.status).toBe(200);
    expect(revoked).toEqual(['no longer needed for the deploy']);
  });

  test('a POST without a body is no 415: the action says what is missing', async () => {
    const res = await call(`/api/tab/requests/${REQUEST_ID}/revoke`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^reason is required/) });
  });

  test('signing keys unreachable: 503 with a correlation id and Retry-After, no invalid_token, logged once', async () => {
    keysDown = true;
    const res = await call('/api/tab/me');
    expect(res.status).toBe(503);
    expectApiHeaders(res);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('retry-after')).toBe(String(KEYS_RETRY_AFTER_S));
    expect(res.body).toMatchObject({ error: 'key_unavailable', correlationId: expect.stringMatching(UUID) });
    expect(res.body.message).toContain(res.body.correlationId);
    expect(res.text).not.toMatch(/ENOTFOUND|login\.microsoftonline/);
    const errors = logs.entries().filter((e) => (e.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'tab token could not be verified', correlationId: res.body.correlationId });
  });
});
