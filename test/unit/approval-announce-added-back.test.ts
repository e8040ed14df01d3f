/**
 * acrbot added back where approvers' cards were refused: the `approval.announce` jobs of the
 * requests whose card Teams refused are moved to now (conditionally: a job written meanwhile, on
 * any instance, stays), not left to their next hourly attempt. Which ones: those refused where
 * acrbot was added (a group chat), every one for a team (its event names no channels), none for
 * a personal chat. Found by the mark a refused run leaves in its job's payload, so no request's
 * audit trail is read to find them.
 */
import { ApprovalAnnouncements, approvalRefusedEntry } from '../../src/flows/approval-announce';
import { addedBack } from '../../src/bot/welcomes';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import type { ScheduledJob } from '../../src/domain/ports';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';

const CHANNEL = '19:approvals@thread.tacv2';
const START = new Date('2026-12-01T09:00:00Z');

function setup(options: { unchanged?: boolean } = {}) {
  const clock = new FakeClock(START);
  const audit = new MemoryAuditLog(clock);
  const jobs: ScheduledJob[] = [];
  const moved: Array<{ id: string; dueAt: string }> = [];
  const job = (requestId: string, dueInMs: number): ScheduledJob => {
    const j: ScheduledJob = {
      id: approvalAnnounceJobId(requestId),
      kind: 'approval.announce',
      dueAt: new Date(START.getTime() + dueInMs).toISOString(),
      requestId,
      attempts: 0,
      revision: `rev-${requestId}`,
    };
    jobs.push(j);
    return j;
  };
  // A run of the job refused in `conversationId`: its entry, and its job marked with where (as
  // the run's move writes it).
  const refused = async (requestId: string, conversationId = CHANNEL) => {
    await audit.append(
      approvalRefusedEntry(
        { id: requestId, tenantId: 't' },
        conversationId,
        { status: 403 },
        'by the approval.announce job',
        true,
      ),
    );
    const j = jobs.find((x) => x.requestId === requestId)!;
    j.payload = { refusedIn: conversationId };
  };
  // Every read of a request's audit trail.
  const trailReads: string[] = [];
  const forRequest = audit.forRequest.bind(audit);
  audit.forRequest = (requestId) => {
    trailReads.push(requestId);
    return forRequest(requestId);
  };
  const announcements = new ApprovalAnnouncements(
    new MemoryRequestStore(),
    audit,
    clock,
    {
      hasApproversCopy: async () => false,
      postApprovalCard: async () => undefined,
      breakGlassUsed: async () => true,
      syncAuditCard: async () => undefined,
    },
    () => undefined,
    createLogger({ level: 'silent' }),
    {
      schedule: async () => undefined,
      withIdPrefix: async (prefix) => jobs.filter((j) => j.id.startsWith(prefix)),
      moveIfUnchanged: async (j, dueAt) => {
        if (options.unchanged === false) return false;
        moved.push({ id: j.id, dueAt: dueAt.toISOString() });
        return true;
      },
    },
  );
  return { job, refused, announcements, moved, trailReads };
}

test('only the refused jobs due later are moved to now', async () => {
  const t = setup();
  t.job('R-REFUSED1', 40 * MINUTE);
  await t.refused('R-REFUSED1');
  t.job('R-NOTREFUSED', 2 * MINUTE); // a new request's job: its card was not refused
  t.job('R-DUENOW', 0);
  await t.refused('R-DUENOW');
  expect(await t.announcements.bringForwardRefused()).toBe(1);
  expect(t.moved).toEqual([{ id: approvalAnnounceJobId('R-REFUSED1'), dueAt: START.toISOString() }]);
});

test('a job written meanwhile (another instance moved or ran it) is not counted', async () => {
  const t = setup({ unchanged: false });
  t.job('R-REFUSED1', HOUR);
  await t.refused('R-REFUSED1');
  expect(await t.announcements.bringForwardRefused()).toBe(0);
});

describe('where acrbot was added', () => {
  async function movedFor(activity: Parameters<typeof addedBack>[0]) {
    const t = setup();
    t.job('R-INCHANNEL', HOUR);
    await t.refused('R-INCHANNEL');
    t.job('R-INCHAT', HOUR);
    await t.refused('R-INCHAT', '19:chat@thread.v2');
    await addedBack(activity, t.announcements);
    return t.moved.map((m) => m.id);
  }

  test('a team: every refused card (the event names no channels)', async () => {
    expect(
      await movedFor({
        conversation: { id: '19:team@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' },
        channelData: { team: { id: '19:team@thread.tacv2' } },
      }),
    ).toEqual([approvalAnnounceJobId('R-INCHANNEL'), approvalAnnounceJobId('R-INCHAT')]);
  });

  test('a group chat: those refused there', async () => {
    expect(
      await movedFor({
        conversation: { id: '19:chat@thread.v2', conversationType: 'groupChat', isGroup: true, name: '' },
      }),
    ).toEqual([approvalAnnounceJobId('R-INCHAT')]);
  });

  test('a personal chat: none', async () => {
    expect(
      await movedFor({ conversation: { id: 'a:personal', conversationType: 'personal', isGroup: false, name: '' } }),
    ).toEqual([]);
  });
});

test('300 jobs and acrbot added to an unrelated group chat: no audit trail is read, nothing moved', async () => {
  const t = setup();
  for (let i = 0; i < 150; i++) {
    t.job(`R-REFUSED${i}`, HOUR);
    await t.refused(`R-REFUSED${i}`);
  }
  for (let i = 0; i < 150; i++) t.job(`R-NEW${i}`, 2 * MINUTE);
  await addedBack(
    { conversation: { id: '19:other-chat@thread.v2', conversationType: 'groupChat', isGroup: true, name: '' } },
    t.announcements,
  );
  expect(t.moved).toEqual([]);
  expect(t.trailReads).toEqual([]);
});

test('a team: only the jobs marked refused are moved, and no audit trail is read', async () => {
  const t = setup();
  for (let i = 0; i < 150; i++) t.job(`R-NEW${i}`, 2 * MINUTE);
  t.job('R-REFUSED1', HOUR);
  await t.refused('R-REFUSED1');
  await addedBack(
    {
      conversation: { id: '19:team@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' },
      channelData: { team: { id: '19:team@thread.tacv2' } },
    },
    t.announcements,
  );
  expect(t.moved.map((m) => m.id)).toEqual([approvalAnnounceJobId('R-REFUSED1')]);
  expect(t.trailReads).toEqual([]);
});
