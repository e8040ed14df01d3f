/**
 * A refused `revoke registry NAME` (someone who is no approver) is audited with the name as
 * typed, cut to a name's length: nothing is looked up for them, and a pasted wall of text does not
 * land in the trail whole.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { type Harness, startHarness, users } from '../helpers/harness';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

test("a non-approver's refused revoke of a very long name: audited, the name cut to 100 characters", async () => {
  h = await startHarness({ ACRBOT_EXPIRY_REMINDERS: 'none' });
  const typed = `contoso${'x'.repeat(293)}`;
  expect(await h.ask(users.requester, `revoke registry ${typed} incident 42`)).toContain(
    'Only approvers may revoke every grant on a registry',
  );
  const [refusal] = (await h.app.audit.latest(20)).filter(
    (e: AuditEntry) => e.action === 'revoke.refused' && e.actor.objectId === users.requester.objectId,
  );
  expect(refusal?.outcome).toBe('revoke.notApprover');
  expect(refusal?.detail).toContain(`revoke registry ${typed.slice(0, 100)}`);
  expect(refusal?.detail).not.toContain(typed.slice(0, 101));
});
