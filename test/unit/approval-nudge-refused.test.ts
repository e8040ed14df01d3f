/**
 * An approval nudge Teams refused in every channel for good (403/404: acrbot removed from the
 * approvers' channels; the messenger answers `'refused'`, card-messenger-channels.test.ts): no
 * retry gets through, so it is audited `unposted` with why, and its job ends instead of being
 * retried with backoff until the request expires. The next nudge (the escalation) still runs.
 * Real memory stores, Scheduler and RequestService.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import type { NudgeNotifier } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { HOUR } from './support/fake-clock';
import { nudgeWorld } from './support/nudge-world';
import { policy, rule } from './support/policy-fixtures';

/** Teams refusing the reminder everywhere for good; the escalation goes out. */
class Notifications implements NudgeNotifier {
  readonly posts: string[] = [];
  async requestChanged() {}
  async nudgeApprovers(request: AccessRequest, _rule: PolicyRule, kind: 'remind' | 'escalate') {
    if (kind === 'remind') return 'refused' as const;
    this.posts.push(`${kind}:${request.id}`);
  }
  async breakGlassUnreviewed() {}
}

test('a reminder refused everywhere for good: audited unposted once, its job ends, the escalation still goes', async () => {
  const notifications = new Notifications();
  const { clock, store, audit, jobs, scheduler, create } = nudgeWorld(
    notifications,
    policy([
      rule('prod', {
        remindAfterMs: HOUR,
        escalateAfterMs: 2 * HOUR,
        escalateTo: { channel: '19:escalations@thread.tacv2', groups: [] },
      }),
    ]),
  );
  const request = await create();
  const ids = approvalNudgeJobIds(request.id);
  const nudgeEntries = async () => (await audit.forRequest(request.id)).filter((e) => e.action.startsWith('approval.'));

  clock.advance(HOUR);
  expect(await scheduler.runDue()).toBe(1);
  // Done, not failed: no backoff retry of a post no retry gets through.
  expect(await jobs.get(ids.remind)).toBeUndefined();
  const [reminded] = await nudgeEntries();
  expect(reminded).toMatchObject({ action: 'approval.reminded', outcome: 'unposted' });
  expect(reminded!.detail).toContain('; not posted: Teams refused it in every channel (acrbot is not in them)');
  expect((await store.get(request.id))!.policy?.remindedAt).toBeDefined();

  clock.advance(HOUR);
  expect(await scheduler.runDue()).toBe(1);
  expect(notifications.posts).toEqual([`escalate:${request.id}`]);
  expect((await nudgeEntries()).map((e) => `${e.action}:${e.outcome}`)).toEqual([
    'approval.reminded:unposted',
    'approval.escalated:escalated',
  ]);
  expect((await nudgeEntries())[1]!.detail).toContain(
    'the reminder before it was not posted either (Teams refused it in every channel)',
  );
});
