/**
 * `pause` and `resume` (docs/operations.md, "Pause new access"): an approver stops all new access
 * in an incident. While paused nothing is filed (grant, extend) or approved, and nothing reaches
 * ARM; revocations and rejections go on. Non-approvers are refused; every change is audited.
 */
import { cardText } from '../helpers/capturing-connector';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { transition } from '../../src/domain/request';
import { answerTo } from '../helpers/answer-to';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('pause new access', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  /** What acrbot answers `user` (test/helpers/answer-to.ts). */
  const ask = (user: (typeof users)[keyof typeof users], text: string, where: 'channel' | 'personal' = 'channel') =>
    answerTo(h, user, text, where);

  const entries = async () => (await h.app.audit.latest(100)).map((e) => `${e.action}:${e.outcome}`);
  const assignments = () => h.app.sandbox!.arm.state.listRoleAssignments().length;

  test('an approver pauses: grants and extensions are refused with no Azure write, approvals refused, revoke and reject go on; resume opens it again', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    expect((await h.settle(granted.id)).state).toBe('succeeded');
    const waiting = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api to dev');
    const toReject = await h.requestGrant(users.requester, 'aks-dev contosoabac deploy payments-api to dev');

    // Typed in the team channel requesters read: the answer there leaves out why.
    const answer = await ask(users.approver, 'pause unexpected grants on prod, investigating');
    expect(answer).toMatch(
      /New access paused[^]*Nothing can be requested or approved until an approver types "@acrbot resume"\.[^]*Paused since[^]*By\nAlex Approver/,
    );
    expect(answer).not.toContain('unexpected grants on prod');
    expect(await entries()).toContain('access.paused:paused');
    // The approvers' channel is told too, with the reason.
    const posted = await h.connector.waitFor(
      (c) =>
        c.conversationId.startsWith('19:sandbox-approvals') &&
        /^SANDBOX\nNew access paused\n/.test(cardText(c.activity)),
      5000,
      'the pause posted in the approvals channel',
    );
    expect(cardText(posted.activity)).toContain('Reason\nunexpected grants on prod, investigating');

    // Anyone may see the state; why, only approvers and auditors (the reason may name a suspect).
    const state = await ask(users.requester, 'pause');
    expect(state).toMatch(/New access is paused[^]*Paused since[^]*By\nAlex Approver/);
    expect(state).not.toContain('unexpected grants on prod');
    expect(await ask(users.approver, 'pause')).not.toContain('unexpected grants on prod');
    expect(await ask(users.approver, 'pause', 'personal')).toMatch(/Reason\nunexpected grants on prod, investigating/);

    const requestsBefore = (await h.app.store.listByState(['pending', 'succeeded'])).length;
    const armWritesBefore = assignments();
    const refusal = await ask(users.requester, 'grant aks-prod contosoabac deploy payments-api hotfix');
    expect(refusal).toMatch(/^SANDBOX\nNew access is paused\nNew access is paused since/);
    expect(refusal).toContain('by Alex Approver. Nothing was requested.');
    expect(refusal).not.toContain('unexpected grants on prod');
    expect(refusal).toContain('Revocations, scheduled ends, rejections and break-glass reviews go on.');
    expect(await ask(users.requester, `extend ${granted.id} --for 60d release still running`)).toContain(
      'New access is paused since',
    );
    // A grant that would ask questions first is refused before the first one, and the form is not offered.
    expect(await ask(users.requester, 'grant aks-prod')).toMatch(/New access is paused since[^]*Nothing was requested/);
    expect(await ask(users.requester, 'grant')).toMatch(/^SANDBOX\nNew access is paused\nNew access is paused since/);
    expect(await h.app.stores.dialogs.purgeExpired(new Date(Date.now() + 86_400_000))).toBe(0);
    expect((await h.app.store.listByState(['pending', 'succeeded'])).length).toBe(requestsBefore);
    expect((await entries()).filter((e) => e === 'request.refused.paused:refused')).toHaveLength(4);

    // `pending` says Approve is refused for now; the request cannot be approved, and stays pending.
    expect(await ask(users.approver, 'pending', 'personal')).toMatch(
      /waiting for approval\. New access is paused, so Approve is refused until an approver types "@acrbot resume"; Reject and reviews work/,
    );
    const approve = await h.click(users.approver, 'approve', { requestId: waiting.id, version: waiting.version });
    // An approver is told why, too.
    expect(cardText({ attachments: [{ content: approve.body.value }] })).toContain(
      `by Alex Approver: "unexpected grants on prod, investigating". Request ${waiting.id} stays pending; approve it again after the pause, or reject it.`,
    );
    expect((await h.app.store.get(waiting.id))!.state).toBe('pending');
    expect(assignments()).toBe(armWritesBefore);
    // The request's history (its requester reads it in the tab) keeps the refusal, not why.
    const refusedEntry = (await h.app.audit.forRequest(waiting.id)).find((e) => e.action === 'approval.refused.paused');
    expect(refusedEntry?.detail).toMatch(/^New access is paused since .* by Alex Approver\. Request/);
    expect(refusedEntry?.detail).not.toContain('unexpected grants on prod');

    // Rejection goes on.
    await h.click(users.approver, 'reject', { requestId: toReject.id, comment: 'not during the incident' });
    expect((await h.app.store.get(toReject.id))!.state).toBe('rejected');
    // Its requester is told in the channel: awaited, so the next answer read there is the revoke's.
    await h.connector.waitFor(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`Rejected: ${toReject.id}`),
      5000,
      'the rejection news',
    );

    // Revocation goes on.
    expect(await ask(users.requester, `revoke ${granted.id} no longer needed`)).toContain(`Revoke ${granted.id}?`);
    await h.click(users.requester, 'revokeConfirm', { requestId: granted.id, reason: 'no longer needed' });
    await h.connector.waitFor(
      () => assignments() === armWritesBefore - 1,
      10_000,
      'the role assignment deleted by the revocation',
    );
    // Its news is awaited too, so the next answer read there is the resume's (which reads the
    // approver's account in Graph first).
    await h.connector.waitFor(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`Revoked: ${granted.id}`),
      5000,
      'the revocation news',
    );

    // Resuming takes a click on a card that names the pause: typing it changes nothing yet.
    const confirmCard = await ask(users.approver, 'resume incident closed');
    expect(confirmCard).toMatch(
      /Resume new access\?[^]*reason: "incident closed"[^]*Paused since[^]*By\nAlex Approver/,
    );
    expect(confirmCard).not.toContain('unexpected grants on prod');
    const inForce = (await h.app.stores.pause.current())!;
    expect(inForce).toBeDefined();
    const click = await h.click(users.approver, 'resumeConfirm', {
      since: inForce.since,
      by: inForce.by.objectId,
      reason: 'incident closed',
    });
    expect(cardText({ attachments: [{ content: click.body.value }] })).toMatch(
      /New access resumed[^]*This pause was lifted[^]*unexpected grants on prod, investigating/,
    );
    expect(await h.app.stores.pause.current()).toBeUndefined();
    const resumed = (await h.app.audit.latest(100)).find((e) => e.action === 'access.resumed')!;
    expect(resumed.detail).toMatch(
      /^incident closed; was paused since .* by Alex Approver .*: unexpected grants on prod/,
    );

    await h.click(users.approver, 'approve', { requestId: waiting.id });
    expect((await h.settle(waiting.id)).state).toBe('succeeded');
    expect(await ask(users.requester, 'pause')).toContain('New access is open');
  });

  test('a request approved before the pause whose run has not started changes nothing in Azure: failed "Not started", audited, told without the reason; one approved after the resume runs', async () => {
    const waiting = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    const started = await h.requestGrant(users.requester, 'aks-dev contosoacr --for 1d deploy payments-api to dev');
    // Approved in the same moment as the pause: the decision is written, its run not started yet
    // (as after a crash, or a click that raced the pause on another instance).
    const approver = { objectId: users.approver.objectId, name: users.approver.name };
    await h.app.store.update(transition(waiting, { type: 'approve', by: approver, at: new Date() }));
    // Its click's entry was written (a run whose entry is missing waits for it: decision-entry-net.ts).
    await h.app.audit.append({
      actor: approver,
      tenantId: waiting.tenantId,
      action: 'request.approved',
      requestId: waiting.id,
      targetIds: [],
      outcome: 'approved',
    });
    // The other one's run had started when its instance died: it may have written in Azure, and
    // is finished rather than left half done.
    const approved = transition(started, { type: 'approve', by: approver, at: new Date() });
    await h.app.store.update(approved);
    await h.app.store.update(transition(approved, { type: 'start', at: new Date() }));
    await ask(users.approver, 'pause credential leak under investigation', 'personal');
    const before = assignments();
    const callsBefore = h.connector.calls.length;

    await h.app.services.executor.resumeInterrupted();
    const failed = await h.settle(waiting.id);
    expect((await h.settle(started.id)).state).toBe('succeeded');
    expect(failed).toMatchObject({ state: 'failed', outcome: { summary: 'Not started', errorCode: 'access.paused' } });
    expect(failed.outcome?.error).toMatch(
      new RegExp(
        `^New access is paused since .* by Alex Approver\\. Request ${waiting.id} was approved but had not started, so acrbot made no change in Azure`,
      ),
    );
    expect(assignments()).toBe(before + 1); // the started run's, not the waiting one's
    const history = (await h.app.audit.forRequest(waiting.id)).map((e) => `${e.action}:${e.outcome}`);
    expect(history).toContain('request.failed:failed');
    expect(history).not.toContain('execution.started:executing');
    // Its cards say why it did not run, never the pause's reason.
    const told = await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= callsBefore &&
        cardText(c.activity).includes('was approved but had not started'),
      5000,
      'the card saying the run did not start',
    );
    expect(cardText(told.activity)).not.toContain('credential leak');
    expect(JSON.stringify(await h.app.audit.forRequest(waiting.id))).not.toContain('credential leak');

    // Once resumed, a new request runs as before.
    await h.app.stores.pause.resume();
    const again = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api again');
    await h.click(users.approver, 'approve', { requestId: again.id });
    expect((await h.settle(again.id)).state).toBe('succeeded');
  });

  test('only approvers pause or resume (a forwarded Resume card too); an answer to a question that starts with "pause" pauses nothing; a second pause amends the reason of the first; a Resume card lifts only the pause it names; the reason is checked and neutralised', async () => {
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

    // An approver answering one of acrbot's questions with text that starts with "pause": nothing is paused.
    expect(await ask(users.approver, 'grant aks-prod', 'personal')).toMatch(/registry/i);
    expect(await ask(users.approver, 'pause the old deployment first, then pull', 'personal')).toMatch(
      /Nothing was paused[^]*type "@acrbot pause REASON…" again/,
    );
    expect(await h.app.stores.pause.current()).toBeUndefined();

    const card = await ask(users.approver, 'pause see [details](https://evil.example/x) for the incident', 'personal');
    expect(card).toContain('New access paused');
    expect(card).toContain('see [details] (https:\u200b//evil.example/x)');
    // A second pause with another reason amends this one (pause-amend-reopened.test.ts); the same reason changes nothing.
    expect(await ask(users.approver, 'pause a second reason for the same', 'personal')).toMatch(
      /Reason of the pause amended.*from "see \[details\] \(https:\u200b\/\/evil\.example\/x\) for the incident"/s,
    );
    expect(await ask(users.approver, 'pause a second reason for the same', 'personal')).toMatch(
      /New access was already paused.*Nothing was changed.*a second reason for the same/s,
    );
    expect((await entries()).filter((e) => e === 'access.paused:paused')).toHaveLength(1);

    // Resume: a forged card, and a card whose pause is no longer in force, change nothing.
    expect(await ask(users.approver, 'resume')).toContain('Resume new access?');
    const first = (await h.app.stores.pause.current())!;
    const clickWith = async (data: Record<string, unknown>) =>
      cardText({ attachments: [{ content: (await h.click(users.approver, 'resumeConfirm', data)).body.value }] });
    expect(await clickWith({ since: 42 })).toContain('This card is not valid');
    expect(await clickWith({ since: first.since, by: first.by.objectId, reason: 'incident is over' })).toContain(
      'New access resumed',
    );
    await h.app.services.pauses.pause({ actor: users.approver, tenantId: SANDBOX_TENANT_ID }, 'a second incident now');
    expect(await clickWith({ since: first.since, by: first.by.objectId })).toMatch(
      /Nothing was resumed[^]*a second incident now/,
    );
    const second = (await h.app.stores.pause.current())!;
    expect(second.reason).toBe('a second incident now');
    expect(await clickWith({ since: second.since, by: second.by.objectId })).toContain('New access resumed');
    expect(await clickWith({ since: second.since, by: second.by.objectId })).toContain('New access was not paused');
    expect(await ask(users.approver, 'resume')).toContain('New access was not paused');
    // A requester clicking a forwarded card is refused like one typing it.
    await h.app.services.pauses.pause({ actor: users.approver, tenantId: SANDBOX_TENANT_ID }, 'a third incident now');
    const third = (await h.app.stores.pause.current())!;
    const byRequester = await h.click(users.requester, 'resumeConfirm', { since: third.since, by: third.by.objectId });
    expect(cardText({ attachments: [{ content: byRequester.body.value }] })).toContain(
      'Only approvers can resume new access; nothing was changed.',
    );
    expect(await h.app.stores.pause.current()).toEqual(third);
    expect((await entries()).filter((e) => e === 'access.resumed:resumed')).toHaveLength(2);
    // An approver whose account was disabled since (responders acting on a compromised account)
    // lifts nothing from the card they still hold, nor gets a new one.
    h.app.sandbox!.directory.users.get(users.approver.objectId)!.accountEnabled = false;
    const byDisabled = await clickWith({ since: third.since, by: third.by.objectId });
    expect(byDisabled).toContain(
      'Your account is disabled or gone from the directory, so you can no longer resume new access as an approver; nothing was changed.',
    );
    expect(await ask(users.approver, 'resume')).toContain('you can no longer resume new access');
    expect(await h.app.stores.pause.current()).toEqual(third);
    expect((await entries()).filter((e) => e === 'access.resume.refused.disabledOrGone:refused')).toHaveLength(2);
  });

  test("a change is posted once in each approvers' channel (approvals, audit), not again where it was typed; a click is answered in place", async () => {
    await h.stop();
    h = await startHarness({ ACRBOT_AUDIT_CHANNEL: '19:audit@thread.tacv2' });
    const postsIn = (channel: string, title: RegExp) =>
      h.connector.calls.filter(
        (c) => c.op !== 'update' && c.conversationId.startsWith(channel) && title.test(cardText(c.activity)),
      );
    await ask(users.approver, 'pause unexpected grants on prod, investigating');
    await h.connector.waitFor(
      () => postsIn('19:audit@thread.tacv2', /New access paused/).length === 1,
      5000,
      'the pause posted in the audit channel',
    );
    expect(postsIn('19:sandbox-approvals', /New access paused/)).toHaveLength(1);
    // Typed in the team channel: answered there once, not posted there again.
    expect(postsIn('19:platform-requests', /New access paused/)).toHaveLength(1);

    // Resumed by a click in the approvals channel: that card is answered in place, the others are told.
    // Teams is slow to take the post in the audit channel: the click is answered first (G16).
    const inForce = (await h.app.stores.pause.current())!;
    const release = h.connector.hold('19:audit@thread.tacv2');
    let click: Awaited<ReturnType<typeof h.click>>;
    try {
      click = await h.click(users.approver, 'resumeConfirm', { since: inForce.since, by: inForce.by.objectId });
    } finally {
      release();
    }
    expect(cardText({ attachments: [{ content: click.body.value }] })).toContain('New access resumed');
    await h.connector.waitFor(
      () => postsIn('19:audit@thread.tacv2', /New access resumed/).length === 1,
      5000,
      'the resume posted in the audit channel',
    );
    expect(postsIn('19:sandbox-approvals', /New access resumed/)).toHaveLength(0);
  });
});
