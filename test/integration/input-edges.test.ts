/**
 * Input at its edges, through the real app over HTTP (sandbox mode): reasons and reject comments
 * that only look like text, `access` with a name that is neither kind, `--break-glass` after the
 * reason, `--repositories` naming nothing, Teams display names carrying bidi controls, card
 * fields longer than they may be, and the reference given when the approval card cannot be
 * posted. Each bad input gets a clear answer and changes nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, SignJWT } from 'jose';
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_ONCALL_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { entraTrust } from '../../src/tab/issuer-trust';
import { validateSsoToken } from '../../src/tab/sso-token';
import { TEAMS_CLIENT_IDS, tabAudiences } from '../../src/tab/tab-auth';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

/** Every character a card answer shows or holds, as one string. */
const shown = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

describe('input edges', () => {
  let h: Harness;

  beforeAll(async () => {
    // Many refused and a few stored requests from the same people: no rate limit in the way.
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000', ACRBOT_MAX_PENDING_PER_USER: '50' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Every request in the store, whatever its state. */
  const allRequests = () =>
    h.app.store.listByState(
      ['pending', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'expired', 'cancelled', 'revoked'],
      1000,
    );
  /** Audit entries written after `seq`. */
  const auditSince = async (seq: number): Promise<AuditEntry[]> =>
    (await h.app.audit.latest(200)).filter((e) => e.seq > seq);
  const lastSeq = async (): Promise<number> => (await h.app.audit.latest(1))[0]?.seq ?? 0;
  /**
   * `grant ARGS` in the channel, and the request its plan card names: found by its reason, which
   * is unique per test (a card of an earlier test's request may still be arriving).
   */
  async function grant(user: TeamsUser, args: string): Promise<AccessRequest> {
    const reason = args.split(' ').slice(2).join(' ');
    const before = h.connector.calls.length;
    expect((await h.say(user, `grant ${args}`)).status).toBe(200);
    const plan = await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        c.op !== 'update' &&
        cardText(c.activity).includes(reason) &&
        /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      10_000,
      `the plan card of "${reason}"`,
    );
    const request = await h.app.store.get(/R-[2-9A-Z]{8}/.exec(cardText(plan.activity))![0]);
    expect(request?.reason).toBe(reason);
    return request!;
  }

  test.each([
    ['Hangul filler U+3164', '\u3164'],
    ['braille blank U+2800', '\u2800'],
    ['variation selector U+FE0F', '\uFE0F'],
    ['combining grapheme joiner U+034F', '\u034F'],
    ['Hangul choseong filler U+115F', '\u115F'],
    ['halfwidth Hangul filler U+FFA0', '\uFFA0'],
  ])('a reason of 8 × %s is refused like a blank one; nothing is stored', async (_name, ch) => {
    const before = (await allRequests()).length;
    const answer = await h.ask(users.requester, `grant aks-prod contosoacr ${ch.repeat(8)}`);
    expect(answer).toContain('A reason of at least 8 characters is required');
    expect(await allRequests()).toHaveLength(before);
  });

  test('Reject with a comment of invisible characters asks for a reason and changes nothing, on the card and in RequestService', async () => {
    const request = await grant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const comment of ['\u200b', '\u3164\u3164\u3164\u3164', '\u2800 \u202e\u2066', ' \u200d ']) {
      const res = await h.click(users.approver, 'reject', { requestId: request.id, comment });
      expect(res.status).toBe(200);
      expect(shown(res)).toContain('Type the reason for rejecting');
    }
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    // Defence in depth: any other caller of the service gets the same refusal, audited.
    const direct = await h.app.services.requests.decide({
      requestId: request.id,
      acting: { actor: { objectId: users.approver.objectId, name: users.approver.name }, tenantId: request.tenantId },
      approve: false,
      reason: '\u200b\u3164',
    });
    expect(direct).toMatchObject({ kind: 'refused', reason: 'justification' });
    expect(direct.kind === 'refused' && direct.message).toMatch(/^Type the reason for rejecting/);
    const after = (await h.app.store.get(request.id))!;
    expect(after.state).toBe('pending');
    expect(after.decision).toBeUndefined();
    const actions = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(actions).not.toContain('request.rejected');
    // Every refusal is audited (G11): the four clicks as well as the direct call.
    expect(actions.filter((a) => a === 'approval.refused.justification')).toHaveLength(5);
    // A real reason still rejects, stored as cleaned.
    const res = await h.click(users.approver, 'reject', {
      requestId: request.id,
      comment: 'wrong\u200b registry\u202e',
    });
    expect(res.status).toBe(200);
    const rejected = (await h.app.store.get(request.id))!;
    expect(rejected.state).toBe('rejected');
    expect(rejected.decision?.reason).toBe('wrong registry');
  });

  test('an over-long Reject or Approve comment is named as such, not as a bad card; nothing changes', async () => {
    const request = await grant(users.requester, 'aks-prod contosoacr deploy billing-api');
    const seq = await lastSeq();
    for (const verb of ['reject', 'approve']) {
      const res = await h.click(users.approver, verb, { requestId: request.id, comment: 'x'.repeat(2001) });
      expect(res.status).toBe(200);
      const text = shown(res);
      expect(text).toContain('The comment is 2001 characters long; keep it under 500');
      expect(text).not.toContain('did not carry a valid request id');
    }
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    const entries = await auditSince(seq);
    expect(entries.map((e) => e.outcome)).not.toContain('badCardData');
    expect(entries.filter((e) => e.action === 'validation.failed')).toEqual([
      expect.objectContaining({ requestId: request.id, outcome: 'validation.tooLong' }),
      expect.objectContaining({ requestId: request.id, outcome: 'validation.tooLong' }),
    ]);
    // RequestService refuses one too rather than cutting it.
    await expect(
      h.app.services.requests.decide({
        requestId: request.id,
        acting: { actor: { objectId: users.approver.objectId, name: users.approver.name }, tenantId: request.tenantId },
        approve: true,
        reason: 'y'.repeat(501),
      }),
    ).rejects.toThrow('The comment is 501 characters long; keep it under 500');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  });

  test.each(['aks-prd', 'aks_prod2', 'nosuchregistry1'])(
    '`access %s`: neither a cluster nor a registry, whether or not it could name a registry',
    async (name) => {
      const answer = await h.ask(users.approver, `access ${name}`);
      expect(answer).toContain(`Neither a cluster nor a registry named ${name} was found`);
      expect(answer).not.toContain('is not a valid registry name');
    },
  );

  test.each([
    'grant aks-prod contosoacr test --break-glass alerting path',
    'grant aks-prod contosoacr prod is down --break-glass',
  ])('%s: --break-glass after a word of the reason is refused; nothing is requested', async (text) => {
    const before = (await allRequests()).length;
    const answer = await h.ask(users.requester, text);
    expect(answer).toContain('--break-glass goes before the reason');
    expect(await allRequests()).toHaveLength(before);
  });

  test('`--repositories ,` is refused, not read as every repository; nothing is requested', async () => {
    const before = (await allRequests()).length;
    const answer = await h.ask(users.requester, 'secret aks-dev contosoacr --repositories , pull for payments-api');
    expect(answer).toContain('--repositories names no repository');
    expect(await allRequests()).toHaveLength(before);
  });

  test('a Teams display name with bidi controls, zero-width characters and a line break is stored and shown cleaned', async () => {
    const rita: TeamsUser = { ...users.requester, name: 'Rita\u202E Requester\u200B\n\u2066Approved by CISO\u2069' };
    // Another cluster: Rita is the requester (one object id), whose aks-prod grant still waits.
    const request = await grant(rita, 'aks-dev contosoacr deploy payments-web');
    expect(request.requester.name).toBe('Rita Requester Approved by CISO');
    const created = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.created')!;
    expect(created.actor.name).toBe('Rita Requester Approved by CISO');
    // Cards only: the message mentioning the approvers beside the approval card names them, not Rita.
    const cards = h.connector.calls.filter((c) => c.activity.attachments && cardText(c.activity).includes(request.id));
    expect(cards.length).toBeGreaterThan(0);
    // The cards only: the reply's `recipient` is Teams' own addressing, echoed as it came.
    for (const c of cards)
      expect(JSON.stringify(c.activity.attachments)).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
  });

  test('the grant form: a field over its limit is named with its limit, not "not understood"; nothing is planned', async () => {
    const seq = await lastSeq();
    const before = (await allRequests()).length;
    const cases: Array<[Record<string, string>, string]> = [
      [
        { cluster: 'aks-prod', registry: 'contosoacr', reason: 'r'.repeat(2001) },
        'The reason is 2001 characters long; keep it under 500.',
      ],
      [
        { cluster: 'c'.repeat(401), registry: 'contosoacr', reason: 'deploy payments-api' },
        'The cluster is 401 characters long; a name, resourceGroup/name or resource id fits in 400.',
      ],
      [
        { cluster: 'aks-prod', registry: 'r'.repeat(401), reason: 'deploy payments-api' },
        'The registry is 401 characters long',
      ],
    ];
    for (const [fields, message] of cases) {
      const res = await h.click(users.requester, 'grantForm', { form: 'grant', ...fields });
      expect(res.status).toBe(200);
      const text = shown(res);
      expect(text).toContain(message);
      expect(text).not.toContain('not understood');
      expect(text).not.toContain('Planning your request');
    }
    expect(await allRequests()).toHaveLength(before);
    expect((await auditSince(seq)).filter((e) => e.action === 'validation.failed').map((e) => e.outcome)).toEqual([
      'validation.tooLong',
      'validation.tooLong',
      'validation.tooLong',
    ]);
  });

  test('an approval card that cannot be posted: the requester gets the reference the log line carries', async () => {
    h.connector.refusing.add('19:sandbox-approvals');
    try {
      const before = h.connector.calls.length;
      const request = await grant(users.outsider, 'aks-prod contosoacr deploy reports-api');
      const told = await h.connector.waitFor(
        (c) =>
          h.connector.calls.indexOf(c) >= before &&
          cardText(c.activity).includes(`approvers can still find request ${request.id}`),
        5000,
        'the requester told',
      );
      const logged = h.logs
        .entries()
        .filter((e) => e.msg === 'approval card could not be posted' && e.requestId === request.id);
      expect(logged).toHaveLength(1);
      const reference = logged[0].correlationId as string;
      expect(reference).toMatch(/^turn-/);
      expect(cardText(told.activity)).toContain(`Reference for the platform team: ${reference}.`);
    } finally {
      h.connector.refusing.clear();
    }
  });
});

