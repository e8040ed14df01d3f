/**
 * `revoke registry NAME REASON` judges its reason last: someone who is no approver is refused as
 * such (audited), and a name that is no registry is answered as such, even when the reason is
 * too short too; only a registry that resolves, asked by an approver, gets the reason's answer.
 * Nothing is changed by any of them.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

/** The entries `user` caused after `seq`, as [action, outcome]. */
async function entriesAfter(user: TeamsUser, seq: number): Promise<Array<[string, string | undefined]>> {
  return (await h.app.audit.latest(100))
    .filter((e: AuditEntry) => e.seq > seq && e.actor.objectId === user.objectId)
    .map((e) => [e.action, e.outcome]);
}

test('a short reason: the unknown registry and the non-approver are answered first, the reason only after', async () => {
  h = await startHarness({ ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' });
  const lastSeq = async () => (await h.app.audit.latest(1))[0]?.seq ?? 0;

  let seq = await lastSeq();
  const unknown = await h.ask(users.approver, 'revoke registry nosuchacr leak');
  expect(unknown).toContain('No registry named nosuchacr was found');
  expect(unknown).not.toContain('at least 8 characters');
  expect(await entriesAfter(users.approver, seq)).toEqual([]);

  seq = await lastSeq();
  const refused = await h.ask(users.requester, 'revoke registry contosoacr leak');
  expect(refused).toContain('Only approvers may revoke every grant on a registry');
  expect(refused).not.toContain('at least 8 characters');
  expect(await entriesAfter(users.requester, seq)).toEqual([['revoke.refused', 'revoke.notApprover']]);

  seq = await lastSeq();
  expect(await h.ask(users.approver, 'revoke registry contosoacr leak')).toContain('at least 8 characters');
  expect(await entriesAfter(users.approver, seq)).toEqual([['validation.failed', 'validation.reason']]);
});
