/**
 * `pending R-…` (the tab's "Open in chat to approve") and `pending` post the request's card at the
 * bottom of the conversation each time, but track at most one copy of it per conversation: every
 * tracked copy costs one Teams update per later change of the request, and copies are never
 * dropped, so asking again and again would make every later change cost that many more. A request
 * with nothing to decide is answered as `status` answers, untracked.
 */
import type { CardCopy } from '../../src/domain/ports';
import { postedCopy } from '../helpers/card-views';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardText } from '../helpers/capturing-connector';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

/** The harness's team channel as the approvers' channel, where request cards may be posted. */
const APPROVERS_HERE = { ACRBOT_APPROVAL_CHANNEL: TEAM_CHANNEL };

/** The conversation a copy is in, a channel thread counted as its channel. */
const where = (copy: CardCopy) =>
  ((copy.conversation as { conversation?: { id?: string } }).conversation?.id ?? '').split(';')[0];

/** How many copies of each conversation are tracked. */
async function trackedPerConversation(h: Harness, requestId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const copy of await h.app.store.listCardCopies(requestId)) out[where(copy)] = (out[where(copy)] ?? 0) + 1;
  return out;
}

describe('pending R-… tracks one copy per conversation', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('asked 5 times in a chat and 5 in the approvers’ channel: a card each time, one tracked copy in each', async () => {
    h = await startHarness(APPROVERS_HERE);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const personal = `a:personal-${users.approver.objectId}`;
    const posted: string[] = [];
    for (let i = 0; i < 5; i++) {
      posted.push((await postedCopy(h, users.approver, `pending ${request.id}`, request.id, 'personal')).activityId);
      posted.push((await postedCopy(h, users.approver, `pending ${request.id}`, request.id)).activityId);
    }
    expect(new Set(posted).size).toBe(10);
    // The first in the chat is tracked; the channel had the request's card already.
    expect(await trackedPerConversation(h, request.id)).toEqual({ [personal]: 1, [TEAM_CHANNEL]: 1 });
    expect((await h.app.store.listCardCopies(request.id)).map((c) => c.activityId)).toContain(posted[0]);
    // A change updates the tracked copies, not one per ask.
    const before = h.connector.calls.length;
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.settle(request.id);
    const updated = h.connector.calls.slice(before).filter((c) => c.op === 'update');
    expect(new Set(updated.map((c) => c.activityId)).size).toBeLessThanOrEqual(2);
  });

  test('a request with nothing to decide: its card as status shows it, untracked', async () => {
    h = await startHarness(APPROVERS_HERE);
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments-api');
    const copies = await h.app.store.listCardCopies(request.id);
    for (let i = 0; i < 5; i++) {
      const answer = await h.turnReplies(users.approver, `pending ${request.id}`, 'personal');
      expect(answer).toContain(request.id);
    }
    expect(await h.app.store.listCardCopies(request.id)).toEqual(copies);
    // As `status` answers: no Approve or Reject, and no per-user views (there is nothing to decide).
    const last = h.connector.calls.filter((c) => cardText(c.activity).includes(request.id)).at(-1)!;
    expect(JSON.stringify(last.activity)).not.toMatch(/"verb":"(approve|reject)"/);
    expect(last.activity.attachments[0].content.refresh.userIds).toBeUndefined();
  });
});
