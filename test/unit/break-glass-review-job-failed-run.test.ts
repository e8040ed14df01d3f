/**
 * A break-glass run that failed granted nothing and owes no review: the daily report job stored
 * before the run is cancelled when the failure is recorded, not left to do nothing when due. A
 * run that succeeded keeps it.
 */
import { quietLifecycle } from './support/access-lifecycle';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { OLIVE } from './support/policy-fixtures';

const AT = '2026-11-30T10:00:00.000Z';

function recordingJobs() {
  const cancelled: string[] = [];
  return {
    cancelled,
    jobs: {
      schedule: async () => undefined,
      // Finds no job, so every job is absent: "written" (as `schedule` writes, nowhere).
      scheduleIfAbsent: async () => true,
      cancel: async (id: string) => void cancelled.push(id),
      get: async () => undefined,
    },
  };
}

test("a failed break-glass run's review job is cancelled", async () => {
  const { jobs, cancelled } = recordingJobs();
  const failed = breakGlassRequest(
    OLIVE,
    AT,
    { dueAt: '2026-12-01T10:00:00.000Z' },
    { state: 'failed', outcome: { summary: 'failed', error: 'boom', azureRequestIds: [] } },
  );
  await quietLifecycle(new FakeClock(AT), { jobs }).requestChanged(failed);
  expect(cancelled).toEqual([`breakglass.review:${failed.id}`]);
});

test('a break-glass run that succeeded keeps its review job', async () => {
  const { jobs, cancelled } = recordingJobs();
  const granted = breakGlassRequest(
    OLIVE,
    AT,
    { dueAt: '2026-12-01T10:00:00.000Z' },
    { state: 'succeeded', access: { durationMs: 4 * 3_600_000, expiresAt: '2026-11-30T14:00:00.000Z' } },
  );
  await quietLifecycle(new FakeClock(AT), { jobs }).requestChanged(granted);
  expect(cancelled).not.toContain(`breakglass.review:${granted.id}`);
});
