/**
 * G17: two revocations of one request in one process exclude each other. The access lease is
 * re-entrant for its owner, so its owner is one per revocation, not one per request: an
 * extension's end job that takes its original along and a Revoke of that original clicked at the
 * same moment on the same instance would otherwise both run, and the audit log would say the role
 * assignment was absent, the access revoked and told, and then the assignment deleted. Through the
 * real server, the scheduler and the ARM emulator.
 */
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  advance,
  contosoId,
  MINUTE,
  assignmentsOn,
  actions,
  grantWithExtensionAsked,
  jobOf,
} from '../helpers/lifecycle';

describe('one revocation of a request at a time, within one instance (G17)', () => {
  useLifecycleHooks();

  test('a Revoke of the original while the extension’s end job revokes it waits for that one, then finds it ended', async () => {
    const { request, extensionId } = await grantWithExtensionAsked();
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    await h.app.services.executor.drain();
    expect((await h.app.store.get(request.id))!.access?.extendedBy).toEqual([extensionId]);
    advance(61 * MINUTE);

    // While the extension's end job revokes the original (it holds the access lease), the
    // approver's Revoke of the original runs to its end on the same instance.
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    let revokeClicked = false;
    audit.append = async (event) => {
      if (!revokeClicked && event.requestId === request.id && event.action === 'access.revoke.roleAssignment') {
        revokeClicked = true;
        const original = (await h.app.store.get(request.id))!;
        const approver = { objectId: users.approver.objectId, name: users.approver.name };
        await h.app.services.lifecycle.flow.revokeSoon(original, approver, 'token leaked');
      }
      return append(event);
    };
    try {
      expect(await h.app.scheduler.runNow(`access.expire:${extensionId}`)).toBe(true);
    } finally {
      audit.append = append;
    }
    expect(revokeClicked).toBe(true);
    // The Revoke was refused for now, not run alongside: its job (who and why kept) runs again at
    // the next sweep. Meeting the other revocation is not a failure: no attempt counted, no error.
    const waiting = (await jobOf(`access.expire:${request.id}`))!;
    expect(waiting).toMatchObject({ payload: { by: { objectId: users.approver.objectId }, reason: 'token leaked' } });
    expect(waiting.attempts).toBe(0);
    expect(waiting.lastError).toBeUndefined();
    expect(h.logs.entries().filter((e) => /^scheduled job found its work under way/.test(String(e.msg)))).toEqual([
      expect.objectContaining({
        level: 30,
        jobId: `access.expire:${request.id}`,
        err: expect.objectContaining({
          message: expect.stringMatching(/another revocation of role assignment .* is running; retrying/),
        }),
      }),
    ]);
    expect(h.logs.entries().filter((e) => (e.level as number) >= 50)).toEqual([]);
    const revocationEntries = async () =>
      (await actions(request.id)).filter((a) => /^access\.(revoke\.roleAssignment|expired|revoked|end\.told)/.test(a));
    expect(await revocationEntries()).toEqual([
      'access.revoke.roleAssignment:deleting',
      'access.revoke.roleAssignment:deleted',
      'access.expired:revoked',
      'access.end.told:sent',
    ]);
    expect(assignmentsOn(contosoId)).toHaveLength(0);

    // Its retry finds the original revoked and its end told: nothing more is done or said.
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
    expect(await revocationEntries()).toEqual([
      'access.revoke.roleAssignment:deleting',
      'access.revoke.roleAssignment:deleted',
      'access.expired:revoked',
      'access.end.told:sent',
    ]);
  });
});
