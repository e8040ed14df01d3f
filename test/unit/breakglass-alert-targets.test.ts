/**
 * Where break-glass cards go when `breakGlass.channel` and ACRBOT_AUDIT_CHANNEL are not set (both
 * are optional): where the request's approvers are asked (its rule's channel, else the approvals
 * channel, else its approval card's conversation). With nowhere at all, the daily report of an
 * owed review is audited `unposted`, not `reported`, and a warning is logged. A recording
 * adapter, the real CardMessenger, ApprovalNudges and RequestService on memory stores.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { ApprovalNudges, BREAK_GLASS_REPORT_EVERY_MS } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { LogCapture } from '../helpers/log-capture';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule } from './support/policy-fixtures';
import { postedTo, RecordingAdapter } from './support/recording-adapter';

const SERVICE_URL = 'https://smba.example/emea/';

/** A granted break-glass request with the messenger and nudges on its store; `copies` adds its card copies. */
async function setup(options: { ruleChannel?: string; approvalChannelId?: string; breakGlassChannel?: string } = {}) {
  const pauses = new MemoryPauseStore();
  const t = breakGlassService({
    policies: {
      current: () => policy([rule('prod', { ...(options.ruleChannel && { channel: options.ruleChannel }) })]),
    },
    pauses,
  });
  const adapter = new RecordingAdapter();
  const logs = new LogCapture();
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    t.store,
    logs.logger(),
    undefined,
    options.approvalChannelId
      ? { approvalChannelId: options.approvalChannelId, defaultAccessMs: 3_600_000 }
      : undefined,
  );
  messenger.breakGlassChannel = () => options.breakGlassChannel;
  const nudges = new ApprovalNudges(t.store, t.audit, t.clock, messenger, t.scheduler, pauses);
  t.scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
  const request = await t.breakGlass();
  const copy = (role: 'requester' | 'approver', conversationId: string) =>
    t.store.addCardCopy({
      requestId: request.id,
      activityId: `act-${role}`,
      role,
      conversation: { serviceUrl: SERVICE_URL, conversation: { id: conversationId, tenantId: 't' } },
    });
  /** Runs the review's daily report as the scheduler does once it is due. */
  const report = async () => {
    const job = (await t.jobs.get(breakGlassReviewJobId(request.id)))!;
    t.clock.set(new Date(job.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
    return (await t.audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
  };
  return { ...t, adapter, logs, messenger, request, copy, report };
}

describe('break-glass cards without a break-glass or audit channel', () => {
  test('nowhere to post (no channel, no card to follow): the report is audited unposted, warned, and kept for tomorrow', async () => {
    const t = await setup({ breakGlassChannel: '19:security@thread.tacv2' });
    const entries = await t.report();
    expect(postedTo(t.adapter)).toEqual([]);
    expect(entries.map((e) => e.outcome)).toEqual(['unposted']);
    expect(entries[0].detail).toContain('not posted: no break-glass, audit or approvals channel to post it in');
    expect(t.logs.entries().map((e) => e.msg)).toContain(
      'a break-glass card had nowhere to go: set breakGlass.channel or ACRBOT_AUDIT_CHANNEL (or an approvals channel)',
    );
    expect((await t.jobs.get(breakGlassReviewJobId(t.request.id)))?.dueAt).toBe(
      new Date(t.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS).toISOString(),
    );
  });

  test('the rule has a channel: the report goes there and is audited reported', async () => {
    const t = await setup({ ruleChannel: '19:prod@thread.tacv2', approvalChannelId: '19:approvals@thread.tacv2' });
    await t.copy('requester', '19:general@thread.tacv2;messageid=1');
    const entries = await t.report();
    expect(postedTo(t.adapter)).toEqual(['19:prod@thread.tacv2']);
    expect(entries.map((e) => e.outcome)).toEqual(['reported']);
  });

  test('no rule channel: ACRBOT_APPROVAL_CHANNEL; neither: the conversation of its approval card', async () => {
    const withSetting = await setup({ approvalChannelId: '19:approvals@thread.tacv2' });
    await withSetting.copy('requester', '19:general@thread.tacv2;messageid=1');
    await expect(withSetting.messenger.breakGlassUsed(withSetting.request, undefined)).resolves.toBe(true);
    expect(postedTo(withSetting.adapter)).toEqual(['19:approvals@thread.tacv2']);

    const bare = await setup();
    await bare.copy('approver', '19:general@thread.tacv2;messageid=1');
    await expect(bare.messenger.breakGlassUnreviewed(bare.request)).resolves.toBe(true);
    expect(postedTo(bare.adapter)).toEqual(['19:general@thread.tacv2;messageid=1']);
  });

  test('a break-glass channel set: the card goes there only, not to the approvals channel', async () => {
    const t = await setup({ ruleChannel: '19:prod@thread.tacv2', breakGlassChannel: '19:security@thread.tacv2' });
    await t.copy('requester', '19:general@thread.tacv2;messageid=1');
    await expect(t.messenger.breakGlassUnreviewed(t.request)).resolves.toBe(true);
    expect(postedTo(t.adapter)).toEqual(['19:security@thread.tacv2']);
  });
});
