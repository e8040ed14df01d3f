/**
 * A request's history in the tab (`GET /api/tab/requests/:id`) on the real app in sandbox mode,
 * by who reads it (history-entries.ts). Its requester, who sees only their own requests, reads
 * what their chat cards tell them: its course, who approved (the decision's comment, as the
 * card quotes it, not each approval's) and their own entries, never a colleague's refused
 * `status R-…` or Approve click. An approver reads every entry of the request's tenant; nobody
 * reads an entry of another tenant's user (a foreign Approve click, `approval.refused.tenant`),
 * as chat's `audit R-…` leaves those out.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import { tabCall as call, tabToken } from '../helpers/tab-call';
import { cardAction, postActivity, type TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { OTHER_TENANT } from '../helpers/tenant-b';

const sam = SANDBOX_USERS.secondApprover as TeamsUser;
/** A user of the other allowed tenant, who clicks Approve on a card forwarded to them. */
const fiona: TeamsUser = {
  objectId: '0b000000-0000-4000-8000-00000000fff9',
  name: 'Fiona OtherTenant',
  teamsId: '29:fiona-other-tenant',
};

const POLICY = `version: 1
rules:
  - id: prod-two
    match: {}
    approvers: { name: Platform Approvers, users: ["${SANDBOX_USERS.approver.objectId}", "${sam.objectId}"] }
    approvalsRequired: 2
`;

const ALEX_COMMENT = 'ALEX-ONLY note: Riley is on probation';
const SAM_COMMENT = 'SAM decided: fine for the release';

describe("tab: a request's history, by who reads it", () => {
  const temp = new TempDirs();
  let h: Harness;
  let id: string;
  let riley: string;
  let alex: string;

  beforeAll(async () => {
    const policy = join(temp.make('acrbot-tab-history-'), 'policy.yaml');
    writeFileSync(policy, POLICY);
    h = await startHarness({ ACRBOT_POLICY: policy, ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` });
    id = (await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod')).id;
    // Riley's own refused click (a requester cannot approve their own request) …
    await h.click(users.requester, 'approve', { requestId: id });
    // … a colleague's `status R-…` and Approve, refused …
    await h.turnReplies(users.outsider, `status ${id}`, 'personal');
    await h.click(users.outsider, 'approve', { requestId: id });
    // … a user of another tenant's Approve, refused across the boundary …
    await postActivity(
      h.app.url,
      cardAction(fiona, 'approve', { requestId: id }, { serviceUrl: h.serviceUrl, tenantId: OTHER_TENANT }),
    );
    // … and the quorum: Alex's approval with a comment, then Sam's, which decides.
    await h.click(users.approver, 'approve', { requestId: id, comment: ALEX_COMMENT });
    await h.click(sam, 'approve', { requestId: id, comment: SAM_COMMENT });
    expect((await h.settle(id)).state).toBe('succeeded');
    [riley, alex] = await Promise.all(['requester', 'approver'].map((user) => tabToken(h, user)));
  });
  afterAll(async () => {
    try {
      await h?.stop();
    } finally {
      temp.removeAll();
    }
  });

  const entries = (body: any) => body.audit.map((e: any) => `${e.action} ${e.actor.name}`);

  test('the trail holds what these steps wrote (so the cuts below are real)', async () => {
    const trail = await h.app.audit.forRequest(id);
    expect(trail.map((e) => `${e.action} ${e.actor.name}`)).toEqual(
      expect.arrayContaining([
        'status.refused Oscar Outsider',
        'approval.refused.notApprover Oscar Outsider',
        'approval.refused.tenant Fiona OtherTenant',
        'approval.recorded Alex Approver',
      ]),
    );
    expect(trail.find((e) => e.action === 'approval.refused.tenant')!.tenantId).toBe(OTHER_TENANT);
    expect(trail.filter((e) => e.actor.objectId === users.requester.objectId).map((e) => e.action)).toEqual(
      expect.arrayContaining(['request.created', expect.stringMatching(/^approval\.refused\./)]),
    );
  });

  test("its requester reads its course, who decided and their own entries; no one else's refusals or comments", async () => {
    const res = await call(h.app.url, `/api/tab/requests/${id}`, riley);
    expect(res.status).toBe(200);
    // Nothing of the colleague, of the other tenant's user, or of Alex's comment, anywhere.
    for (const hidden of [
      users.outsider.objectId,
      users.outsider.name,
      fiona.objectId,
      fiona.name,
      OTHER_TENANT,
      ALEX_COMMENT,
    ])
      expect(res.text).not.toContain(hidden);
    expect(entries(res.body)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(status\.refused|approval\.refused\.(notApprover|tenant)) /)]),
    );
    // The course: made, approved by both (the card's "Approved by Alex Approver, Megan Developer"),
    // run and granted; and Riley's own refused click.
    expect(entries(res.body)).toEqual(
      expect.arrayContaining([
        'request.created Riley Requester',
        'approval.recorded Alex Approver',
        'request.approved Megan Developer',
        'execution.started acrbot',
        'request.succeeded acrbot',
        expect.stringMatching(/^approval\.refused\.\w+ Riley Requester$/),
      ]),
    );
    // Alex's approval without its comment; the deciding one's, as the card quotes it.
    expect(res.body.audit.find((e: any) => e.action === 'approval.recorded')).not.toHaveProperty('detail');
    expect(res.body.audit.find((e: any) => e.action === 'request.approved').detail).toBe(SAM_COMMENT);
    expect(res.body.decision).toMatchObject({ by: { name: sam.name }, approved: true, reason: SAM_COMMENT });
    expect(res.body.approvals).toEqual([
      { by: { objectId: users.approver.objectId, name: users.approver.name }, at: expect.any(String) },
      { by: { objectId: sam.objectId, name: sam.name }, at: expect.any(String) },
    ]);
    expect(res.body.azureRequestIds.length).toBeGreaterThan(0);
  });

  test("an approver reads every entry of the request's tenant, comments and refusals too, but not the other tenant's", async () => {
    const res = await call(h.app.url, `/api/tab/requests/${id}`, alex);
    expect(res.status).toBe(200);
    expect(entries(res.body)).toEqual(
      expect.arrayContaining([
        'status.refused Oscar Outsider',
        'approval.refused.notApprover Oscar Outsider',
        'approval.recorded Alex Approver',
      ]),
    );
    expect(res.body.audit.find((e: any) => e.action === 'approval.recorded').detail).toBe(ALEX_COMMENT);
    expect(res.body.approvals.map((a: any) => a.reason)).toEqual([ALEX_COMMENT, SAM_COMMENT]);
    for (const hidden of [fiona.objectId, fiona.name, OTHER_TENANT]) expect(res.text).not.toContain(hidden);
    expect(res.body.audit.every((e: any) => e.action !== 'approval.refused.tenant')).toBe(true);
  });
});
