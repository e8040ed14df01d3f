/**
 * G17 end to end: an extension of a grant whose term has passed while its end job has yet to run
 * (the next sweep, a failing attempt's backoff). From its end on the grant no longer holds the
 * role assignment it shares with another requester's grant, whose revocation may delete it; an
 * extension approved then would say "Extended" of access nobody has. It is refused at approval
 * and, approved all the same, at its run. One approved before the end still runs after it
 * (never early). Through the real server, the scheduler and the sandbox emulators, on a test clock.
 */
import { transition } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  now,
  advance,
  start,
  contosoId,
  MINUTE,
  second,
  assignmentsOn,
  grant,
  actions,
  stateOnceClickWorkDone,
  requestExtension,
  approveAndRun,
  filedBeforeTheCut,
} from '../helpers/lifecycle';

describe('an extension of a grant whose term has passed (G17)', () => {
  useLifecycleHooks();

  test('approved after another holder’s revocation deleted the shared assignment: refused at approval; approved all the same, its run fails; nothing says access is held', async () => {
    await start();
    const mine = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const other = await grant(second, 'aks-prod contosoacr --for 30d second team deploys');
    const extensionId = await requestExtension(mine.id, '--for 1h release still running');
    // Filed before an extension's wait was cut to its original's end (extension-deadline.ts):
    // still pending once that end has passed, so the approval's own check refuses it.
    await filedBeforeTheCut(extensionId);
    advance(3 * MINUTE); // my term has passed; its end job has not run yet
    await h.click(second, 'revokeConfirm', { requestId: other.id, reason: 'done with it now' });
    expect(await stateOnceClickWorkDone(other.id)).toBe('revoked');
    // Nobody active holds it any more: the other revocation deleted it.
    expect(assignmentsOn(contosoId)).toHaveLength(0);

    const click = await h.click(users.approver, 'approve', { requestId: extensionId });
    expect(cardText({ attachments: [{ content: click.body.value }] })).toContain(
      `The access of ${mine.id} ended at 2026-11-30 10:02 UTC, so its extension ${extensionId} cannot be approved; it closes without a decision.`,
    );
    expect((await h.app.store.get(extensionId))!.state).toBe('pending');
    expect(await actions(extensionId)).toContain('approval.refused.notActive:refused');

    // Approved all the same (a decision written by an instance of an older version): the run
    // finds the original's term ended before the approval, and extends nothing.
    await (
      await approveAndRun(extensionId)
    ).done;
    const extension = await h.settle(extensionId);
    expect(extension).toMatchObject({ state: 'failed', outcome: { errorCode: 'extend.notActive' } });
    expect(extension.outcome?.error).toContain(
      `The access of ${mine.id} ended at 2026-11-30 10:02 UTC, before its extension ${extensionId} was approved`,
    );
    expect((await h.app.store.get(mine.id))!.access?.expiresAt).toBe('2026-11-30T10:02:00.000Z');
    expect(await actions(mine.id)).not.toContain('access.extended:extended');
    // Its end job ends it.
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(mine.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('approved before the end, run after it: the run extends (the approved extension kept the assignment meanwhile)', async () => {
    await start();
    const mine = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const other = await grant(second, 'aks-prod contosoacr --for 30d second team deploys');
    const extensionId = await requestExtension(mine.id, '--for 1h release still running');
    advance(MINUTE);
    // Approved at 10:01, its run not started yet.
    const approver = { objectId: users.approver.objectId, name: users.approver.name };
    const pending = (await h.app.store.get(extensionId))!;
    await h.app.store.update(transition(pending, { type: 'approve', by: approver, at: now }));
    advance(2 * MINUTE); // my term has passed
    // The other holder's revocation waits for the extension being granted the same assignment.
    await h.click(second, 'revokeConfirm', { requestId: other.id, reason: 'done with it now' });
    expect(await stateOnceClickWorkDone(other.id)).toBe('succeeded');
    expect(await actions(other.id)).toContain('access.revoke.deferred:deferred');
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    await h.app.services.executor.schedule(extensionId);
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect((await h.app.store.get(mine.id))!).toMatchObject({
      state: 'succeeded',
      access: { expiresAt: '2026-11-30T11:03:00.000Z' },
    });
    // The other revocation's retry keeps the assignment for the extended grant.
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(other.id))!.state).toBe('revoked');
    expect(await actions(other.id)).toContain('access.revoke.roleAssignment:kept');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });
});
