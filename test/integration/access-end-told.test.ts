/**
 * `access.end.told` says whether the requester was told their access ended: `sent` only when
 * the notice went out; a post Teams failed is audited `unposted`, with words that say so, and
 * the approvers are told the requester was not (the auditor, and the tab's history, must not
 * read "told" of a requester nobody reached).
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { useLifecycleHooks, h, runDueAfter, start, MINUTE, grant, outcomeSent } from '../helpers/lifecycle';

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

  test('an expiry whose notice to the requester Teams fails is audited unposted, and the approvers are told', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.connector.failing.add(await requesterConversation(request.id));
    h.connector.clear();
    await runDueAfter(2 * MINUTE);
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');

    const told = await endTold(request.id);
    expect(told).toHaveLength(1);
    expect(told[0].outcome).toBe('unposted');
    expect(told[0].detail).toContain('the requester was not told: the post in their conversation failed');
    expect(told[0].detail).toContain('the approvers were told');
    expect(told[0].detail).not.toMatch(/requester told|cards updated/);
    const report = h.connector.calls.find(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`Requester not told of the end: ${request.id}`),
    );
    expect(report?.conversationId).toMatch(/^19:sandbox-approvals/);
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
