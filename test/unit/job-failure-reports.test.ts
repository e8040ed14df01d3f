/**
 * Which failures of a scheduled job reach the approvers (the composition's reporter): a job of a
 * request (a revocation) after 3 failures and on every later one; a recurring job without a
 * request (drift.check, audit.anchor, store.purge) after 3, then once a day, not every half hour.
 */
import { createScheduler, RECURRING_REPORT_EVERY } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import type { AccessRequest } from '../../src/domain/request';
import type { LifecycleMessenger } from '../../src/flows/access-lifecycle';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { pendingRequest } from './support/requests';

test('a recurring job is reported after 3 failures, then daily; a request’s job on every failure after 3', async () => {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const stores = memoryStores(clock);
  const request = pendingRequest();
  await stores.requests.create(request);
  const reports: Array<{ requestId?: string; text: string }> = [];
  const messenger: LifecycleMessenger = {
    tellRequester: async () => undefined,
    reportToApprovers: async (r: AccessRequest | undefined, text: string) =>
      void reports.push({ requestId: r?.id, text }),
  };
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log: createLogger({ level: 'silent' }), messenger },
    { sweepIntervalMs: 0, instanceId: 'test', jobBackoffMs: [30 * MINUTE], jobReportAfterAttempts: 3 },
  );
  scheduler.register('drift.check', async () => {
    throw new Error('403 AuthorizationFailed');
  });
  scheduler.register('access.remind', async () => {
    throw new Error('Teams answered 503');
  });
  await scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: clock.now() });
  await scheduler.schedule({
    id: `access.remind:${request.id}`,
    kind: 'access.remind',
    dueAt: clock.now(),
    requestId: request.id,
  });

  const failures = 3 + 2 * RECURRING_REPORT_EVERY;
  for (let i = 0; i < failures; i++) {
    expect(await scheduler.runDue()).toBe(2);
    clock.advance(30 * MINUTE);
  }
  const recurring = reports.filter((r) => !r.requestId);
  expect(recurring).toHaveLength(3); // after 3, 3 + 48 and 3 + 96 failures: one a day
  expect(recurring[0].text).toMatch(
    /^The background job drift\.check is not done after 3 attempts \(last answer: 403 AuthorizationFailed\)/,
  );
  expect(recurring[1].text).toContain(`after ${3 + RECURRING_REPORT_EVERY} attempts`);
  expect(reports.filter((r) => r.requestId === request.id)).toHaveLength(failures - 2);
  await scheduler.stop();
});
