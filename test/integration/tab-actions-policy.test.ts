/**
 * The tab's Revoke and Extend under a policy with several rules (G18 with the tab): the same
 * rules as chat, decided by the request's own rule. An approver of another rule sees no Revoke
 * button (in the drawer and in list rows alike) and is refused (403, nothing changes); an extension's approval card goes to its rule's
 * channel; an extension the policy auto-approves runs at once and moves the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { tabCall as call, tabToken } from '../helpers/tab-call';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const PROD_CHANNEL = '19:prod-approvals@thread.tacv2';
const megan = SANDBOX_USERS.secondApprover as TeamsUser;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// Megan is in the approver group (an approver of prod-two) but not named by the default rule.
const POLICY = `version: 1
rules:
  - id: prod-two
    match: { cluster: "aks-prod*", registry: "contoso*", clusterTags: { env: prod } }
    approvers: { name: Platform Approvers, groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    approvalsRequired: 2
    maxDuration: 14d
    channel: "${PROD_CHANNEL}"
  - id: dev-auto
    match: { clusterTags: { env: dev } }
    autoApprove: { maxDuration: 7d }
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
`;

describe('tab actions under a policy with several rules', () => {
  let h: Harness;
  let dir: string;
  let tokens: Record<'riley' | 'alex' | 'megan', string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-tab-policy-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const issue = (user: string) => tabToken(h, user);
    tokens = { riley: await issue('requester'), alex: await issue('approver'), megan: await issue('secondApprover') };
  });
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an approver under another rule sees no Revoke in the drawer and is refused (403); the request's own approver may", async () => {
    const request = await h.requestGrant(users.requester, 'aks-legacy contosoacr nightly batch pulls');
    expect(request.policy?.ruleId).toBe('default');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');

    const asMegan = await call(h.app.url, `/api/tab/requests/${request.id}`, tokens.megan);
    expect(asMegan.status).toBe(200);
    expect(asMegan.body.row).toMatchObject({ canRevoke: false, canExtend: false });
    const refused = await call(h.app.url, `/api/tab/requests/${request.id}/revoke`, tokens.megan, {
      reason: 'not my rule to revoke',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('revoke.notAllowed');
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');

    const asAlex = await call(h.app.url, `/api/tab/requests/${request.id}`, tokens.alex);
    expect(asAlex.body.row).toMatchObject({ canRevoke: true, canExtend: false });
    const own = await call(h.app.url, `/api/tab/requests/${request.id}`, tokens.riley);
    expect(own.body.row).toMatchObject({ canRevoke: true, canExtend: true });
    // No rule limit: the deployment's (ACRBOT_MIN/MAX_ACCESS_DURATION).
    expect(own.body.row.extendRange).toEqual({ minMs: HOUR_MS, maxMs: 90 * DAY_MS });
    // Only the requester is offered terms.
    expect(asAlex.body.row.extendRange).toBeUndefined();
  });

  test("list rows follow the same rule as the drawer: Revoke for the requester and the request's own approvers only", async () => {
    const request = await h.requestGrant(users.requester, 'aks-legacy contosoacr --for 2d weekly batch pulls');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const rowOf = async (token: string) => {
      const matrix = await call(h.app.url, '/api/tab/matrix', token);
      expect(matrix.status).toBe(200);
      const rows = matrix.body.rows.filter((r: { requestId?: string }) => r.requestId === request.id);
      expect(rows).toHaveLength(1);
      return rows[0];
    };
    // Megan approves under prod-two only: she sees the row but no Revoke, as in the drawer.
    expect(await rowOf(tokens.megan)).toMatchObject({ canRevoke: false, canExtend: false });
    expect(await rowOf(tokens.alex)).toMatchObject({ canRevoke: true, canExtend: false });
    expect(await rowOf(tokens.riley)).toMatchObject({ canRevoke: true, canExtend: true });
    const mine = await call(h.app.url, '/api/tab/my-access', tokens.riley);
    expect(mine.body.grants.find((r: { requestId?: string }) => r.requestId === request.id)).toMatchObject({
      canRevoke: true,
      canExtend: true,
    });
  });

  test("an extension from the tab is bound to its rule: the approval card goes to the rule's channel", async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.click(megan, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    // The drawer offers terms up to the rule's maxDuration (a longer one is refused).
    const own = await call(h.app.url, `/api/tab/requests/${request.id}`, tokens.riley);
    expect(own.body.row.extendRange).toEqual({ minMs: HOUR_MS, maxMs: 14 * DAY_MS });
    const before = h.connector.calls.length;
    const res = await call(h.app.url, `/api/tab/requests/${request.id}/extend`, tokens.riley, {
      duration: '7d',
      reason: 'payments release slipped a week',
    });
    expect(res.status).toBe(202);
    const extension = (await h.app.store.get(res.body.requestId))!;
    expect(extension).toMatchObject({ state: 'pending', extendsRequestId: request.id, policy: { ruleId: 'prod-two' } });
    const posted = h.connector.calls
      .slice(before)
      .find(
        (c) => c.op !== 'update' && c.conversationId === PROD_CHANNEL && cardText(c.activity).includes(extension.id),
      );
    expect(posted).toBeDefined();
    expect(cardText(posted!.activity)).toContain('Rule prod-two: needs 2 approvals');
  });

  test('an extension the policy auto-approves runs at once and moves the end', async () => {
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr --for 1d dev pulls');
    const granted = await h.settle(request.id);
    expect(granted.decision?.by.name).toBe('rule dev-auto');
    // Up to the auto-approval's cap: a longer term would be cut to it.
    const own = await call(h.app.url, `/api/tab/requests/${request.id}`, tokens.riley);
    expect(own.body.row.extendRange).toEqual({ minMs: HOUR_MS, maxMs: 7 * DAY_MS });
    const res = await call(h.app.url, `/api/tab/requests/${request.id}/extend`, tokens.riley, {
      duration: '7d',
      reason: 'dev environment stays a week',
    });
    expect(res.status).toBe(202);
    expect(res.body.message).toContain('approved it at once');
    const extension = await h.settle(res.body.requestId);
    expect(extension.state).toBe('succeeded');
    const moved = (await h.app.store.get(request.id))!;
    expect(moved.access).toMatchObject({ expiresAt: extension.access!.expiresAt, extendedBy: [extension.id] });
    expect(Date.parse(moved.access!.expiresAt!)).toBeGreaterThan(Date.parse(granted.access!.expiresAt!));
  });
});
