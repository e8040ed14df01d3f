/**
 * `pending` and `pending R-…` post approvers' copies of request cards into the conversation the
 * approver typed in, which others may read too (an approvers' channel: here the team channel the
 * harness speaks in, made one with ACRBOT_APPROVAL_CHANNEL). Like every other posted copy
 * (CardMessenger's postedRequestCard), they are read-only as posted, with per-user views
 * (`refresh.userIds`): the approver's own view has Approve/Reject, anyone else's none (CONTRACTS
 * §7a). Before, the copy was posted with the buttons, so everyone in the conversation saw them.
 */
import { postedCopy, refreshView } from '../helpers/card-views';
import { SANDBOX_APPROVER_GROUP_ID } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

/** The harness's team channel as the approvers' channel, where request cards may be posted. */
const APPROVERS_HERE = { ACRBOT_APPROVAL_CHANNEL: TEAM_CHANNEL };

describe('the pending command posts read-only copies with per-user views', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('pending and pending R-…: no buttons as posted, the approver’s view has them, one tracked copy here', async () => {
    h = await startHarness(APPROVERS_HERE);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const command of ['pending', `pending ${request.id}`]) {
      const copy = await postedCopy(h, users.approver, command, request.id);
      const card = copy.activity.attachments[0].content;
      // As posted (what everyone else in the conversation sees): no Approve or Reject.
      expect(card.actions ?? []).toEqual([]);
      expect(JSON.stringify(card)).not.toContain('"verb":"approve"');
      expect(card.refresh.action).toMatchObject({ verb: 'refresh', data: { requestId: request.id } });
      expect([...card.refresh.userIds].sort()).toEqual([users.approver.teamsId, users.requester.teamsId].sort());
      // This channel has the request's card from when it was made (its requester's copy, the
      // approvers' too here), tracked so it changes with the request: no second one is tracked
      // here (one per conversation).
      expect((await h.app.store.listCardCopies(request.id)).map((c) => c.activityId)).not.toContain(copy.activityId);
    }
    expect(await h.app.store.listCardCopies(request.id)).toHaveLength(1);
    const view = async (user: typeof users.approver) =>
      JSON.stringify((await refreshView(h, user, request.id)).body.value);
    expect(await view(users.approver)).toContain('"verb":"approve"');
    expect(await view(users.outsider)).not.toMatch(/"verb":"(approve|reject)"/);
  });

  test('an approver only by group membership gets a view of the copy they asked for', async () => {
    // No named approvers: the copy's views cannot name the caller from the configuration.
    h = await startHarness({
      ...APPROVERS_HERE,
      ACRBOT_APPROVER_GROUP: SANDBOX_APPROVER_GROUP_ID,
      ACRBOT_APPROVERS: '',
    });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const copy = await postedCopy(h, users.approver, `pending ${request.id}`);
    // (As posted it keeps Approve/Reject: Teams can name none of a group's approvers, postedRequestCard.)
    expect(copy.activity.attachments[0].content.refresh.userIds).toContain(users.approver.teamsId);
  });
});
