/**
 * The operators' pause of new access (docs/operations.md, "Pause new access"). In an incident an
 * approver pauses it; until an approver resumes it, no request is filed (grant, secret, extend,
 * break-glass, an auto-approving rule, the tab's Extend) and none is approved. Revocations,
 * scheduled ends, reminders, rejections and break-glass reviews go on, so access can still end.
 * The pause lives in the store (every instance reads it on every check) and both changes are
 * audited; a change whose entry cannot be written is undone (G11).
 */
import type { AuditEvent } from '../domain/audit-chain';
import { formatUtc } from '../domain/access-term';
import { UserFacingError } from '../domain/errors';
import type { AccessPause, AuditLog, Clock, PauseStore } from '../domain/ports';
import { checkReason } from '../domain/text';
import type { Logger } from '../observability/logger';
import type { ActingContext } from './request-service';

/** What the request service reads before filing or approving anything. */
export type PauseReader = Pick<PauseStore, 'current'>;

/** The result of `pause`: the pause in force, and whether this call put it in force. */
export interface PauseResult {
  applied: boolean;
  pause: AccessPause;
}

/** One sentence on a pause in force, for refusals and the `pause` answer (user text: cards neutralise it). */
export function describePause(pause: AccessPause): string {
  return `New access is paused since ${formatUtc(pause.since)} by ${pause.by.name}: "${pause.reason}".`;
}

/** The refusal while paused, ending with what still works and who can lift it. */
export function pausedRefusal(pause: AccessPause, nothingDone: string): string {
  return `${describePause(pause)} ${nothingDone} Revocations and scheduled ends go on; an approver can lift the pause with "@acrbot resume".`;
}

/** Pauses and resumes new access, for approvers only. */
export class AccessPauses {
  constructor(
    private readonly store: PauseStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** Approver under any rule of the policy in force (RequestService.isApprover; Graph for groups, G5). */
    private readonly isApprover: (actor: ActingContext['actor']) => Promise<boolean>,
    private readonly log: Logger,
  ) {}

  /** The pause in force, read fresh from the store. */
  current(): Promise<AccessPause | undefined> {
    return this.store.current();
  }

  /** Pauses new access with `reason`; when a pause is already in force, answers it unchanged. */
  async pause(acting: ActingContext, reasonText: string | undefined): Promise<PauseResult> {
    await this.mustBeApprover(acting, 'pause');
    const reason = checkReason(
      reasonText,
      'reason for the pause',
      'say why, e.g. "@acrbot pause unexpected grants on prod, investigating"',
    );
    const pause: AccessPause = {
      since: this.clock.now().toISOString(),
      by: { objectId: acting.actor.objectId, name: acting.actor.name },
      reason,
    };
    const result = await this.store.pause(pause);
    if (!result.applied) return result;
    await this.recordOrUndo(
      {
        actor: acting.actor,
        tenantId: acting.tenantId,
        action: 'access.paused',
        targetIds: [],
        outcome: 'paused',
        detail: reason,
      },
      () => this.store.resume(),
    );
    return result;
  }

  /** Lifts the pause in force; answers it, or undefined when new access was not paused. */
  async resume(acting: ActingContext, reasonText: string | undefined): Promise<AccessPause | undefined> {
    await this.mustBeApprover(acting, 'resume');
    const reason = reasonText?.trim()
      ? checkReason(reasonText, 'reason for resuming', 'say why, or give none')
      : undefined;
    const lifted = await this.store.resume();
    if (!lifted) return undefined;
    const paused = `paused since ${formatUtc(lifted.since)} by ${lifted.by.name} (${lifted.by.objectId}): ${lifted.reason}`;
    await this.recordOrUndo(
      {
        actor: acting.actor,
        tenantId: acting.tenantId,
        action: 'access.resumed',
        targetIds: [],
        outcome: 'resumed',
        detail: reason ? `${reason}; was ${paused}` : `was ${paused}`,
      },
      () => this.store.pause(lifted),
    );
    return lifted;
  }

  private async mustBeApprover(acting: ActingContext, verb: 'pause' | 'resume'): Promise<void> {
    if (await this.isApprover(acting.actor)) return;
    const message = `Only approvers can ${verb} new access; nothing was changed.`;
    await this.append({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: `access.${verb}.refused.notApprover`,
      targetIds: [],
      outcome: 'refused',
      detail: message,
    });
    throw new UserFacingError(`${verb}.notApprover`, message);
  }

  /** Audits a change made in the store, or undoes it when the entry cannot be written (G11). */
  private async recordOrUndo(event: AuditEvent, undo: () => Promise<unknown>): Promise<void> {
    try {
      await this.audit.append(event);
    } catch (err) {
      this.log.error({ err, action: event.action }, 'audit write failed; undoing the change to the pause');
      try {
        await undo();
      } catch (undoErr) {
        this.log.error({ err: undoErr, action: event.action }, 'the unaudited change to the pause could not be undone');
      }
      throw new UserFacingError(
        'audit.unavailable',
        "The audit log could not be written, so acrbot changed nothing; try again in a minute or ask the platform team to check the bot's storage.",
        { cause: err },
      );
    }
  }

  /** A refusal's entry: the refusal stands whether or not it could be written. */
  private async append(event: AuditEvent): Promise<void> {
    try {
      await this.audit.append(event);
    } catch (err) {
      this.log.error({ err, action: event.action }, 'refusal could not be audited');
    }
  }
}
