/**
 * The operators' pause of new access (docs/operations.md, "Pause new access"). In an incident an
 * approver pauses it; until an approver resumes it, no request is filed (grant, secret, extend,
 * break-glass, an auto-approving rule, the tab's Extend) and none is approved. Revocations,
 * scheduled ends, reminders, rejections and break-glass reviews go on, so access can still end.
 * The pause lives in the store (every instance reads it on every check) and both changes are
 * audited; a change whose entry cannot be written is undone (G11).
 */
import { describePause, GOES_ON_WHILE_PAUSED } from '../domain/access-pause';
import { formatUtc } from '../domain/access-term';
import type { AuditEvent } from '../domain/audit-chain';
import { UserFacingError } from '../domain/errors';
import type { AccessPause, AuditLog, Clock, PauseIdentity, PauseOutcome, PauseStore } from '../domain/ports';
import type { ActingContext, Actor } from '../domain/request';
import { checkReason } from '../domain/text';
import type { Logger } from '../observability/logger';
import { type ClickReadFailure, withAccountUnreadNote } from './approver-authority';
import type { PauseWaiters } from './pause-waiters';

/** What the request service reads before filing or approving anything. */
export type PauseReader = Pick<PauseStore, 'current'>;

/** How every refusal while paused ends ({@link pausedRefusal}). */
const WHO_CAN_LIFT = 'An approver can lift the pause with "@acrbot resume".';

/**
 * The refusal while paused: `nothingDone` (what did not happen), what still works and who can
 * lift it; the reason only for approvers (`withReason`). It promises nothing of being told when
 * the pause is lifted: only a chat turn that recorded its requester adds that ({@link toldWhenLifted}).
 */
export function pausedRefusal(pause: AccessPause, nothingDone: string, withReason: boolean): string {
  return `${describePause(pause, withReason)} ${nothingDone} ${GOES_ON_WHILE_PAUSED} ${WHO_CAN_LIFT}`;
}

/**
 * `refusal` (a refusal's text as a card shows it) with the sentence that its reader will be told
 * once new access is open again; undefined when it is no refusal while paused
 * ({@link pausedRefusal}). For a requester recorded to be told (pause-waiters.ts): `here` when
 * this refusal recorded them, or an earlier one in this conversation did; `whereFirst` when an
 * earlier one elsewhere did (its conversation is the one told).
 */
export function toldWhenLifted(refusal: string, recorded: 'here' | 'whereFirst'): string | undefined {
  if (!refusal.endsWith(WHO_CAN_LIFT)) return undefined;
  return recorded === 'here'
    ? `${refusal} acrbot will tell you here once new access is open again.`
    : `${refusal} acrbot will tell you once new access is open again, in the conversation where you were first refused.`;
}

/** Pauses and resumes new access, for approvers only. */
export class AccessPauseService {
  constructor(
    private readonly store: PauseStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** Approver under any rule of the policy in force (RequestService.isApprover; Graph for groups, G5). */
    private readonly isApprover: (actor: Actor) => Promise<boolean>,
    private readonly log: Logger,
    /** Audits a refusal, which stands whether or not its entry could be written (RequestService.recordRefusal). */
    private readonly recordRefusal: (event: Omit<AuditEvent, 'targetIds'>) => Promise<void>,
    /**
     * What the directory says of the actor's own account now (ApproverAuthority.accountStandingNow
     * on no request): `unread` only with `failOpen`, for a read failure other than a 403.
     */
    private readonly accountStanding: (
      actor: Actor,
      click: ClickReadFailure,
    ) => Promise<'enabled' | 'disabled' | 'unread'>,
    /**
     * The people refused in chat while paused, told when it is lifted (pause-waiters.ts). Without
     * it (a test's service) nobody is recorded or told, and no refusal says they will be.
     */
    readonly waiters?: PauseWaiters,
  ) {}

  /** The pause in force, read fresh from the store. */
  current(): Promise<AccessPause | undefined> {
    return this.store.current();
  }

