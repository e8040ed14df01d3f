/**
 * Which failures of a scheduled job reach the approvers (the composition's reporter), with the
 * scheduler's own backoff: a job of a request (a revocation) after 3 failures and on every later
 * one; a recurring job without a request (drift.check, audit.anchor, store.purge) after 3, then
 * once a day, not every half hour; so is one whose handler retries it later than the backoff
 * (RetryAt: a drift check at its interval).
 */
import { createScheduler, jobInWords } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import { CloudApiError, type JobKind } from '../../src/domain/ports';
import { accessEnd } from '../../src/domain/access-inventory';
import { RetryAt } from '../../src/flows/scheduler';
import type { AccessRequest } from '../../src/domain/request';
import type { LifecycleMessenger } from '../../src/flows/lifecycle-messenger';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR } from './support/fake-clock';
import { pendingRequest } from './support/requests';

test('a recurring job is reported after 3 failures, then daily; a request’s job on every failure after 3', async () => {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const stores = memoryStores(clock);
  const request = pendingRequest();
  await stores.requests.create(request);
  const reports: Array<{ requestId?: string; text: string; at: number }> = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (r: AccessRequest | undefined, text: string) =>
      void reports.push({ requestId: r?.id, text, at: clock.now().getTime() }),
  };
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log: createLogger({ level: 'silent' }), messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  scheduler.register('drift.check', async () => {
    throw new CloudApiError('AuthorizationFailed', 403, 'role assignment listing failed');
  });
  scheduler.register('access.remind', async () => {
    throw new Error('Teams answered 503');
  });
  await scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: clock.now() });
  const remindId = `access.remind:${request.id}`;
  await scheduler.schedule({ id: remindId, kind: 'access.remind', dueAt: clock.now(), requestId: request.id });

  // Three days of failures, each job run when it falls due (the default backoff: 30 s … 30 min).
  const end = clock.now().getTime() + 72 * HOUR;
  let remindFailures = 0;
  while (clock.now().getTime() < end) {
    const due = await Promise.all([stores.schedule.get('drift.check'), stores.schedule.get(remindId)]);
    const next = Math.min(...due.map((j) => Date.parse(j!.dueAt)));
    clock.advance(Math.max(0, next - clock.now().getTime()));
    remindFailures += due.filter((j) => j!.id === remindId && Date.parse(j!.dueAt) <= clock.now().getTime()).length;
    await scheduler.runDue();
  }
  const recurring = reports.filter((r) => !r.requestId);
  // The work as people know it and what to do, with the reference; the kind only in the log.
  expect(recurring[0].text).toBe(
    'Checking granted access against Azure (the drift check) is not done after 3 attempts (last answer: 403 ' +
      'AuthorizationFailed). acrbot keeps trying; next attempt at 2026-11-30 09:03 UTC. Until it runs, access ' +
      "changed outside acrbot goes unnoticed. Tell the platform team (reference job-drift.check), so they can find it in acrbot's logs.",
  );
  // Then about a day apart, not every half hour: three days give the first and two or three more.
  expect(recurring.length).toBeGreaterThanOrEqual(3);
  expect(recurring.length).toBeLessThanOrEqual(4);
  for (let i = 1; i < recurring.length; i++) {
    const hoursApart = (recurring[i].at - recurring[i - 1].at) / HOUR;
    // 48 failures at the 30-minute step, each up to a fifth shorter (the backoff's spread).
    expect(hoursApart).toBeGreaterThan(19);
    expect(hoursApart).toBeLessThan(25);
  }
  const remindReports = reports.filter((r) => r.requestId === request.id);
  expect(remindReports).toHaveLength(remindFailures - 2);
  // A library's raw text is not shown: its reference is, once (the sentence does not repeat it).
  expect(remindReports[0].text).toMatch(
    new RegExp(
      `^Posting the expiry reminder for ${request.id} to ${request.requester.name} is not done after 3 attempts ` +
        `\\(last answer: unexpected error \\(reference job-access\\.remind:${request.id}\\)\\)\\. acrbot keeps trying; next attempt at [^.]+ UTC\\.$`,
    ),
  );
  await scheduler.stop();
});

test('a job of a kind no instance knows is reported once, after days, as not run (no attempts to count)', async () => {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const stores = memoryStores(clock);
  const reports: string[] = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (_r: AccessRequest | undefined, text: string) => void reports.push(text),
  };
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log: createLogger({ level: 'silent' }), messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  // Scheduled by a newer (or since rolled back) version: this one has no handler for it.
  await scheduler.schedule({ id: 'future.job', kind: 'future.kind' as JobKind, dueAt: clock.now() });
  const end = clock.now().getTime() + 96 * HOUR;
  while (clock.now().getTime() < end) {
    const job = await stores.schedule.get('future.job');
    clock.advance(Math.max(0, Date.parse(job!.dueAt) - clock.now().getTime()));
    await scheduler.runDue();
  }
  expect(reports).toHaveLength(1);
  expect(reports[0]).toMatch(
    /^The background job future\.job has not run: the job kind future\.kind has been unknown to every instance that met it since 2026-11-30 09:00 UTC: .*removes it from the schedule\.$/,
  );
  expect((await stores.schedule.get('future.job'))!.attempts).toBe(0);
  await scheduler.stop();
});

