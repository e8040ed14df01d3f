/**
 * A request asked again after a rejection carries the rejection's comment ("Before") for its
 * approvers only: the approver's own view of the new card says it; the requester's card posted in
 * the team channel where they asked, their `status R-…` and their own view do not (docs/policy.md,
 * docs/security.md: approvers' comments are for approvers' places). The real app over the sandbox.
 */
import { SANDBOX_APPROVAL_CHANNEL_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { invokeText, refreshView } from '../helpers/card-views';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

const COMMENT = 'incident: leaked by Dana';

describe("a rejection's comment on the next request's cards", () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test("the approver's view says it; the requester's channel copy, status and own view do not", async () => {
    h = await startHarness();
    const first = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect((await h.click(users.approver, 'reject', { requestId: first.id, comment: COMMENT })).status).toBe(200);
    expect(await h.app.store.get(first.id)).toMatchObject({ state: 'rejected', decision: { reason: COMMENT } });

    // Asked again: its plan card is the first card naming a request other than the first
    // (messages about the first, such as its rejection, may still arrive).
    const from = h.connector.calls.length;
    expect((await h.say(users.requester, 'grant aks-prod contosoacr deploy payments-api, again')).status).toBe(200);
    const otherId = (text: string) => (text.match(/R-[2-9A-HJKMNP-TV-Z]{8}/g) ?? []).find((id) => id !== first.id);
    const planCard = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= from && c.op !== 'update' && otherId(cardText(c.activity)) !== undefined,
      10_000,
      'the plan card of the request asked again',
    );
    const again = (await h.app.store.get(otherId(cardText(planCard.activity))!))!;
    expect(again.decidedBefore?.map((d) => d.requestId)).toEqual([first.id]);
    // Both copies posted (the approvers' one may follow the requester's): none says the comment.
    const posted = (where: string) =>
      h.connector.waitFor(
        (c) =>
          h.connector.calls.indexOf(c) >= from &&
          c.op !== 'update' &&
          c.conversationId.startsWith(where) &&
          cardText(c.activity).includes(again.id),
        10_000,
        `the card of ${again.id} in ${where}`,
      );
    for (const where of [TEAM_CHANNEL, SANDBOX_APPROVAL_CHANNEL_ID])
      expect(cardText((await posted(where)).activity)).not.toContain(COMMENT);

    const status = await h.turnReplies(users.requester, `status ${again.id}`);
    expect(status).toContain(again.id);
    expect(status).not.toContain(COMMENT);
    const own = invokeText(await refreshView(h, users.requester, again.id));
    expect(own).toContain(again.id);
    expect(own).not.toContain(COMMENT);

    const approvers = invokeText(await refreshView(h, users.approver, again.id));
    expect(approvers).toContain(`${first.id} rejected by ${users.approver.name}`);
    expect(approvers).toContain(`"${COMMENT}"`);
  });
});