  /**
   * Pauses new access with `reason`. When a pause is already in force, a different reason from
   * the approver who paused amends that pause (its start and author stay: {@link amendReason});
   * the same reason, or another approver's, changes nothing.
   */
  async pause(acting: ActingContext, reasonText: string | undefined): Promise<PauseOutcome> {
    const account = await this.mustBeApprover(acting, 'pause');
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
    if (!result.applied) return this.amendReason(acting, account, result.pause, reason);
    await this.recordOrUndo(
      {
        actor: acting.actor,
        tenantId: acting.tenantId,
        action: 'access.paused',
        targetIds: [],
        outcome: 'paused',
        detail: account === 'unread' ? withAccountUnreadNote(reason) : reason,
      },
      // Only this pause: one another approver put in force meanwhile was audited and stays.
      async () => (await this.store.resume(pause)) !== undefined,
    );
    // For the operators' alerts (docs/operations.md); who, not why: the reason is in the audit trail.
    this.log.warn({ pausedBy: pause.by.objectId, since: pause.since }, 'new access paused');
    return result;
  }

  /**
   * Corrects the reason of the pause in force (a typo, a wrong reason): a conditional write on
   * the record read, so the pause keeps its start and author (a Resume card, which names those,
   * still lifts it) and records who amended it and when. Audited as `access.pause.amended` with
   * the new reason and the one it replaced, as `access.paused` records its reason; undone when
   * that entry cannot be written (G11). Answers the pause unchanged when the reason is the same.
   */
  private async amendReason(
    acting: ActingContext,
    account: 'enabled' | 'unread',
    inForce: AccessPause,
    reason: string,
  ): Promise<PauseOutcome> {
    if (inForce.reason === reason) return { applied: false, pause: inForce };
    // Only the approver who paused corrects the reason: two approvers pausing at once in an
    // incident would otherwise overwrite each other's reason. Another approver is answered the
    // pause in force unchanged, as before amending existed; they can resume and pause again.
    if (inForce.by.objectId.toLowerCase() !== acting.actor.objectId.toLowerCase())
      return { applied: false, pause: inForce };
    const next: AccessPause = {
      ...inForce,
      reason,
      amended: { by: { objectId: acting.actor.objectId, name: acting.actor.name }, at: this.clock.now().toISOString() },
    };
    if (!(await this.store.amend(inForce, next))) {
      // Lifted (and perhaps paused anew), or amended again from another device, between the read
      // and the write: what is in force now was decided meanwhile.
      const now = await this.store.current();
      throw new UserFacingError(
        'pause.changed',
        now
          ? 'The pause changed while you amended it (amended again, or lifted and paused anew), so nothing was changed. Type "@acrbot pause" in your chat with acrbot to see its reason now, then amend it again if it is still wrong.'
          : 'The pause was lifted while you amended it, so nothing was changed. Type "@acrbot pause REASON…" to pause new access again.',
      );
    }
    const was = `was "${inForce.reason}" (paused since ${formatUtc(inForce.since)} by ${inForce.by.name} (${inForce.by.objectId}))`;
    await this.recordOrUndo(
      {
        actor: acting.actor,
        tenantId: acting.tenantId,
        action: 'access.pause.amended',
        targetIds: [],
        outcome: 'amended',
        detail: account === 'unread' ? withAccountUnreadNote(`${reason}; ${was}`) : `${reason}; ${was}`,
      },
      // Only this amendment: another one made meanwhile was audited and stays.
      async () => (await this.store.amend(next, inForce)) !== undefined,
    );
    this.log.info(
      { amendedBy: acting.actor.objectId, pausedSince: inForce.since },
      'the reason of the pause of new access amended',
    );
    return { applied: false, pause: next, amendedFrom: inForce.reason };
  }

