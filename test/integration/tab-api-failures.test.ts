/**
 * The tab API when something behind it fails, over HTTP on the real routes: a Graph failure in the
 * approver-group check and a store failure answer a generic 500 carrying a correlation id (never
 * the error's text), `Cache-Control: no-store`, and one error log line with `err` and that id.
 * Also My access's approvals: only the caller's tenant, and `isApproverOf` asked once per rule.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { TabApi, type TabRoles } from '../../src/tab/tab-api';
import { LogCapture } from '../helpers/log-capture';
import { serveTabApi, TAB_AUDIENCE, TAB_ISSUER, tabToken } from '../helpers/tab-http';
import { pendingRequest } from '../unit/support/requests';
import { OTHER_TENANT } from '../helpers/tenant-b';

const ISSUER = TAB_ISSUER;
const AUDIENCE = TAB_AUDIENCE;
const TENANT = '11111111-1111-4111-8111-111111111111';
const CALLER: Actor = { objectId: '22222222-2222-4222-8222-222222222222', name: 'Alex Approver' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('tab API failures and approvals', () => {
  let privateKey: CryptoKey;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  const logs = new LogCapture();
  const store = new MemoryRequestStore();
  const roles: TabRoles = {
    isApprover: async () => true,
    isApproverOf: async () => true,
    isAuditor: () => false,
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
    const api = new TabApi({
      sso: {
        trust: { resolve: (iss) => (iss === ISSUER ? { issuer: ISSUER, keys } : undefined) },
        audiences: [AUDIENCE],
        allowedTenantIds: [TENANT, OTHER_TENANT],
        allowedClientIds: [],
      },
      store,
      audit: new MemoryAuditLog({ now: () => new Date() }),
      // Calls go through `roles`, so each test can swap one method.
      roles: {
        isApprover: (a) => roles.isApprover(a),
        isApproverOf: (a, r) => roles.isApproverOf(a, r),
        isAuditor: (a) => roles.isAuditor(a),
      },
      clock: { now: () => new Date() },
      log: logs.logger(),
      botAppId: 'bot-app',
    });
    ({ base, stop } = await serveTabApi(api, logs.logger()));
    token = await tabToken(privateKey, TENANT, CALLER);
  });
  afterAll(async () => {
    await stop();
  });
  beforeEach(() => logs.lines.splice(0));

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
  };
  const errorLines = () => logs.entries().filter((e) => (e.level as number) >= 50);

  /** The 500 of an unexpected failure: the id in body and message, no error text, logged once with it. */
  const expectGeneric500 = (res: Awaited<ReturnType<typeof get>>, leaked: RegExp) => {
    expect(res.status).toBe(500);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ error: 'internal', correlationId: expect.stringMatching(UUID) });
    expect(res.body.message).toContain(res.body.correlationId);
    expect(res.text).not.toMatch(leaked);
    const lines = errorLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'tab API failed', correlationId: res.body.correlationId });
    expect((lines[0]!.err as { message: string }).message).toMatch(leaked);
  };

  test('a Graph failure in the approver-group check: generic 500 with a correlation id, logged once', async () => {
    const isApprover = roles.isApprover;
    roles.isApprover = async () => {
      throw new Error('Graph 503 at https://graph.microsoft.com/v1.0/groups/abc/transitiveMembers');
    };
    try {
      expectGeneric500(await get('/api/tab/me'), /Graph 503|graph\.microsoft\.com/);
    } finally {
      roles.isApprover = isApprover;
    }
  });

  test('a store failure: generic 500 with a correlation id, logged once; each call gets its own id', async () => {
    const listByRequester = store.listByRequester;
    store.listByRequester = async () => {
      throw new Error('store down at /internal/path');
    };
    try {
      const first = await get('/api/tab/my-access');
      expectGeneric500(first, /store down|internal\/path/);
      logs.lines.splice(0);
      const second = await get('/api/tab/my-access');
      expectGeneric500(second, /store down|internal\/path/);
      expect(second.body.correlationId).not.toBe(first.body.correlationId);
    } finally {
      store.listByRequester = listByRequester;
    }
  });

  test("approvals: only the caller's tenant, and isApproverOf asked once per rule, not per request", async () => {
    const rule = (id: string, users: string[], groups: string[]) =>
      ({ id, approvers: { users, groups } }) as unknown as PolicyRule;
    const ruleA = rule('a', [], ['group-a']);
    const ruleB = rule('b', ['someone'], ['group-b']);
    const bound = (id: string, r: PolicyRule, tenantId = TENANT) =>
      pendingRequest({
        id,
        tenantId,
        policy: { ruleId: r.id, policyHash: 'h', approvalsRequired: 1, rule: r },
      });
    for (const r of [
      bound('R-AAAAAAA1', ruleA),
      bound('R-AAAAAAA2', ruleA),
      bound('R-AAAAAAA3', ruleA),
      bound('R-BBBBBBB1', ruleB),
      bound('R-BBBBBBB2', ruleB),
      pendingRequest({ id: 'R-NORULE01', tenantId: TENANT }),
      bound('R-OTHERTN1', ruleA, OTHER_TENANT),
      bound('R-OTHERTN2', ruleB, OTHER_TENANT.toUpperCase()),
    ])
      await store.create(r);
    const asked: string[] = [];
    const isApproverOf = roles.isApproverOf;
    roles.isApproverOf = async (_actor: Actor, r: AccessRequest) => {
      asked.push(r.id);
      return r.policy?.ruleId !== 'b';
    };
    try {
      const res = await get('/api/tab/my-access');
      expect(res.status).toBe(200);
      expect(res.body.approvals.map((r: { requestId: string }) => r.requestId).sort()).toEqual([
        'R-AAAAAAA1',
        'R-AAAAAAA2',
        'R-AAAAAAA3',
        'R-NORULE01',
      ]);
      expect(res.text).not.toContain('R-OTHERTN');
      // One question for rule a, one for rule b, one for the request bound to no rule.
      expect(asked.sort()).toEqual(['R-AAAAAAA1', 'R-BBBBBBB1', 'R-NORULE01']);
    } finally {
      roles.isApproverOf = isApproverOf;
    }
  });
});