test('every job kind is reported as the work people know, with what to do; never by its kind', () => {
  const request = pendingRequest({
    state: 'succeeded',
    access: { durationMs: 3_600_000, expiresAt: '2026-12-01T10:00:00.000Z' },
  });
  const kinds: JobKind[] = [
    'request.expire',
    'access.expire',
    'access.remind',
    'approval.remind',
    'approval.escalate',
    'approval.announce',
    'breakglass.review',
    'cleanup.credential',
    'drift.check',
    'audit.anchor',
    'audit.retry',
    'store.purge',
  ];
  for (const kind of kinds) {
    const words = jobInWords({ id: `${kind}:x`, kind, requestId: request.id }, request, '403 AuthorizationFailed');
    expect(words.what).not.toContain(kind);
    expect(words.meanwhile.replace(`reference job-${kind}:x`, '')).not.toContain(kind);
  }
  expect(jobInWords({ id: 'access.remind:x', kind: 'access.remind' }, request, 'x').meanwhile).toBe(
    ` Meanwhile, tell ${request.requester.name} that the access ends at 2026-12-01 10:00 UTC.`,
  );
  // A pull secret whose credential expires before its term: the reminder is of that, and so is
  // what to tell the requester (pulls with the secret stop then).
  const secret = pendingRequest({
    state: 'succeeded',
    access: { durationMs: 60 * 86_400_000, expiresAt: '2027-03-02T10:00:00.000Z' },
  });
  const capped = { ...secret, plan: { ...secret.plan, kind: 'secret', expiresAt: '2027-01-31T10:00:00.000Z' } };
  expect(accessEnd(capped as AccessRequest)).toBe('2027-01-31T10:00:00.000Z');
  expect(jobInWords({ id: 'access.remind:y', kind: 'access.remind' }, capped as AccessRequest, 'x').meanwhile).toBe(
    ` Meanwhile, tell ${secret.requester.name} that its pull secret's credential expires at 2027-01-31 10:00 UTC.`,
  );
  // What only operators can mend goes to the platform team, with the reference of the run's log lines.
  expect(jobInWords({ id: 'audit.anchor', kind: 'audit.anchor' }, undefined, '503').meanwhile).toBe(
    " Tell the platform team (reference job-audit.anchor), so they can find it in acrbot's logs.",
  );
  expect(jobInWords({ id: 'x.y', kind: 'x.kind' as JobKind }, undefined, '503').what).toBe('A background task');
});

test('a recurring job its handler retries later than the backoff (RetryAt) is still reported about once a day', async () => {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const stores = memoryStores(clock);
  const reports: Array<{ text: string; at: number }> = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (_r: AccessRequest | undefined, text: string) =>
      void reports.push({ text, at: clock.now().getTime() }),
  };
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log: createLogger({ level: 'silent' }), messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  // A drift check run every 6 hours whose failure waits for its next regular run.
  scheduler.register('drift.check', async () => {
    throw new RetryAt(
      new Date(clock.now().getTime() + 6 * HOUR),
      new CloudApiError('AuthorizationFailed', 403, 'role assignment listing failed'),
    );
  });
  await scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: clock.now() });
  const start = clock.now().getTime();
  // Four days: 16 runs, 6 hours apart.
  for (let run = 0; run < 16; run++) {
    const job = await stores.schedule.get('drift.check');
    clock.set(new Date(job!.dueAt));
    await scheduler.runDue();
  }
  expect((await stores.schedule.get('drift.check'))!.attempts).toBe(16);
  expect(reports[0].text).toMatch(
    /^Checking granted access against Azure \(the drift check\) is not done after 3 attempts \(last answer: 403 AuthorizationFailed\)\. acrbot keeps trying; next attempt at 2026-12-01 03:00 UTC\./,
  );
  // After the third failure (12 hours in), then a day apart: not every 48 failures (12 days).
  expect(reports.map((r) => (r.at - start) / HOUR)).toEqual([12, 36, 60, 84]);
  await scheduler.stop();
});

test('a recurring job its handler retries sooner than the longest backoff (a drift check every 15 minutes) is reported about once a day', async () => {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const stores = memoryStores(clock);
  const reports: Array<{ text: string; at: number }> = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (_r: AccessRequest | undefined, text: string) =>
      void reports.push({ text, at: clock.now().getTime() }),
  };
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log: createLogger({ level: 'silent' }), messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  // ACRBOT_DRIFT_INTERVAL's default: its failing runs keep it, shorter than the 30-minute step.
  scheduler.register('drift.check', async () => {
    throw new RetryAt(
      new Date(clock.now().getTime() + 15 * 60_000),
      new CloudApiError('AuthorizationFailed', 403, 'role assignment listing failed'),
    );
  });
  await scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: clock.now() });
  const start = clock.now().getTime();
  // Three days: 288 runs, 15 minutes apart.
  for (let run = 0; run < 288; run++) {
    const job = await stores.schedule.get('drift.check');
    clock.set(new Date(job!.dueAt));
    await scheduler.runDue();
  }
  expect((await stores.schedule.get('drift.check'))!.attempts).toBe(288);
  // After the third failure (30 minutes in), then a day apart: not every 48 failures (12 hours).
  expect(reports.map((r) => (r.at - start) / HOUR)).toEqual([0.5, 24.5, 48.5]);
  await scheduler.stop();
});
