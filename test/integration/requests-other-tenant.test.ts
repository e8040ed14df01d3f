/**
 * A request of an allowed tenant other than acrbot's own (G2, own-tenant.ts): nobody in acrbot's
 * directory may decide it, and its Azure is acrbot's tenant's, so it is refused when it is made,
 * with words saying why and what to do, audited (`request.refused.otherTenant`, in the
 * requester's tenant) and nothing stored, announced or granted. So under a rule that needs
 * approvers (it would wait, unseen by anyone who may decide it, until it expires), under an
 * auto-approving rule (it would put another tenant's people on this tenant's registry, where this
 * tenant's approvers cannot end it) and with `--break-glass`. The same asks of acrbot's own
 * tenant are served as before. What tenant B's people may still read does not mislead them:
 * `policy` says their requests are refused instead of a rule (and this tenant's approver groups)
 * that will never apply to them, and `audit verify` says its count is every organisation's.
 * The tab answers their Extend 403 (not theirs to do, as chat refuses it), in the same words.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { SANDBOX_APPROVER_GROUP_ID, SANDBOX_ONCALL_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { tabCall } from '../helpers/tab-call';
import {
  answerInTenantB,
  bea,
  OTHER_TENANT,
  recordedForTenantB,
  SERVING_TENANT_B,
  tabTokenInTenantB,
} from '../helpers/tenant-b';
import { TempDirs } from '../helpers/temp-dirs';

/** The on-call member's object id, in a payload of tenant B: break-glass is not applied there either. */
const olive = SANDBOX_USERS.oncall as TeamsUser;

const POLICY = `version: 1
rules:
  - id: dev-auto
    match: { cluster: aks-dev }
    autoApprove: { maxDuration: 7d }
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
  - id: default
    match: {}
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
`;
const REFUSED =
  /acrbot's approvers are people of its own organisation's directory \(tenant [0-9a-f-]+\), and you are signed in to Teams as a user of another tenant/;

