/**
 * An approver who clicks Approve (or Reject) again on a request they themselves just decided (a
 * double click, a second device) is told their decision stands and what the request does now,
 * through the real card handlers (sandbox mode): no `approval.refused.stale` entry, nothing noted
 * on the audit channel's card as a refused click, nothing decided twice. Someone else's click, or
 * the opposite decision, is refused and audited as before. And a cancel answers with the command
 * that asks for the same access again, to correct it.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

let h: Harness;
/** Requests whose refused clicks were passed to the audit card (CardMessenger.refusalNoted). */
let noted: string[] = [];
beforeEach(async () => {
  h = await startHarness();
  noted = [];
  const messenger = h.app.services.messenger;
  const original = messenger.refusalNoted.bind(messenger);
  messenger.refusalNoted = async (request) => {
    noted.push(request.id);
    await original(request);
  };
}, 60_000);
afterEach(async () => {
  await h?.stop();
});

const answerText = (res: { body: any }): string => cardText({ attachments: [{ content: res.body?.value }] });
/** Every character the answer holds (its styles too), as one string. */
const answerJson = (res: { body: any }): string => JSON.stringify(res.body?.value ?? res.body);

/** A click; returns its answer and the audit entries it wrote. */
async function click(user: TeamsUser, verb: 'approve' | 'reject', request: AccessRequest, comment?: string) {
  const before = (await h.app.audit.forRequest(request.id)).length;
  const res = await h.click(user, verb, { requestId: request.id, ...(comment && { comment }) });
  expect(res.status).toBe(200);
  const entries: AuditEntry[] = (await h.app.audit.forRequest(request.id)).slice(before);
  // The decision's entries and refusals; the run's own (execution.*) follow an approval.
  const actions = entries.map((e) => e.action).filter((a) => /^(request|approval)\./.test(a));
  return { text: answerText(res), json: answerJson(res), actions };
}

test('Approve clicked again by its approver: told it stands, not refused, not audited, nothing decided twice', async () => {
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
  const first = await click(users.approver, 'approve', request);
  expect(first.actions).toEqual(['request.approved']);
  const again = await click(users.approver, 'approve', request);
  expect(again.text).toMatch(
    new RegExp(
      `You approved request ${request.id} already; your decision stands, and (acrbot is carrying it out now|it is done)`,
    ),
  );
  expect(again.text).not.toContain('nothing was changed');
  expect(again.json).toContain('"style":"good"');
  expect(again.actions).toEqual([]);
  const settled = await h.settle(request.id);
  expect(settled.state).toBe('succeeded');
  // Once done, the same click says so.
  const late = await click(users.approver, 'approve', request);
  expect(late.text).toContain(`You approved request ${request.id} already; your decision stands, and it is done`);
  expect(late.actions).toEqual([]);
  const all = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
  expect(all.filter((a) => a === 'request.approved')).toHaveLength(1);
  expect(all).not.toContain('approval.refused.stale');
  expect(noted).not.toContain(request.id);
});

test('Reject clicked again by its approver: told it stands; the opposite click and anyone else are refused', async () => {
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy billing-api');
  expect((await click(users.approver, 'reject', request, 'use the staging registry')).actions).toEqual([
    'request.rejected',
  ]);
  const rejected = (await h.app.store.get(request.id))!;
  const again = await click(users.approver, 'reject', request, 'use the staging registry');
  expect(again.text).toContain(`You rejected request ${request.id} already; your decision stands`);
  expect(again.actions).toEqual([]);
  expect(noted).not.toContain(request.id);

  // The opposite decision by the same approver: refused, audited and noted as before.
  const opposite = await click(users.approver, 'approve', request);
  expect(opposite.text).toContain(`Request ${request.id} is already rejected by Alex Approver; nothing was changed.`);
  expect(opposite.actions).toEqual(['approval.refused.stale']);
  // Someone else's click of the same decision: refused too (it is judged by who decided).
  const other = await click(users.outsider, 'reject', request, 'me too');
  expect(other.text).not.toContain('your decision stands');
  expect(other.actions).toEqual(['approval.refused.stale']);
  // Card data cannot make a click its decider's: only the request id is read from it, so the
  // click is refused and audited as the outsider's own.
  const beforeForged = (await h.app.audit.forRequest(request.id)).length;
  const forged = await h.click(users.outsider, 'reject', {
    requestId: request.id,
    comment: 'me too',
    decision: { by: users.approver, approved: false },
  });
  expect(forged.status).toBe(200);
  expect(answerText(forged)).not.toContain('your decision stands');
  expect(answerText(forged)).toContain(
    `Request ${request.id} is already rejected by Alex Approver; nothing was changed.`,
  );
  const forgedActions = (await h.app.audit.forRequest(request.id))
    .slice(beforeForged)
    .map((e) => e.action)
    .filter((a) => /^(request|approval)\./.test(a));
  expect(forgedActions).toEqual(['approval.refused.stale']);
  expect((await h.app.store.get(request.id))!.version).toBe(rejected.version);
  await h.connector.waitFor(() => noted.filter((id) => id === request.id).length >= 3, 5000, 'the refusals noted');
});

test('a cancel answers with the command that asks for it again, to correct', async () => {
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy worker-api');
  const replies = await h.turnReplies(users.requester, `cancel ${request.id}`);
  expect(replies).toContain(`You cancelled request ${request.id}; it can no longer be approved.`);
  expect(replies).toMatch(/To ask for it corrected: "@acrbot grant aks-prod contosoacr( --for \S+)? REASON…"/);
});
