/**
 * Per-user views of a request waiting for a quorum (G18, CONTRACTS §7a): an approver whose
 * approval counts already sees Reject only and how many approvals are awaited (a second Approve
 * is only refused: "You already approved request …"), and their Reject still rejects; the
 * other approver sees both buttons, the requester neither. `pending R-…` posts a copy whose
 * per-user view for its caller is this same view.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { invokeText, postedCopy, refreshView, verbs } from '../helpers/card-views';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import type { TeamsUser } from '../helpers/teams-activities';

const sam = SANDBOX_USERS.secondApprover as TeamsUser;

const POLICY = `version: 1
rules:
  - id: prod-two
    match: {}
    approvers: { name: Platform Approvers, users: ["${SANDBOX_USERS.approver.objectId}", "${sam.objectId}"] }
    approvalsRequired: 2
`;

/** The line under the state of their own view, naming the typed withdraw too. */
const waiting = (id: string) =>
  `You approved; waiting for 1 more approval from someone else. You can withdraw your approval (or type "@acrbot withdraw ${id}"), or still reject it.`;

describe('per-user views of a request waiting for a quorum', () => {
  let h: Harness;
  const temp = new TempDirs();
  afterEach(async () => {
    try {
      await h?.stop();
    } finally {
      temp.removeAll();
    }
  });
  const start = async () => {
    const policy = join(temp.make('acrbot-quorum-views-'), 'policy.yaml');
    writeFileSync(policy, POLICY);
    return startHarness({ ACRBOT_POLICY: policy });
  };
  const refresh = (user: TeamsUser, requestId: string) => refreshView(h, user, requestId);

  test('after one approval: its approver sees Reject and the count, the other approver both, the requester neither', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request.policy).toMatchObject({ ruleId: 'prod-two', approvalsRequired: 2 });
    expect(verbs(await refresh(users.approver, request.id))).toEqual(['approve', 'reject']);

    const first = await h.click(users.approver, 'approve', { requestId: request.id });
    // The click is answered with their own view already.
    expect(verbs(first)).toEqual(['withdrawApproval', 'reject']);
    expect(invokeText(first)).toContain(waiting(request.id));

    const mine = await refresh(users.approver, request.id);
    expect(mine.status).toBe(200);
    expect(verbs(mine)).toEqual(['withdrawApproval', 'reject']);
    expect(invokeText(mine)).toContain(waiting(request.id));
    expect(invokeText(mine)).toContain('1 of 2 so far: Alex Approver');

    const other = await refresh(sam, request.id);
    expect(verbs(other)).toEqual(['approve', 'reject']);
    expect(invokeText(other)).not.toContain('You approved');

    expect(verbs(await refresh(users.requester, request.id))).toEqual(['cancel']);

    // A forged or stale Approve from them is still refused, and answered with the same view.
    const twice = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(twice)).toMatch(/You already approved request/);
    expect(verbs(twice)).toEqual(['withdrawApproval', 'reject']);
  });

  test('the Reject they still see works: one rejection rejects, even from someone who approved', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // The card their approval is answered with (what they now see): Reject offered, with the
    // comment input it reads, and no Approve.
    const seen = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(verbs(seen)).toEqual(['withdrawApproval', 'reject']);
    expect(JSON.stringify(seen.body.value)).toContain('"id":"comment"');
    // They click that card's Reject, which sends its own data with the comment.
    const reject = (seen.body.value.actions as Array<{ verb: string; data: object }>).find((a) => a.verb === 'reject')!;
    const rejected = await h.click(users.approver, 'reject', { ...reject.data, comment: 'wrong registry' });
    expect(rejected.status).toBe(200);
    const stored = await h.app.store.get(request.id);
    expect(stored).toMatchObject({ state: 'rejected', decision: { approved: false, reason: 'wrong registry' } });
    expect(stored!.decision!.by.objectId).toBe(users.approver.objectId);
    expect(verbs(rejected)).toEqual([]);
  });

  test('pending R-… by an approver who approved: the copy names them for a view, and that view has Reject only', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const copy = await postedCopy(h, users.approver, `pending ${request.id}`, request.id, 'personal');
    const card = copy.activity.attachments[0].content;
    // As posted, read-only; their client fetches their own view (the refresh below).
    expect(card.actions ?? []).toEqual([]);
    expect(card.refresh.userIds).toContain(users.approver.teamsId);
    const view = await refresh(users.approver, request.id);
    expect(verbs(view)).toEqual(['withdrawApproval', 'reject']);
    expect(invokeText(view)).toContain(waiting(request.id));
  });
});
