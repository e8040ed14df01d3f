/**
 * #11 item 5: user text in every card is neutralised (error cards quoting input, the audit
 * card), and a `refresh` invoke never shows more than `status` would show that user.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

const LIVE = /\]\(|https?:\/\/evil/;

describe('what people see', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('refresh is authorised like status: approvers get the buttons, the requester the card, others only the state', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api secretly');
    const as = async (user: typeof users.requester) => {
      const res = await h.click(user, 'refresh', { requestId: request.id });
      expect(res.status).toBe(200);
      return JSON.stringify(res.body.value);
    };
    const approver = await as(users.approver);
    expect(approver).toContain('"verb":"approve"');
    const requester = await as(users.requester);
    expect(requester).not.toContain('"verb":"approve"');
    expect(requester).toContain('deploy payments-api secretly');
    const outsider = await as(users.outsider);
    expect(outsider).not.toContain('"verb":"approve"');
    expect(outsider).not.toContain('deploy payments-api secretly');
    expect(outsider).not.toContain('aks-prod');
    expect(outsider).toContain('waiting for approval');
  });

  test('posted request cards are read-only, with per-user views (refresh.userIds) for the requester and the approvers; the requester cancels from theirs', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api secretly');
    const cardsOf = (ops: string[]) =>
      h.connector.calls
        .filter((c) => ops.includes(c.op) && cardText(c.activity).includes(request.id))
        .map((c) => c.activity.attachments?.[0]?.content as Record<string, any> | undefined)
        .filter((card): card is Record<string, any> => card?.refresh !== undefined);
    const posted = cardsOf(['send', 'reply']);
    // The requester's copy and the approvers' copy.
    expect(posted.length).toBeGreaterThanOrEqual(2);
    for (const card of posted) {
      // As posted (what everyone else sees): no Approve, Reject or Cancel.
      expect(card.actions ?? []).toEqual([]);
      expect(card.refresh.action).toMatchObject({
        type: 'Action.Execute',
        verb: 'refresh',
        data: { requestId: request.id },
      });
      expect([...card.refresh.userIds].sort()).toEqual([users.approver.teamsId, users.requester.teamsId].sort());
    }
    const as = async (user: typeof users.requester, verb = 'refresh') => {
      const res = await h.click(user, verb, { requestId: request.id });
      expect(res.status).toBe(200);
      return JSON.stringify(res.body.value);
    };
    // Each viewer's own view: the requester Cancel, the approver Approve/Reject, nobody else either.
    expect(await as(users.requester)).toContain('"verb":"cancel"');
    expect(await as(users.requester)).not.toContain('"verb":"approve"');
    expect(await as(users.approver)).toContain('"verb":"approve"');
    expect(await as(users.approver)).not.toContain('"verb":"cancel"');
    expect(await as(users.outsider)).not.toMatch(/"verb":"(approve|cancel)"/);
    // A forged Cancel from someone else changes nothing and shows them nothing more than status.
    const forged = await as(users.outsider, 'cancel');
    expect(forged).not.toContain('deploy payments-api secretly');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    // The requester's Cancel: withdrawn, audited, every copy updated, read-only for everyone.
    expect(await as(users.requester, 'cancel')).toContain(`You cancelled request ${request.id}`);
    expect((await h.app.store.get(request.id))!.state).toBe('cancelled');
    await h.connector.waitFor(
      (c) => c.op === 'update' && cardText(c.activity).includes(request.id) && /Cancelled/.test(cardText(c.activity)),
      5000,
      'card copies updated',
    );
    for (const card of cardsOf(['update'])) expect(card.actions ?? []).toEqual([]);
    expect(await as(users.requester)).not.toContain('"verb":"cancel"');
    expect(await as(users.approver)).not.toContain('"verb":"approve"');
  });

  test('when Teams cannot name any approver, the approvers\u2019 copy keeps its buttons (or nobody could approve); the requester\u2019s copy stays read-only', async () => {
    h = await startHarness();
    h.connector.unknownMembers.add(users.approver.objectId);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api again');
    const approval = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(request.id),
      5000,
      'the approval card',
    );
    const card = approval.activity.attachments[0].content;
    expect(card.actions.map((a: { verb: string }) => a.verb)).toEqual(['approve', 'reject']);
    expect(card.refresh.userIds).toEqual([users.requester.teamsId]);
    const requesterCopy = h.connector.calls.find(
      (c) =>
        c.op === 'reply' &&
        !c.conversationId.startsWith('19:sandbox-approvals') &&
        cardText(c.activity).includes(request.id),
    );
    expect(requesterCopy).toBeDefined();
    expect(requesterCopy!.activity.attachments[0].content.actions ?? []).toEqual([]);
  });

  test('an approver who is not in the requester\u2019s channel still gets the approver view in the approvals channel', async () => {
    h = await startHarness();
    // Teams cannot name the approver in the team channel the request is made in (a 404 there),
    // and can in the approvals channel: that absence must not be remembered for every conversation.
    h.connector.absentFrom.set(TEAM_CHANNEL, new Set([users.approver.objectId]));
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api from the team');
    const approval = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(request.id),
      5000,
      'the approval card',
    );
    const card = approval.activity.attachments[0].content;
    expect(card.actions ?? []).toEqual([]);
    expect([...card.refresh.userIds].sort()).toEqual([users.approver.teamsId, users.requester.teamsId].sort());
    expect(h.connector.memberLookups.filter((id) => id === users.approver.objectId).length).toBeGreaterThanOrEqual(2);
  });

  test('an error card quoting invalid input and the audit card show no live link, image or disguised link', async () => {
    h = await startHarness({ ACRBOT_AUDIT_CHANNEL: '19:audit@thread.tacv2' });
    await h.say(users.requester, 'grant aks-prod ![img](https://evil.example/x.png) deploy the payments api');
    const error = await h.connector.waitFor(
      (c) => /not a valid registry name/.test(cardText(c.activity)),
      5000,
      'error',
    );
    expect(cardText(error.activity)).not.toMatch(LIVE);
    const request = await h.requestGrant(
      users.requester,
      'aks-prod contosoacr see [the runbook](https://evil.example/login) for details',
    );
    const audit = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:audit') && cardText(c.activity).includes(request.id),
      5000,
      'audit card',
    );
    expect(cardText(audit.activity)).toContain('the runbook');
    expect(JSON.stringify(audit.activity)).not.toMatch(LIVE);
  });
});
