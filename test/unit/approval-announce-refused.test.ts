/**
 * The `approval.announce` job meeting a card Teams refuses for good (acrbot is not in the
 * approvals channel): not a failure. The refusal is audited once (keyed), the requester told once
 * in the turn's words unless the turn already did (its refused entry is there), and the job moved
 * an hour on while the request still waits then; else it ends.
 */
import {
  ApprovalAnnouncements,
  type ApprovalCardPort,
  approvalRefusedEntry,
  REFUSED_RETRY_MS,
  REQUESTER_NOT_TOLD,
} from '../../src/flows/approval-announce';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import type { JobSpec } from '../../src/flows/scheduler';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { ACRBOT_ACTOR, type AccessRequest } from '../../src/domain/request';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { pendingRequest } from './support/requests';

const CHANNEL = '19:approvals@thread.tacv2';

function setup(request: AccessRequest, options: { tellFails?: boolean } = {}) {
  const clock = new FakeClock(new Date(Date.parse(request.createdAt) + 3 * MINUTE));
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const told: string[] = [];
  const moved: JobSpec[] = [];
  const cards: ApprovalCardPort = {
    hasApproversCopy: async () => false,
    postApprovalCard: async () => ({
      conversationId: CHANNEL,
      refused: { status: 403, code: 'BotNotInConversationRoster' },
    }),
    tellRequester: async (_r, text) => {
      told.push(text);
      return !options.tellFails;
    },
    breakGlassUsed: async () => true,
    syncAuditCard: async () => undefined,
  };
  const jobs = {
    schedule: async (job: JobSpec) => void moved.push(job),
  };
  const announcements = new ApprovalAnnouncements(
    store,
    audit,
    clock,
    cards,
    () => undefined,
    createLogger({ level: 'silent' }),
    jobs,
  );
  const run = async () => {
    if (!(await store.get(request.id))) await store.create(request);
    await announcements.onDue({
      id: approvalAnnounceJobId(request.id),
      kind: 'approval.announce',
      dueAt: clock.now().toISOString(),
      requestId: request.id,
      attempts: 0,
    });
  };
  const refusedEntries = async () =>
    (await audit.forRequest(request.id)).filter((e) => e.action === 'approval.card.posted');
  return { clock, audit, told, moved, run, refusedEntries };
}

