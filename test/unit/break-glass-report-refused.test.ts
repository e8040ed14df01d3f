/**
 * The daily report of an unreviewed break-glass grant when acrbot was removed from every channel
 * it goes to (Teams answers 403 or 404 in each): no retry can get through, so it is audited as
 * not posted, one error names the conversations, and the job goes on at its daily cadence, not
 * the scheduler's half-hour failure backoff. Any other failure (a 503) still fails the job.
 * Real CardMessenger, ApprovalNudges, memory stores and Scheduler.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { ApprovalNudges, BREAK_GLASS_REPORT_EVERY_MS, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { LogCapture } from '../helpers/log-capture';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule } from './support/policy-fixtures';
import { RefusingAdapter } from './support/refusing-adapter';

const BREAK_GLASS = '19:break-glass@thread.tacv2';
const AUDIT = '19:audit@thread.tacv2';

async function setup() {
  const pauses = new MemoryPauseStore();
  /** Teams: every post answered `status` (acrbot removed from the channel: 403; gone: 404; down: 503). */
  const teams = new RefusingAdapter({ refuseAll: true });
  const logs = new LogCapture();
  const { clock, store, audit, jobs, scheduler, breakGlass } = breakGlassService({
    policies: { current: () => policy([rule('prod')]) },
    pauses,
  });
  const messenger = new CardMessenger(teams as unknown as CloudAdapter, 'app-1', store, logs.logger(), {
    log: audit,
    channelId: AUDIT,
  });
  messenger.breakGlassChannel = () => BREAK_GLASS;
  const notifier: NudgeNotifier = {
    requestChanged: async () => undefined,
    nudgeApprovers: async () => undefined,
    breakGlassUnreviewed: (request) => messenger.breakGlassUnreviewed(request),
  };
  const nudges = new ApprovalNudges(store, audit, clock, notifier, scheduler, pauses);
  scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
  const request = await breakGlass();
  // The card a proactive post takes its service URL, bot and tenant from.
  await store.addCardCopy({
    requestId: request.id,
    role: 'requester',
    activityId: 'act-1',
    conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:olive', tenantId: 't' } },
  });
  const jobId = breakGlassReviewJobId(request.id);
  clock.set(new Date((await jobs.get(jobId))!.dueAt));
  const reports = async () => (await audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
  return { clock, jobs, scheduler, teams, logs, request, jobId, reports };
}

test.each([403, 404])(
  'every channel refusing (%i): audited unposted, one error naming them, next report a day on',
  async (status) => {
    const t = await setup();
    t.teams.status = status;
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.teams.tried.map((c) => c.split(';')[0]).sort()).toEqual([AUDIT, BREAK_GLASS]);
    const entries = await t.reports();
    expect(entries.map((e) => e.outcome)).toEqual(['unposted']);
    expect(entries[0]!.detail).toContain('; not posted: Teams refused it in every channel (acrbot is not in them)');
    const job = (await t.jobs.get(t.jobId))!;
    // The daily cadence, not a failure: no attempt counted, nothing for the scheduler to report.
    expect(job.dueAt).toBe(new Date(t.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS).toISOString());
    expect(job.attempts ?? 0).toBe(0);
    const errors = t.logs.entries().filter((e) => e.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'Teams refused a break-glass card in every channel (acrbot is not in them): add acrbot back or change the channels',
      requestId: t.request.id,
      kind: 'unreviewed',
    });
    expect((errors[0]!.conversations as string[]).map((c) => c.split(';')[0]).sort()).toEqual([AUDIT, BREAK_GLASS]);
  },
);

test('every channel down (503): the job fails and is retried with backoff, nothing audited', async () => {
  const t = await setup();
  t.teams.status = 503;
  await t.scheduler.runDue();
  expect(await t.reports()).toEqual([]);
  const job = (await t.jobs.get(t.jobId))!;
  expect(job.attempts).toBe(1);
  expect(Date.parse(job.dueAt)).toBeLessThan(t.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS);
});
