/**
 * G17: an extended grant's end is one revocation, not a failure. The extension's end job is kept
 * at the original's moved end and revokes the original (which takes the extension along), so
 * two end jobs come due at once: one holds the access lease, the other finds it held. That one
 * is not a failed job (no error line, no attempt counted): it looks again shortly. And if the
 * revocation it waited for fails, it still runs again and ends the access. Shared steps:
 * test/helpers/lifecycle.ts.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  now,
  advance,
  runDueAfter,
  start,
  contosoId,
  MINUTE,
  assignmentsOn,
  grant,
  actions,
  endNotices,
  extendApproved,
  jobOf,
} from '../helpers/lifecycle';

/** Error-level lines logged so far, as `msg: err.message`. */
const errorLines = () =>
  h.logs
    .entries()
    .filter((e) => (e.level as number) >= 50)
    .map((e) => `${String(e.msg)}: ${String((e.err as { message?: string } | undefined)?.message ?? '')}`);

/** The scheduler's lines for a job that met its work under way in another run. */
const underWayLines = () =>
  h.logs.entries().filter((e) => /^scheduled job found its work under way in another run/.test(String(e.msg)));

describe('the end of an extended grant (G17)', () => {
  useLifecycleHooks();

  test('both end jobs due at once end the access once, with one notice, and log no failure', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    const extensionId = await extendApproved(request.id, '--for 1h release still running');
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T11:00:00.000Z');

    await runDueAfter(61 * MINUTE);
    expect(errorLines()).toEqual([]);
    expect(h.logs.entries().filter((e) => /^scheduled job (failed|stopped)/.test(String(e.msg)))).toEqual([]);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(endNotices()).toHaveLength(1);
    for (const id of [request.id, extensionId]) expect((await jobOf(`access.expire:${id}`))?.attempts ?? 0).toBe(0);
    // Whichever job lost ran into the other's revocation: an info line, not counted.
    expect(underWayLines()).toEqual([
      expect.objectContaining({
        level: 30,
        kind: 'access.expire',
        err: expect.objectContaining({ message: expect.stringMatching(/^another revocation of role assignment/) }),
      }),
    ]);
    // Its next run finds the access ended and told: nothing more is done or said.
    await runDueAfter(MINUTE);
    expect(errorLines()).toEqual([]);
    expect(endNotices()).toHaveLength(1);
    for (const id of [request.id, extensionId]) expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
  });

  test('the end job that met the other revocation still ends the access when that one fails', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    const extensionId = await extendApproved(request.id, '--for 1h release still running');
    advance(61 * MINUTE);
    const originalJob = `access.expire:${request.id}`;
    const extensionJob = `access.expire:${extensionId}`;

    // The extension's end job had failed twice before (its count is kept, and meeting the other
    // revocation is not its third failure: the requester is not told it keeps failing).
    const before = (await jobOf(extensionJob))!;
    expect(await h.app.stores.schedule.putIfUnchanged({ ...before, attempts: 2 }, before.revision!)).toBe(true);
    // The original's end job holds the access lease and is about to delete the assignment, which
    // Azure refuses once; the extension's end job runs meanwhile and meets it.
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 403, count: 1 });
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    let met = false;
    audit.append = async (event) => {
      if (!met && event.requestId === request.id && event.action === 'access.revoke.roleAssignment') {
        met = true;
        expect(await h.app.scheduler.runNow(extensionJob)).toBe(true);
      }
      return append(event);
    };
    try {
      expect(await h.app.scheduler.runNow(originalJob)).toBe(true);
    } finally {
      audit.append = append;
    }
    expect(met).toBe(true);
    expect(underWayLines()).toEqual([expect.objectContaining({ jobId: extensionJob, level: 30 })]);
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    // The original's job failed (backed off); the extension's is not counted, and is due still.
    expect(await jobOf(originalJob)).toMatchObject({ attempts: 1 });
    const waiting = (await jobOf(extensionJob))!;
    expect(waiting.attempts).toBe(2);
    expect(Date.parse(waiting.dueAt)).toBeLessThanOrEqual(now.getTime());

    // The next sweep, before the original's backoff is over: the extension's job ends the access.
    await runDueAfter(0);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(await jobOf(extensionJob)).toBeUndefined();
    expect(endNotices()).toHaveLength(1);
    expect(await actions(request.id)).toContain('access.expired:revoked');
    await h.app.services.background.drain();
    const retrying = h.connector.calls.filter((c) => c.op !== 'update' && /is retrying/.test(cardText(c.activity)));
    expect(retrying.map((c) => cardText(c.activity))).toEqual([]);

    // The original's retry finds it ended and told.
    await runDueAfter(MINUTE);
    expect(await jobOf(originalJob)).toBeUndefined();
    expect(endNotices()).toHaveLength(1);
  });
});
