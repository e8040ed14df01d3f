/**
 * A nudge with nowhere to go (the messenger answers `false`) is audited `unposted`, and its entry
 * says why truly: without a rule channel, no rule channel and no approvers' card to post beside;
 * with one, that no card copy gave the way to reach that channel (approver-nudge-posts.ts builds a
 * channel's reference from a copy). Real memory stores, Scheduler and RequestService.
 */
import type { NudgeNotifier } from '../../src/flows/approval-nudges';
import { HOUR } from './support/fake-clock';
import { nudgeWorld } from './support/nudge-world';
import { policy, rule } from './support/policy-fixtures';

/** Nowhere to post any nudge. */
const nowhere: NudgeNotifier = {
  async requestChanged() {},
  async nudgeApprovers() {
    return false as const;
  },
  async breakGlassUnreviewed() {},
};

test.each([
  ['19:approvals@thread.tacv2', 'the rule names a channel, but no card of this request', 'no rule channel'],
  [undefined, "no rule channel, and no approvers' card to post beside", 'the rule names a channel'],
])('rule channel %s: the unposted reminder says why', async (channel, said, notSaid) => {
  const { clock, audit, scheduler, create } = nudgeWorld(
    nowhere,
    policy([rule('prod', { remindAfterMs: HOUR, escalateAfterMs: 4 * HOUR, channel })]),
  );
  const request = await create();
  clock.advance(HOUR);
  expect(await scheduler.runDue()).toBe(1);
  const [reminded] = (await audit.forRequest(request.id)).filter((e) => e.action === 'approval.reminded');
  expect(reminded).toMatchObject({ outcome: 'unposted' });
  expect(reminded!.detail).toContain(`; not posted: no conversation where its approvers are asked (${said}`);
  expect(reminded!.detail).not.toContain(notSaid);
});