  /**
   * Lifts the pause `expected` (the one a confirmation card showed); answers it, or undefined when
   * it is no longer in force (lifted already, or lifted and paused again: nothing is changed).
   */
  async resume(
    acting: ActingContext,
    reasonText: string | undefined,
    expected: PauseIdentity,
  ): Promise<AccessPause | undefined> {
    await this.mustBeApprover(acting, 'resume');
    const reason = this.resumeReason(reasonText);
    const lifted = await this.store.resume(expected);
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
      async () => (await this.store.pause(lifted)).applied,
    );
    this.log.info({ resumedBy: acting.actor.objectId, pausedSince: lifted.since }, 'new access resumed');
    return lifted;
  }

  /** The reason typed with `resume`, checked like a request's (optional: none is fine). */
  resumeReason(reasonText: string | undefined): string | undefined {
    return reasonText?.trim() ? checkReason(reasonText, 'reason for resuming', 'say why, or give none') : undefined;
  }

  /**
   * Refuses (audited) anyone who is not an approver under the policy in force, or whose own account
   * the directory finds disabled or deleted since (Graph's checkMemberGroups answers alike for a
   * disabled account, and an old Resume card or a chat command still reaches acrbot: responders
   * who disable a compromised approver and pause new access must not see that account lift it).
   * The account is read as for the other approver clicks: a resume, which reopens access, fails
   * when the read fails (other than a 403; nothing changed, with the turn's reference); a pause,
   * which only stops it, goes on then (`unread`, which its audit entry says). Chat asks it before
   * showing the confirmation to resume, so that only approvers see one.
   */
  async mustBeApprover(acting: ActingContext, verb: 'pause' | 'resume'): Promise<'enabled' | 'unread'> {
    if (!(await this.isApprover(acting.actor))) {
      throw await this.refused(
        acting,
        verb,
        'notApprover',
        `Only approvers can ${verb} new access; nothing was changed.`,
      );
    }
    const account = await this.accountStanding(
      acting.actor,
      verb === 'pause' ? { failOpen: true } : { failOpen: false, undone: 'the pause was not lifted' },
    );
    if (account !== 'disabled') return account;
    throw await this.refused(
      acting,
      verb,
      'disabledOrGone',
      `Your account is disabled or gone from the directory, so you can no longer ${verb} new access as an approver; nothing was changed.`,
    );
  }

  /** Audits the refusal of `verb` (`access.<verb>.refused.<why>`) and answers the error to throw. */
  private async refused(
    acting: ActingContext,
    verb: 'pause' | 'resume',
    why: 'notApprover' | 'disabledOrGone',
    message: string,
  ): Promise<UserFacingError> {
    await this.recordRefusal({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: `access.${verb}.refused.${why}`,
      outcome: 'refused',
      detail: message,
    });
    return new UserFacingError(`${verb}.${why}`, message);
  }

  /**
   * Audits a change made in the store, or undoes it when the entry cannot be written (G11).
   * `undo` answers whether it undid the change: not when the pause changed meanwhile (another
   * approver's change, audited, stays), and then the answer does not claim that nothing changed.
   */
  private async recordOrUndo(event: AuditEvent, undo: () => Promise<boolean>): Promise<void> {
    try {
      await this.audit.append(event);
    } catch (err) {
      this.log.error({ err, action: event.action }, 'audit write failed; undoing the change to the pause');
      let undone = false;
      try {
        undone = await undo();
        if (!undone)
          this.log.error(
            { action: event.action },
            'the unaudited change to the pause was not undone: the pause changed meanwhile',
          );
      } catch (undoErr) {
        this.log.error({ err: undoErr, action: event.action }, 'the unaudited change to the pause could not be undone');
      }
      if (!undone)
        throw new UserFacingError(
          'audit.unavailable',
          `The audit log could not be written, and acrbot could not undo the change (the store failed, or the pause changed meanwhile). Check "@acrbot pause" for the state new access is in, and ask the platform team to check the bot's storage.`,
          { cause: err },
        );
      throw new UserFacingError(
        'audit.unavailable',
        "The audit log could not be written, so acrbot changed nothing; try again in a minute or ask the platform team to check the bot's storage.",
        { cause: err },
      );
    }
  }
}
