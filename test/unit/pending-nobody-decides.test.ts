/**
 * `pending`, where approvers alone read, names what waits but nobody can decide as the approval
 * policy stands (nobody-decides-text.ts): such a request is in no approver's list, and before this
 * nothing in chat said it would only expire. Through the bot, on the sandbox harness.
 */
import { type Harness, startHarness, users } from '../helpers/harness';

describe('pending names what nobody can decide', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test("a pending request whose rule names only its requester: in no one's list, named after it", async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // As if its rule had named only its requester when it was made (a pending request keeps it).
    const rule = request.policy!.rule!;
    await h.app.store.update({
      ...request,
      version: request.version + 1,
      policy: {
        ...request.policy!,
        rule: { ...rule, approvers: { users: [users.requester.objectId], groups: [] }, approvalsRequired: 1 },
      },
    });
    const answer = await h.turnReplies(users.approver, 'pending', 'personal');
    // Not "there are none": one waits, for nobody.
    expect(answer).toContain(
      'Nothing pending\nNone of the requests waiting for approval or review is yours to decide.',
    );
    expect(answer).toContain(
      `1 request waits that nobody can decide as the approval policy stands:\n- ${request.id}: rule ${rule.id}, which it was made under, names fewer approvers besides its requester than it needs, so nobody can approve it and it expires unanswered.`,
    );
    // Where others read too (the requesters' channel), not said: the request is not theirs to know of.
    expect(await h.turnReplies(users.approver, 'pending', 'channel')).not.toContain(request.id);
  });
});
