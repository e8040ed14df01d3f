/**
 * How the changes of a request are audited: an entry is written before the change it records, or
 * right after the conditional write that picked the change's winner, and a transition whose entry
 * cannot be made durable is put back (G8, G11). Also the identity a rule's decisions are recorded
 * under and the targets every entry of a request names.
 */
import type { AuditEvent } from '../domain/audit-chain';
import { UserFacingError } from '../domain/errors';
import type { Plan } from '../domain/plan';
import type { AuditLog, Clock, RequestStore } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import type { Logger } from '../observability/logger';
import { undoUnaudited, updateUndoingUnseen } from './unaudited-undo';

/** The identity decisions made by a rule (auto-approval) are recorded under. */
export function ruleActor(ruleId: string): Actor {
  return { objectId: 'acrbot', name: `rule ${ruleId}` };
}

/** The targets of a request's audit entries: its cluster and its registry. */
export function targetsOf(plan: Plan): string[] {
  return [plan.cluster.id, plan.registry.id];
}

/** The audit writes of the request service's parts, in the order G11 asks for. */
export class RequestAudit {
  constructor(
    private readonly audit: AuditLog,
    private readonly store: RequestStore,
    private readonly clock: Clock,
    private readonly log: Logger,
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

  /**
   * Appends the entry a change needs before it is made. A failed write becomes the user's
   * "nothing changed" answer; the storage error behind it is logged here, because turns do not
   * log user-facing errors and the operator needs its cause (and request id) to act.
   */
  async record(event: AuditEvent): Promise<void> {
    try {
      await this.audit.append(event);
    } catch (err) {
      this.log.error({ err, requestId: event.requestId, action: event.action }, 'audit write failed; nothing changed');
      throw new UserFacingError(
        'audit.unavailable',
        "The audit log could not be written, so acrbot changed nothing; try again in a minute or ask the platform team to check the bot's storage.",
        { cause: err },
      );
    }
  }

  /**
   * Appends an entry whose fact is stored already and which a net writes late when it is missing
   * (keyed, so once): a failed write is logged, not thrown, and the change stands.
   */
  async recordOrLeaveToNet(event: AuditEvent): Promise<void> {
    try {
      await this.audit.append(event);
    } catch (err) {
      this.log.error(
        { err, requestId: event.requestId, action: event.action },
        'audit write failed; the entry is written late by the net for half-done decisions',
      );
    }
  }

  /**
   * Audits a transition already stored as `written`; if the entry cannot be made durable, puts
   * the request back as `before` and rethrows: a decision not in the audit trail must not stand
   * (G11).
   */
  async recordOrUndo(
    before: AccessRequest,
    written: AccessRequest,
    event: AuditEvent,
    afterUndo?: () => Promise<void>,
  ): Promise<void> {
    try {
      await this.record(event);
    } catch (err) {
      await this.undo(before, written);
      // The audit failure is what the caller is told (and acts on); a failure of `afterUndo` is
      // logged here, where it ends.
      await afterUndo?.().catch((afterErr: unknown) =>
        this.log.error(
          { err: afterErr, requestId: before.id, action: event.action },
          'undone after its audit write failed, and what must follow the undo failed too',
        ),
      );
      throw err;
    }
  }

  /**
   * Restores `before` after `written` was stored but its audit entry could not be made durable.
   * Conditional on `written` still being current: if something moved the request meanwhile (an
   * executor elsewhere), that step wrote its own audit entry before acting.
   */
  private undo(before: AccessRequest, written: AccessRequest): Promise<void> {
    return undoUnaudited(this.store, this.clock, before, written);
  }

  /**
   * The seq of `requestId`'s `request.created` entry: where its creation stands in the one chain
   * every instance appends to, written before the request is stored. Undefined when none is read.
   */
  async createdSeq(requestId: string): Promise<number | undefined> {
    return (await this.audit.forRequest(requestId)).find((e) => e.action === 'request.created')?.seq;
  }

  /** {@link updateUndoingUnseen} on this service's store: the write of a transition audited after it. */
  updateUndoingUnseen(before: AccessRequest, next: AccessRequest): Promise<void> {
    return updateUndoingUnseen({ store: this.store, clock: this.clock, log: this.log }, before, next);
  }
}
