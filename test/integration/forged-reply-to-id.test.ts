/**
 * G15 for the message a click says it came from (`replyToId`, the client's word): a grant form's
 * submit or a reminder's Extend takes over its message (replaced with, or recorded as, the new
 * request's card) only when acrbot posted that message as a form or reminder in that
 * conversation, once. A click carrying the id of another of acrbot's cards (an approval card of
 * someone else's request) gets a new message instead: that card is neither overwritten nor
 * recorded as a copy of the new request. The real form and reminder are still taken over.
 */
import type { AccessRequest } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { grantFormPosted } from '../helpers/grant-form';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';
import { clickInThread } from '../helpers/thread-click';

describe('a click takes over only a form or reminder acrbot posted there', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000', ACRBOT_MAX_PENDING_PER_USER: '50' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** The activity id of `requestId`'s approval card. */
  async function approvalCardOf(requestId: string): Promise<string> {
    const copy = (await h.app.store.listCardCopies(requestId)).find((c) => c.role === 'approver');
    expect(copy).toBeDefined();
    return copy!.activityId;
  }

  /**
   * The victim of a forged click: `user` asks for the grant `args`, pending approval once its
   * planning (background work) posted the approval card. The request and that card's activity id.
   */
  async function victimWithApprovalCard(user: TeamsUser, args: string) {
    const victim = await h.requestGrant(user, args);
    await h.app.services.background.drain();
    return { victim, target: await approvalCardOf(victim.id) };
  }

  /**
   * `user`'s click `verb` with `data` saying it came from the message `target` (a forged
   * `replyToId`): answered 200, and the turn's background work done. The answer, and every call
   * the bot has made since the click.
   */
  async function forgedClick(user: TeamsUser, verb: string, data: Record<string, unknown>, target: string) {
    const before = h.connector.calls.length;
    const res = await h.click(user, verb, data, target);
    expect(res.status).toBe(200);
    await h.app.services.background.drain();
    return { res, sentSinceClick: () => h.connector.calls.slice(before) };
  }

  const newest = async (state: 'pending' | 'approved' = 'pending') => {
    const all = await h.app.store.listByState([state], 1000);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
  };

  test("a grant form submit carrying another request's approval card id posts the plan anew; that card stays", async () => {
    const { victim, target } = await victimWithApprovalCard(
      users.requester,
      'aks-legacy contosoacr deploy payments-api victim',
    );
    const { res, sentSinceClick } = await forgedClick(
      users.outsider,
      'grantForm',
      { form: 'grant', cluster: 'aks-dev', registry: 'contosoacr', reason: 'forged form submit' },
      target,
    );
    expect(cardText({ attachments: [{ content: res.body.value }] })).toMatch(/follows in a new message/);
    const forged = await newest();
    expect(forged.id).not.toBe(victim.id);
    expect(forged.requester.objectId).toBe(users.outsider.objectId);
    const after = sentSinceClick();
    // The plan went out as a new message, recorded as the new request's copy …
    const planPost = after.find((c) => c.op !== 'update' && cardText(c.activity).includes(forged.id));
    expect(planPost).toBeDefined();
    const copies = await h.app.store.listCardCopies(forged.id);
    expect(copies.find((c) => c.role === 'requester')?.activityId).toBe(planPost!.activityId);
    // … and the victim's approval card was neither replaced nor taken as a copy.
    expect(after.filter((c) => c.activityId === target && c.op === 'update')).toEqual([]);
    expect(copies.map((c) => c.activityId)).not.toContain(target);
  });

  test('the form acrbot posted is still replaced by the plan, and only once', async () => {
    const form = await grantFormPosted(h);
    // Each test asks for its own pair: one request waiting per requester and pair (limits.duplicate).
    const fields = { form: 'grant', cluster: 'aks-dev', registry: 'contosoacr', reason: 'deploy payments-api form' };
    const res = await clickInThread(h, users.requester, 'grantForm', fields, form.activityId);
    expect(cardText({ attachments: [{ content: res.body.value }] })).toMatch(/this card changes to the plan/);
    await h.app.services.background.drain();
    const first = await newest();
    expect((await h.app.store.listCardCopies(first.id)).map((c) => c.activityId)).toContain(form.activityId);
    // A second submit naming the same message (now the first request's card) does not take it.
    const mark = h.connector.calls.length;
    const again = await clickInThread(
      h,
      users.requester,
      'grantForm',
      { ...fields, reason: 'second' },
      form.activityId,
    );
    expect(cardText({ attachments: [{ content: again.body.value }] })).toMatch(/follows in a new message/);
    await h.app.services.background.drain();
    expect(h.connector.calls.slice(mark).filter((c) => c.activityId === form.activityId)).toEqual([]);
    for (const r of await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded'], 1000))
      if (r.id !== first.id)
        expect((await h.app.store.listCardCopies(r.id)).map((c) => c.activityId)).not.toContain(form.activityId);
  });

  let granted: Promise<AccessRequest> | undefined;
  /** One grant, approved and run, whose extensions the Extend tests ask for. */
  const grantedOnce = () =>
    (granted ??= grantApproved(h, 'aks-prod contosoacr --for 2h deploy payments-api extend me'));

  test("the reminder acrbot posted becomes the extension's card", async () => {
    const granted = await grantedOnce();
    const before = h.connector.calls.length;
    await h.app.services.messenger.tellRequester(granted, { kind: 'expiring', inMs: 3_600_000 });
    const reminder = h.connector.calls
      .slice(before)
      .find((c) => c.op !== 'update' && /Access ends in/.test(cardText(c.activity)));
    expect(reminder).toBeDefined();
    const res = await clickInThread(
      h,
      users.requester,
      'extend',
      { requestId: granted.id, duration: '8h', reason: 'real reminder click' },
      reminder!.activityId,
    );
    expect(res.status).toBe(200);
    expect(cardText({ attachments: [{ content: res.body.value }] })).not.toMatch(/does not change/);
    await h.app.services.background.drain();
    const extension = (await h.app.store.listByState(['pending'], 1000)).find(
      (r) => r.extendsRequestId === granted.id,
    )!;
    const copies = await h.app.store.listCardCopies(extension.id);
    expect(copies.find((c) => c.role === 'requester')?.activityId).toBe(reminder!.activityId);
    // Withdrawn, so the next test can ask for another extension of the same grant.
    await h.say(users.requester, `cancel ${extension.id}`);
    await h.connector.waitFor((c) => /You cancelled request/.test(cardText(c.activity)), 5000, 'cancelled');
  });
  test("an Extend click carrying another request's approval card id does not make it the extension's card", async () => {
    const granted = await grantedOnce();
    const { target } = await victimWithApprovalCard(
      users.outsider,
      'aks-legacy contosoacr deploy payments-api other victim',
    );
    const { sentSinceClick } = await forgedClick(
      users.requester,
      'extend',
      { requestId: granted.id, duration: '8h', reason: 'forged extend click' },
      target,
    );
    const extension = (await h.app.store.listByState(['pending'], 1000)).find(
      (r) => r.extendsRequestId === granted.id,
    )!;
    expect(extension).toBeDefined();
    const copies = await h.app.store.listCardCopies(extension.id);
    expect(copies.map((c) => c.activityId)).not.toContain(target);
    // Its requester copy is a new message, and the victim's card was not touched.
    const requesterCopy = copies.find((c) => c.role === 'requester');
    expect(requesterCopy).toBeDefined();
    const after = sentSinceClick();
    expect(after.some((c) => c.op !== 'update' && c.activityId === requesterCopy!.activityId)).toBe(true);
    expect(after.filter((c) => c.activityId === target)).toEqual([]);
  });
});
