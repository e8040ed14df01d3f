/**
 * The outage summary counts only the ends an outage holds up (failing passingly), not those
 * refused (a 403 needs a person and is reported on its own); and a store failure while it is
 * written leaves neither its channel's nor its job's lease standing for a post that never went out.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { reportPassingFailure, type OutageReportDeps } from '../../src/flows/outage-report';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';

const NOW = new Date('2026-12-01T10:00:00Z');
const FAILURE = { service: 'Azure' as const, answer: '503 ServiceUnavailable', key: 'Azure:503' };

function setup() {
  const schedule = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => NOW);
  const posts: Array<{ text: string; title?: string }> = [];
  const deps: OutageReportDeps = {
    leases,
    schedule,
    requests: { get: async () => undefined },
    clock: { now: () => NOW },
    instanceId: 'i',
    messenger: {
      reportToApprovers: async (_request, text, style) => void posts.push({ text, title: style?.title }),
    },
  };
  const end = (n: number, extra: Partial<ScheduledJob>): Promise<void> =>
    schedule.put({
      id: `access.expire:R-${n}`,
      kind: 'access.expire',
      dueAt: NOW.toISOString(),
      attempts: 3,
      requestId: `R-${n}`,
      ...extra,
    });
  const report = async (attempts = 3) =>
    reportPassingFailure(deps, { ...(await schedule.get('access.expire:R-1'))!, attempts }, FAILURE, () => 'Revoking');
  return { schedule, posts, end, report };
}

test('ends refused for days are not counted as waiting on the outage', async () => {
  const t = setup();
  await t.end(1, { lastFailurePassing: true });
  await t.end(2, { lastFailurePassing: true });
  for (let n = 3; n <= 10; n++) await t.end(n, { attempts: 40, lastFailurePassing: false, lastError: '403' });
  // Stored before the field existed: not counted either.
  await t.end(11, { attempts: 5 });
  expect(await t.report()).toBe(true);
  expect(t.posts.map((p) => p.title)).toEqual(['Azure outage: 2 access ends waiting']);
});

test('a store failure while the summary is written leaves no lease: the next failure posts it', async () => {
  const t = setup();
  await t.end(1, { lastFailurePassing: true });
  const read = t.schedule.withIdPrefix.bind(t.schedule);
  let fail = true;
  t.schedule.withIdPrefix = async (prefix, limit) => {
    if (fail) {
      fail = false;
      throw new Error('store unavailable');
    }
    return read(prefix, limit);
  };
  await expect(t.report()).rejects.toThrow('store unavailable');
  expect(t.posts).toEqual([]);
  expect(await t.report(4)).toBe(true);
  expect(t.posts.map((p) => p.title)).toEqual(['Azure outage: 1 access end waiting']);
});