describe("requests of another allowed tenant than acrbot's own", () => {
  const tempDirs = new TempDirs();
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      ...SERVING_TENANT_B,
      ACRBOT_POLICY: writePolicyFile(tempDirs.make('acrbot-other-tenant-'), POLICY),
      // Bea audits: `audit verify` goes to any auditor, whatever their tenant.
      ACRBOT_AUDITORS: bea.objectId,
    });
  });
  afterAll(async () => {
    await h?.stop();
    tempDirs.removeAll();
  });

  /** What acrbot answers `user` in tenant B's channel for `text`. */
  const inTenantB = (user: TeamsUser, text: string): Promise<string> => answerInTenantB(h, user, text, 'channel');
  const refusals = async (who: TeamsUser): Promise<AuditEntry[]> =>
    (await h.app.audit.latest(10_000)).filter(
      (e) => e.action === 'request.refused.otherTenant' && e.actor.objectId === who.objectId,
    );

  test.each([
    ['an auto-approving rule', 'grant aks-dev contosoacr nightly batch pulls', bea],
    ['a rule that needs approvers', 'grant aks-prod contosoacr deploy payments-api to prod', bea],
    ['--break-glass', 'grant aks-prod contosoacr --break-glass prod is down, image pull failing', olive],
  ])('under %s: refused when made, audited, nothing stored or granted', async (_, text, who) => {
    const before = (await refusals(who)).length;
    const assignments = h.app.sandbox!.arm.state.roleAssignments.values().length;
    const answer = await inTenantB(who, text);
    expect(answer).toMatch(REFUSED);
    expect(answer).toContain('with a guest account');
    expect(await h.app.store.listByRequester(who.objectId, ['pending', 'approved', 'succeeded'], 10)).toEqual([]);
    expect(h.app.sandbox!.arm.state.roleAssignments.values().length).toBe(assignments);
    const entries = await refusals(who);
    expect(entries).toHaveLength(before + 1);
    expect(entries[entries.length - 1]).toMatchObject({ tenantId: OTHER_TENANT, outcome: 'refused' });
  });

  test('refused before the form or the first question, as a pause refuses', async () => {
    for (const text of ['grant', 'grant aks-dev']) {
      const before = (await refusals(bea)).length;
      const answer = await inTenantB(bea, text);
      expect(answer).toMatch(REFUSED);
      expect(await refusals(bea)).toHaveLength(before + 1);
    }
  });

  test("an extension of tenant B's grant filed by an earlier release: refused, its end kept", async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr tenant b nightly pulls');
    const made = await recordedForTenantB(h, done);
    const answer = await inTenantB(bea, `extend ${made.id} --for 7d still pulling`);
    expect(answer).toMatch(REFUSED);
    const after = (await h.app.store.get(made.id))!;
    expect(after.access?.expiresAt).toBe(done.access?.expiresAt);
    expect(await h.app.store.listByRequester(bea.objectId, ['pending', 'approved'], 10)).toEqual([]);
  });

  test("the tab's Extend of tenant B's grant: 403 in the refusal's words (not yours to do, not the request's state), nothing changed", async () => {
    const done = await grantApproved(h, 'aks-prod contosoacr tenant b weekly pulls');
    const made = await recordedForTenantB(h, done);
    // Bea's tab token, of tenant B (an allowed tenant: the tab serves her).
    const token = await tabTokenInTenantB(h, bea);
    const history = await tabCall(h.app.url, `/api/tab/requests/${made.id}`, token);
    expect(history.status).toBe(200);
    // The running app tells the tab its own tenant: her row offers no Extend, and says why.
    expect(history.text).toContain('"otherTenant":true');
    expect(history.text).not.toContain('"canExtend":true');
    const before = (await refusals(bea)).length;
    const posted = await tabCall(h.app.url, `/api/tab/requests/${made.id}/extend`, token, {
      duration: '7d',
      reason: 'still pulling nightly',
    });
    expect(posted.status).toBe(403);
    expect(posted.body).toMatchObject({ error: 'request.otherTenant' });
    expect(posted.body.message).toMatch(REFUSED);
    expect(await refusals(bea)).toHaveLength(before + 1);
    const after = (await h.app.store.get(made.id))!;
    expect(after).toMatchObject({ state: 'succeeded', version: done.version + 1 });
    expect(after.access?.expiresAt).toBe(done.access?.expiresAt);
    expect(await h.app.store.listByRequester(bea.objectId, ['pending', 'approved'], 10)).toEqual([]);
  });

  test("acrbot's own tenant's people are served as before: auto-approved, and a request waits for approvers", async () => {
    const auto = await h.requestGrant(users.requester, 'aks-dev contosoacr nightly batch pulls');
    expect(auto.policy?.autoApproved).toBe(true);
    expect((await h.settle(auto.id)).state).toBe('succeeded');
    const asked = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    expect(asked.state).toBe('pending');
  });

  test('policy: tenant B is told its requests are refused, not the rule, its approvers or its auto-approval', async () => {
    for (const pair of ['aks-dev contosoacr', 'aks-prod contosoacr']) {
      const answer = await inTenantB(bea, `policy ${pair}`);
      expect(answer).toMatch(REFUSED);
      expect(answer).toContain('a request of yours is refused when it is made, whatever rule this pair has');
      expect(answer).not.toContain(SANDBOX_APPROVER_GROUP_ID);
      expect(answer).not.toContain(SANDBOX_ONCALL_GROUP_ID);
      expect(answer).not.toMatch(/automatic|Rule dev-auto|Rule default/);
    }
    // acrbot's own tenant's people read the rule as before.
    const before = h.connector.calls.length;
    await h.say(users.requester, 'policy aks-dev contosoacr');
    const own = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Approval policy for/.test(cardText(c.activity)),
      10_000,
      'the policy card',
    );
    expect(cardText(own.activity)).toContain('automatic (no human needed)');
  });

  test("audit verify: the count is said to be every organisation's, not the reader's", async () => {
    const answer = await inTenantB(bea, 'audit verify');
    const said = /The audit chain is intact, (\d+) entries \(all organisations\)\./.exec(answer);
    expect(said).not.toBeNull();
    // More than tenant B's own: the chain holds acrbot's own tenant's entries too.
    const theirs = (await h.app.audit.latest(10_000)).filter((e) => e.tenantId === OTHER_TENANT).length;
    expect(Number(said![1])).toBeGreaterThan(theirs);
  });
});
