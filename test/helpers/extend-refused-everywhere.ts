/**
 * A grant that gives nothing any more (its cluster gone, its role assignment removed outside
 * acrbot) is refused every way its requester may try to extend it: `extend` in chat, a card's
 * Extend, and the tab (no Extend on its row, a POST refused). Shared by the tests of each reason:
 * the words and the audited outcome are theirs, the three ways and what they leave are the same.
 */
import { cardText } from './capturing-connector';
import { type Harness, users } from './harness';
import { tabCall, tabToken } from './tab-call';

/** What one reason's refusal is: its words, and the outcome `extend.refused` entries carry. */
export interface ExtendRefusal {
  says: RegExp;
  outcome: string;
}

/**
 * The requester asks to extend `requestId` for 2d in chat, with a card's Extend and in the tab:
 * each refused in `refusal.says`, audited with `refusal.outcome` (as the tab's error), the tab's
 * row offering no Extend, and the grant's end unmoved. The tab's row, for what else a test reads
 * of it.
 */
export async function expectExtendRefusedEverywhere(
  h: Harness,
  requestId: string,
  refusal: ExtendRefusal,
): Promise<Record<string, unknown>> {
  const endBefore = (await h.app.store.get(requestId))!.access?.expiresAt;

  expect(await h.ask(users.requester, `extend ${requestId} --for 2d release still rolling out`)).toMatch(refusal.says);

  const click = await h.click(users.requester, 'extend', {
    requestId,
    duration: '2d',
    reason: 'release still rolling out',
  });
  expect(cardText({ attachments: [{ content: click.body?.value }] })).toMatch(refusal.says);

  const token = await tabToken(h, 'requester');
  const row = await tabCall(h.app.url, `/api/tab/requests/${requestId}`, token);
  expect(row.status).toBe(200);
  expect(row.body.row).toMatchObject({ canExtend: false, canRevoke: true });
  const posted = await tabCall(h.app.url, `/api/tab/requests/${requestId}/extend`, token, {
    duration: '2d',
    reason: 'release still rolling out',
  });
  expect(posted.status).toBeGreaterThanOrEqual(400);
  expect(posted.body).toMatchObject({ error: refusal.outcome });
  expect(posted.body.message).toMatch(refusal.says);

  const refusals = (await h.app.audit.forRequest(requestId))
    .filter((e) => e.action === 'extend.refused')
    .map((e) => e.outcome);
  expect(refusals).toEqual([refusal.outcome, refusal.outcome, refusal.outcome]);
  expect((await h.app.store.get(requestId))!.access?.expiresAt).toBe(endBefore);
  return row.body.row;
}
