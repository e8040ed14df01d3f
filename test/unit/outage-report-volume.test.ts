/**
 * An Azure outage seen from the approvers' channel: 200 ends falling due during an hour in which
 * every revocation is answered 503 are summed up (a few posts, with how many are waiting and
 * since when), not reported per job and failure (hundreds); across instances on one store too.
 * A refusal is still reported per job on every failure from the third, as before.
 */
import { createScheduler } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import type { ApproverReportStyle } from '../../src/domain/approver-report';
import { CloudApiError, type ScheduledJob } from '../../src/domain/ports';
import type { LifecycleMessenger } from '../../src/flows/lifecycle-messenger';
import { OUTAGE_SUMMARY_EVERY_MS } from '../../src/flows/outage-report';
import type { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR } from './support/fake-clock';

const START = '2026-11-30T10:00:00.000Z';

/** Instances of acrbot on one schedule and lease store, posting to one list of approver reports. */
function setup(instances: number) {
  const clock = new FakeClock(START);
  const schedule = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const ends = new Map<string, string>();
  // A granted request under one rule (one channel), whose term ended when its job fell due; its
  // plan names the role assignment acrbot made.
  const requests = {
    get: async (id: string) =>
      ends.has(id)
        ? {
            id,
            requester: { name: 'Riley' },
            policy: { ruleId: 'dev' },
            access: { expiresAt: ends.get(id) },
            plan: { kind: 'grant', scope: REGISTRY_ID, roleAssignmentName: `ra-${id}` },
          }
        : undefined,
  };
  const reports: Array<{ requestId?: string; text: string; at: number; style?: ApproverReportStyle }> = [];
  // The port's report with the style the outage summary gives (LifecycleMessenger takes it once
  // the chat layer passes it on; outage-report.ts types its messenger so).
  const messenger: LifecycleMessenger & {
    reportToApprovers(r: unknown, text: string, style?: ApproverReportStyle): Promise<void>;
  } = {
    tellRequester: async () => undefined,
    reportToApprovers: async (r: { id?: string } | undefined, text: string, style?: ApproverReportStyle) =>
      void reports.push({ requestId: r?.id, text, at: clock.now().getTime(), ...(style && { style }) }),
  };
  const config = loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' });
  const log = createLogger({ level: 'silent' });
  const failures = new Map<string, () => Error>();
  const schedulers: Scheduler[] = [];
  for (let i = 0; i < instances; i++) {
    const scheduler = createScheduler(
      config,
      { stores: { schedule, leases, requests } as never, clock, log, messenger },
      { sweepIntervalMs: 30_000, instanceId: `instance-${i}` },
    );
    scheduler.register('access.expire', async (job: ScheduledJob) => {
      throw (failures.get(job.id) ?? arm503)();
    });
    schedulers.push(scheduler);
  }
  /** Schedules the end of `requestId` at `at`. */
  const end = async (requestId: string, at: Date) => {
    ends.set(requestId, at.toISOString());
    await schedulers[0].schedule({ id: `access.expire:${requestId}`, kind: 'access.expire', requestId, dueAt: at });
  };
  /** Sweeps every 30 s for `ms`, the instances taking turns (so each runs jobs and reports). */
  const runFor = async (ms: number) => {
    const until = clock.now().getTime() + ms;
    for (let sweep = 0; clock.now().getTime() < until; sweep++) {
      await schedulers[sweep % schedulers.length].runDue();
      clock.advance(30_000);
    }
  };
  return { clock, reports, failures, end, runFor };
}

const REGISTRY_ID =
  '/subscriptions/s1/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';
const arm503 = () => new CloudApiError('ServiceUnavailable', 503, 'deleting the role assignment failed: ARM down');
const arm403 = () => new CloudApiError('AuthorizationFailed', 403, 'deleting the role assignment failed: no right');

/** 200 ends spread over the hour from START. */
async function twoHundredEnds(t: ReturnType<typeof setup>): Promise<void> {
  for (let i = 0; i < 200; i++) await t.end(`R-${i}`, new Date(Date.parse(START) + Math.floor((i * HOUR) / 200)));
}

/** Posts at most one summary per 30 minutes: an hour holds the first and one per half hour after. */
const HOURLY_BOUND = Math.ceil(HOUR / OUTAGE_SUMMARY_EVERY_MS) + 1;

