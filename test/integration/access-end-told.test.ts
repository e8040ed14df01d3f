/**
 * `access.end.told` says whether the requester was told their access ended: `sent` only when
 * the notice went out; a post Teams refused is audited `refused`, and one it keeps failing past
 * the end job's retries `unposted`, with words that say so, and the approvers are told the
 * requester was not (the auditor, and the tab's history, must not read "told" of a requester
 * nobody reached). A post Teams did not serve now (throttled, failing) is sent again by the end
 * job, without a report per request: a throttled mass end sent the approvers one per end.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { NOTICE_RETRIES_MS } from '../../src/flows/access-end-notice';
import { useLifecycleHooks, h, runDueAfter, start, MINUTE, grant, outcomeSent, endNotices } from '../helpers/lifecycle';

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
    expect(job?.payload).toEqual({ noticeTries: 1 });

    h.connector.throttling.delete(conversation);
    await runDueAfter(NOTICE_RETRIES_MS[0]);
    const told = await endTold(request.id);
    expect(told.map((e) => e.outcome)).toEqual(['sent']);
    expect(endNotices().filter((c) => cardText(c.activity).includes(request.id))).toHaveLength(1);
    expect(notToldReports(request.id)).toEqual([]);
    expect(await h.app.stores.schedule.get(`access.expire:${request.id}`)).toBeUndefined();
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
