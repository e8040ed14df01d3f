/**
 * `cancel R-…` (#11 §5): the requester withdraws their own pending request. Every card copy
 * updates, the audit records it, it can no longer be approved, its jobs go (its announcement's
 * too); anyone else is refused (audited) and nothing changes.
 */
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('cancel a pending request', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const actions = async (id: string) => (await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
  const jobs = async (id: string) => (await h.app.stores.schedule.forRequest(id)).map((j) => j.id);

  async function replyAfter(before: number, pattern: RegExp): Promise<string> {
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && pattern.test(cardText(c.activity)),
      5000,
      `a reply matching ${pattern}`,
    );
    return cardText(reply.activity);
  }

  test('the requester cancels: every copy shows Cancelled, audited, jobs cancelled, approve afterwards refused', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(request.id),
      5000,
      'the approval card',
    );
    expect(await jobs(request.id)).not.toEqual([]);

    const before = h.connector.calls.length;
    expect((await h.say(users.requester, `cancel ${request.id.toLowerCase()}`)).status).toBe(200);
    expect(await replyAfter(before, /You cancelled request/)).toContain('Cancelled');

    expect((await h.app.store.get(request.id))!.state).toBe('cancelled');
    expect(await actions(request.id)).toContain('request.cancelled:cancelled');
    // Every job it held is cancelled (pendingRequestJobIds): expiry, nudges and its announcement.
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
    expect(await jobs(request.id)).toEqual([]);
    const copies = await h.app.store.listCardCopies(request.id);
    expect(copies.map((c) => c.role).sort()).toEqual(['approver', 'requester']);
    for (const copy of copies) {
      const last = await h.connector.waitFor(
        (c) => c.op === 'update' && c.activityId === copy.activityId && /Cancelled/.test(cardText(c.activity)),
        5000,
        `the ${copy.role} copy updated`,
      );
      expect(JSON.stringify(last.activity)).not.toContain('"verb":"approve"');
    }

    const assignmentsBefore = h.app.sandbox!.arm.state.listRoleAssignments().length;
    const approve = await h.click(users.approver, 'approve', { requestId: request.id, version: request.version });
    expect(approve.status).toBe(200);
    expect(cardText({ attachments: [{ content: approve.body.value }] })).toContain(
      `Request ${request.id} is already cancelled by the requester; nothing was changed.`,
    );
    expect((await h.app.store.get(request.id))!.state).toBe('cancelled');
    expect(h.app.sandbox!.arm.state.listRoleAssignments()).toHaveLength(assignmentsBefore);
    expect((await actions(request.id)).filter((a) => a.startsWith('request.approved'))).toEqual([]);
  });

  test("someone else's request: a clear refusal, audited, nothing changes", async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const user of [users.approver, users.outsider]) {
      const before = h.connector.calls.length;
      await h.say(user, `cancel ${request.id}`);
      expect(await replyAfter(before, /Could not cancel/)).toContain(
        `Only the person who made request ${request.id} can cancel it; nothing was changed.`,
      );
    }
    const stored = (await h.app.store.get(request.id))!;
    expect(stored.state).toBe('pending');
    expect(stored.version).toBe(request.version);
    expect(await jobs(request.id)).not.toEqual([]);
    expect((await actions(request.id)).filter((a) => a.startsWith('request.cancel'))).toEqual([
      'request.cancel.refused.notRequester:refused',
      'request.cancel.refused.notRequester:refused',
    ]);
  });

  test('a request that is no longer pending cannot be cancelled', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.settle(request.id);
    const before = h.connector.calls.length;
    await h.say(users.requester, `cancel ${request.id}`);
    const refused = await replyAfter(before, /Could not cancel/);
    expect(refused).toContain('is already approved');
    // The way on, as `revoke` of a pending request points to `cancel`.
    expect(refused).toContain(`To end the access now: "@acrbot revoke ${request.id} REASON…".`);
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');

    // Anyone else learns neither its state nor who approved it (`status` refuses them the request).
    const other = h.connector.calls.length;
    await h.say(users.outsider, `cancel ${request.id}`);
    const told = await replyAfter(other, /Could not cancel/);
    expect(told).toContain(`Only the person who made request ${request.id} can cancel it`);
    expect(told).not.toMatch(/approved|Approver|revoke/);
    expect((await actions(request.id)).filter((a) => a.startsWith('request.cancel'))).toEqual([
      'request.cancel.refused.notPending:refused',
      'request.cancel.refused.notRequester:refused',
    ]);

    // The card's Cancel button (a copy drawn while it was pending) answers as the command does.
    const click = await h.click(users.requester, 'cancel', { requestId: request.id });
    expect(cardText({ attachments: [{ content: click.body.value }] })).toContain(
      `To end the access now: "@acrbot revoke ${request.id} REASON…".`,
    );
    const stranger = await h.click(users.outsider, 'cancel', { requestId: request.id });
    const strangerText = cardText({ attachments: [{ content: stranger.body.value }] });
    expect(strangerText).toContain(`Only the person who made request ${request.id} can cancel it`);
    expect(strangerText).not.toMatch(/approved|Approver/);
  });

  test('a rejected request is refused without the revoke step: it holds no access', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'reject', { requestId: request.id, comment: 'not this week' });
    const before = h.connector.calls.length;
    await h.say(users.requester, `cancel ${request.id}`);
    const refused = await replyAfter(before, /Could not cancel/);
    expect(refused).toContain('is already rejected');
    expect(refused).not.toContain('revoke');
  });
});
