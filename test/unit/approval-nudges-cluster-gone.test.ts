/**
 * Approval reminders and escalations of an extension whose original's cluster the drift check
 * read gone (`access.clusterGoneAt`): an Approve of it is refused (approval.refused.clusterGone),
 * so the approvers are not reminded of it, alone or taken along by another request's grouped
 * reminder (extension-unapprovable.ts), and a newer request's reminder does not hold back for its
 * post (nudge-siblings.ts, olderSiblingMayTake). The drift detector closes such an extension as it
 * writes the note (cluster-gone-closes-extensions.test.ts); this is one that close left pending.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest, PolicyBinding } from '../../src/domain/request';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { claimSiblings } from '../../src/flows/nudge-siblings';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock, HOUR } from './support/fake-clock';
import { rule, TENANT } from './support/policy-fixtures';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const NOW = '2026-11-30T12:00:00.000Z';
const prod = rule('prod', {
  remindAfterMs: 2 * HOUR,
  escalateAfterMs: 8 * HOUR,
  channel: '19:approvers@thread.tacv2',
  approvers: { users: [APPROVER.objectId], groups: [] },
});
const binding: PolicyBinding = { ruleId: prod.id, policyHash: 'hash-1', approvalsRequired: 1, rule: prod };

const active: AccessRequest = pendingRequest({
  id: 'R-ORIGINAL',
  state: 'succeeded',
  version: 4,
  createdAt: '2026-11-29T09:00:00.000Z',
  decision: { by: APPROVER, at: '2026-11-29T09:10:00.000Z', approved: true },
  access: { durationMs: 2 * 24 * HOUR, expiresAt: '2026-12-01T09:10:00.000Z' },
});
const gone: AccessRequest = { ...active, access: { ...active.access!, clusterGoneAt: '2026-11-30T10:00:00.000Z' } };

/** The pending extension of R-ORIGINAL, filed three hours ago: its reminder is due. */
const extension: AccessRequest = pendingRequest({
  id: 'R-EXTENSION',
  requester: REQUESTER,
  tenantId: TENANT,
  createdAt: '2026-11-30T09:00:00.000Z',
  extendsRequestId: active.id,
  policy: binding,
});

class Nudges implements NudgeNotifier {
  readonly posted: string[] = [];
  async requestChanged() {}
  async nudgeApprovers(request: AccessRequest, _r: unknown, kind: 'remind' | 'escalate') {
    this.posted.push(`${kind}:${request.id}`);
  }
  async breakGlassUnreviewed() {}
}

/** Posts grouped reminders too, so a run may hold back for an older sibling's post. */
class GroupedNudges extends Nudges {
  async nudgeApproversGrouped(requests: readonly AccessRequest[], _r: unknown, kind: 'remind' | 'escalate') {
    this.posted.push(`${kind}:${requests.map((r) => r.id).join('+')}`);
  }
}

/** R-EXTENSION's reminder job, due now. */
const extensionJob: ScheduledJob = {
  id: approvalNudgeJobIds(extension.id).remind,
  kind: 'approval.remind',
  dueAt: NOW,
  requestId: extension.id,
  attempts: 0,
};

async function setup(original: AccessRequest, others: AccessRequest[] = [], notifier = new Nudges()) {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  for (const r of [original, extension, ...others]) await store.create(r);
  /** The jobs a run moved (held back). */
  const moved: string[] = [];
  const nudges = new ApprovalNudges(
    store,
    new MemoryAuditLog(clock),
    clock,
    notifier,
    {
      schedule: async (job) => void moved.push(job.id),
      scheduleIfAbsent: async () => true,
      cancel: async () => undefined,
      get: async (id) => (id === extensionJob.id ? extensionJob : undefined),
    },
    new MemoryPauseStore(),
  );
  const remind = (requestId = extension.id) =>
    nudges.remind({ ...extensionJob, id: approvalNudgeJobIds(requestId).remind, requestId });
  return { clock, store, notifier, moved, remind };
}

test.each([
  ['its cluster in place', active, [`remind:${extension.id}`]],
  ['its cluster read gone', gone, []],
])(
  'an extension of a grant with %s: reminded exactly when Approve would not be refused',
  async (_n, original, posted) => {
    const t = await setup(original);
    await t.remind();
    expect(t.notifier.posted).toEqual(posted);
  },
);

test("another request's grouped reminder does not take it along", async () => {
  // A new request on the same rule, filed just before: its reminder is due and claims siblings.
  const other = pendingRequest({ id: 'R-OTHERNEW', createdAt: '2026-11-30T08:59:00.000Z', policy: binding });
  for (const [original, claimed] of [
    [active, [extension.id]],
    [gone, []],
  ] as const) {
    const t = await setup(original, [other]);
    const ports = { store: t.store, clock: t.clock, sent: async () => false };
    expect((await claimSiblings(ports, other, 'remind')).map((r) => r.id)).toEqual(claimed);
  }
});

test.each([
  ['its cluster in place', active, [], [approvalNudgeJobIds('R-NEWER').remind]],
  ['its cluster read gone', gone, ['remind:R-NEWER'], []],
])(
  "a newer request's reminder, the extension (of a grant with %s) filed first with its job due: held back for it exactly when it may be approved",
  async (_n, original, posted, moved) => {
    // The extension's own job would post first and take the newer one along, unless it has
    // nothing to post (olderSiblingMayTake passes it over): then the newer one posts, alone.
    const newer = pendingRequest({ id: 'R-NEWER', createdAt: '2026-11-30T09:30:00.000Z', policy: binding });
    const t = await setup(original, [newer], new GroupedNudges());
    await t.remind(newer.id);
    expect(t.notifier.posted).toEqual(posted);
    expect(t.moved).toEqual(moved);
  },
);
