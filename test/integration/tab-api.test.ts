/**
 * The tab's JSON API over HTTP on the real app in sandbox mode: every authentication failure
 * (401/403 and nothing else), the sandbox issuer refused by the azure-mode wiring, and
 * authorization (requesters see their own requests only; approvers see everything).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import restify from 'restify';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type OidcIssuer, SANDBOX_TAB_CLIENT_ID } from '../../src/sandbox/identity/oidc-issuer';
import { type MountTabInput, mountTab, SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { type Harness, startHarness, users } from '../helpers/harness';
import { transition } from '../../src/domain/request';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;
const FOREIGN_TENANT = '9e9e9e9e-0000-4000-8000-000000000f0f';

async function post(base: string, path: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function get(base: string, path: string, token?: string): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${base}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe('tab API', () => {
  let h: Harness;
  let issuer: OidcIssuer;
  let base: string;
  let riley: string;
  let alex: string;
  let oscar: string;
  let adele: string;
  let rileyRequest: string;
  let oscarRequest: string;

  beforeAll(async () => {
    // Adele (on call) is an auditor: she sees everything but is neither the requester nor an approver.
    h = await startHarness({ ACRBOT_AUDITORS: SANDBOX_USERS.oncall.objectId });
    issuer = h.app.sandbox!.identity;
    base = h.app.url;
    const mine = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: mine.id });
    await h.settle(mine.id);
    rileyRequest = mine.id;
    oscarRequest = (await h.requestGrant(users.outsider, 'aks-legacy contosoacr batch jobs need images')).id;
    [riley, alex, oscar, adele] = await Promise.all(
      ['requester', 'approver', 'outsider', 'oncall'].map((user) => issuer.issue({ user, audience: AUDIENCE })),
    );
  });
  afterAll(async () => {
    await h.stop();
  });

  describe('authentication', () => {
    test('a valid sandbox token is accepted and names the user', async () => {
      const res = await get(base, '/api/tab/me', riley);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ objectId: users.requester.objectId, name: users.requester.name });
      expect(res.body.sees).toBe('own');
    });

    test('no token → 401 missing_token', async () => {
      const res = await get(base, '/api/tab/matrix');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('missing_token');
      expect(res.body).not.toHaveProperty('rows');
    });

    test('a token that is not a JWT → 401', async () => {
      const res = await get(base, '/api/tab/matrix', 'not-a-jwt');
      expect(res.status).toBe(401);
    });

    test('forged signature (same claims and kid, another key) → 401 invalid_signature, nothing else', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const claims = decodeJwt(riley);
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: decodeProtectedHeader(riley).kid! })
        .sign(privateKey);
      const res = await get(base, '/api/tab/matrix', forged);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_signature');
      expect(res.text).not.toContain(rileyRequest);
    });

    test('a genuine token with a tampered payload (another oid) → 401', async () => {
      const [head, , sig] = riley.split('.');
      const payload = Buffer.from(
        JSON.stringify({ ...decodeJwt(riley), oid: users.approver.objectId }),
        'utf8',
      ).toString('base64url');
      const res = await get(base, '/api/tab/matrix', `${head}.${payload}.${sig}`);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_signature');
    });

    test('alg none → 401', async () => {
      const head = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = riley.split('.')[1];
      const res = await get(base, '/api/tab/matrix', `${head}.${payload}.`);
      expect(res.status).toBe(401);
    });

    test('expired → 401 token_expired; expired within the 60 s skew → accepted', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await issuer.issue({
        user: 'requester',
        audience: AUDIENCE,
        claims: { iat: now - 7200, nbf: now - 7200, exp: now - 600 },
      });
      const res = await get(base, '/api/tab/matrix', expired);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('token_expired');
      const justExpired = await issuer.issue({
        user: 'requester',
        audience: AUDIENCE,
        claims: { iat: now - 3600, nbf: now - 3600, exp: now - 20 },
      });
      expect((await get(base, '/api/tab/me', justExpired)).status).toBe(200);
    });

    test('wrong audience → 401 wrong_audience', async () => {
      const other = await issuer.issue({
        user: 'requester',
        audience: 'api://localhost/11111111-2222-4333-8444-555555555555',
      });
      const res = await get(base, '/api/tab/matrix', other);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('wrong_audience');
    });

    test('wrong issuer (Entra issuer claimed, signed by the sandbox key) → 401 untrusted_issuer', async () => {
      const token = await issuer.issue({
        user: 'requester',
        audience: AUDIENCE,
        claims: { iss: `https://login.microsoftonline.com/${SANDBOX_TENANT_ID}/v2.0` },
      });
      const res = await get(base, '/api/tab/matrix', token);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('untrusted_issuer');
    });

    test('foreign tenant (valid signature, tid not allowed) → 403 tenant_not_allowed', async () => {
      const token = await issuer.issue({ user: 'requester', audience: AUDIENCE, claims: { tid: FOREIGN_TENANT } });
      const res = await get(base, '/api/tab/matrix', token);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('tenant_not_allowed');
      expect(res.body).not.toHaveProperty('rows');
    });

    test('a token without access_as_user, or for an unexpected client → 403', async () => {
      const noScope = await issuer.issue({ user: 'requester', audience: AUDIENCE, scope: 'User.Read' });
      expect((await get(base, '/api/tab/matrix', noScope)).body.error).toBe('insufficient_scope');
      const otherClient = await issuer.issue({
        user: 'requester',
        audience: AUDIENCE,
        clientId: '0f0f0f0f-0000-4000-8000-000000000abc',
      });
      const res = await get(base, '/api/tab/matrix', otherClient);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('client_not_allowed');
    });

    test('refusals never echo the token', async () => {
      const token = await issuer.issue({ user: 'requester', audience: 'api://localhost/nope' });
      const res = await get(base, '/api/tab/matrix', token);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain(token.split('.')[1]);
      expect(h.logs.lines.join('')).not.toContain(token.split('.')[2]);
    });
  });

  /**
   * Mounts a second tab API on its own server, on the sandbox's issuer and in-memory stores, and
   * runs `use` against it; `input` says what differs.
   */
  async function withOwnTab(
    input: Pick<MountTabInput, 'mode' | 'ssoAppId' | 'botAppId'> & { clientId: string },
    use: (base: string) => Promise<void>,
  ): Promise<void> {
    const server = restify.createServer({ name: 'tab-test' });
    const mounted = mountTab(server, {
      mode: input.mode,
      ssoAppId: input.ssoAppId,
      botAppId: input.botAppId,
      domain: 'localhost',
      allowedTenantIds: [SANDBOX_TENANT_ID],
      auditorIds: [],
      isApprover: async () => true,
      isApproverOf: async () => true,
      store: new MemoryRequestStore(),
      audit: new MemoryAuditLog({ now: () => new Date() }),
      clock: { now: () => new Date() },
      log: createLogger({ level: 'silent' }),
      sandbox: {
        issuer: issuer.issuer,
        jwksUri: issuer.jwksUri,
        tokenEndpoint: issuer.tokenEndpoint,
        caPem: h.app.sandbox!.tls.caPem,
        clientId: input.clientId,
        users: [{ key: 'requester', name: 'Riley' }],
      },
    });
    expect(mounted).toBe(true);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  test('an asset name the tab does not serve is 404, names every object has (constructor, toString) too', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'index.html'])
      expect((await fetch(`${base}/tabs/assets/${name}`)).status).toBe(404);
  });

  test("pages: connect-src allows teams-js's list of valid origins (that one CDN origin, no wildcard) besides the tab's own", async () => {
    const res = await fetch(`${base}/tabs/matrix`);
    const directives = (res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim());
    expect(directives.filter((d) => d.startsWith('connect-src '))).toEqual([
      "connect-src 'self' https://res.cdn.office.net",
    ]);
    expect(directives).toContain("script-src 'self'");
  });

  test('API answers, refusals and failures alike, are no-store and nosniff', async () => {
    const answers = await Promise.all([
      fetch(`${base}/api/tab/me`, { headers: { Authorization: `Bearer ${riley}` } }),
      fetch(`${base}/api/tab/matrix`),
      fetch(`${base}/api/tab/requests/R-NOSUCH01`, { headers: { Authorization: `Bearer ${riley}` } }),
      fetch(`${base}/api/tab/requests/R-NOSUCH01/revoke`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${riley}`, 'Content-Type': 'application/json' },
        body: '{}',
      }),
      fetch(`${base}/tabs/assets/constructor`),
    ]);
    expect(answers.map((res) => res.status)).toEqual([200, 401, 404, 404, 404]);
    for (const res of answers) {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const res of answers.slice(0, 4)) expect(res.headers.get('cache-control')).toBe('no-store');
  });

  test('azure mode refuses a token of the sandbox issuer (401 untrusted_issuer), with the same production code', async () => {
    // Even if someone passes the sandbox issuer in azure mode, it is not trusted.
    await withOwnTab({ mode: 'azure', ssoAppId: SANDBOX_TAB_APP_ID, clientId: 'x' }, async (azureBase) => {
      const res = await get(azureBase, '/api/tab/me', riley);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('untrusted_issuer');
      // …and it offers no sandbox sign-in page.
      expect((await fetch(`${azureBase}/tabs/sandbox-signin?user=requester`)).status).toBe(404);
    });
  });

  test("sign-on tokens are for the tab's own app registration; chat links name the bot (a managed-identity bot has no registration)", async () => {
    const tabAppId = 'ab0d0000-0000-4000-8000-0000000000ab';
    const botAppId = 'b0700000-0000-4000-8000-0000000000b0';
    await withOwnTab(
      { mode: 'sandbox', ssoAppId: tabAppId, botAppId, clientId: SANDBOX_TAB_CLIENT_ID },
      async (tabBase) => {
        const forTab = await issuer.issue({ user: 'requester', audience: `api://localhost/${tabAppId}` });
        const me = await get(tabBase, '/api/tab/me', forTab);
        expect(me.status).toBe(200);
        expect(me.body.botAppId).toBe(botAppId);
        const forBot = await issuer.issue({ user: 'requester', audience: `api://localhost/${botAppId}` });
        const refused = await get(tabBase, '/api/tab/me', forBot);
        expect(refused.status).toBe(401);
        expect(refused.body.error).toBe('wrong_audience');
      },
    );
  });

  describe('authorization', () => {
    test('a requester sees only their own rows in the matrix', async () => {
      const res = await get(base, '/api/tab/matrix', riley);
      expect(res.status).toBe(200);
      const ids = res.body.rows.map((r: any) => r.requestId);
      expect(ids).toContain(rileyRequest);
      expect(ids).not.toContain(oscarRequest);
      for (const row of res.body.rows) expect(row.requester.objectId).toBe(users.requester.objectId);
      // Oscar's only request is pending: it gives no access, so his matrix is empty; My access lists it.
      const other = await get(base, '/api/tab/matrix', oscar);
      expect(other.body.rows).toEqual([]);
      const oscars = await get(base, '/api/tab/my-access', oscar);
      expect(oscars.body.requests.map((r: any) => r.requestId)).toEqual([oscarRequest]);
      expect(oscars.body.requests[0].state).toBe('pending');
    });

    test("a requester's matrix reads their own requests, however many others the store holds; unchanged, it names the same snapshot", async () => {
      // 5,001 older requests of someone else: more than one listing of everyone's reads.
      const template = (await h.app.store.get(oscarRequest))!;
      const mallory = { objectId: '0a000000-0000-4000-8000-00000000beef', name: 'Mallory Many' };
      for (let i = 0; i < 5001; i++)
        await h.app.store.create({
          ...template,
          id: `R-OLD${String(i)
            .padStart(5, 'A')
            .replace(/\d/g, (d) => 'BCDEFGHJKM'[Number(d)])}`,
          requester: mallory,
          state: 'rejected',
          createdAt: '2020-01-01T00:00:00.000Z',
          updatedAt: '2020-01-01T00:00:00.000Z',
        });
      const first = await get(base, '/api/tab/matrix', riley);
      expect(first.body.rows.map((r: any) => r.requestId)).toContain(rileyRequest);
      const again = await get(base, '/api/tab/matrix', riley);
      expect(again.body.generatedAt).toBe(first.body.generatedAt);
    });

    test("a requester cannot open someone else's request (404, as if it did not exist)", async () => {
      const res = await get(base, `/api/tab/requests/${oscarRequest}`, riley);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('batch jobs');
      const own = await get(base, `/api/tab/requests/${rileyRequest}`, riley);
      expect(own.status).toBe(200);
      expect(own.body.row.requestId).toBe(rileyRequest);
      expect(own.body.decision.by.objectId).toBe(users.approver.objectId);
      expect(own.body.audit.map((e: any) => e.action)).toEqual(expect.arrayContaining(['request.created']));
      expect(own.body.azureRequestIds.length).toBeGreaterThan(0);
    });

    test('revoke: no one revokes what they may not see (404); a bystander who sees it gets 403; nothing changes', async () => {
      const res = await post(base, `/api/tab/requests/${rileyRequest}/revoke`, oscar, { reason: 'not mine to revoke' });
      expect(res.status).toBe(404);
      // Adele sees everything (auditor) but is neither Riley nor an approver of the request.
      const bystander = await post(base, `/api/tab/requests/${rileyRequest}/revoke`, adele, {
        reason: 'auditors do not revoke',
      });
      expect(bystander.status).toBe(403);
      expect(bystander.body).toMatchObject({ error: 'revoke.notAllowed' });
      expect(bystander.body.message).toContain('Only the requester');
      expect((await h.app.store.get(rileyRequest))!.state).toBe('succeeded');
      const actions = (await h.app.audit.forRequest(rileyRequest)).map((e) => e.action);
      expect(actions).not.toContain('access.revoke.requested');
      const me = await get(base, '/api/tab/me', riley);
      expect(me.body.actions).toEqual({ extend: true, revoke: true });
      const own = await get(base, `/api/tab/requests/${rileyRequest}`, riley);
      expect(own.body.row).toMatchObject({ canRevoke: true, canExtend: true });
      // Extend is the requester's only: an approver may revoke Riley's grant but not extend it.
      const asApprover = await get(base, `/api/tab/requests/${rileyRequest}`, alex);
      expect(asApprover.body.row).toMatchObject({ canRevoke: true, canExtend: false });
      const oscars = await get(base, '/api/tab/my-access', oscar);
      expect(oscars.body.requests[0]).toMatchObject({ canRevoke: false, canExtend: false });
    });

    test('extend: bystanders get 403 (or 404 when they cannot see it), bad input 400 with a clear message; nothing is created', async () => {
      const count = async () => (await h.app.store.listByState(['pending', 'approved', 'succeeded'], 1000)).length;
      const before = await count();
      const body = { duration: '7d', reason: 'release still running' };
      const approver = await post(base, `/api/tab/requests/${rileyRequest}/extend`, alex, body);
      expect(approver.status).toBe(403);
      expect(approver.body).toMatchObject({ error: 'extend.notRequester' });
      expect((await h.app.audit.latest(1))[0]).toMatchObject({
        action: 'extend.refused',
        outcome: 'extend.notRequester',
        requestId: rileyRequest,
      });
      expect(approver.body.message).toContain(`Only ${users.requester.name}`);
      const auditor = await post(base, `/api/tab/requests/${rileyRequest}/extend`, adele, body);
      expect(auditor.status).toBe(403);
      const outsider = await post(base, `/api/tab/requests/${rileyRequest}/extend`, oscar, body);
      expect(outsider.status).toBe(404);

      const tooLong = await post(base, `/api/tab/requests/${rileyRequest}/extend`, riley, {
        ...body,
        duration: '400d',
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error).toBe('validation.duration');
      expect(tooLong.body.message).toMatch(/longer than the maximum access of 90d/);
      const nonsense = await post(base, `/api/tab/requests/${rileyRequest}/extend`, riley, {
        ...body,
        duration: 'forever',
      });
      expect(nonsense.status).toBe(400);
      expect(nonsense.body.error).toBe('validation.duration');
      const noReason = await post(base, `/api/tab/requests/${rileyRequest}/extend`, riley, { duration: '7d' });
      expect(noReason.status).toBe(400);
      expect(noReason.body).toMatchObject({ error: 'validation.reason' });
      expect(noReason.body.message).toMatch(/reason of at least/);
      // Judged after whitespace is collapsed, as in chat: padding does not push the words out of it.
      const padded = await post(base, `/api/tab/requests/${rileyRequest}/extend`, riley, {
        duration: '7d',
        reason: `${' '.repeat(2100)}password: hunter2hunter2`,
      });
      expect(padded.status).toBe(400);
      expect(padded.body).toMatchObject({ error: 'validation.secret' });
      expect(JSON.stringify(padded.body)).not.toContain('hunter2');
      const noDuration = await post(base, `/api/tab/requests/${rileyRequest}/extend`, riley, { reason: body.reason });
      expect(noDuration.status).toBe(400);
      expect(noDuration.body.message).toContain('duration is required');

      expect(await count()).toBe(before);
      expect((await h.app.store.get(rileyRequest))!.access?.extendedBy).toBeUndefined();
    });

    test('while new access is paused, Extend is refused (409, access.paused, who and since when) and nothing is filed; why only for approvers and auditors', async () => {
      const count = async () => (await h.app.store.listByState(['pending', 'approved', 'succeeded'], 1000)).length;
      const before = await count();
      expect((await get(base, '/api/tab/me', riley)).body.paused).toBeNull();
      const acting = { actor: users.approver, tenantId: SANDBOX_TENANT_ID };
      const { pause } = await h.app.services.pauses.pause(acting, 'incident 42, investigating');
      try {
        const res = await post(base, `/api/tab/requests/${rileyRequest}/extend`, riley, {
          duration: '7d',
          reason: 'release still running',
        });
        expect(res.status).toBe(409);
        expect(res.body.error).toBe('access.paused');
        expect(res.body.message).toMatch(/^New access is paused since .* by Alex Approver\. Nothing was requested\./);
        expect(res.body.message).not.toContain('incident 42');
        // Every signed-in user is told (the banner): when and by whom; why, approvers and auditors.
        const asRiley = await get(base, '/api/tab/me', riley);
        expect(asRiley.body.paused).toEqual({ since: pause.since, by: 'Alex Approver' });
        for (const token of [alex, adele])
          expect((await get(base, '/api/tab/me', token)).body.paused).toEqual({
            since: pause.since,
            by: 'Alex Approver',
            reason: 'incident 42, investigating',
          });
        expect(await count()).toBe(before);
      } finally {
        await h.app.services.pauses.resume(acting, undefined, pause);
      }
    });

    test('when the pause of new access cannot be read, /me still answers: no banner of a pause, the problem said with a correlation id, logged once', async () => {
      const pauses = h.app.services.pauses;
      const current = pauses.current;
      pauses.current = async () => {
        throw new Error('store unavailable: the pause row could not be read');
      };
      try {
        const before = h.logs.lines.length;
        const res = await get(base, '/api/tab/me', riley);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          sees: 'own',
          paused: null,
          pauseUnreadable: { correlationId: expect.any(String) },
        });
        const logged = h.logs.lines
          .slice(before)
          .filter((l) => l.includes('the pause of new access could not be read'));
        expect(logged).toHaveLength(1);
        expect(logged[0]).toContain(res.body.pauseUnreadable.correlationId);
        expect(JSON.stringify(res.body)).not.toContain('store unavailable');
      } finally {
        pauses.current = current;
      }
      expect((await get(base, '/api/tab/me', riley)).body.pauseUnreadable).toBeUndefined();
    });

    test('an approver sees everything: the inventory matrix (acrbot and outside grants), pending requests to approve', async () => {
      const me = await get(base, '/api/tab/me', alex);
      expect(me.body).toMatchObject({ sees: 'all', roles: { approver: true } });
      const matrix = await get(base, '/api/tab/matrix', alex);
      expect(matrix.status).toBe(200);
      expect(matrix.body.clusters.map((c: any) => c.name).sort()).toEqual(['aks-dev', 'aks-legacy', 'aks-prod']);
      expect(matrix.body.registries.length).toBe(4);
      const active = matrix.body.rows.find((r: any) => r.requestId === rileyRequest);
      expect(active).toMatchObject({
        how: 'acrbot-role',
        state: 'active',
        cluster: { name: 'aks-prod' },
        registry: { name: 'contosoacr' },
        requester: { objectId: users.requester.objectId },
        reason: 'deploy payments-api to prod',
      });
      const outside = matrix.body.rows.filter((r: any) => r.how === 'outside-role');
      expect(outside.length).toBeGreaterThan(0);
      for (const r of outside) expect(r.requestId).toBeUndefined();
      // A pending request gives no access: not in the matrix, but in the approver's queue.
      expect(matrix.body.rows.map((r: any) => r.requestId)).not.toContain(oscarRequest);
      const mine = await get(base, '/api/tab/my-access', alex);
      expect(mine.body.approvals.map((r: any) => r.requestId)).toEqual([oscarRequest]);
      const rileys = await get(base, '/api/tab/my-access', riley);
      expect(rileys.body.approvals).toEqual([]);
      expect(rileys.body.grants.map((r: any) => r.requestId)).toEqual([rileyRequest]);
    });
  });

  describe('the matrix: paged, and read from Azure at most once per ACRBOT_TAB_INVENTORY_TTL unless something changed here', () => {
    const armCalls = () => h.app.sandbox!.arm.requests.length;

    test('pages in a stable order add up to the whole matrix; the axes come with the first page', async () => {
      const whole = await get(base, '/api/tab/matrix', alex);
      expect(whole.body.total).toBe(whole.body.rows.length);
      expect(whole.body.total).toBeGreaterThan(1);
      expect(whole.body.nextOffset).toBeUndefined();
      const keys: string[] = [];
      let offset: number | undefined = 0;
      let pages = 0;
      while (offset !== undefined) {
        const page: { status: number; body: any } = await get(base, `/api/tab/matrix?offset=${offset}&limit=1`, alex);
        expect(page.status).toBe(200);
        expect(page.body.rows.length).toBe(1);
        expect(page.body.generatedAt).toBe(whole.body.generatedAt);
        if (offset > 0) expect(page.body.clusters).toEqual([]);
        else expect(page.body.clusters).toEqual(whole.body.clusters);
        keys.push(...page.body.rows.map((r: any) => r.key));
        offset = page.body.nextOffset;
        pages += 1;
      }
      expect(pages).toBe(whole.body.total);
      expect(keys).toEqual(whole.body.rows.map((r: any) => r.key));
    });

    test.each([
      'limit=0',
      'limit=1001',
      'limit=2.5',
      'offset=-1',
      'offset=abc',
      'offset=0x1',
      'limit=1e3',
      'offset=%20',
    ])('%s → 400, no rows', async (q) => {
      const res = await get(base, `/api/tab/matrix?${q}`, alex);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^(limit|offset) must be a whole number/);
      expect(res.body).not.toHaveProperty('rows');
    });

    test('a grant being revoked is still in "Your active access", as being revoked, with no Extend or Revoke', async () => {
      const request = await h.requestGrant(users.requester, 'aks-legacy contosoacr batch pulls for the report');
      await h.click(users.approver, 'approve', { requestId: request.id });
      const granted = await h.settle(request.id);
      await h.app.store.update(transition(granted, { type: 'beginRevoke', at: new Date() }));
      const mine = await get(base, '/api/tab/my-access', riley);
      expect(mine.body.grants.find((r: any) => r.requestId === request.id)).toMatchObject({
        state: 'revoking',
        revokingSince: expect.any(String),
        canExtend: false,
        canRevoke: false,
      });
    });

    test('a second load within the TTL makes no ARM call; a revoke here drops the copy and the next load shows it', async () => {
      const request = await h.requestGrant(users.requester, 'aks-dev contosoacr nightly payments build');
      await h.click(users.approver, 'approve', { requestId: request.id });
      await h.settle(request.id);
      // The grant's outcome dropped the copy: this load reads Azure and shows the new grant.
      let calls = armCalls();
      const first = await get(base, '/api/tab/matrix', alex);
      expect(armCalls()).toBeGreaterThan(calls);
      expect(first.body.rows.find((r: any) => r.requestId === request.id)).toMatchObject({ state: 'active' });
      calls = armCalls();
      const second = await get(base, '/api/tab/matrix', alex);
      expect(armCalls()).toBe(calls);
      expect(second.body.generatedAt).toBe(first.body.generatedAt);

      const revoked = await post(base, `/api/tab/requests/${request.id}/revoke`, riley, { reason: 'build moved away' });
      expect(revoked.status).toBe(200);
      const after = await get(base, '/api/tab/matrix', alex);
      expect(armCalls()).toBeGreaterThan(calls);
      const row = after.body.rows.find((r: any) => r.requestId === request.id);
      expect(row?.state ?? 'gone').not.toBe('active');
      // Its history says who ended it, when and why (the outcome still says what was granted).
      const history = await get(base, `/api/tab/requests/${request.id}`, riley);
      expect(history.body.ended).toEqual({
        at: expect.any(String),
        by: { objectId: users.requester.objectId, name: users.requester.name },
        reason: 'build moved away',
      });
      expect(history.body.row).toMatchObject({ state: 'revoked', endedAt: history.body.ended.at });
    });
  });
});
