/**
 * The orphan watch's look that fails other than "still gone" (a refusal: a registry moved back
 * without acrbot's rights; a hiccup): a failure of the job, recorded and reported, looked at again
 * at the next daily look rather than at the scheduler's backoff (half-hourly for up to 90 days),
 * never past the watch's window. Through the composition's scheduler: its backoff and reporter.
 */
import { createScheduler } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import { CloudApiError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import type { LifecycleMessenger } from '../../src/flows/lifecycle-messenger';
import {
  ORPHAN_WATCH_KIND,
  ORPHAN_WATCH_SPREAD_MS,
  orphanWatchJobId,
  scheduleOrphanWatch,
  watchOrphanedAssignment,
} from '../../src/flows/orphan-watch';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR } from './support/fake-clock';
import { grantPlan, pendingRequest } from './support/requests';

const DAY = 24 * HOUR;

async function world() {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const stores = memoryStores(clock);
  const request = pendingRequest({ plan: grantPlan(), state: 'revoked' });
  await stores.requests.create(request);
  const reports: Array<{ text: string; at: number }> = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (_r: AccessRequest | undefined, text: string) =>
      void reports.push({ text, at: clock.now().getTime() }),
  };
  const log = createLogger({ level: 'silent' });
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log, messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  let listings = 0;
  const deps = {
    store: stores.requests,
    clock,
    log,
    settings: { remindersMs: [] },
    jobs: scheduler,
    ports: {
      roleAssignments: {
        // A registry answers at the recorded id again, but acrbot may not list its assignments.
        scopeExists: async () => true,
        listForPrincipal: async () => {
          listings++;
          throw new CloudApiError('AuthorizationFailed', 403, 'does not have authorization to list role assignments');
        },
      },
    },
  } as unknown as LifecycleDeps;
  scheduler.register(ORPHAN_WATCH_KIND, (job, run) => watchOrphanedAssignment(deps, job, run));
  const jobId = orphanWatchJobId(request.id);
  /** Runs the watch when it is next due; returns when that was. */
  const runWhenDue = async (): Promise<number> => {
    const job = await stores.schedule.get(jobId);
    clock.set(new Date(Math.max(clock.now().getTime(), Date.parse(job!.dueAt))));
    expect(await scheduler.runDue()).toBe(1);
    return clock.now().getTime();
  };
  return { clock, stores, request, deps, scheduler, reports, jobId, runWhenDue, listings: () => listings };
}

test('a refused look is retried at the next daily look, recorded, and reported after 3 then on each (a day apart)', async () => {
  const w = await world();
  await scheduleOrphanWatch(w.deps, w.request.id);

  const runs: number[] = [];
  for (let look = 0; look < 6; look++) runs.push(await w.runWhenDue());

  // A day apart (each up to the spread early), not the backoff's 30 s … 30 min.
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i] - runs[i - 1]).toBeGreaterThan(DAY - ORPHAN_WATCH_SPREAD_MS);
    expect(runs[i] - runs[i - 1]).toBeLessThanOrEqual(DAY);
  }
  expect(w.listings()).toBe(6);
  const job = (await w.stores.schedule.get(w.jobId))!;
  expect(job).toMatchObject({ attempts: 6, lastError: 'does not have authorization to list role assignments' });
  expect(Date.parse(job.dueAt) - runs[5]).toBeGreaterThan(DAY - ORPHAN_WATCH_SPREAD_MS);
  // Reported at the third failing look and then on each: a report a day, as before at the backoff.
  expect(w.reports.map((r) => r.at)).toEqual(runs.slice(2));
  expect(w.reports[0].text).toMatch(
    new RegExp(
      `^Looking whether the registry of ${w.request.id} is back, to delete the role assignment left there is not done after 3 attempts \\(last answer: 403 AuthorizationFailed\\)\\. acrbot keeps trying; next attempt at `,
    ),
  );
  await w.scheduler.stop();
});

test('near the end of its window a failing look is retried at the window’s end, and the run after it ends the watch', async () => {
  const w = await world();
  const until = w.clock.now().getTime() + 6 * HOUR;
  await w.scheduler.schedule({
    id: w.jobId,
    kind: ORPHAN_WATCH_KIND,
    dueAt: w.clock.now(),
    requestId: w.request.id,
    payload: { until: new Date(until).toISOString() },
  });

  await w.runWhenDue();
  expect(Date.parse((await w.stores.schedule.get(w.jobId))!.dueAt)).toBe(until);
  // The last look, at the window's end, fails too: the backoff puts its retry past the window…
  expect(await w.runWhenDue()).toBe(until);
  const last = (await w.stores.schedule.get(w.jobId))!;
  expect(last.attempts).toBe(2);
  expect(Date.parse(last.dueAt)).toBeGreaterThan(until);
  // …where the watch ends without looking.
  await w.runWhenDue();
  expect(await w.stores.schedule.get(w.jobId)).toBeUndefined();
  expect(w.listings()).toBe(2);
  await w.scheduler.stop();
});
