/**
 * Requests from creation to decision: stores them with conditional writes, applies the
 * approval policy, and records every step and refusal in the audit log. A decision is audited
 * by the winner of its conditional write only, right after it, and undone if that entry cannot
 * be written (G8, G11).
 */
import { checkDecision, type RefusalReason } from '../domain/approval-policy';
import type { AuditEvent } from '../domain/audit-chain';
import { UserFacingError } from '../domain/errors';
import { newRequestId } from '../domain/identifiers';
import type { Plan } from '../domain/plan';
import type { AuditLog, Clock, DirectoryPort, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, Actor, RequestEvent } from '../domain/request';
import { describeState, isExpired, transition } from '../domain/request';
import { looksLikeSecret, singleLine } from '../domain/text';
import type { Logger } from '../observability/logger';
import type { RequestNotifier } from './notifier';
import type { JobSpec } from './scheduler';
import type { FlowSettings } from './settings';

/** The result of an approve or reject click. */
export type DecisionResult =
  | { kind: 'decided'; request: AccessRequest }
  | { kind: 'refused'; request: AccessRequest; reason: RefusalReason | 'stale'; message: string };

/** Who is acting, in which tenant. */
export interface ActingContext {
  actor: Actor;
  tenantId: string;
}

function targetsOf(plan: Plan): string[] {
  return [plan.cluster.id, plan.registry.id];
}

/** The part of the scheduler the request service uses. */
export interface JobScheduling {
  schedule(job: JobSpec): Promise<void>;
  cancel(id: string): Promise<void>;
}

/** The `request.expire` job of a pending request. */
export function requestExpiryJobId(requestId: string): string {
  return `request.expire:${requestId}`;
}

