/**
 * The approvers' report of an unreachable requester is told once per request even when a second
 * reminder read the request's trail before the first one's entry was written: whoever holds the
 * claim reads the trail again under it (unreachable-requester.ts).
 */
import { tellApproversRequesterUnreachable } from '../../src/flows/unreachable-requester';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest } from './support/requests';

test('a reminder whose trail was read before another told the approvers does not tell them again', async () => {
  const clock = new FakeClock(new Date('2025-04-14T09:00:00.000Z'));
  const posts: string[] = [];
  const deps = {
    audit: new MemoryAuditLog(clock),
    messenger: { reportToApprovers: async (_r: unknown, text: string) => (posts.push(text), true) },
    settings: { remindersMs: [], leases: { store: new MemoryLeaseStore(() => clock.now()), owner: 'instance-1' } },
    log: createLogger({ level: 'silent' }),
  };
  const request = pendingRequest({
    state: 'succeeded',
    access: { durationMs: 86_400_000, expiresAt: '2025-04-15T09:00:00.000Z' },
  });
  const end = { at: '2025-04-15T09:00:00.000Z', credential: false };
  // Both reminders read the trail before either told: empty.
  const staleTrail = await deps.audit.forRequest(request.id);
  await tellApproversRequesterUnreachable(deps as never, request, staleTrail, end, 'refused', 'reminder-1d');
  await tellApproversRequesterUnreachable(deps as never, request, staleTrail, end, 'refused', 'reminder-1h');
  expect(posts).toHaveLength(1);
  const told = (await deps.audit.forRequest(request.id)).filter((e) => e.action === 'access.requesterUnreachable.told');
  expect(told.map((e) => e.outcome)).toEqual(['sent']);
});
