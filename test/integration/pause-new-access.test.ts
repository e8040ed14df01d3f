/**
 * `pause` and `resume` (docs/operations.md, "Pause new access"): an approver stops all new access
 * in an incident. While paused nothing is filed (grant, extend) or approved, and nothing reaches
 * ARM; revocations and rejections go on. Non-approvers are refused; every change is audited.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('pause new access', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Says `text` as `user` and answers the text of the first new card or message that is not an update. */
  async function ask(user: (typeof users)[keyof typeof users], text: string): Promise<string> {
    const before = h.connector.calls.length;
    expect((await h.say(user, text)).status).toBe(200);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && c.conversationId.startsWith('19:'),
      5000,
      `the answer to "${text}"`,
    );
    return cardText(reply.activity);
  }

  const entries = async () => (await h.app.audit.latest(100)).map((e) => `${e.action}:${e.outcome}`);
  const assignments = () => h.app.sandbox!.arm.state.listRoleAssignments().length;

  test('an approver pauses: grants and extensions are refused with no Azure write, approvals refused, revoke and reject go on; resume opens it again', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    const waiting = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api to dev');
    const toReject = await h.requestGrant(users.requester, 'aks-dev contosoabac deploy payments-api to dev');

    expect(await ask(users.approver, 'pause unexpected grants on prod, investigating')).toMatch(
      /New access paused.*Nothing can be requested or approved until an approver types "@acrbot resume"\..*Paused since.*By.*Alex Approver.*Reason.*unexpected grants on prod, investigating/s,
    );
    expect(await entries()).toContain('access.paused:paused');
    // The approvers' channel is told too, not only the conversation it was typed in.
    await h.connector.waitFor(
      (c) =>
        c.conversationId.startsWith('19:sandbox-approvals') &&
        /^SANDBOX\nNew access paused\n/.test(cardText(c.activity)),
      5000,
      'the pause posted in the approvals channel',
    );

    // Anyone may see the state.
    expect(await ask(users.requester, 'pause')).toMatch(/New access is paused.*unexpected grants on prod/s);

    const requestsBefore = (await h.app.store.listByState(['pending', 'succeeded'])).length;
    const armWritesBefore = assignments();
    const refusal = await ask(users.requester, 'grant aks-prod contosoabac deploy payments-api hotfix');
    expect(refusal).toMatch(/^SANDBOX\nNew access is paused\nNew access is paused since/);
    expect(refusal).toContain('"unexpected grants on prod, investigating". Nothing was requested.');
    expect(refusal).toContain('Revocations and scheduled ends go on');
    expect(await ask(users.requester, `extend ${granted.id} --for 60d release still running`)).toContain(
      'New access is paused since',
    );
    // A grant that would ask questions first is refused before the first one.
    expect(await ask(users.requester, 'grant aks-prod')).toMatch(/New access is paused since[^]*Nothing was requested/);
    expect(await h.app.stores.dialogs.purgeExpired(new Date(Date.now() + 86_400_000))).toBe(0);
    expect((await h.app.store.listByState(['pending', 'succeeded'])).length).toBe(requestsBefore);
    expect((await entries()).filter((e) => e === 'request.refused.paused:refused')).toHaveLength(3);

    // `pending` says Approve is refused for now; the request cannot be approved, and stays pending.
    expect(await ask(users.approver, 'pending')).toMatch(
      /waiting for approval \(break-glass grants to review first\)\. New access is paused, so Approve is refused until an approver types "@acrbot resume"; Reject and reviews work/,
    );
    const approve = await h.click(users.approver, 'approve', { requestId: waiting.id, version: waiting.version });
    expect(cardText({ attachments: [{ content: approve.body.value }] })).toContain(
      `Request ${waiting.id} stays pending; approve it after the pause, or reject it.`,
    );
    expect((await h.app.store.get(waiting.id))!.state).toBe('pending');
    expect(assignments()).toBe(armWritesBefore);
    expect((await h.app.audit.forRequest(waiting.id)).map((e) => e.action)).toContain('approval.refused.paused');

    // Rejection goes on.
    await h.click(users.approver, 'reject', { requestId: toReject.id, comment: 'not during the incident' });
    expect((await h.app.store.get(toReject.id))!.state).toBe('rejected');

    // Revocation goes on.
    expect(await ask(users.requester, `revoke ${granted.id} no longer needed`)).toContain(`Revoke ${granted.id}?`);
    await h.click(users.requester, 'revokeConfirm', { requestId: granted.id, reason: 'no longer needed' });
    await h.connector.waitFor(
      () => assignments() === armWritesBefore - 1,
      10_000,
      'the role assignment deleted by the revocation',
    );

    expect(await ask(users.approver, 'resume incident closed')).toMatch(
      /New access resumed.*This pause was lifted.*unexpected grants on prod, investigating/s,
    );
    await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && /New access resumed/.test(cardText(c.activity)),
      5000,
      'the resume posted in the approvals channel',
    );
    const resumed = (await h.app.audit.latest(100)).find((e) => e.action === 'access.resumed')!;
    expect(resumed.detail).toMatch(
      /^incident closed; was paused since .* by Alex Approver .*: unexpected grants on prod/,
    );

    await h.click(users.approver, 'approve', { requestId: waiting.id });
    expect((await h.settle(waiting.id)).state).toBe('succeeded');
    expect(await ask(users.requester, 'pause')).toContain('New access is open');
  });

  test('only approvers pause or resume; a second pause keeps the first; the reason is checked and neutralised', async () => {
    for (const verb of ['pause someone else should stop this', 'resume']) {
      expect(await ask(users.requester, verb)).toMatch(
        /Only approvers can (pause|resume) new access; nothing was changed\./,
      );
    }
    expect(await h.app.stores.pause.current()).toBeUndefined();
    expect(await entries()).toEqual(
      expect.arrayContaining(['access.pause.refused.notApprover:refused', 'access.resume.refused.notApprover:refused']),
    );

    expect(await ask(users.approver, 'pause short')).toContain(
      'A reason for the pause of at least 8 characters is required',
    );
    expect(await ask(users.approver, 'pause password=hunter2hunter2 leaked')).toContain(
      'looks like it contains a credential',
    );
    expect(await h.app.stores.pause.current()).toBeUndefined();

    const card = await ask(users.approver, 'pause see [details](https://evil.example/x) <at>Everyone</at>');
    expect(card).toContain('New access paused');
    expect(card).not.toContain('](https://');
    expect(card).not.toMatch(/<at>/);
    expect(await ask(users.approver, 'pause a second reason for the same')).toMatch(
      /New access was already paused.*Nothing was changed.*see \[details\]/s,
    );
    expect((await entries()).filter((e) => e === 'access.paused:paused')).toHaveLength(1);

    expect(await ask(users.approver, 'resume')).toContain('New access resumed');
    expect(await ask(users.approver, 'resume')).toContain('New access was not paused');
    expect((await entries()).filter((e) => e === 'access.resumed:resumed')).toHaveLength(1);
  });
});