/** Creates, decides, lists and expires requests. */
export class RequestService {
  /** Decisions on one request in this process run one after another, so a double click's loser sees the winner before auditing anything. Across processes the conditional write decides. */
  private readonly decisionQueues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly directory: DirectoryPort,
    private readonly clock: Clock,
    private readonly settings: FlowSettings,
    private readonly notifier: RequestNotifier,
    private readonly log: Logger,
    /** Persisted schedule for the approval window's end (G6); absent in flows run without one. */
    private readonly jobs?: JobScheduling,
  ) {}

  /**
   * Audits something acrbot refused before any request was involved (a turn from the wrong
   * tenant, bad card data, a validation failure, a reader who may not read). The refusal
   * stands whether or not the entry could be written, so a failed write is logged, not thrown.
   */
  async recordRefusal(event: Omit<AuditEvent, 'targetIds'> & { targetIds?: string[] }): Promise<void> {
    try {
      await this.audit.append({ ...event, targetIds: event.targetIds ?? [] });
    } catch (err) {
      this.log.error({ err, action: event.action }, 'refusal could not be audited');
    }
  }

  /** Records and stores a new pending request. The audit entry is written first. */
  async create(input: {
    requester: Actor;
    tenantId: string;
    reason: string;
    plan: Plan;
    origin: AccessRequest['origin'];
    /** Teams activity id of the message that asked (redelivery, G16). */
    sourceActivityId?: string;
  }): Promise<AccessRequest> {
    const now = this.clock.now();
    const request: AccessRequest = {
      id: newRequestId(),
      version: 1,
      state: 'pending',
      tenantId: input.tenantId,
      requester: input.requester,
      reason: input.reason,
      plan: input.plan,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.settings.approvalTtlMs).toISOString(),
      origin: input.origin,
      sandbox: this.settings.sandbox,
      ...(input.sourceActivityId ? { sourceActivityId: input.sourceActivityId } : {}),
    };
    await this.record({
      actor: input.requester,
      tenantId: input.tenantId,
      action: 'request.created',
      requestId: request.id,
      targetIds: targetsOf(input.plan),
      outcome: 'pending',
      detail: input.reason,
    });
    await this.store.create(request);
    await this.scheduleExpiry(request);
    return request;
  }

  /** Schedules the `request.expire` job of a pending request (idempotent). */
  async scheduleExpiry(request: AccessRequest): Promise<void> {
    if (!this.jobs || request.state !== 'pending') return;
    await this.jobs.schedule({
      id: requestExpiryJobId(request.id),
      kind: 'request.expire',
      dueAt: new Date(request.expiresAt),
      requestId: request.id,
    });
  }

  /**
   * Schedules expiry for pending requests made before the schedule existed (or whose job was
   * lost); idempotent, run at start.
   */
  async scheduleExpiryForPending(): Promise<number> {
    const pending = await this.store.listByState(['pending'], 1000);
    for (const request of pending) await this.scheduleExpiry(request);
    return pending.length;
  }

  /** Reads a request or says it does not exist. */
  async get(id: string): Promise<AccessRequest> {
    const request = await this.store.get(id.toUpperCase());
    if (!request)
      throw new UserFacingError(
        'request.notFound',
        `There is no request ${id}; check the id on the plan card (it looks like R-7K2M9QXA).`,
      );
    return request;
  }

  /** Pending requests, oldest first. */
  async pending(): Promise<AccessRequest[]> {
    return this.store.listByState(['pending'], 50);
  }

  /** In ACRBOT_APPROVERS, or a transitive member of ACRBOT_APPROVER_GROUP (asked now, not cached). */
  async isApprover(actor: Actor): Promise<boolean> {
    const id = actor.objectId.toLowerCase();
    if (this.settings.approverIds.some((a) => a.toLowerCase() === id)) return true;
    if (this.settings.approverGroupId)
      return this.directory.isMemberOfGroup(actor.objectId, this.settings.approverGroupId);
    return false;
  }

  /** Approvers and auditors may read the audit log. */
  async mayReadAudit(actor: Actor): Promise<boolean> {
    if (this.settings.auditorIds.some((a) => a.toLowerCase() === actor.objectId.toLowerCase())) return true;
    return this.isApprover(actor);
  }

  /**
   * An approve or reject click. Identity is the caller's `aadObjectId`; the request is
   * re-read from the store, whatever the card data says (G3). Exactly one decision wins (G8).
   */
  async decide(input: {
    requestId: string;
    acting: ActingContext;
    approve: boolean;
    reason?: string;
  }): Promise<DecisionResult> {
    const key = input.requestId.toUpperCase();
    const previous = this.decisionQueues.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.decideNow(input));
    this.decisionQueues.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.decisionQueues.get(key) === mine) this.decisionQueues.delete(key);
    }
  }

  private async decideNow(input: {
    requestId: string;
    acting: ActingContext;
    approve: boolean;
    reason?: string;
  }): Promise<DecisionResult> {
    const request = await this.get(input.requestId);
    const { actor, tenantId } = input.acting;
    const now = this.clock.now();
    const reason = input.reason ? singleLine(input.reason).slice(0, 500) : undefined;
    if (request.state !== 'pending') {
      return {
        kind: 'refused',
        request,
        reason: 'stale',
        message: `Request ${request.id} is already ${describeState(request)}; nothing was changed.`,
      };
    }
    if (reason && looksLikeSecret(reason)) {
      throw new UserFacingError(
        'validation.secret',
        'The comment looks like it contains a credential (a token, key or password); remove it and click again. Never paste secrets in chat.',
      );
    }
    const verdict = checkDecision(request, {
      actor,
      now,
      approving: input.approve,
      justification: reason,
      actorIsApprover:
        request.requester.objectId.toLowerCase() === actor.objectId.toLowerCase()
          ? false
          : await this.isApprover(actor),
      approverJustificationRequired: this.settings.approverJustificationRequired,
    });
    if (!verdict.allowed) {
      await this.record({
        actor,
        tenantId,
        action: `approval.refused.${verdict.reason}`,
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: verdict.message,
      });
      if (verdict.reason === 'expired') await this.expire(request, now);
      return {
        kind: 'refused',
        request: (await this.store.get(request.id)) ?? request,
        reason: verdict.reason,
        message: verdict.message,
      };
    }
    const event: RequestEvent = input.approve
      ? { type: 'approve', by: actor, at: now, reason }
      : { type: 'reject', by: actor, at: now, reason };
    const next = transition(request, event);
    // The conditional write picks the winner first; only the winner records the decision, so a
    // race leaves exactly one decision entry (G8). The losers record a stale refusal.
    try {
      await this.store.update(next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      return this.lostRace(request, input.acting);
    }
    try {
      await this.record({
        actor,
        tenantId,
        action: input.approve ? 'request.approved' : 'request.rejected',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: next.state,
        detail: reason,
      });
    } catch (err) {
      // G11: a decision that is not in the audit trail must not stand (nor run). Put the request
      // back as it was; the executor is only started by the caller after this returns.
      await this.undo(request, next);
      throw err;
    }
    // The click is answered without waiting for the other copies: an approval's copies are
    // updated by the executor's first step ("executing") anyway, a rejection's right after.
    if (!input.approve) void this.notifier.requestChanged(next);
    // The request.expire job stays: at its time it finds the request decided and does nothing.
    return { kind: 'decided', request: next };
  }

  /** The loser of the conditional write: tells who won and records a refusal, never a second decision. */
  private async lostRace(request: AccessRequest, acting: ActingContext): Promise<DecisionResult> {
    const winner = await this.get(request.id);
    await this.record({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'approval.refused.stale',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: `lost the race: ${describeState(winner)}`,
    });
    return {
      kind: 'refused',
      request: winner,
      reason: 'stale',
      message: `Request ${request.id} was already ${describeState(winner)}; your click changed nothing.`,
    };
  }

  /**
   * Restores `before` after `written` was stored but its audit entry could not be made durable.
   * Conditional on `written` still being current: if something moved the request meanwhile (an
   * executor elsewhere), that step wrote its own audit entry before acting.
   */
  private async undo(before: AccessRequest, written: AccessRequest): Promise<void> {
    try {
      await this.store.update({ ...before, version: written.version + 1, updatedAt: this.clock.now().toISOString() });
    } catch (err) {
      if (!(err instanceof VersionConflictError))
        throw new Error(`could not undo an unaudited decision on ${before.id}`, { cause: err });
    }
  }

  /**
   * The `request.expire` job (G6): marks the request expired and updates its cards when it is
   * still pending and past its expiry; otherwise does nothing. Returns whether it expired it.
   */
  async expireIfDue(requestId: string): Promise<boolean> {
    const request = await this.store.get(requestId);
    const now = this.clock.now();
    if (!request || !isExpired(request, now)) return false;
    return this.expire(request, now);
  }

  private async expire(request: AccessRequest, now: Date): Promise<boolean> {
    const next = transition(request, { type: 'expire', at: now });
    await this.record({
      actor: { objectId: 'acrbot', name: 'acrbot' },
      tenantId: request.tenantId,
      action: 'request.expired',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'expired',
    });
    try {
      await this.store.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError) return false;
      throw err;
    }
    await this.jobs?.cancel(requestExpiryJobId(request.id));
    await this.notifier.requestChanged(next);
    return true;
  }

  private async record(event: AuditEvent): Promise<void> {
    try {
      await this.audit.append(event);
    } catch {
      throw new UserFacingError(
        'audit.unavailable',
        "The audit log could not be written, so acrbot changed nothing; try again in a minute or ask the platform team to check the bot's storage.",
      );
    }
  }
}