test('a one-hour 503 outage over 200 ends: a few summaries (at most one per 30 minutes), not one per job and failure', async () => {
  const t = setup(1);
  await twoHundredEnds(t);
  await t.runFor(HOUR);
  expect(t.reports.length).toBeGreaterThanOrEqual(1);
  expect(t.reports.length).toBeLessThanOrEqual(HOURLY_BOUND);
  for (let i = 1; i < t.reports.length; i++)
    expect(t.reports[i].at - t.reports[i - 1].at).toBeGreaterThanOrEqual(OUTAGE_SUMMARY_EVERY_MS);
  // The first names its own end; the later ones how many more are waiting, since the first end.
  expect(t.reports[0].text).toMatch(/^Revoking the access is not done after 3 attempts[,.]/);
  const lastReport = t.reports[t.reports.length - 1];
  const last = lastReport.text;
  // The due time is the oldest's of them all (this job's included), said of the whole count.
  expect(last).toMatch(/, one of \d+ access ends waiting \(the oldest due at 2026-11-30 10:00 UTC\)\./);
  const count = Number(/one of (\d+) access ends/.exec(last)![1]);
  expect(count).toBeGreaterThan(50);
  // Titled as the outage it is, in Warning, without one request's facts: not "Needs attention: R-…".
  expect(lastReport.style).toEqual({
    title: `Azure outage: ${count} access ends waiting`,
    tone: 'warning',
    requestFacts: false,
  });
  // A temporary failure: acrbot retries, the access ends when Azure answers, nothing by hand.
  expect(last).toContain(
    'Azure answered 503 ServiceUnavailable: a temporary failure (most likely an Azure outage), not a refusal. acrbot keeps retrying, and the access ends as soon as Azure answers; nothing is needed by hand unless it lasts for hours',
  );
  // Words for approvers, not acrbot's own ("passing" is what the code calls a failure worth retrying).
  expect(last).not.toContain('passing');
  expect(last).not.toContain('403');
  expect(last).not.toContain('delete it in Azure by hand');
});

test('the summary’s limit holds across two instances on one store', async () => {
  const t = setup(2);
  await twoHundredEnds(t);
  await t.runFor(HOUR);
  expect(t.reports.length).toBeGreaterThanOrEqual(1);
  expect(t.reports.length).toBeLessThanOrEqual(HOURLY_BOUND);
  for (let i = 1; i < t.reports.length; i++)
    expect(t.reports[i].at - t.reports[i - 1].at).toBeGreaterThanOrEqual(OUTAGE_SUMMARY_EVERY_MS);
});

test('one end failing passingly is reported once, then not again for a day', async () => {
  const t = setup(1);
  await t.end('R-1', t.clock.now());
  await t.runFor(23 * HOUR);
  expect(t.reports).toHaveLength(1);
  expect(t.reports[0].text).toMatch(
    /^Revoking the access is not done after 3 attempts \(due at 2026-11-30 10:00 UTC\)\. Azure answered 503/,
  );
  expect(t.reports[0].style?.title).toBe('Azure outage: 1 access end waiting');
  await t.runFor(2 * HOUR);
  expect(t.reports).toHaveLength(2);
});

test('refusals during the outage are still reported per job on every failure from the third; a failure turning into one too', async () => {
  const t = setup(1);
  await twoHundredEnds(t);
  for (const id of ['R-0', 'R-10', 'R-20']) t.failures.set(`access.expire:${id}`, arm403);
  await t.runFor(HOUR / 2);
  // R-50 fell due at 10:15 and failed passingly since; now Azure refuses it.
  t.failures.set('access.expire:R-50', arm403);
  await t.runFor(HOUR / 2);
  const of = (id: string) => t.reports.filter((r) => r.requestId === id && r.text.includes('403 AuthorizationFailed'));
  for (const id of ['R-0', 'R-10', 'R-20', 'R-50']) {
    // From the third failure on, each (the backoff gives the first three five within the hour);
    // R-50 has failed once since it was refused.
    expect(of(id).length).toBeGreaterThanOrEqual(id === 'R-50' ? 1 : 5);
    expect(of(id)[0].text).toContain('Azure refused (403): acrbot lacks a right it needs there');
    // Named from the request's plan, with the command: not "delete it in Azure by hand".
    expect(of(id)[0].text).toContain(
      `To end the access at once, delete by hand the role assignment acrbot made (az role assignment delete --ids ${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/ra-${id})`,
    );
    // A refusal stays a request's problem: no style, so "Needs attention: R-…".
    expect(of(id)[0].style).toBeUndefined();
  }
  const summaries = t.reports.filter((r) => r.text.includes('temporary failure'));
  expect(summaries.length).toBeLessThanOrEqual(HOURLY_BOUND);
});
