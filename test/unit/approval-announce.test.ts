/**
 * The `approval.announce` job (approval-announce.ts): it posts a request's approvers' card only
 * while the request still waits for its approvers and no card of theirs is recorded; a request
 * decided, cancelled or expired meanwhile gets nothing, and a post that fails fails the job.
 */
import { ApprovalAnnouncements, type ApprovalCardPort } from '../../src/flows/approval-announce';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { AccessRequest } from '../../src/domain/request';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { pendingRequest } from './support/requests';

function setup(request: AccessRequest, options: { copy?: boolean; nowhere?: boolean; failing?: boolean } = {}) {
  const clock = new FakeClock(new Date(Date.parse(request.createdAt) + 3 * MINUTE));
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const posts: string[] = [];
  const alerts: string[] = [];
  const cards: ApprovalCardPort = {
    hasApproversCopy: async () => Boolean(options.copy),
    postApprovalCard: async (r) => {
      if (options.failing) throw new Error('503 from Teams');
      if (options.nowhere) return undefined;
      posts.push(r.id);
      return { conversationId: '19:approvals@thread.tacv2', shared: false };
    },
    breakGlassUsed: async (r) => {
      alerts.push(r.id);
      return true;
    },
    syncAuditCard: async () => undefined,
  };
  const jobs = new ApprovalAnnouncements(
    store,
    audit,
    clock,
    cards,
    () => undefined,
    createLogger({ level: 'silent' }),
  );
  const run = async () => {
    await store.create(request);
    const job = {
      id: approvalAnnounceJobId(request.id),
      kind: 'approval.announce' as const,
      dueAt: clock.now().toISOString(),
      requestId: request.id,
      attempts: 0,
    };
    await jobs.onDue(job);
  };
  const posted = async () =>
    (await audit.forRequest(request.id)).filter((e) => e.action === 'approval.card.posted').length;
  return { clock, store, audit, posts, alerts, run, posted };
}

describe('approval.announce', () => {
  test('a pending request nobody announced: its card is posted and recorded', async () => {
    const t = setup(pendingRequest());
    await t.run();
    expect(t.posts).toEqual(['R-7K2M9QXA']);
    expect(await t.posted()).toBe(1);
  });

  test('an approvers copy recorded (its entry not yet written): nothing posted', async () => {
    const t = setup(pendingRequest(), { copy: true });
    await t.run();
    expect(t.posts).toEqual([]);
  });

  test.each(['rejected', 'cancelled', 'expired', 'executing'] as const)(
    'a request %s meanwhile: nothing',
    async (state) => {
      const t = setup(pendingRequest({ state }));
      await t.run();
      expect(t.posts).toEqual([]);
      expect(await t.posted()).toBe(0);
    },
  );

  test('a pending request past its window: nothing', async () => {
    const request = pendingRequest();
    const t = setup(request);
    t.clock.advance(25 * HOUR);
    await t.run();
    expect(t.posts).toEqual([]);
  });

  test('a break-glass grant whose card is missing: its card and its alert', async () => {
    const request = pendingRequest({
      state: 'succeeded',
      policy: {
        ruleId: 'breakglass',
        policyHash: 'h',
        approvalsRequired: 0,
        breakGlass: true,
        review: { dueAt: '2025-01-16T09:00:00.000Z' },
      },
    });
    const t = setup(request);
    await t.run();
    expect(t.posts).toEqual([request.id]);
    expect(t.alerts).toEqual([request.id]);
  });

  test('nowhere to post (a personal chat, no channel): nothing recorded', async () => {
    const t = setup(pendingRequest(), { nowhere: true });
    await t.run();
    expect(await t.posted()).toBe(0);
  });

  test('a post that fails fails the job (retried), with nothing recorded', async () => {
    const t = setup(pendingRequest(), { failing: true });
    await expect(t.run()).rejects.toThrow(/could not be posted/);
    expect(await t.posted()).toBe(0);
  });
});
