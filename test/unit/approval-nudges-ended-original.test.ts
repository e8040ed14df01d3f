/**
 * Approval nudges for an extension whose original can no longer be extended (revoked, being
 * revoked, past its end): approval would be refused (`approval.refused.notActive`), so the
 * approvers are neither reminded nor escalated to. The same fixtures go through the real
 * RequestService's approval, so the nudge and the refusal follow one rule.
 */
import type { PolicyBinding } from '../../src/domain/request';
import type { AccessRequest } from '../../src/domain/request';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVERS_GROUP, policy, rule, TENANT } from './support/policy-fixtures';
import { quietRequestService } from './support/quiet-request-service';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';

const NOW = '2026-11-30T12:00:00.000Z';
const prod = rule('prod', { remindAfterMs: 2 * HOUR, escalateAfterMs: 8 * HOUR });
const rules = policy([prod]);

/** Records the nudges posted. */
class Nudges implements NudgeNotifier {
  readonly posted: string[] = [];
  async requestChanged() {}
  async nudgeApprovers(request: AccessRequest, _r: unknown, kind: 'remind' | 'escalate') {
    this.posted.push(`${kind}:${request.id}`);
  }
  async breakGlassUnreviewed() {}
}

const active: AccessRequest = pendingRequest({
  id: 'R-ORIGINAL',
  state: 'succeeded',
  version: 4,
  createdAt: '2026-11-29T09:00:00.000Z',
  decision: { by: APPROVER, at: '2026-11-29T09:10:00.000Z', approved: true },
  access: { durationMs: 2 * 24 * HOUR, expiresAt: '2026-12-01T09:10:00.000Z' },
});

/** The original in each state a case needs, and whether approving its extension is refused. */
const originals: Array<[string, AccessRequest, boolean]> = [
  ['active', active, false],
  ['being revoked', { ...active, access: { ...active.access!, revokingSince: '2026-11-30T11:00:00.000Z' } }, true],
  [
    'revoked',
    {
      ...active,
      state: 'revoked',
      access: { ...active.access!, revokedAt: '2026-11-30T11:00:00.000Z', revokedBy: APPROVER },
    },
    true,
  ],
  ['past its end', { ...active, access: { ...active.access!, expiresAt: '2026-11-30T11:59:00.000Z' } }, true],
];

const binding: PolicyBinding = { ruleId: prod.id, policyHash: 'hash-1', approvalsRequired: 1, rule: prod };

/** The pending extension of R-ORIGINAL, created ten hours ago: its reminder and escalation are due. */
const extension: AccessRequest = pendingRequest({
  id: 'R-EXTENSION',
  requester: REQUESTER,
  tenantId: TENANT,
  createdAt: '2026-11-30T02:00:00.000Z',
  extendsRequestId: active.id,
  policy: binding,
});

/** The same extension filed three hours ago: its reminder is due, its escalation not yet. */
const recentExtension: AccessRequest = { ...extension, createdAt: '2026-11-30T09:00:00.000Z' };

async function setup(original: AccessRequest, filed: AccessRequest = extension) {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  await store.create(original);
  await store.create(filed);
  const notifier = new Nudges();
  const nudges = new ApprovalNudges(
    store,
    new MemoryAuditLog(clock),
    clock,
    notifier,
    {
      schedule: async () => undefined,
      // Finds no job, so every job is absent: "written" (as `schedule` writes, nowhere).
      scheduleIfAbsent: async () => true,
      cancel: async () => undefined,
      get: async () => undefined,
    },
    new MemoryPauseStore(),
  );
  const ids = approvalNudgeJobIds(extension.id);
  const job = (id: string, kind: 'approval.remind' | 'approval.escalate') => ({
    id,
    kind,
    dueAt: NOW,
    requestId: extension.id,
    attempts: 0,
  });
  const runBoth = async () => {
    await nudges.remind(job(ids.remind, 'approval.remind'));
    await nudges.escalate(job(ids.escalate, 'approval.escalate'));
  };
  const approve = () =>
    quietRequestService({ store, clock, policy: rules, members: { [APPROVERS_GROUP]: [APPROVER.objectId] } }).decide({
      requestId: extension.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: true,
    });
  return { store, notifier, runBoth, approve, remindOnly: () => nudges.remind(job(ids.remind, 'approval.remind')) };
}

describe('G18: approval nudges of an extension whose original has ended or is ending', () => {
  test.each(originals)(
    'original %s: nudged exactly when approval would not be refused',
    async (_name, original, refused) => {
      const t = await setup(original);
      await t.runBoth();
      // Both are due (ten hours after it was filed): the escalation goes alone (approval-nudge-order.ts).
      expect(t.notifier.posted).toEqual(refused ? [] : [`escalate:${extension.id}`]);
      // Not marked as reminded: the card does not say approvers were nudged.
      if (refused) expect((await t.store.get(extension.id))!.policy).toEqual(binding);
      // The approval the nudge would lead to (after the nudges: it changes the request).
      const decided = await t.approve();
      if (refused) expect(decided).toMatchObject({ kind: 'refused', reason: 'notActive' });
      else expect(decided.kind).toBe('decided');
    },
  );

  test.each(originals)(
    'original %s: a reminder due alone is sent exactly when approval would not be refused',
    async (_name, original, refused) => {
      const t = await setup(original, recentExtension);
      await t.remindOnly();
      expect(t.notifier.posted).toEqual(refused ? [] : [`remind:${extension.id}`]);
    },
  );
});
