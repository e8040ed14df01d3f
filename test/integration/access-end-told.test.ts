/**
 * `access.end.told` says whether the requester was told their access ended: `sent` only when
 * the notice went out; a post Teams refused is audited `refused`, and one it keeps failing past
 * the end job's retries `unposted`, with words that say so, and the approvers are told the
 * requester was not (the auditor, and the tab's history, must not read "told" of a requester
 * nobody reached). A post Teams did not serve now (throttled, failing) is sent again by the end
 * job, without a report per request: a throttled mass end sent the approvers one per end.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { NOTICE_RETRIES_MS, noticeRetryMs } from '../../src/flows/access-end-notice';
import {
  useLifecycleHooks,
  h,
  now,
  runDueAfter,
  start,
  MINUTE,
  grant,
  outcomeSent,
  endNotices,
} from '../helpers/lifecycle';

/** The approvers' reports that the requester of `id` was not told of its end. */
const notToldReports = (id: string) =>
  h.connector.calls.filter(
    (c) => c.op !== 'update' && cardText(c.activity).includes(`Requester not told of the end: ${id}`),
  );

/** The `access.end.told` entries of `id`. */
async function endTold(id: string) {
  return (await h.app.audit.forRequest(id)).filter((e) => e.action === 'access.end.told');
}

/** The conversation id of the requester's card copy of `id`, where their end notice goes. */
async function requesterConversation(id: string): Promise<string> {
  const copy = (await h.app.store.listCardCopies(id)).find((c) => c.role === 'requester')!;
  return String((copy.conversation as { conversation: { id: string } }).conversation.id);
}

/** The messages of the info lines logged for `id`'s end notice that was not sent now. */
const notSentLines = (id: string) =>
  h.logs
    .entries()
    .filter((e) => e.requestId === id && /^the end notice was not (served|sent)/.test(String(e.msg)))
    .map((e) => e.msg);
const BY_TEAMS = 'the end notice was not served by Teams now; its end job sends it again later';
const BY_STORE =
  'the end notice was not sent: the store did not serve the read of where to post it; its end job sends it again later';

describe('access.end.told says whether the requester was told', () => {
  useLifecycleHooks();

  test('an expiry whose notice Teams throttles is sent again by its end job: no report, audited sent', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    const conversation = await requesterConversation(request.id);
    h.connector.throttling.add(conversation);
    h.connector.clear();
    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    // Not told yet, and no entry says so: its end job sends the notice again.
    expect(await endTold(request.id)).toEqual([]);
    expect(notToldReports(request.id)).toEqual([]);
    const job = await h.app.stores.schedule.get(`access.expire:${request.id}`);
    // Whose failure it was, for an operator reading the schedule: Teams', at the post.
    expect(job?.payload).toEqual({ noticeTries: 1, noticeFailedAt: 'post' });
    // Due after its request's share of the first wait (spread, so a mass end's do not come due together).
    expect(job?.dueAt).toBe(new Date(now.getTime() + noticeRetryMs(request.id, 0)).toISOString());
    // Teams' failure, said to be Teams'.
    expect(notSentLines(request.id)).toEqual([BY_TEAMS]);

    h.connector.throttling.delete(conversation);
    await runDueAfter(NOTICE_RETRIES_MS[0]);
    const told = await endTold(request.id);
    expect(told.map((e) => e.outcome)).toEqual(['sent']);
    expect(endNotices().filter((c) => cardText(c.activity).includes(request.id))).toHaveLength(1);
    expect(notToldReports(request.id)).toEqual([]);
    expect(await h.app.stores.schedule.get(`access.expire:${request.id}`)).toBeUndefined();
  });

  test("a notice the store did not serve the read of where to post it (Tables busy) is sent again, logged as the store's failure, not Teams'", async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    // Azure Tables answers 503 to the card copies' read once the request is revoked: the cards'
    // redraw and the notice's read of the requester's conversation.
    const store = h.app.store;
    const listCardCopies = store.listCardCopies.bind(store);
    let busy = true;
    store.listCardCopies = async (id) => {
      if (busy && id === request.id && (await store.get(id))?.state === 'revoked')
        throw new RestError('The server is busy.', { statusCode: 503, code: 'ServerBusy' });
      return listCardCopies(id);
    };
    h.connector.clear();
    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(await endTold(request.id)).toEqual([]);
    expect((await h.app.stores.schedule.get(`access.expire:${request.id}`))?.payload).toEqual({
      noticeTries: 1,
      noticeFailedAt: 'beforePost',
    });
    expect(notSentLines(request.id)).toEqual([BY_STORE]);

    busy = false;
    await runDueAfter(NOTICE_RETRIES_MS[0]);
    expect((await endTold(request.id)).map((e) => e.outcome)).toEqual(['sent']);
    expect(notSentLines(request.id)).toEqual([BY_STORE]);
  });

  test('a notice Teams keeps throttling is audited unposted after its last retry, and the approvers are told once', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.connector.throttling.add(await requesterConversation(request.id));
    h.connector.clear();
    await runDueAfter(2 * MINUTE);
    for (const waitMs of NOTICE_RETRIES_MS) {
      expect(await endTold(request.id)).toEqual([]);
      await runDueAfter(waitMs);
    }

    const told = await endTold(request.id);
    expect(told).toHaveLength(1);
    expect(told[0].outcome).toBe('unposted');
    // The line after the last try says whose failure it was: Teams', at the post.
    const notTold = h.logs
      .entries()
      .filter((e) => e.requestId === request.id && e.msg === 'could not tell the requester');
    expect(notTold.map((e) => [e.level, e.failedAt])).toEqual([[50, 'post']]);
    expect(told[0].detail).toContain('the requester was not told: the post in their conversation failed');
    expect(told[0].detail).toContain('the approvers were told');
    expect(told[0].detail).not.toMatch(/requester told|cards updated/);
    const reports = notToldReports(request.id);
    expect(reports).toHaveLength(1);
    expect(reports[0].conversationId).toMatch(/^19:sandbox-approvals/);
    expect(await h.app.stores.schedule.get(`access.expire:${request.id}`)).toBeUndefined();
  });

  test('an expiry whose notice Teams refuses for good is audited refused at once, and the approvers are told', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.connector.refusing.add(await requesterConversation(request.id));
    h.connector.clear();
    await runDueAfter(2 * MINUTE);
    expect((await endTold(request.id)).map((e) => e.outcome)).toEqual(['refused']);
    expect(notToldReports(request.id)).toHaveLength(1);
  });

  test('an expiry whose notice went out is audited sent', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.connector.clear();
    await runDueAfter(2 * MINUTE);
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');

    const told = await endTold(request.id);
    expect(told.map((e) => [e.outcome, e.detail])).toEqual([['sent', 'the requester told']]);
    expect(h.connector.calls.some((c) => /Expired and revoked: R-/.test(cardText(c.activity)))).toBe(true);
    expect(h.connector.calls.some((c) => cardText(c.activity).includes('Requester not told of the end'))).toBe(false);
  });
});
