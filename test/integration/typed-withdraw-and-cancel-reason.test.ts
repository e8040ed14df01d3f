/**
 * Two typed commands through the real bot and request service:
 * - `withdraw R-…` is the Withdraw my approval button typed, through the same flow: under a
 *   2-of-3 rule the approval is taken back (still pending, audited `approval.withdrawn`, every copy
 *   redrawn); refused and audited, nothing changed, for an approver who has not approved and after
 *   the quorum (with the revoke hint). Its answer shows the request's card only where approvers'
 *   cards may be shown (their chat with acrbot), the answer alone elsewhere. It tells nobody more
 *   than `status R-…` would: another tenant's request reads as one that does not exist (audited
 *   `request.refused.tenant`), its requester is given the `cancel` command (nothing audited), anyone
 *   else is told it is someone else's, without its state.
 * - `cancel R-… REASON…`: the reason is checked as every reason (a refused one cancels nothing and
 *   is audited), kept as the detail of `request.cancelled` and on the request, and shown inert on
 *   the audit channel's card and beside "Cancelled" on the request's redrawn card; without one the
 *   cancel is as before. The reason is judged after who may cancel and the request's state: anyone
 *   else is refused as not its requester, a granted request points to revoke, whatever the reason.
 */
import { countedApprovals } from '../../src/domain/policy';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import { adele, sam, startTwoOfThree } from '../helpers/two-of-three-policy';
import type { TeamsUser } from '../helpers/teams-activities';
import { answerInTenantB, bea, SERVING_TENANT_B } from '../helpers/tenant-b';

const AUDIT_CHANNEL = '19:acrbot-audit@thread.tacv2';

let h: Harness;
const temp = new TempDirs();
afterEach(async () => {
  try {
    await h?.stop();
  } finally {
    temp.removeAll();
  }
});

async function start(env: Record<string, string> = {}): Promise<Harness> {
  return startTwoOfThree(temp, { ACRBOT_AUDIT_CHANNEL: AUDIT_CHANNEL, ...env });
}

/**
 * Says `text` as `user` (in the requests channel, or in their own chat with acrbot) and answers the
 * text of the first new card or message there that says `mark`: other posts may reach the same
 * conversation meanwhile (the requester's news of their request).
 */
async function answerTo(
  user: TeamsUser,
  text: string,
  mark: string,
  where: 'channel' | 'personal' = 'channel',
): Promise<string> {
  const before = h.connector.calls.length;
  expect((await h.say(user, text, where)).status).toBe(200);
  const there = where === 'channel' ? '19:platform-requests' : `a:personal-${user.objectId}`;
  const reply = await h.connector.waitFor(
    (c) =>
      h.connector.calls.indexOf(c) >= before &&
      c.op !== 'update' &&
      c.conversationId.startsWith(there) &&
      cardText(c.activity).includes(mark),
    5000,
    `the answer to "${text}"`,
  );
  return cardText(reply.activity);
}

async function actions(requestId: string): Promise<string[]> {
  return (await h.app.audit.forRequest(requestId)).map((e) => e.action);
}