describe('a break-glass review: Reject (which revokes) needs a readable reason too', () => {
  const temp = new TempDirs();
  let h: Harness | undefined;
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      temp.removeAll();
    }
  });

  test('Reject with an invisible comment asks for a reason; the grant stays, no review is recorded', async () => {
    const policy = join(temp.make('acrbot-input-edges-'), 'policy.yaml');
    writeFileSync(
      policy,
      `version: 1
rules:
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
`,
    );
    h = await startHarness({ ACRBOT_POLICY: policy });
    const olive = SANDBOX_USERS.oncall as TeamsUser;
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, pulls failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const res = await h.click(users.approver, 'reject', { requestId: request.id, comment: '\u200b\u3164' });
    expect(shown(res)).toContain('Type the reason for rejecting');
    const direct = await h.app.services.requests.decide({
      requestId: request.id,
      acting: { actor: { objectId: users.approver.objectId, name: users.approver.name }, tenantId: request.tenantId },
      approve: false,
      reason: '\u2800\u200b',
    });
    expect(direct).toMatchObject({ kind: 'refused', reason: 'justification' });
    const after = (await h.app.store.get(request.id))!;
    expect(after.state).toBe('succeeded');
    expect(after.policy?.review?.outcome).toBeUndefined();
    const actions = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(actions).not.toContain('breakglass.review.rejected');
    // The click and the direct call, each audited (G11).
    expect(actions.filter((a) => a === 'breakglass.review.refused.justification')).toHaveLength(2);
  });
});

describe('Teams SSO: the name claim is cleaned like a Teams display name', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const APP_ID = '6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21';
  const USER = 'aaaaaaaa-0000-4000-8000-000000000001';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  async function userFor(name: string): Promise<{ name: string }> {
    const keys = createLocalJWKSet({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
    });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: `api://acrbot.example.com/${APP_ID}`,
      tid: TENANT,
      oid: USER,
      name,
      scp: 'access_as_user',
      azp: TEAMS_CLIENT_IDS[1],
      iat: now,
      nbf: now,
      exp: now + 3600,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(privateKey);
    return validateSsoToken(`Bearer ${token}`, {
      trust: entraTrust({ allowedTenantIds: [TENANT], keySet: () => keys }),
      audiences: tabAudiences('acrbot.example.com', APP_ID),
      allowedTenantIds: [TENANT],
      allowedClientIds: [...TEAMS_CLIENT_IDS],
    });
  }

  test.each([
    ['Megan\u202E Bowen', 'Megan Bowen'],
    ['Megan\u200B\nBowen\u2069', 'Megan Bowen'],
    ['\u3164\u200B\u202E', USER],
  ])('%j → %j', async (claim, kept) => {
    expect((await userFor(claim)).name).toBe(kept);
  });
});
