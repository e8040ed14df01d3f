/**
 * Keeping a break-glass grant follows the current rule's justification setting, as who may review
 * it does (RequestService.ruleOf, decidedRule): decided requests follow the current policy
 * (docs/policy.md), not the copy of the rule stored with the grant. Real memory stores and
 * Scheduler; the policy is reloaded by swapping what the provider answers.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { Policy, PolicyProvider } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import {
  APPROVERS_GROUP,
  granted,
  OLIVE,
  ONCALL_GROUP,
  policy,
  rule,
  settings,
  TENANT,
} from './support/policy-fixtures';
import { APPROVER, grantPlan } from './support/requests';

const log = createLogger({ level: 'silent' });

function setup(initial: Policy) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const current = { policy: initial };
  const policies: PolicyProvider = { current: () => current.policy };
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId], [ONCALL_GROUP]: [OLIVE.objectId] }),
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
    scheduler,
    policies,
  );
  return {
    clock,
    store,
    audit,
    reload: (next: Policy) => {
      current.policy = next;
    },
    breakGlass: async () =>
      granted(
        store,
        await service.create({
          requester: OLIVE,
          tenantId: TENANT,
          reason: 'prod is down, INC-4711',
          plan: grantPlan(),
          origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
          breakGlass: true,
        }),
        clock.now(),
      ),
    review: (id: string, actor: Actor, reason?: string) =>
      service.decide({ requestId: id, acting: { actor, tenantId: TENANT }, approve: true, reason }),
  };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

describe('keeping a break-glass grant after a reload changed its rule’s justification setting', () => {
  test('reloaded to required: a keep without a comment is refused (audited), naming the current rule; with one it is kept', async () => {
    const t = setup(policy([rule('prod', { approverJustification: 'optional' })]));
    const request = await t.breakGlass();
    expect(request.policy?.rule?.approverJustification).toBe('optional');
    t.reload(policy([rule('prod', { approverJustification: 'required' })], 'hash-2'));

    const bare = await t.review(request.id, APPROVER);
    expect(bare).toMatchObject({ kind: 'refused', reason: 'justification' });
    expect(bare.kind === 'refused' && bare.message).toBe(
      `Keeping break-glass request ${request.id} needs a justification under rule prod: type it in the card's comment box and approve again.`,
    );
    expect((await t.store.get(request.id))!.policy?.review?.outcome).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id)).pop()).toBe('breakglass.review.refused.justification');

    expect(await t.review(request.id, APPROVER, 'real incident, INC-4711')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
  });

  test('reloaded to optional: a keep without a comment is accepted, though the stored rule required one', async () => {
    const t = setup(policy([rule('prod', { approverJustification: 'required' })]));
    const request = await t.breakGlass();
    t.reload(policy([rule('prod', { approverJustification: 'optional' })], 'hash-2'));
    expect(await t.review(request.id, APPROVER)).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  });
});
