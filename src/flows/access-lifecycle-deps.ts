/**
 * What the parts of the access lifecycle (AccessLifecycle and the modules it runs: reminders,
 * extensions, revocation, the end made known) share: its ports and settings as one object, and
 * the one way they write an audit entry of a request's access.
 */
import type { AuditEvent } from '../domain/audit-chain';
import type { AuditLog, AzureResourceReader, Clock, LeaseStore, RequestStore } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { PauseReader } from './access-pause';
import type { PlanningReads } from './grant-planner';
import type { LifecycleMessenger } from './lifecycle-messenger';
import type { RequestNotifier } from './notifier';
import type { JobScheduling } from './request-jobs';
import type { SecretRunnerPorts } from './secret-runner';

/** AccessLifecycle's settings. */
export interface LifecycleSettings {
  remindersMs: readonly number[];
  /**
   * How long a request waits for a decision (ACRBOT_APPROVAL_TTL): a pending extension whose wait
   * was cut to its original's end is cut again to the end an approved extension moved, no later
   * than this from its filing (moved-end-waits.ts). Without it, that wait is left as it was.
   */
  approvalTtlMs?: number;
  /**
   * Serialises revocations of one piece of access across instances, and an extension's
   * check of its original with them (access-lease.ts): two overlapping grants revoked at
   * once cannot both see the other as still active and both keep the assignment.
   */
  leases?: { store: LeaseStore; owner: string };
  /**
   * Longest credential lifetime (ACRBOT_SECRET_MAX_EXPIRY), as the secret planner caps a new
   * secret's: a rotation's new credential is capped the same. Default 365 days.
   */
  secretMaxExpiryMs?: number;
  /**
   * The operators' pause of new access, read before each reminder: one sent while it is in
   * force offers no Extend. Without it, every reminder offers Extend.
   */
  pauses?: PauseReader;
  /**
   * The tenants this deployment serves (ACRBOT_ALLOWED_TENANTS): a reminder to a requester of
   * another offers no Extend (every turn of theirs is refused). Absent or empty: not judged.
   */
  servedTenantIds?: readonly string[];
  /**
   * acrbot's own tenant (FlowSettings.ownTenantId): a reminder to a requester of another served
   * tenant offers no Extend (their every request is refused, own-tenant.ts). Absent: not judged.
   */
  ownTenantId?: string;
  /**
   * The subscriptions this deployment serves (ACRBOT_SUBSCRIPTION_IDS): a reminder of access whose
   * cluster or registry is in another offers no Extend (it would be refused,
   * served-subscriptions.ts). Absent or empty: not judged.
   */
  servedSubscriptionIds?: readonly string[];
  /**
   * Reads of what else lets a grant's cluster pull from its registry, made at the grant's end and
   * in its revoke confirmation (outside-pull.ts): the ARM role assignments the planner reads.
   * Without it, an end says nothing of assignments acrbot did not make.
   */
  pullReads?: PlanningReads;
  /**
   * The registry as it is now, read with {@link pullReads} at a grant's end and in its revoke
   * confirmation: what else lets the cluster pull is judged in the registry's current role
   * assignment mode, as `check` judges it (a switch to ABAC since the plan honours other roles).
   * Without it, the plan's mode (flipped when drift recorded `modeChanged`).
   */
  registryReads?: Pick<AzureResourceReader, 'getRegistry'>;
}

/** AccessLifecycle's constructor arguments, as one object for the functions it runs. */
export interface LifecycleDeps {
  store: RequestStore;
  audit: AuditLog;
  clock: Clock;
  jobs: JobScheduling;
  ports: SecretRunnerPorts;
  cards: RequestNotifier;
  messenger: LifecycleMessenger;
  log: Logger;
  settings: LifecycleSettings;
}

/**
 * Appends an audit entry of `request`'s access, by `by` (targets: its cluster and registry unless
 * given). `correlationIds`: the request ids of the calls it records (a deletion's ARM
 * `x-ms-request-id`, Graph `request-id`), which match the entry to Azure's Activity Log or Entra's
 * audit log, as the writes' `azure.write.*` entries carry theirs. `facts`: what a later attempt
 * reads back from the entry (audit-chain.ts `AuditEvent.facts`).
 */
export async function recordAccessEvent(
  deps: Pick<LifecycleDeps, 'audit'>,
  request: AccessRequest,
  by: Actor,
  event: Pick<AuditEvent, 'action' | 'outcome' | 'detail' | 'idempotencyKey' | 'facts'> & {
    targetIds?: string[];
    correlationIds?: readonly string[];
  },
): Promise<void> {
  await deps.audit.append({
    ...(event.idempotencyKey && { idempotencyKey: event.idempotencyKey }),
    actor: by,
    tenantId: request.tenantId,
    requestId: request.id,
    targetIds: event.targetIds ?? [request.plan.cluster.id, request.plan.registry.id],
    action: event.action,
    outcome: event.outcome,
    detail: event.detail,
    ...(event.correlationIds && { correlationIds: [...event.correlationIds] }),
    ...(event.facts && { facts: event.facts }),
  });
}
