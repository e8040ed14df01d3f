/**
 * A pending request whose planned cluster or registry is in a subscription taken out of
 * ACRBOT_SUBSCRIPTION_IDS since it was asked for: its Approve is refused
 * (approval.refused.subscription, request-decision.ts). Its reminder and the approvers' card say
 * so before anyone clicks, in the line a term refused uses ("Approve would be refused"), with the
 * way on that fits (approve-refused.ts): not "ask again for less". Real memory stores, Scheduler,
 * RequestService, ApprovalNudges and CardMessenger, posting through a recording adapter.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { AccessLimits } from '../../src/domain/access-term';
import { ApprovalNudges } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import type { FlowSettings } from '../../src/flows/settings';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { approveRefusedLine, requestCard } from '../../src/views/request-view';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { Chat } from './support/grouped-nudge-world';
import { APPROVERS_GROUP, DAY, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { RecordingAdapter } from './support/recording-adapter';
import { APPROVER, newGrant, REQUESTER, SUB } from './support/requests';

const log = createLogger({ level: 'silent' });
const NEW_SUB = '2f0c0000-0000-4000-8000-000000000002';
const LIMITS: AccessLimits = { minMs: HOUR, maxMs: 365 * DAY, defaultMs: 8 * HOUR, allowPermanent: false };
const WHY = `is for a cluster or registry in a subscription this deployment no longer serves (cluster aks-prod, subscription ${SUB}, not in ACRBOT_SUBSCRIPTION_IDS)`;
const SAYS = `Approve would be refused: it ${WHY}; reject it, or ask the platform team to add the subscription back.`;

function world(served: string[]) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauses = new MemoryPauseStore();
  const chat = new Chat();
  const adapter = new RecordingAdapter();
  chat.messenger = new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, log);
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const current = policy([
    rule('prod', {
      channel: '19:prod@thread.tacv2',
      remindAfterMs: 2 * HOUR,
      escalateAfterMs: 4 * HOUR,
      escalateTo: { channel: '19:esc@thread.tacv2', groups: [] },
    }),
  ]);
  const policies = { current: () => current };
  const flowSettings: FlowSettings = { ...settings, access: LIMITS, subscriptionIds: served };
  const nudges = new ApprovalNudges(store, audit, clock, chat, scheduler, pauses, {
    policies,
    limits: LIMITS,
    servedSubscriptionIds: served,
  });
  scheduler.register('approval.remind', (job, run) => nudges.remind(job, run));
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    flowSettings,
    chat,
    log,
    scheduler,
    policies,
    pauses,
  );
  const create = async () => {
    const request = await service.create({ ...newGrant(REQUESTER), access: { durationMs: 8 * HOUR } });
    await store.addCardCopy({
      requestId: request.id,
      activityId: `card-${request.id}`,
      role: 'requester',
      conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:requester', tenantId: 't' } },
    });
    return request;
  };
  const approve = (id: string) =>
    service.decide({ requestId: id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true });
  return { clock, adapter, scheduler, service, create, approve };
}

describe('a pending request in a subscription no longer served', () => {
  test('its reminder says Approve would be refused, and the click is', async () => {
    const t = world([NEW_SUB]);
    const request = await t.create();
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).remind)).toBe(true);
    // A text message, rendered as markdown: the setting's underscores are escaped (message-text-inert.ts).
    expect(String(t.adapter.posts[0]!.activity.text)).toContain(SAYS.replace(/_/g, '\\_'));
    expect(await t.approve(request.id)).toMatchObject({ kind: 'refused', reason: 'subscription' });
  });

  test('still served (any case), or none listed: nothing of it', async () => {
    for (const served of [[NEW_SUB, SUB.toUpperCase()], []]) {
      const t = world(served);
      const request = await t.create();
      t.clock.advance(2 * HOUR);
      expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).remind)).toBe(true);
      expect(String(t.adapter.posts[0]!.activity.text)).not.toContain('Approve would be refused');
      expect(t.service.approveRefusedForTerm(request)).toBeUndefined();
    }
  });

  test("the approvers' card says it, with the way on that fits", async () => {
    const t = world([NEW_SUB]);
    const request = await t.create();
    const refusal = { why: WHY, advice: 'reject it, or ask the platform team to add the subscription back' };
    expect(t.service.approveRefusedForTerm(request)).toEqual(refusal);
    expect(approveRefusedLine(refusal)).toBe(SAYS);
    const card = JSON.stringify(requestCard(request, { showActions: true, approveRefused: refusal }));
    expect(card).toContain(SAYS);
  });
});