describe('approval.announce refused for good', () => {
  test('the first refusal: the requester told once in the turn words, one keyed entry, the job an hour on', async () => {
    const request = pendingRequest();
    const t = setup(request);
    await t.run();
    expect(t.told).toHaveLength(1);
    expect(t.told[0]).toContain(`approvers can still find request ${request.id} with "@acrbot pending"`);
    const [entry, ...more] = await t.refusedEntries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ outcome: 'refused', targetIds: [CHANNEL] });
    expect(entry!.detail).toContain('403 BotNotInConversationRoster');
    expect(entry!.detail).toContain('the requester was told');
    expect(entry!.facts).toEqual({ requester: ['told'] });
    expect(t.moved.map((j) => j.dueAt.getTime())).toEqual([t.clock.now().getTime() + REFUSED_RETRY_MS]);

    // The next attempt, still refused: neither told nor audited again; moved on again.
    t.clock.advance(HOUR);
    await t.run();
    expect(t.told).toHaveLength(1);
    expect(await t.refusedEntries()).toHaveLength(1);
    expect(t.moved).toHaveLength(2);
  });

  test('the turn met the refusal first (its entry is there): the requester is not told again', async () => {
    const request = pendingRequest();
    const t = setup(request);
    await t.audit.append(
      approvalRefusedEntry(request, CHANNEL, { status: 403 }, 'by the announcement; the requester was told', true),
    );
    await t.run();
    expect(t.told).toEqual([]);
    expect(await t.refusedEntries()).toHaveLength(1);
    expect(t.moved).toHaveLength(1);
  });

  test('the turn met the refusal and could not tell the requester: the next run tells them, once, recorded', async () => {
    const request = pendingRequest();
    const t = setup(request);
    await t.audit.append(
      approvalRefusedEntry(request, CHANNEL, { status: 403 }, `by the announcement; ${REQUESTER_NOT_TOLD}`, false),
    );
    await t.run();
    expect(t.told).toHaveLength(1);
    expect(t.told[0]).toContain(`approvers can still find request ${request.id}`);
    const entries = await t.refusedEntries();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ outcome: 'refused', idempotencyKey: expect.stringContaining(':told') });
    expect(t.moved).toHaveLength(1);

    // Any later run (on whichever instance) finds the record: not told again.
    t.clock.advance(HOUR);
    await t.run();
    expect(t.told).toHaveLength(1);
    expect(await t.refusedEntries()).toHaveLength(2);
  });

  test('an entry of a release before facts (the turn could not tell the requester): read by its words, told once', async () => {
    const request = pendingRequest();
    const t = setup(request);
    // Written during or before the upgrade: its words alone say the requester was not told.
    await appendOldTurnEntry(t, request, 'could not be told');
    await t.run();
    expect(t.told).toHaveLength(1);
    expect(await t.refusedEntries()).toHaveLength(2);

    // The one that told them (it has facts) is found by the next run: not told again.
    t.clock.advance(HOUR);
    await t.run();
    expect(t.told).toHaveLength(1);
  });

  test('an entry of a release before facts whose turn told the requester: not told again', async () => {
    const request = pendingRequest();
    const t = setup(request);
    await appendOldTurnEntry(t, request, 'was told');
    await t.run();
    expect(t.told).toEqual([]);
    expect(await t.refusedEntries()).toHaveLength(1);
  });

  test('the job could not tell the requester either: nothing recorded, the next run tries again', async () => {
    const request = pendingRequest();
    const t = setup(request, { tellFails: true });
    await t.audit.append(
      approvalRefusedEntry(request, CHANNEL, { status: 403 }, `by the announcement; ${REQUESTER_NOT_TOLD}`, false),
    );
    await t.run();
    t.clock.advance(HOUR);
    await t.run();
    expect(t.told).toHaveLength(2);
    expect(await t.refusedEntries()).toHaveLength(1);
  });

  test('within the hour of its expiry: no further attempt, the job ends', async () => {
    const request = pendingRequest();
    const t = setup(request);
    t.clock.advance(23.5 * HOUR);
    await t.run();
    expect(t.moved).toEqual([]);
    expect((await t.refusedEntries())[0]!.detail).toContain('not tried again');
  });

  test('the requester could not be told: the entry says so, never that they were', async () => {
    const request = pendingRequest();
    const t = setup(request, { tellFails: true });
    await t.run();
    expect(t.told).toHaveLength(1);
    const [entry] = await t.refusedEntries();
    expect(entry!.detail).toContain('the requester could not be told');
    expect(entry!.detail).not.toContain('the requester was told');
    // What a later run reads (never the words): the requester is still owed the telling.
    expect(entry!.facts).toEqual({ requester: ['notTold'] });
  });

  describe('a break-glass grant whose review is owed', () => {
    const breakGlass = (access: AccessRequest['access']) =>
      pendingRequest({
        state: 'succeeded',
        access,
        policy: {
          ruleId: 'breakglass',
          policyHash: 'h',
          approvalsRequired: 0,
          breakGlass: true,
          review: { dueAt: '2099-01-01T00:00:00.000Z' },
        },
      });

    test('its access running: moved an hour on', async () => {
      const t = setup(breakGlass({ durationMs: 4 * HOUR, expiresAt: '2099-01-01T00:00:00.000Z' }));
      await t.run();
      expect(t.moved).toHaveLength(1);
    });

    test('its access being revoked: not tried again, though its end is hours away', async () => {
      const t = setup(
        breakGlass({
          durationMs: 4 * HOUR,
          expiresAt: '2099-01-01T00:00:00.000Z',
          revokingSince: '2025-01-15T09:00:00.000Z',
        }),
      );
      await t.run();
      expect(t.moved).toEqual([]);
      expect((await t.refusedEntries())[0]!.detail).toContain('not tried again');
    });
  });
});

/**
 * Appends the refused card's entry exactly as release 3825f385's turn wrote it (request-handler.ts):
 * no facts; its words alone say whether the requester was told.
 */
async function appendOldTurnEntry(
  t: { audit: MemoryAuditLog },
  request: AccessRequest,
  requester: 'could not be told' | 'was told',
): Promise<void> {
  await t.audit.append({
    actor: { ...ACRBOT_ACTOR },
    tenantId: request.tenantId,
    action: 'approval.card.posted',
    requestId: request.id,
    targetIds: [CHANNEL],
    outcome: 'refused',
    detail: `not posted: Teams refused it (403 BotNotInConversationRoster: acrbot is not in that conversation); by the announcement; the requester ${requester}; the approval.announce job tries again`,
    idempotencyKey: `approval.card.posted:refused:${request.id}`,
  });
}
