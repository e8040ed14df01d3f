/**
 * The undo the approvers' card offers ("Approved the wrong one? `@acrbot revoke R-… REASON…`")
 * leaves no "revoked by …" for the next approver of the pair: a revocation by the approver who
 * approved the request, within 15 minutes of the approval, is their correction (domain/decided-
 * before.ts `isApproverCorrection`). The pair's next request records nothing of it, its approvers'
 * view says nothing of it, and the revocation's `access.revoked` entry says it was a correction.
 * Past the window it counts as any revocation. The real app over the sandbox, on a test clock.
 */
import { invokeText, refreshView } from '../helpers/card-views';
import { users } from '../helpers/harness';
import { advance, grant, h, MINUTE, start, useLifecycleHooks } from '../helpers/lifecycle';

const ARGS = 'aks-prod contosoacr --for 30d deploy payments-api';
const SLIP = 'approved the wrong card, sorry';

/** The approver revokes `id` through the Revoke confirmation with `reason`; the access ended. */
async function approverRevokes(id: string, reason: string) {
  await h.click(users.approver, 'revokeConfirm', { requestId: id, reason });
  await h.app.services.background.drain();
  const revoked = (await h.app.store.get(id))!;
  expect(revoked.state).toBe('revoked');
  expect(revoked.access?.revokedBy?.objectId).toBe(users.approver.objectId);
  const entry = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoked')!;
  return { revoked, entry };
}

/** The pair asked for again; the new request as stored and its approvers' own view of it. */
async function askAgain() {
  const again = await h.requestGrant(users.requester, `${ARGS}, the right one this time`);
  const stored = (await h.app.store.get(again.id))!;
  return { again: stored, approversView: invokeText(await refreshView(h, users.approver, again.id)) };
}

describe("an approver's correction of their own approval, on the pair's next request", () => {
  useLifecycleHooks();

  test('approved, then revoked by the same approver at once: not named to the next approvers; the entry says correction', async () => {
    await start();
    const wrong = await grant(users.requester, ARGS);
    expect(wrong.decision?.by.objectId).toBe(users.approver.objectId);
    advance(2 * MINUTE);
    const { entry } = await approverRevokes(wrong.id, SLIP);
    expect(entry.facts).toEqual({ correction: ['byApprover'] });
    expect(entry.detail).toContain("the approver's correction: revoked by one who approved it, within 15 minutes");
    expect(entry.detail).toContain(SLIP);

    advance(MINUTE);
    const { again, approversView } = await askAgain();
    expect(again.decidedBefore).toBeUndefined();
    expect(approversView).toContain(again.id);
    expect(approversView).not.toContain(wrong.id);
    expect(approversView).not.toContain(SLIP);
    const created = (await h.app.audit.forRequest(again.id)).find((e) => e.action === 'request.created')!;
    expect(created.detail ?? '').not.toContain('decided against');
  });

  test('revoked by the same approver past the window: named as any revocation; the entry says no correction', async () => {
    await start();
    const first = await grant(users.requester, ARGS);
    advance(16 * MINUTE);
    const { revoked, entry } = await approverRevokes(first.id, 'the image it pulls has a CVE');
    expect(entry.facts).toBeUndefined();
    expect(entry.detail).not.toContain('correction');

    advance(MINUTE);
    const { again, approversView } = await askAgain();
    expect(again.decidedBefore?.map((d) => [d.requestId, d.how])).toEqual([[first.id, 'revoked']]);
    expect(again.decidedBefore?.[0]?.at).toBe(revoked.access!.revokedAt);
    expect(approversView).toContain(`${first.id}'s access revoked by ${users.approver.name}`);
    expect(approversView).toContain('the image it pulls has a CVE');
  });
});
