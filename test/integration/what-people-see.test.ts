/**
 * #11 item 5: user text in every card is neutralised (error cards quoting input, the audit
 * card, the grant form, Teams display names), and a `refresh` or a forged Approve/Reject
 * never shows more than `status` would show that user.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { clickInThread } from '../helpers/thread-click';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

const LIVE = /\]\(|https?:\/\/evil/;

/** What a card displays: its text, titles and fact values, but not what an input field holds. */
function shownText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    // An input's value is what the user typed, shown back as plain text in the field (no markdown).
    if (typeof n.type === 'string' && n.type.startsWith('Input.')) return;
    for (const key of ['text', 'title', 'value']) if (typeof n[key] === 'string') out.push(n[key] as string);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}

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

  test('a forged Approve or Reject shows no more than status: others see the id and state, the requester no buttons', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api secretly');
    const as = async (user: typeof users.requester, verb: string, comment?: string) => {
      const res = await h.click(user, verb, { requestId: request.id, ...(comment && { comment }) });
      expect(res.status).toBe(200);
      return JSON.stringify(res.body.value);
    };
    // A comment that looks like a secret is refused with an error: the catch path answers too.
    const clicks = [['approve'], ['reject'], ['reject', 'forged rejection'], ['reject', 'AccountKey=abc123']];
    for (const [verb, comment] of clicks) {
      const outsider = await as(users.outsider, verb, comment);
      expect(outsider).toContain(request.id);
      expect(outsider).toContain('waiting for approval');
      for (const detail of ['deploy payments-api secretly', 'aks-prod', 'contosoacr', 'Azure operations'])
        expect(outsider).not.toContain(detail);
      expect(outsider).not.toMatch(/"verb":"(approve|reject|cancel)"/);
      const requester = await as(users.requester, verb, comment);
      expect(requester).toContain('deploy payments-api secretly');
      expect(requester).not.toMatch(/"verb":"(approve|reject)"/);
      // Only someone who may reject is asked for a reason.
      for (const seen of [outsider, requester]) expect(seen).not.toContain('Type the reason for rejecting');
    }
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    // The approver's Reject without a comment still asks for one, on the card with the buttons.
    const approver = await as(users.approver, 'reject');
    expect(approver).toContain('Type the reason for rejecting');
    expect(approver).toContain('"verb":"reject"');
  });

  test('the grant form shows typed names and their errors inert, on the planning card and the form updated in place', async () => {
    h = await startHarness();
    await h.say(users.requester, 'grant');
    const form = await h.connector.waitFor(
      (c) => /Grant a cluster pull access/.test(cardText(c.activity)),
      5000,
      'form',
    );
    const registry = '![x](https://evil.example/a.png)';
    const res = await clickInThread(
      h,
      users.requester,
      'grantForm',
      { form: 'grant', cluster: 'aks-prod', registry, reason: 'deploy payments-api' },
      form.activityId,
    );
    expect(res.status).toBe(200);
    const planning = shownText(res.body.value);
    expect(planning).toMatch(/Planning your request/);
    expect(planning).toContain('evil.example');
    expect(planning).not.toMatch(LIVE);
    const updated = await h.connector.waitFor(
      (c) =>
        c.op === 'update' && c.activityId === form.activityId && /not a valid registry name/.test(cardText(c.activity)),
      5000,
      'the form with its error',
    );
    const shown = shownText(updated.activity.attachments[0].content);
    expect(shown).toContain('evil.example');
    expect(shown).not.toMatch(LIVE);
    // The field keeps what was typed, to correct it.
    expect(JSON.stringify(updated.activity)).toContain(JSON.stringify(registry).slice(1, -1));
  });

  test('Teams display names are shown readable and inert to approvers and requesters', async () => {
    h = await startHarness();
    const requester = { ...users.requester, name: '[Approve here](https://evil.example/sso)' };
    const approver = { ...users.approver, name: '[Signed off](https://evil.example/ok)' };
    const request = await h.requestGrant(requester, 'aks-prod contosoacr deploy payments-api named');
    const approval = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(request.id),
      5000,
      'the approval card',
    );
    // The card, not the activity: its `recipient` carries the name as Teams sent it (not shown).
    expect(shownText(approval.activity.attachments[0].content)).toContain('Approve here');
    expect(JSON.stringify(approval.activity.attachments)).not.toMatch(LIVE);
    expect((await h.click(approver, 'approve', { requestId: request.id })).status).toBe(200);
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const outcome = await h.connector.waitFor(
      (c) => /Pull access granted/.test(cardText(c.activity)) && cardText(c.activity).includes(request.id),
      5000,
      'the outcome card',
    );
    expect(shownText(outcome.activity.attachments[0].content)).toContain('Signed off');
    expect(JSON.stringify(outcome.activity.attachments)).not.toMatch(LIVE);
    // Every copy now says who approved it.
    const status = JSON.stringify((await h.click(requester, 'refresh', { requestId: request.id })).body.value);
    expect(status).toContain('Signed off');
    expect(status).not.toMatch(LIVE);
  });
});