describe('withdraw REQUEST-ID', () => {
  test('takes their approval back as the button does: still pending, audited, every copy redrawn', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect(countedApprovals((await h.app.store.get(request.id))!)).toHaveLength(1);

    h.connector.clear();
    // Typed without its dash, in their chat with acrbot: the request's card, as `status` draws it.
    const answer = await answerTo(users.approver, `withdraw ${request.id.replace('-', '')}`, request.id, 'personal');
    expect(answer).toContain(
      `Your approval of request ${request.id} is withdrawn; it stays pending, and you can approve it again.`,
    );
    expect(answer).toContain('deploy payments-api');
    const stored = (await h.app.store.get(request.id))!;
    expect(stored.state).toBe('pending');
    expect(countedApprovals(stored)).toEqual([]);
    const withdrawn = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'approval.withdrawn');
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]).toMatchObject({ outcome: '0 of 2', ruleId: 'prod-two-of-three' });
    expect(withdrawn[0].actor.objectId).toBe(users.approver.objectId);
    await h.connector.waitFor(
      (c) => c.op === 'update' && cardText(c.activity).includes('0 of 2 so far'),
      5000,
      'a copy redrawn with 0 of 2',
    );
    // The answer is no second copy with buttons, which later changes would not update.
    const posted = h.connector.calls.filter((c) => c.op !== 'update' && c.conversationId.startsWith('a:personal-'));
    expect(JSON.stringify(posted.map((c) => c.activity))).not.toContain('"verb":"approve"');

    // They may approve again.
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect(countedApprovals((await h.app.store.get(request.id))!)).toHaveLength(1);
  });

  test('in a conversation that is no approvers’, the answer alone: no reason of the request', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy billing-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const answer = await answerTo(users.approver, `withdraw ${request.id}`, request.id);
    expect(answer).toContain(`Your approval of request ${request.id} is withdrawn`);
    expect(answer).not.toContain('billing-api');
    expect(countedApprovals((await h.app.store.get(request.id))!)).toEqual([]);
  });

  test('refused, audited, nothing changed: one who has not approved is told so; after the quorum, the revoke hint', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy orders-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const before = (await h.app.store.get(request.id))!;

    const notCounted = await answerTo(adele, `withdraw ${request.id}`, request.id, 'personal');
    expect(notCounted).toContain(`You have no approval of request ${request.id} that counts`);
    expect(notCounted).toContain('nothing was changed');
    expect((await h.app.store.get(request.id))!.version).toBe(before.version);
    expect(await actions(request.id)).toContain('approval.refused.notCounted');

    await h.click(sam, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const late = await answerTo(users.approver, `withdraw ${request.id}`, request.id, 'personal');
    expect(late).toContain('so approvals of it can no longer be withdrawn; nothing was changed.');
    expect(late).toContain(`"@acrbot revoke ${request.id} REASON…"`);
    const trail = await actions(request.id);
    expect(trail).toContain('approval.refused.stale');
    expect(trail).not.toContain('approval.withdrawn');
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
  });

  test('a mistyped id and words after the id are answered, nothing done', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy cart-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect(await answerTo(users.approver, 'withdraw R-7K2M9QX0', 'R-7K2M9QX0', 'personal')).toContain(
      '"R-7K2M9QX0" is not a request id',
    );
    expect(await answerTo(users.approver, `withdraw ${request.id} oops`, request.id, 'personal')).toContain(
      `"withdraw" takes the request id alone`,
    );
    expect(countedApprovals((await h.app.store.get(request.id))!)).toHaveLength(1);
    expect(await actions(request.id)).not.toContain('approval.withdrawn');
  });
});

describe('withdraw REQUEST-ID tells nobody more than status does', () => {
  test('someone of another tenant: an existing id reads as a missing one, audited request.refused.tenant', async () => {
    h = await start(SERVING_TENANT_B);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const before = (await h.app.store.get(request.id))!;

    const existing = await answerInTenantB(h, bea, `withdraw ${request.id}`);
    const missing = await answerInTenantB(h, bea, 'withdraw R-99999999');
    expect(existing).toContain(`There is no request ${request.id};`);
    expect(existing.replaceAll(request.id, 'R-…')).toBe(missing.replaceAll('R-99999999', 'R-…'));
    expect(existing).not.toMatch(/organisation|approver/i);
    expect(await answerInTenantB(h, bea, `status ${request.id}`)).toContain(`There is no request ${request.id};`);

    expect((await h.app.store.get(request.id))!.version).toBe(before.version);
    const trail = await h.app.audit.forRequest(request.id);
    expect(trail.map((e) => e.action)).not.toContain('approval.refused.tenant');
    const refused = trail.filter((e) => e.action === 'request.refused.tenant');
    expect(refused).toHaveLength(2);
    expect(refused[0].detail).toMatch(/^withdraw of a request of tenant /);
    expect(refused[0].actor.objectId).toBe(bea.objectId);
  });

  test('its requester: told the cancel command, nothing changed, no approval refusal audited', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const before = (await h.app.store.get(request.id))!;
    const trailBefore = await actions(request.id);

    const answer = await answerTo(users.requester, `withdraw ${request.id}`, request.id, 'personal');
    expect(answer).toContain(`"@acrbot cancel ${request.id} REASON…"`);
    expect(answer).toContain('Nothing was changed.');
    expect(answer).not.toContain('You have no approval');
    const after = (await h.app.store.get(request.id))!;
    expect(after.version).toBe(before.version);
    expect(after.state).toBe('pending');
    expect(await actions(request.id)).toEqual(trailBefore);
    expect((await h.app.audit.latest(50)).map((e) => e.action)).not.toContain('approval.refused.notCounted');
  });

  test('someone else of the tenant: status’s not-yours answer, not its state nor who approved it', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.click(sam, 'approve', { requestId: request.id });
    const granted = await h.settle(request.id);
    expect(granted.state).toBe('succeeded');

    const answer = await answerTo(users.outsider, `withdraw ${request.id}`, request.id, 'personal');
    const status = await answerTo(users.outsider, `status ${request.id}`, request.id, 'personal');
    const notYours = `Request ${request.id} belongs to someone else; only its requester and approvers can see it.`;
    expect(status).toContain(notYours);
    expect(answer).toContain(notYours);
    expect(answer).not.toMatch(/approved|Megan|done|revoke/i);
    expect((await h.app.store.get(request.id))!.version).toBe(granted.version);
    // Refused by the withdraw's own rule, as a bystander's click is.
    expect(await actions(request.id)).toContain('approval.refused.stale');
  });
});

