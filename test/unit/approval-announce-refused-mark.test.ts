/**
 * The mark a refused run of the `approval.announce` job leaves in its payload, written through the
 * real scheduler: the run's move an hour on carries where Teams refused the card (`refusedIn`), so
 * acrbot added back to that group chat brings the job forward to now, and acrbot added to another
 * chat leaves it at its hourly attempt. (approval-announce-added-back.test.ts plants the mark by
 * hand; this is the run writing it.)
 */
import { ApprovalAnnouncements, type ApprovalCardPort, REFUSED_RETRY_MS } from '../../src/flows/approval-announce';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { pendingRequest } from './support/requests';

const GROUP_CHAT = '19:group-chat-of-the-request@thread.v2';

test('a refused run marks its job with the group chat: acrbot added back there brings it forward to now, elsewhere it keeps its hour', async () => {
  const request = pendingRequest({
    origin: { ...pendingRequest().origin, conversationType: 'groupChat', conversationId: GROUP_CHAT },
  });
  const clock = new FakeClock(new Date(Date.parse(request.createdAt) + 3 * MINUTE));
  const store = new MemoryRequestStore();
  await store.create(request);
  const log = createLogger({ level: 'silent' });
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const cards: ApprovalCardPort = {
    hasApproversCopy: async () => false,
    postApprovalCard: async () => ({
      conversationId: GROUP_CHAT,
      refused: { status: 403, code: 'BotNotInConversationRoster' },
    }),
    tellRequester: async () => true,
    breakGlassUsed: async () => true,
    syncAuditCard: async () => undefined,
  };
  const announcements = new ApprovalAnnouncements(
    store,
    new MemoryAuditLog(clock),
    clock,
    cards,
    () => undefined,
    log,
    scheduler,
  );
  scheduler.register('approval.announce', (job, run) => announcements.onDue(job, run));
  const id = approvalAnnounceJobId(request.id);
  await scheduler.schedule({ id, kind: 'approval.announce', dueAt: clock.now(), requestId: request.id });

  expect(await scheduler.runDue()).toBe(1);
  const hourOn = new Date(clock.now().getTime() + REFUSED_RETRY_MS).toISOString();
  expect((await scheduler.get(id))?.dueAt).toBe(hourOn);

  // Added to another group chat: not this card's.
  clock.advance(10 * MINUTE);
  expect(await announcements.bringForwardRefused((c) => c === '19:another-chat@thread.v2')).toBe(0);
  expect((await scheduler.get(id))?.dueAt).toBe(hourOn);

  // Added back to the group chat it was refused in: due now.
  expect(await announcements.bringForwardRefused((c) => c === GROUP_CHAT)).toBe(1);
  expect((await scheduler.get(id))?.dueAt).toBe(clock.now().toISOString());
});
