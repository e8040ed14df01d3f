/**
 * `pending` lists the requests waiting for the caller's decision, as RequestService.isApproverOf
 * and the quorum decide them: a request bound to a rule that names the caller is listed even
 * when the policy in force no longer names them (a pending request keeps its rule,
 * docs/policy.md), and one the caller already approved under a quorum is not (someone else must
 * approve it next; the tab's list leaves it out too). Under a pause, a second approval is refused as
 * one, not promised to count "after the pause".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const sam = SANDBOX_USERS.secondApprover as TeamsUser;

const POLICY = `version: 1
rules:
  - id: two
    match: {}
    approvers: { users: ["${users.approver.objectId}", "${sam.objectId}"] }
    approvalsRequired: 2
`;

describe('what waits for this approver: the pending list, a second approval under a pause', () => {
  let h: Harness;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-decision-hunt-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await h?.stop();
  });

  /**
   * The answers to `pending` in a chat with acrbot (where request cards are shown), the first
   * first (the count line, "Nothing pending" or the refusal).
   */
  const pendingAnswer = (user: TeamsUser) => h.turnReplies(user, 'pending', 'personal');

  test('an approver of the rule a request was bound to (no longer in the policy in force) gets it listed', async () => {
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    // Listed first, under the rule as it stands: not Oscar's to decide, whatever the next one says.
    // On another cluster: a second request of one requester for one pair waiting is refused.
    const untouched = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // As if made before a reload that took Oscar out of the rule's approvers: the stored
    // snapshot still names him, so he decides it (`pending R-…` and the click already agree).
    const rule = request.policy!.rule!;
    await h.app.store.update({
      ...request,
      version: request.version + 1,
      policy: {
        ...request.policy!,
        rule: { ...rule, approvers: { ...rule.approvers, users: [...rule.approvers.users, users.outsider.objectId] } },
      },
    });
    expect(await h.app.services.requests.isApproverOf(users.outsider, (await h.app.store.get(request.id))!)).toBe(true);
    expect(await h.app.services.requests.isApprover(users.outsider)).toBe(false);

    const before = h.connector.calls.length;
    expect(await pendingAnswer(users.outsider)).toMatch(/^1 request waiting for approval/);
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity).includes(request.id),
      5000,
      "the request's approvers' copy",
    );
    expect(h.connector.calls.slice(before).some((c) => cardText(c.activity).includes(untouched.id))).toBe(false);
    // Someone no rule names, old or new, is still refused.
    const stranger = SANDBOX_USERS.oncall as TeamsUser;
    expect(await pendingAnswer(stranger)).toMatch(/Only approvers can list pending requests/);
  });

  test('under a quorum, the approver who approved no longer has it listed; the next approver does', async () => {
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(await pendingAnswer(users.approver)).toMatch(/^1 request waiting for approval/);

    const click = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(cardText({ attachments: [{ content: click.body?.value }] })).toContain('1 of 2 so far');

    expect(await pendingAnswer(users.approver)).toMatch(/Nothing pending/);
    expect(await pendingAnswer(sam)).toMatch(/^1 request waiting for approval/);
    // With the id, the card is still theirs to open: its Reject still rejects.
    expect(await h.turnReplies(users.approver, `pending ${request.id}`, 'personal')).toContain(request.id);
    // The requester is no approver of their own request, under any rule.
    expect(await pendingAnswer(users.requester)).toMatch(/Only approvers can list pending requests/);
  });
  test('while new access is paused, an approver who approved already is told that, not "approve it again after the pause"', async () => {
    h = await startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect(await h.ask(users.approver, 'pause investigating an incident')).toMatch(/New access paused/);

    const again = await h.click(users.approver, 'approve', { requestId: request.id });
    const text = cardText({ attachments: [{ content: again.body?.value }] });
    expect(text).toContain(`You already approved request ${request.id}`);
    expect(text).not.toMatch(/approve it again after the pause/);
    const actions = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(actions).toContain('approval.refused.twice');
    expect(actions).not.toContain('approval.refused.paused');
    // Sam's approval would reach the quorum: the pause refuses it, as before.
    const sams = await h.click(sam, 'approve', { requestId: request.id });
    expect(cardText({ attachments: [{ content: sams.body?.value }] })).toMatch(/approve it again after the pause/);
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  });
});
