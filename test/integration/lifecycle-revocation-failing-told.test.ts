/**
 * G17: a revocation Azure keeps refusing tells its requester once, at the third failed attempt,
 * then once a day while it keeps failing (the approvers hear of every failure). Before, the
 * requester got "is retrying" at every attempt from the third on: about 48 messages a day. A run
 * that lost the job's lease (another instance runs the job now) tells nobody. A passing failure
 * (Azure throttling, down) tells the requester nothing per request: the approvers' summary covers
 * it and the end notice follows, saying how late the end came. Shared steps: test/helpers/lifecycle.ts.
 */
import { FAILING_TOLD_EVERY } from '../../src/flows/access-lifecycle';
import type { JobHandler } from '../../src/flows/scheduler';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  advance,
  runDueAfter,
  start,
  MINUTE,
  grant,
  jobOf,
  outcomeSent,
} from '../helpers/lifecycle';

/** The "Revocation of … is retrying" messages sent so far. */
const retryingNotices = () =>
  h.connector.calls.filter((c) => c.op !== 'update' && /is retrying/.test(cardText(c.activity)));

describe('the requester of a failing revocation (G17)', () => {
  useLifecycleHooks();

  test('is told at the third failed attempt, then not again until a day of attempts has failed', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 403, count: 100_000 });
    const jobId = `access.expire:${request.id}`;

    await runDueAfter(2 * MINUTE);
    await runDueAfter(MINUTE);
    expect(retryingNotices()).toEqual([]);
    await runDueAfter(MINUTE);
    expect((await jobOf(jobId))?.attempts).toBe(3);
    await h.connector.waitFor((c) => /is retrying/.test(cardText(c.activity)), 5000, 'the first retrying notice');
    expect(cardText(retryingNotices()[0].activity)).toContain('(3 attempts)');

    // The next attempts tell nobody: the fourth, and the last of a day of attempts at the
    // longest backoff (the job's count moved on as if the ones between had failed too).
    await runDueAfter(MINUTE);
    const fourth = (await jobOf(jobId))!;
    expect(fourth.attempts).toBe(4);
    const count = 1 + FAILING_TOLD_EVERY;
    expect(await h.app.stores.schedule.putIfUnchanged({ ...fourth, attempts: count }, fourth.revision!)).toBe(true);
    await runDueAfter(MINUTE);
    expect((await jobOf(jobId))?.attempts).toBe(2 + FAILING_TOLD_EVERY);
    expect(retryingNotices()).toHaveLength(1);
    await runDueAfter(MINUTE);
    expect((await jobOf(jobId))?.attempts).toBe(3 + FAILING_TOLD_EVERY);
    await h.connector.waitFor(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`(${3 + FAILING_TOLD_EVERY} attempts)`),
      5000,
      'the next day\u2019s retrying notice',
    );
    expect(retryingNotices()).toHaveLength(2);
  });

  test('a revocation Azure throttles is not told per request: the approvers\u2019 summary covers it, the end notice follows', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    // ARM throttles the DELETE, asking a wait longer than acrbot waits out: each attempt fails at once.
    h.app.sandbox!.arm.faults.add({
      operation: 'roleAssignments.delete',
      status: 429,
      count: 100_000,
      headers: { 'Retry-After': '120' },
    });
    const jobId = `access.expire:${request.id}`;
    await runDueAfter(2 * MINUTE);
    await runDueAfter(MINUTE);
    await runDueAfter(MINUTE);
    await runDueAfter(MINUTE);
    expect((await jobOf(jobId))?.attempts).toBe(4);
    expect(retryingNotices()).toEqual([]);
    // The approvers heard, in the summary of passing failures.
    expect(h.connector.calls.some((c) => c.op !== 'update' && /^19:sandbox-approvals/.test(c.conversationId))).toBe(
      true,
    );

    h.app.sandbox!.arm.faults.clear();
    await runDueAfter(MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    const notice = await h.connector.waitFor(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`Expired and revoked: ${request.id}`),
      5000,
      'the end notice',
    );
    expect(retryingNotices()).toEqual([]);
    // Revoked four minutes after its end: the notice and the entry say when it was due.
    expect(cardText(notice.activity)).toContain(
      'was revoked at 2026-11-30 10:06 UTC (due 10:02 UTC; ended 4 min late).',
    );
    const expired = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.expired');
    expect(expired?.detail).toContain('due 10:02 UTC; ended 4 min late');
  });

  test('a run that lost the job lease does not tell the requester', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 403, count: 100_000 });
    await runDueAfter(2 * MINUTE);
    await runDueAfter(MINUTE);
    // The third attempt stalls past its lease, and another instance takes the job over.
    const scheduler = h.app.scheduler as unknown as { handlers: Map<string, JobHandler> };
    const expire = scheduler.handlers.get('access.expire')!;
    let failed: unknown;
    h.app.scheduler.register('access.expire', async (job, run) => {
      advance(h.app.config.leaseTtlMs + 1);
      expect(await h.app.stores.leases.acquire(`job:${job.id}`, 'another-instance', MINUTE)).toBeDefined();
      await expire(job, run).catch((err: unknown) => {
        failed = err;
        throw err;
      });
    });
    await runDueAfter(MINUTE);
    expect(failed).toBeDefined();
    expect(retryingNotices()).toEqual([]);
  });
});
