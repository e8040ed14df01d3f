/**
 * A RequestService as the break-glass review tests run it: real memory stores (with their
 * conditional writes), a real Scheduler on them, and a directory in which Alex Approver is an
 * approver and Adele Operator on call, so each test builds only what it observes on top.
 */
import type { Policy, PolicyProvider } from '../../../src/domain/policy';
import type { AccessRequest, Actor } from '../../../src/domain/request';
import type { PauseReader } from '../../../src/flows/access-pause';
import { RequestService } from '../../../src/flows/request-service';
import { Scheduler } from '../../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import { FakeClock, MINUTE } from './fake-clock';
import { fakeDirectory } from './fake-directory';
import { APPROVERS_GROUP, granted, OLIVE, ONCALL_GROUP, settings, TENANT } from './policy-fixtures';
import { APPROVER, grantPlan } from './requests';

type Notifier = ConstructorParameters<typeof RequestService>[5];

/** What a test may give the service instead of the quiet defaults. */
export interface BreakGlassServiceParts {
  /** The policy it reads; a test that reloads it answers from a variable. */
  policies: PolicyProvider;
  /** Told of every change; by default nobody. */
  notifier?: Notifier;
  /** The operators' pause of new access; absent: never paused. */
  pauses?: PauseReader;
  /** Object ids whose accounts the directory finds disabled or gone; by default none. */
  disabledUserIds?: readonly string[];
  /**
   * While it answers true, every read of accounts (`enabledUserIds`, `enabledUsers`) throws a plain error, as a
   * Graph outage does (a 5xx, no answer: not the 403 of `User.Read.All` not granted); by default never.
   */
  accountReadFails?: () => boolean;
}

/**
 * The service at 2026-11-30 09:00 (fake clock) with its stores and Scheduler; `breakGlass` files
 * a break-glass request of Olive's and records it granted, so its review is owed, and `review`
 * keeps (approves) a break-glass grant as `actor`, with `reason` as the card's comment.
 */
export function breakGlassService(parts: BreakGlassServiceParts) {
  const log = createLogger({ level: 'silent' });
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const jobs = new MemoryScheduleStore();
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const members = fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId], [ONCALL_GROUP]: [OLIVE.objectId] });
  const disabled = new Set(parts.disabledUserIds ?? []);
  const directory = {
    ...members,
    enabledUserIds: async (ids: readonly string[]) => {
      if (parts.accountReadFails?.()) throw new Error('directory unavailable');
      return (await members.enabledUserIds(ids)).filter((id) => !disabled.has(id));
    },
    // The same accounts with their names: what a new request reads (approver-groups-cache.ts).
    enabledUsers: async (ids: readonly string[]) => {
      if (parts.accountReadFails?.()) throw new Error('directory unavailable');
      return (await members.enabledUsers(ids)).filter((u) => ![...disabled].some((d) => d.toLowerCase() === u.id));
    },
  };
  const service = new RequestService(
    store,
    audit,
    directory,
    clock,
    settings,
    parts.notifier ?? { requestChanged: async () => undefined },
    log,
    scheduler,
    parts.policies,
    parts.pauses,
  );
  return {
    clock,
    store,
    audit,
    jobs,
    scheduler,
    service,
    breakGlass: async (): Promise<AccessRequest> =>
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

/**
 * {@link breakGlassService} on a policy that starts as `initial`; `reload` swaps what the provider
 * answers, as a reload of the policy file does.
 */
export function reloadableBreakGlassService(initial: Policy, parts: Omit<BreakGlassServiceParts, 'policies'> = {}) {
  const current = { policy: initial };
  return {
    ...breakGlassService({ ...parts, policies: { current: () => current.policy } }),
    reload: (next: Policy) => {
      current.policy = next;
    },
  };
}
