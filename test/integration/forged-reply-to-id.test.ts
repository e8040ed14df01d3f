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
import { type Harness, startHarness, users } from '../helpers/harness';
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

  const newest = async (state: 'pending' | 'approved' = 'pending') => {
    const all = await h.app.store.listByState([state], 1000);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
  };

  test("a grant form submit carrying another request's approval card id posts the plan anew; that card stays", async () => {
    const victim = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api victim');
    await h.app.services.background.drain();
    const target = await approvalCardOf(victim.id);
    const before = h.connector.calls.length;
    const res = await h.click(
      users.outsider,
      'grantForm',
      { form: 'grant', cluster: 'aks-dev', registry: 'contosoacr', reason: 'forged form submit' },
      target,
    );
    expect(res.status).toBe(200);
    expect(cardText({ attachments: [{ content: res.body.value }] })).toMatch(/follows in a new message/);
    await h.app.services.background.drain();
    const forged = await newest();
    expect(forged.id).not.toBe(victim.id);
    expect(forged.requester.objectId).toBe(users.outsider.objectId);
    const after = h.connector.calls.slice(before);
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
    await h.say(users.requester, 'grant');
    const form = await h.connector.waitFor(
      (c) => /Grant a cluster pull access/.test(cardText(c.activity)),
      5000,
      'form',
    );
    const fields = { form: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api form' };
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
    const victim = await h.requestGrant(users.outsider, 'aks-dev contosoacr deploy payments-api other victim');
    await h.app.services.background.drain();
    const target = await approvalCardOf(victim.id);
    const before = h.connector.calls.length;
    const res = await h.click(
      users.requester,
      'extend',
      { requestId: granted.id, duration: '8h', reason: 'forged extend click' },
      target,
    );
    expect(res.status).toBe(200);
    await h.app.services.background.drain();
    const extension = (await h.app.store.listByState(['pending'], 1000)).find(
      (r) => r.extendsRequestId === granted.id,
    )!;
    expect(extension).toBeDefined();
    const copies = await h.app.store.listCardCopies(extension.id);
    expect(copies.map((c) => c.activityId)).not.toContain(target);
    // Its requester copy is a new message, and the victim's card was not touched.
    const requesterCopy = copies.find((c) => c.role === 'requester');
    expect(requesterCopy).toBeDefined();
    const after = h.connector.calls.slice(before);
    expect(after.some((c) => c.op !== 'update' && c.activityId === requesterCopy!.activityId)).toBe(true);
    expect(after.filter((c) => c.activityId === target)).toEqual([]);
  });
});