describe('cancel REQUEST-ID REASON… judges the reason after who and the state', () => {
  test('someone else’s request with a short reason: refused as not its requester, not asked for a reason', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const answer = await answerTo(users.outsider, `cancel ${request.id} oops`, 'cancel');
    expect(answer).toContain(`Only the person who made request ${request.id} can cancel it; nothing was changed.`);
    expect(answer).not.toContain('at least 8 characters');
    expect(await actions(request.id)).toContain('request.cancel.refused.notRequester');
    const validation = (await h.app.audit.latest(50)).filter((e) => e.action === 'validation.failed');
    expect(validation).toEqual([]);
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  });

  test('their own granted request with a short reason: the revoke way, not asked for a reason', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.click(sam, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const answer = await answerTo(users.requester, `cancel ${request.id} oops`, 'cancel', 'personal');
    expect(answer).toContain(`"@acrbot revoke ${request.id} REASON…"`);
    expect(answer).not.toContain('at least 8 characters');
    expect(await actions(request.id)).toContain('request.cancel.refused.notPending');
    expect((await h.app.audit.latest(50)).map((e) => e.action)).not.toContain('validation.failed');
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
  });
});

describe('cancel REQUEST-ID REASON…', () => {
  test('the reason is the detail of request.cancelled, shown inert on the audit channel card', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const answer = await answerTo(
      users.requester,
      `cancel ${request.id} asked for the wrong registry, see www.example.com`,
      'cancel',
    );
    expect(answer).toContain(`You cancelled request ${request.id}`);
    expect((await h.app.store.get(request.id))!.state).toBe('cancelled');
    const entry = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.cancelled')!;
    expect(entry.detail).toBe('asked for the wrong registry, see www.example.com');
    const card = await h.connector.waitFor(
      (c) => c.conversationId === AUDIT_CHANNEL && cardText(c.activity).includes('request.cancelled'),
      5000,
      'the audit card with the cancel',
    );
    const shown = cardText(card.activity);
    expect(shown).toContain('asked for the wrong registry, see www\u200b.example.com');
    expect(shown).not.toContain('www.example.com');
    // The approvers' copy of the request card, redrawn Cancelled, says why in the requester's words (inert).
    const redrawn = await h.connector.waitFor(
      (c) => c.op === 'update' && cardText(c.activity).includes('Cancelled by the requester'),
      5000,
      'the request card redrawn Cancelled',
    );
    expect(cardText(redrawn.activity)).toContain(
      'Cancelled by the requester — "asked for the wrong registry, see www\u200b.example.com".',
    );
    expect((await h.app.store.get(request.id))!.cancelReason).toBe('asked for the wrong registry, see www.example.com');
  });

  test('a reason too short or with a credential in it: said, audited, nothing cancelled', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const short = await answerTo(users.requester, `cancel ${request.id} oops`, 'cancel');
    expect(short).toContain('in at least 8 characters');
    expect(short).toContain('nothing was cancelled');
    const secret = await answerTo(
      users.requester,
      `cancel ${request.id} wrong one password=Sup3rS3cretValue!`,
      'cancel',
    );
    expect(secret).toContain('looks like it contains a credential');
    expect(secret).toContain('Nothing was cancelled.');
    expect(secret).not.toContain('Sup3rS3cretValue');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    expect(await actions(request.id)).not.toContain('request.cancelled');
    const refusals = (await h.app.audit.latest(20)).filter((e) => e.action === 'validation.failed');
    expect(refusals.map((e) => e.outcome)).toEqual(expect.arrayContaining(['validation.reason', 'validation.secret']));
    expect(JSON.stringify(refusals)).not.toContain('Sup3rS3cretValue');
  });

  test('without a reason it cancels as before: no detail', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(await answerTo(users.requester, `cancel ${request.id}`, 'cancel')).toContain(
      `You cancelled request ${request.id}`,
    );
    const entry = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.cancelled')!;
    expect(entry.outcome).toBe('cancelled');
    expect(entry.detail).toBeUndefined();
    const redrawn = await h.connector.waitFor(
      (c) => c.op === 'update' && cardText(c.activity).includes('Cancelled by the requester'),
      5000,
      'the request card redrawn Cancelled',
    );
    expect(cardText(redrawn.activity)).toContain('Cancelled by the requester.');
    expect((await h.app.store.get(request.id))!.cancelReason).toBeUndefined();
  });
});
