/**
 * The end of granted access (G17): schedules `access.expire` and `access.remind` jobs when a
 * request succeeds, and revokes — at expiry, or when someone revokes — exactly what acrbot
 * created, step by step in the audit log. Overlapping grants on the same role assignment keep
 * it until the last one ends; a revoke ends the request's extensions with it (they are the same
 * access), and extensions still awaiting approval expire with it; anything that cannot be
 * verified as acrbot's is left alone.
 */
import { accessExpiryJobId, carriesRevoke } from './access-jobs';
import { randomUUID } from 'node:crypto';
import { accessEnd, credentialEnd } from '../domain/access-inventory';
import type { PauseAsTold } from '../domain/access-pause';
import type { AuditEntry, AuditEvent } from '../domain/audit-chain';
import { isUserFacing, ResourceGoneError, UserFacingError } from '../domain/errors';
import type { GrantPlan, SecretPlan } from '../domain/plan';
import { SECRET_DEFAULTS } from '../domain/secret-options';
import type { RoleAssignmentInfo } from '../domain/azure-model';
import type { AuditLog, ClusterAccess, Clock, LeaseStore, RequestStore, ScheduledJob } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, Actor, RequestState } from '../domain/request';
import { ACRBOT_ACTOR, isBeingGranted, transition } from '../domain/request';
import {
  acrbotServiceAccountEntries,
  credentialOf,
  credentialRefProblem,
  laterWriterOf,
  pendingRetirementOf,
  replacedByStartedWrite,
  retiredCredentialOf,
  serviceAccountUidsOf,
  startedWriteFingerprints,
  writtenSecretFingerprint,
  writtenSecretUid,
} from '../domain/secret-ownership';
import type { Logger } from '../observability/logger';
import type { RequestNotifier } from './notifier';
import { breakGlassReviewJobId, requestExpiryJobId, type JobScheduling } from './request-service';
import { undoUnaudited, updateUndoingUnseen } from './unaudited-undo';
import { ACCESS_LEASE_TTL_MS, accessLeaseKey, accessLeaseSubject, executionLeaseKey } from './access-lease';
import { LeaseGuard } from './lease-guard';
import type { JobRun } from './scheduler';
import type { PauseReader } from './access-pause';
import { scheduleLostEnds } from './access-end-net';
import { UNCONFIRMED_GRANT } from './grant-runner';
import { deleteCredential, type SecretRunnerPorts } from './secret-runner';
import type { CredentialDeletion } from './credential-deletion';
import type { CredentialRef } from '../domain/secret-credential';
import { leftAssignmentDetail } from './credential-cleanup';
import { lastFamilyWriter } from '../domain/secret-holder';
import { newCredentialLines } from '../domain/secret-credential-lines';
import { isFailedBreakGlass } from '../domain/policy';
import { ANOTHER_TENANTS_REQUEST, byTenant } from '../domain/tenant-boundary';
import { isRequestId } from '../domain/identifiers';

/** What the requester is told, proactively (rendered by the chat layer). */
export type RequesterNews =
  /**
   * The access ends in `inMs`. `paused`: new access was paused when the reminder was sent, so it
   * offers no Extend (an extension would be refused); who paused it and since when, never why.
   */
  | { kind: 'expiring'; inMs: number; paused?: PauseAsTold }
  /** A pull secret's credential expires at `at`, before its term ends (or a permanent one's). */
  | { kind: 'credentialExpiring'; inMs: number; at: string; paused?: PauseAsTold }
  | {
      kind: 'ended';
      by: Actor;
      expired: boolean;
      reason?: string;
      /**
       * A grant whose role assignment was not acrbot's to delete (made outside acrbot), so the
       * cluster can still pull through it; set for every grant by the revocation.
       */
      heldOutsideAcrbot?: boolean;
    }
  | { kind: 'revocationFailing'; attempts: number };

/** Implemented by the chat layer: messages outside any turn. */
export interface LifecycleMessenger {
  /**
   * Tells the requester, in the request's thread or their chat with acrbot. Resolves
   * `'noConversation'` when acrbot knows no conversation of theirs to post in (nothing posted).
   * Never throws (a failure is logged), unless `reportFailure`: then a post that did not go out
   * throws, `'refused'` when Teams refused the conversation for good (acrbot no longer in it: no
   * retry helps), and resolving otherwise means it went out (a reminder's job retries on the throw).
   */
  tellRequester(
    request: AccessRequest,
    news: RequesterNews,
    options?: { reportFailure?: boolean },
  ): Promise<'noConversation' | 'refused' | undefined>;
  /** Posts a problem in the approvals channel. Never throws. */
  reportToApprovers(request: AccessRequest | undefined, text: string): Promise<void>;
}

/** Why a service account's `imagePullSecrets` entry stays when the secret goes (audit and preview). */
const ENTRY_NOT_ADDED = "acrbot's records do not show that acrbot added the imagePullSecrets entry; left in place";

/** Most requests one `revoke CLUSTER REGISTRY` lists and its confirmation card carries. */
export const PAIR_REVOKE_LIMIT = 200;

/**
 * What the requester is reminded of: the end of the access term, or a pull secret's credential
 * expiry when it comes first (capped by ACRBOT_SECRET_MAX_EXPIRY; nothing renews it), also for a
 * permanent secret. Undefined when neither ends.
 */
function reminderEnd(request: AccessRequest): { at: string; credential: boolean } | undefined {
  const end = accessEnd(request);
  if (end === undefined) return undefined;
  const term = request.access?.permanent ? undefined : request.access?.expiresAt;
  // A request from before time-boxing has no term: its credential's expiry was always its end.
  if (term === undefined && !request.access?.permanent) return undefined;
  return { at: end, credential: end !== term && end === credentialEnd(request) };
}

/** Why a reminder went without Extend, for its audit entry ('' when it offered Extend). */
function withoutExtend(driftSeen: string | undefined, paused: boolean): string {
  const why = [
    ...(driftSeen ? [`removed outside acrbot (seen ${driftSeen})`] : []),
    ...(paused ? ['new access is paused'] : []),
  ];
  return why.length ? `; without Extend: ${why.join(', and ')}` : '';
}

/** The longest credential lifetime acrbot ever gives (ACRBOT_SECRET_MAX_EXPIRY's upper bound). */
const MAX_CREDENTIAL_LIFETIME_MS = 365 * 86_400_000;

/** The failed attempt of a revocation at which its requester is first told it is retrying. */
export const FAILING_TOLD_AFTER = 3;
/**
 * Then told again after this many more failed attempts: once a day at the scheduler's longest
 * backoff (30 min), the cadence at which the approvers hear of a recurring job that keeps failing
 * (RECURRING_REPORT_EVERY, composition/scheduler.ts).
 */
export const FAILING_TOLD_EVERY = 48;

/** How a request's access ended, as its audit entry and its requester's notice say. */
interface EndedAs {
  by: Actor;
  reason?: string;
  expired: boolean;
}

/** The audit entry saying a revoked request's end was made known (cards redrawn, requester told). */
const END_TOLD = 'access.end.told';

/**
 * The idempotency key of a request's `access.expired`/`access.revoked` entry: one per request
 * (it is revoked once), naming the request it ended with when it is an extension ended with its
 * original. Without `withId`, also the prefix every such key of the request starts with.
 */
function endedKey(requestId: string, withId?: string): string {
  return `access.ended:${requestId}${withId ? `:${withId}` : ''}`;
}

/** Job ids (the end job's in access-jobs.ts, shared with the nets that must not import this file). */
export { accessExpiryJobId };
export const accessReminderJobId = (requestId: string, beforeMs: number): string =>
  `access.remind:${requestId}:${beforeMs}`;

/** Payload of an `access.expire` job moved to "now" by a revoke command. */
interface RevokePayload {
  by?: Actor;
  reason?: string;
}

/** One thing revocation would delete (or keep), for the confirmation card and the audit. */
export interface RevocationStep {
  what: string;
  target: string;
  /** `delete`: will be deleted; `keep`: left alone, with the reason. */
  action: 'delete' | 'keep';
  why?: string;
}

/** Still-granted access whose term has not ended (pre-time-boxing and permanent grants never end). */
export function isActive(request: AccessRequest, now: Date): boolean {
  if (request.state !== 'succeeded') return false;
  const term = request.access;
  if (!term || term.permanent || !term.expiresAt) return true;
  return Date.parse(term.expiresAt) > now.getTime();
}

/** How many of a registry's active requests are read to find who holds a role assignment. */
const HOLDERS_LISTED = 1000;

/** Active grants holding a role assignment; `complete` false when the listing may have left one out. */
export interface Holders {
  holders: AccessRequest[];
  complete: boolean;
}

/** {@link Holders}, and the grants on the assignment that are ending. */
export interface AssignmentHolders extends Holders {
  /**
   * Grants on the assignment whose term has passed and whose revocation is due or under way (a
   * failing delete retries): acrbot's records still name the assignment, though nobody holds it.
   */
  ending: AccessRequest[];
}

/** How many request ids a preview line or an audit detail names before "and N others". */
const IDS_NAMED = 3;

/**
 * A few request ids and a count of the rest ("R-A, R-B, R-C and 37 others"): a line per grant on
 * a shared assignment that named every other holder would grow with the square of the grants.
 */
function someIds(ids: readonly string[]): string {
  if (ids.length <= IDS_NAMED + 1) return ids.join(', ');
  const rest = ids.length - IDS_NAMED;
  return `${ids.slice(0, IDS_NAMED).join(', ')} and ${rest} others`;
}

/**
 * Why a role assignment is kept: who still holds it, or that acrbot cannot rule it out. Said in
 * the revoked request's tenant (`tenantId`: its preview, and its audit entry, which `audit R-…`
 * and the tab's history show there), so a holder of another tenant is named as
 * {@link ANOTHER_TENANTS_REQUEST}, never by id (tenant-boundary.ts). It keeps the assignment all
 * the same.
 */
function whyKept({ holders, complete }: Holders, plan: GrantPlan, tenantId: string): string {
  if (holders.length) return `still used by ${holdersNamed(holders, tenantId)}`;
  return complete
    ? ''
    : `registry ${plan.registry.name} has ${HOLDERS_LISTED} or more active acrbot requests, so acrbot cannot rule out another holder; left in place`;
}

/** {@link someIds} of the holders of `tenantId`, then, for any of another tenant's, {@link ANOTHER_TENANTS_REQUEST}. */
function holdersNamed(holders: readonly AccessRequest[], tenantId: string): string {
  const { own, elsewhere } = byTenant(holders, tenantId);
  if (!elsewhere.length) return someIds(own.map((h) => h.id));
  if (!own.length) return ANOTHER_TENANTS_REQUEST;
  // "R-A, R-B, R-C and 37 others, and …": the comma keeps the count with the ids it counts.
  return `${someIds(own.map((h) => h.id))}${own.length > IDS_NAMED + 1 ? ',' : ''} and ${ANOTHER_TENANTS_REQUEST}`;
}

/** Two grants of one role assignment (the deterministic name covers scope, principal and role). */
function sameRoleAssignment(a: GrantPlan | SecretPlan, b: GrantPlan | SecretPlan): boolean {
  return a.kind === 'grant' && b.kind === 'grant' && a.roleAssignmentName === b.roleAssignmentName;
}

/** Granted access whose term has ended (never a permanent one, or one from before time-boxing). */
function isDue(request: AccessRequest, now: Date): boolean {
  const end = request.access?.expiresAt;
  return !!end && !request.access?.permanent && Date.parse(end) <= now.getTime();
}

/**
 * A grant that failed after a PUT whose answer was lost and could not be confirmed
 * (`azure.writeUnconfirmed`, GrantRunner), whose records name the assignment it PUT: Azure may
 * have made it, and its `access.expire` job deletes it (under the revocation's checks).
 */
function isUnconfirmedGrant(request: AccessRequest): boolean {
  if (request.state !== 'failed' || request.plan.kind !== 'grant') return false;
  const name = request.plan.roleAssignmentName;
  return (
    request.outcome?.errorCode === UNCONFIRMED_GRANT &&
    (request.created ?? []).some((c) => c.kind === 'roleAssignment' && c.name === name)
  );
}

/** Schedules and carries out the end of access. */
export class AccessLifecycle {
  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly jobs: JobScheduling,
    private readonly ports: SecretRunnerPorts,
    private readonly cards: RequestNotifier,
    private readonly messenger: LifecycleMessenger,
    private readonly log: Logger,
    private readonly settings: {
      remindersMs: readonly number[];
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
    },
  ) {}

  /**
   * A request changed (wraps the card notifier): once it succeeded with an end, its expiry and
   * reminders are scheduled. Idempotent (job ids are deterministic).
   */
  async requestChanged(request: AccessRequest): Promise<void> {
    if (request.state === 'executing' && request.access?.durationMs && !request.access.expiresAt) {
      // Before any write in Azure (the executor's first step): a provisional end, so a crash
      // between the grant and its scheduling can never leave access without an end (G17). The
      // job moves itself to the real end when it finds the request granted later than this.
      await this.jobs.schedule({
        id: accessExpiryJobId(request.id),
        kind: 'access.expire',
        dueAt: new Date(this.clock.now().getTime() + request.access.durationMs),
        requestId: request.id,
      });
    }
    if (request.state === 'succeeded' && request.plan.kind === 'secret' && !request.extendsRequestId)
      await this.endReplaced(request);
    if (request.state === 'succeeded' && request.access?.expiresAt && !request.access.revokedAt) {
      await this.scheduleEnd(request);
      if (request.extendsRequestId) await this.applyExtension(request);
    } else if (request.state === 'succeeded' && request.access?.permanent && !request.access.revokedAt) {
      // No end to schedule, but a permanent secret's credential expires (nothing renews it).
      await this.scheduleReminders(request);
    }
    // A break-glass run that failed granted nothing and owes no review (policy.ts, awaitingReview):
    // its daily report job, stored before the run, goes (it would do nothing when due).
    if (isFailedBreakGlass(request)) await this.jobs.cancel(breakGlassReviewJobId(request.id));
    if (isUnconfirmedGrant(request)) {
      // Azure may have made the assignment although the run failed: it goes now, not at the end
      // of a term nobody was granted (and a permanent grant has no job yet). A job already
      // retrying keeps its backoff.
      const job = await this.jobs.get(accessExpiryJobId(request.id));
      if (!job?.attempts)
        await this.jobs.schedule({
          id: accessExpiryJobId(request.id),
          kind: 'access.expire',
          dueAt: this.clock.now(),
          requestId: request.id,
        });
    }
  }

  /**
   * A secret request whose approved plan replaced another request's secret succeeded: the secret
   * is its own now, and its run retired the other's credential, so the other request holds no
   * access any more (G17). Left `succeeded`, its tab, inventory and reminders would show it active
   * until its end. It ends at once, as a revoke does (the same job, conditional writes, audit,
   * cards, the requester told): its revocation finds the replacing request holding the secret
   * (laterWriterOf) and keeps it and its service-account entries, which the replacing request's
   * records carry on (serviceAccountEntriesAfterWrite) and its own end removes; it deletes
   * nothing but the credential, which the rotation retired already or left pending for it. The
   * replaced request is the one the write recorded replacing; an extension's is the request it
   * extends (the whole access ends, its extensions with it). A failure is logged: the revoke job
   * is written first and retries as any does.
   */
  private async endReplaced(replacing: AccessRequest): Promise<void> {
    try {
      const ending = await this.scheduleEndOfReplaced(replacing);
      await ending?.run();
    } catch (err) {
      this.log.error(
        { err, requestId: replacedByStartedWrite(replacing)?.requestId, replacedBy: replacing.id },
        'ending the request whose secret was replaced failed; its revoke job retries if it was written',
      );
    }
  }

  /**
   * The durable half of {@link endReplaced} (its checks, the revoke audited and its job written,
   * due now), for it and for the lost-end net (access-end-net.ts), which finds a replaced request
   * left active by a process that died between the replacing request's success and this follow-up:
   * the run already retired its credential. Returns the ended request's id and the function that
   * runs its job now; undefined when there is nothing to end (not a replacement, the replaced
   * request already ending or ended). Throws when the audit entry or the job could not be stored.
   * The entry is keyed by both requests, so the follow-up and the net at once audit it once;
   * the job id is the request's, and the job's run under its lease revokes once.
   */
  async scheduleEndOfReplaced(
    replacing: AccessRequest,
  ): Promise<{ requestId: string; run: () => Promise<void> } | undefined> {
    const replacedId = replacedByStartedWrite(replacing)?.requestId;
    if (!replacedId || replacing.outcome?.secret?.action !== 'replaced') return undefined;
    let replaced = await this.store.get(replacedId);
    // An extension of the replaced access wrote the secret last: the access is its original's.
    for (let hops = 0; replaced?.extendsRequestId && hops < 10; hops++)
      replaced = await this.store.get(replaced.extendsRequestId);
    if (!replaced || replaced.id === replacing.id || replaced.state !== 'succeeded') return undefined;
    if (replaced.access?.revokingSince || replaced.plan.kind !== 'secret') return undefined;
    // Asked again at every change of the replacing request (a later redraw, the clean-up job's
    // summary) and by every pass of the lost-end net: one revoke is enough.
    if (carriesRevoke(await this.jobs.get(accessExpiryJobId(replaced.id)))) return undefined;
    const approver = replacing.decision?.by.name;
    const reason = `replaced by ${replacing.id}${approver ? `, approved by ${approver}` : ''}: it wrote a new credential into secret ${replaced.plan.namespace}/${replaced.plan.secretName} and retired this one`;
    const run = await this.scheduleRevoke(replaced, ACRBOT_ACTOR, reason, {
      idempotencyKey: `access.revoke.requested:replaced:${replaced.id}:${replacing.id}`,
    });
    return { requestId: replaced.id, run };
  }

  /**
   * An approved extension succeeded: the original request's end moves to the extension's (a
   * grant re-creates nothing; a secret was rotated into the same secret by the extension run).
   */
  private async applyExtension(extension: AccessRequest): Promise<void> {
    const original = await this.store.get(extension.extendsRequestId!);
    const end = extension.access?.expiresAt;
    if (await this.endedWithRevokedOriginal(extension, original)) return;
    // An original whose revocation began is ending: its end is not moved (the retry finishes it).
    if (!original || original.state !== 'succeeded' || original.access?.revokingSince || !end) return;
    if (original.access?.extendedBy?.includes(extension.id)) return;
    const current = original.access?.expiresAt;
    if (current && Date.parse(current) >= Date.parse(end)) return;
    await this.record(original, extension.requester, {
      action: 'access.extended',
      outcome: 'extended',
      detail: `until ${end} by ${extension.id} (${extension.plan.kind === 'secret' ? rotationWords(extension) : 'nothing re-created'})`,
      // Two instances may apply one extension at once (the executor's follow-up and the expiry's
      // missed-move check): both read this version of the original, and the entry is written once.
      // A later try reads a newer version (whatever made the move fail wrote it) and says its own.
      idempotencyKey: `access.extended:${original.id}:${extension.id}:v${original.version}`,
    });
    const next = await this.moveEnd(original, extension, end);
    if (!next) {
      this.log.warn({ requestId: original.id, extension: extension.id }, 'original changed while extending; not moved');
      await this.record(original, extension.requester, {
        action: 'access.extended',
        outcome: 'failed',
        detail: `${original.id} changed meanwhile; its end was not moved by ${extension.id}`,
      });
      await this.endedWithRevokedOriginal(extension, await this.store.get(original.id));
      return;
    }
    // A revocation someone asked for may wait in the original's job (deferred while this
    // extension was granted, or failing and retried): the moved end must not turn it back into
    // a plain expiry. Only here: a request that has just succeeded cannot have one yet.
    const job = await this.jobs.get(accessExpiryJobId(next.id));
    if (!carriesRevoke(job)) await this.scheduleEnd(next);
    // The original now ends when the extension does and reminds the requester of it (with an
    // Extend of the original): the extension's own reminders would say the same twice. Its end
    // job stays, in case the original's is lost; it ends with the original (see revoke).
    for (const beforeMs of this.settings.remindersMs)
      await this.jobs.cancel(accessReminderJobId(extension.id, beforeMs));
    await this.cards.requestChanged(next);
  }

  /**
   * Writes the original's end moved to `end` by `extension` (audited by the caller). A write that
   * lost to another one (a drift mark, a card's state) is made again on a fresh read while the
   * original is still active, not ending and not moved past `end`, at most three times; undefined
   * when it no longer can be (revoked or ending meanwhile, or still conflicting). A fresh read
   * that this extension already moved (the same success applied on another instance at once) is
   * the move made, and returned.
   */
  private async moveEnd(
    original: AccessRequest,
    extension: AccessRequest,
    end: string,
  ): Promise<AccessRequest | undefined> {
    let base = original;
    for (let attempt = 1; ; attempt++) {
      const current = base.access?.expiresAt;
      const next = transition(base, {
        type: 'extend',
        at: this.clock.now(),
        expiresAt: end,
        durationMs: Math.max(0, current ? Date.parse(end) - Date.parse(current) : 0),
        by: extension.id,
        // The extension's run rotated the secret to a credential with this expiry (the old one is
        // deleted): from now on it, not the original's plan, says when pulls with the secret stop.
        ...(extension.plan.kind === 'secret' && { credentialExpiresAt: extension.plan.expiresAt }),
      });
      try {
        await this.store.update(next);
        return next;
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        const fresh = await this.store.get(original.id);
        // The same extension applied on another instance at once won the write: the move is made.
        if (fresh?.access?.extendedBy?.includes(extension.id)) return fresh;
        const movable =
          fresh?.state === 'succeeded' &&
          !fresh.access?.revokingSince &&
          !(fresh.access?.expiresAt && Date.parse(fresh.access.expiresAt) >= Date.parse(end));
        if (!movable || attempt >= 3) return undefined;
        base = fresh;
      }
    }
  }

  /**
   * Someone revoked the original in the moment after the revocation last looked for a running
   * extension and before this extension's run finished (it found the original still active): the
   * extension is the same access, so it ends now too, not at its own end. True when it did.
   */
  private async endedWithRevokedOriginal(
    extension: AccessRequest,
    original: AccessRequest | undefined,
  ): Promise<boolean> {
    const revokedBy = original?.state === 'revoked' ? original.access?.revokedBy : undefined;
    if (!revokedBy) return false;
    await this.revokeSoon(extension, revokedBy, `${original!.id}, which it extends, was revoked while it ran`);
    return true;
  }

  /**
   * A confirmed revoke: the request's `access.expire` job is moved to now with who and why,
   * then run at once under its lease (failures retried and reported like expiry).
   * `options.idempotencyKey`: as {@link scheduleRevoke}'s (a break-glass review's revoke, asked
   * for by its click or by the net that finishes it after a crash).
   */
  async revokeSoon(
    request: AccessRequest,
    by: Actor,
    reason: string | undefined,
    options: { idempotencyKey?: string } = {},
  ): Promise<void> {
    const run = await this.scheduleRevoke(request, by, reason, options);
    await run();
  }

  /**
   * The durable half of {@link revokeSoon}: the revoke audited and its job written, due now with
   * who and why. Resolves once both are stored (a click can then say "revoking" truthfully, and a
   * failure here is the caller's to report); the function it returns runs the job now.
   * `idempotencyKey`: the entry's, where one revoke can be asked for twice at once (a replaced
   * request's end, by the follow-up and the lost-end net): it is audited once.
   */
  async scheduleRevoke(
    request: AccessRequest,
    by: Actor,
    reason: string | undefined,
    options: { idempotencyKey?: string } = {},
  ): Promise<() => Promise<void>> {
    await this.record(request, by, {
      action: 'access.revoke.requested',
      outcome: 'scheduled',
      detail: reason,
      ...(options.idempotencyKey && { idempotencyKey: options.idempotencyKey }),
    });
    const id = accessExpiryJobId(request.id);
    const job = {
      id,
      kind: 'access.expire' as const,
      dueAt: this.clock.now(),
      requestId: request.id,
      payload: { by, ...(reason ? { reason } : {}) },
    };
    await this.jobs.schedule(job);
    // An end moved at the same moment (an extension's success on another instance read the job
    // before this write) can put a plain expiry over it: written again until the job ran, or is
    // seen carrying this revoke (another instance runs it), or is gone (it ran).
    return async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0) await this.jobs.schedule({ ...job, dueAt: this.clock.now() });
        if (await this.jobs.runNow?.(id)) return;
        const current = await this.jobs.get(id);
        if (!current || carriesRevoke(current)) return;
      }
      throw new Error(`the revocation of ${request.id} kept being replaced by a moved end; ask again`);
    };
  }

  /**
   * The safety net for ends (access-end-net.ts): every active request with an end whose
   * `access.expire` job is missing gets it back, and so does an unconfirmed grant whose clean-up
   * has not finished (due now), and a request whose secret an active later request replaced (a
   * follow-up lost to a crash: {@link scheduleEndOfReplaced}, its revoke due now); any other job
   * that exists is left as it is. Run at start
   * and with `drift.check` (at most every `atMostEveryMs`); returns the ids of the requests it scheduled.
   */
  scheduleLostEnds(options: { atMostEveryMs?: number } = {}): Promise<string[]> {
    const { store: requests, audit, jobs, clock, log } = this;
    return scheduleLostEnds(
      {
        requests,
        audit,
        jobs,
        clock,
        log,
        endJobId: accessExpiryJobId,
        leases: this.settings.leases,
        awaitsCleanUp: isUnconfirmedGrant,
        // Its job, due now, is run by the scheduler's sweep: the pass holds its lease for reads.
        endReplaced: async (replacing) => (await this.scheduleEndOfReplaced(replacing))?.requestId,
      },
      options,
    );
  }

  /** Schedules `access.expire` at the end and every reminder that still lies in the future. */
  async scheduleEnd(request: AccessRequest): Promise<void> {
    const expiresAt = request.access?.expiresAt;
    if (!expiresAt) return;
    await this.jobs.schedule({
      id: accessExpiryJobId(request.id),
      kind: 'access.expire',
      dueAt: new Date(Date.parse(expiresAt)),
      requestId: request.id,
    });
    await this.scheduleReminders(request);
  }

  /**
   * Schedules every reminder that still lies in the future, before {@link reminderEnd}: the end
   * of the term, or a pull secret's credential expiry when that comes first.
   */
  private async scheduleReminders(request: AccessRequest): Promise<void> {
    const remindOf = reminderEnd(request);
    if (!remindOf) return;
    const end = Date.parse(remindOf.at);
    const now = this.clock.now().getTime();
    for (const beforeMs of this.settings.remindersMs) {
      const at = end - beforeMs;
      if (at <= now) continue;
      await this.jobs.schedule({
        id: accessReminderJobId(request.id, beforeMs),
        kind: 'access.remind',
        dueAt: new Date(at),
        requestId: request.id,
        payload: { beforeMs },
      });
    }
  }

  /**
   * The `access.remind` job: tells the requester, with an Extend button, unless access already
   * ended or is ending (a revocation began: an extension would be refused). While new access is
   * paused the reminder still goes (its end comes all the same), saying so instead of offering
   * Extend. A grant removed outside acrbot (drift) is still reminded, its end comes all the same,
   * but the card (lifecycle-view.ts, from the request read here) offers no Extend, which would
   * be refused, and says to ask for the access again. `run` is checked right before the post: a
   * run that lost its lease (another instance holds the job) must not tell the requester a second
   * time.
   *
   * Audited `sent` only once the post went out: a post that did not (Teams down) throws, so the
   * job is retried with backoff and, after a few attempts, reported to the approvers like any
   * failing job (composition/scheduler.ts). A requester with no conversation acrbot knows is
   * audited `noConversation`, one whose conversation Teams refused (acrbot removed from it)
   * `refused`; neither is retried (no attempt could reach them).
   */
  async onReminder(job: ScheduledJob, run?: JobRun): Promise<void> {
    const request = job.requestId ? await this.store.get(job.requestId) : undefined;
    if (!request || request.state !== 'succeeded' || request.access?.revokingSince) return;
    const end = reminderEnd(request);
    if (!end) return;
    const inMs = Date.parse(end.at) - this.clock.now().getTime();
    if (inMs <= 0) return;
    // Read fresh like every check of the pause (a failed read fails the job, which is retried). Only
    // who and since when go on: the requester never reads why (access-pause.ts).
    const pause = await this.settings.pauses?.current();
    const paused = pause && { since: pause.since, by: { name: pause.by.name } };
    // Drift is recorded on grants only; a credential's reminder is a secret's (reminderEnd).
    const driftSeen = end.credential ? undefined : request.access?.driftDetectedAt;
    // One entry per reminder of this end (an extension moves the end and schedules the same job
    // ids again, for reminders of their own), whatever it says. A run after it was written (the
    // job's removal failed) neither posts again nor writes a second entry.
    const key = `access.reminded:${job.id}:${end.at}`;
    if ((await this.audit.forRequest(request.id)).some((e) => e.idempotencyKey === key)) return;
    await run?.check();
    // Throws when the post did not go out: no entry, the job is retried. At least once, not at
    // most once: a run whose post went out but whose entry could not be written is retried too
    // and posts the reminder again (a second reminder beats none); the key keeps one entry.
    const told = await this.messenger.tellRequester(
      request,
      end.credential
        ? { kind: 'credentialExpiring', inMs, at: end.at, ...(paused && { paused }) }
        : { kind: 'expiring', inMs, ...(paused && { paused }) },
      { reportFailure: true },
    );
    const of = `expires ${end.at}${end.credential ? ' (the pull secret’s credential, before the term ends)' : ''}`;
    await this.record(request, ACRBOT_ACTOR, {
      action: 'access.reminded',
      idempotencyKey: key,
      ...(told === 'noConversation'
        ? { outcome: 'noConversation', detail: `${of}; not sent: acrbot knows no conversation of the requester’s` }
        : told === 'refused'
          ? {
              outcome: 'refused',
              detail: `${of}; not sent: Teams refused the post in the requester’s conversation (acrbot is no longer in it)`,
            }
          : { outcome: 'sent', detail: `${of}${withoutExtend(driftSeen, Boolean(paused))}` }),
    });
  }

  /**
   * The `access.expire` job: at the end of the term (or moved to now by `revoke`), revokes; for
   * a grant that failed unconfirmed, deletes what Azure may have made (cleanUpUnconfirmedGrant).
   * Throws when a step failed, so the scheduler retries with backoff and reports.
   */
  async onExpire(job: ScheduledJob, run?: JobRun): Promise<void> {
    const request = job.requestId ? await this.store.get(job.requestId) : undefined;
    if (!request) return;
    const now = this.clock.now();
    if (request.state === 'approved' || request.state === 'executing') {
      // Still being granted: look again shortly (the executor finishes or a restart resumes it).
      await this.moveOwnJob(job, new Date(now.getTime() + 60_000));
      return;
    }
    if (isUnconfirmedGrant(request)) {
      await this.cleanUpUnconfirmedGrant(request);
      return;
    }
    if (request.state === 'revoked') {
      await this.finishEndMadeKnown(request);
      return;
    }
    if (request.state !== 'succeeded') return;
    const payload = (job.payload ?? {}) as RevokePayload;
    if (!payload.by && !request.access?.revokingSince) {
      // Expiry: never for grants made before time-boxing or permanent ones, never early (a
      // revocation that began is finished, see revoke).
      const end = request.access?.expiresAt;
      if (!end || request.access?.permanent) return;
      if (Date.parse(end) > now.getTime()) {
        await this.moveOwnJob(job, new Date(end));
        return;
      }
      // An extension whose end its original took over, and which a later extension moved further:
      // the access runs on under the original, so this job waits for the original's end, whose
      // revocation takes the extension along. Revoked alone now, its requester would hear
      // "Expired and revoked" of access they still hold.
      const carriedUntil = await this.carryingOriginalEnd(request, now);
      if (carriedUntil) {
        await this.moveOwnJob(job, new Date(carriedUntil));
        return;
      }
    }
    // An extension whose original was moved to its end ends there with it: the original's
    // revocation takes it along, so the requester is told once, whichever job runs first.
    const target = (!payload.by && (await this.originalEndingWith(request, now))) || request;
    try {
      await this.revoke(target, payload.by ?? ACRBOT_ACTOR, payload.reason, !payload.by);
    } catch (err) {
      // A revocation waiting for a request being granted is not failing: the requester hears
      // when it is done, not that it "keeps failing".
      const waiting = isUserFacing(err) && err.code === 'revoke.grantRunning';
      const attempts = job.attempts + 1;
      // At the third failure, then once a day while it keeps failing: the approvers hear of every
      // failure and act; the requester only needs to know it is not done yet. A run that lost
      // the job's lease leaves it to the instance that holds it now.
      if (!waiting && attempts >= FAILING_TOLD_AFTER && (attempts - FAILING_TOLD_AFTER) % FAILING_TOLD_EVERY === 0) {
        // The revocation's own error is what the scheduler records, not the lease's.
        const held = run
          ? await run.check().then(
              () => true,
              () => false,
            )
          : true;
        if (held) await this.messenger.tellRequester(request, { kind: 'revocationFailing', attempts });
      }
      throw err;
    }
  }

  /**
   * Moves the running `access.expire` job to `dueAt`, unless it was written since it was read for
   * this run: a revoke confirmed meanwhile (due now, with who and why) stays as written instead
   * of becoming a plain expiry at the later time. Without conditional moves (a test's scheduler),
   * an upsert as before.
   */
  private async moveOwnJob(job: ScheduledJob, dueAt: Date): Promise<void> {
    if (this.jobs.moveIfUnchanged && job.revision !== undefined) {
      if (!(await this.jobs.moveIfUnchanged(job, dueAt)))
        this.log.debug({ jobId: job.id }, 'access.expire was written while it ran; the newer version stays');
      return;
    }
    await this.jobs.schedule({ ...jobSpec(job), dueAt });
  }

  /**
   * The original of `extension` when its end was moved to the extension's and is due now (the
   * extension moved it), so both end in one revocation; undefined otherwise.
   */
  private async originalEndingWith(extension: AccessRequest, now: Date): Promise<AccessRequest | undefined> {
    if (!extension.extendsRequestId) return undefined;
    const original = await this.store.get(extension.extendsRequestId);
    return original?.state === 'succeeded' &&
      original.access?.extendedBy?.includes(extension.id) &&
      isDue(original, now)
      ? original
      : undefined;
  }

  /**
   * The later end of the original of `extension` when it still carries the extension's access
   * past `now`: the extension moved the original's end (`extendedBy`), the original is active and
   * not being revoked, and a later extension has moved its end beyond this one's since. Undefined
   * otherwise (the extension then ends at its own end, alone or with its original).
   */
  private async carryingOriginalEnd(extension: AccessRequest, now: Date): Promise<string | undefined> {
    if (!extension.extendsRequestId) return undefined;
    const original = await this.store.get(extension.extendsRequestId);
    if (original?.state !== 'succeeded' || original.access?.revokingSince) return undefined;
    if (!original.access?.extendedBy?.includes(extension.id) || isDue(original, now)) return undefined;
    return original.access.expiresAt;
  }

  /**
   * A secret's extension rotates: a new credential into the same secret, then the old one deleted.
   * `lifetimeMs`: how long the new credential must live (RequestService.credentialLifetimeUnderPolicy
   * of the extension's term), capped by ACRBOT_SECRET_MAX_EXPIRY. Without one (a service without
   * time-boxing; a deployment always has it) the credential lives as long as a secret asked for
   * without `--expires` would: zero would make a credential that expires as it is written.
   * The card's lines say what the run does: the credential is made as a new secret's is (its own
   * scope map for `--repositories`, its own application for `sp`), and the credential deleted is
   * the one the secret holds now, which after an earlier rotation is that extension's.
   */
  async rotationPlan(original: AccessRequest, lifetimeMs: number | undefined): Promise<SecretPlan> {
    const plan = original.plan as SecretPlan;
    const maxMs = this.settings.secretMaxExpiryMs ?? MAX_CREDENTIAL_LIFETIME_MS;
    const lifetime = Math.min(lifetimeMs ?? SECRET_DEFAULTS.expiresInMs, maxMs);
    const expiresAt = new Date(this.clock.now().getTime() + lifetime).toISOString();
    const holder = await this.secretHolderOf(original);
    return {
      ...plan,
      expiresAt,
      operations: [
        ...newCredentialLines(plan, expiresAt, true),
        `Write it into the same secret ${plan.namespace}/${plan.secretName} (rotation)`,
        holder
          ? `Delete the credential of ${holder.id}, which the secret holds now`
          : 'Delete the credential the secret holds now',
      ],
    };
  }

  /**
   * The request of `original`'s access whose credential its secret holds now, as the secret runner
   * finds the one an extension replaces when the secret carries no label (lastFamilyWriter, one
   * function for both: the card says what the run deletes).
   */
  private async secretHolderOf(original: AccessRequest): Promise<AccessRequest | undefined> {
    const extensions = [];
    for (const id of original.access?.extendedBy ?? []) {
      const other = await this.store.get(id);
      if (other) extensions.push(other);
    }
    return lastFamilyWriter(original, extensions, original.plan as SecretPlan);
  }

  /**
   * Active acrbot requests (grants and secrets) on a cluster and registry: `revoke CLUSTER
   * REGISTRY`. An extension of a request listed is not listed again: it is the same access and
   * ends with it.
   */
  async activeOn(clusterId: string, registryId: string): Promise<AccessRequest[]> {
    const now = this.clock.now();
    const active = (await this.store.listByTarget(clusterId, registryId, ['succeeded'], PAIR_REVOKE_LIMIT)).filter(
      (r) => isActive(r, now),
    );
    const ids = new Set(active.map((r) => r.id));
    return active.filter((r) => !r.extendsRequestId || !ids.has(r.extendsRequestId));
  }

  /**
   * What revoking every request in `requests` at once would delete and keep (`revoke CLUSTER
   * REGISTRY`): each request's preview, with the others (and their extensions) as ending too. The
   * click revokes them one after another and the last holder of a shared role assignment deletes
   * it, so a grant held only inside the set is shown as deleted, not as kept for a request that
   * ends in the same click.
   */
  async previewTogether(
    requests: readonly AccessRequest[],
  ): Promise<Array<{ request: AccessRequest; lines: RevocationStep[] }>> {
    const together = new Set(requests.map((r) => r.id));
    for (const request of requests) for (const e of await this.extensionsOf(request)) together.add(e.id);
    const previews = [];
    for (const request of requests) previews.push({ request, lines: await this.preview(request, together) });
    return previews;
  }

  /**
   * What revoking would delete and keep, checked against the store (and Azure for grants).
   * `together`: other requests revoked in the same action (they do not keep a role assignment).
   */
  async preview(request: AccessRequest, together: ReadonlySet<string> = new Set()): Promise<RevocationStep[]> {
    // A revoke ends the request's extensions with it (see revoke).
    const extensions = await this.extensionsOf(request);
    const ending = new Set(extensions.map((e) => e.id));
    const endsToo = extensions.map((e): RevocationStep => ({
      what: 'extension',
      target: e.id,
      action: 'delete',
      why: 'the same access; it ends too',
    }));
    if (request.plan.kind === 'grant') {
      const plan = request.plan;
      const others = await this.otherHolders(request, plan, ending);
      const target = `${plan.role.name} for ${plan.identity.description} ${plan.identity.objectId} on ${plan.registry.name}`;
      // Holders revoked in the same action end too: only one outside it keeps the assignment.
      const staying = { ...others, holders: others.holders.filter((h) => !together.has(h.id)) };
      if (staying.holders.length || !staying.complete)
        return [
          { what: 'role assignment', target, action: 'keep', why: whyKept(staying, plan, request.tenantId) },
          ...endsToo,
        ];
      if (!(await this.acrbotCreatedAssignment(request, plan)))
        return [
          {
            what: 'role assignment',
            target,
            action: 'keep',
            why: 'it existed before acrbot; not acrbot\u2019s to delete',
          },
          ...endsToo,
        ];
      const sharing = others.holders.map((h) => h.id);
      return [
        {
          what: 'role assignment',
          target,
          action: 'delete',
          ...(sharing.length > 0 && {
            why: `also held by ${someIds(sharing)}, revoked with it; deleted when the last of them ends`,
          }),
        },
        ...endsToo,
      ];
    }
    const plan = request.plan;
    const secret = `${plan.namespace}/${plan.secretName} in ${plan.cluster.name}`;
    const holder = laterWriterOf(request, await this.secretHolders(plan), ending);
    const steps: RevocationStep[] = holder
      ? [{ what: 'Kubernetes secret', target: secret, action: 'keep', why: `acrbot wrote it again for ${holder.id}` }]
      : [
          {
            what: 'Kubernetes secret',
            target: secret,
            action: 'delete',
            why: 'only if it is still the one acrbot wrote for this request',
          },
        ];
    if (!holder) {
      const entries = acrbotServiceAccountEntries(request);
      for (const serviceAccount of entries)
        steps.push({
          what: 'imagePullSecrets entry',
          target: `service account ${plan.namespace}/${serviceAccount}`,
          action: 'delete',
        });
      if (plan.serviceAccount && !entries.includes(plan.serviceAccount))
        steps.push({
          what: 'imagePullSecrets entry',
          target: `service account ${plan.namespace}/${plan.serviceAccount}`,
          action: 'keep',
          why: ENTRY_NOT_ADDED,
        });
    }
    // A credential a rotation of the same access deleted already is not shown as to be deleted:
    // the revocation finds it absent and deletes nothing (revokeCredential).
    const family = [request, ...extensions];
    for (const owner of family)
      if (!family.some((e) => e !== owner && retiredCredentialOf(e, owner.id) === 'deleted'))
        steps.push(...credentialSteps(owner));
    return [...steps, ...endsToo];
  }

  /**
   * Revokes granted access now: deletes what acrbot created (and only that), audits each step,
   * marks the request revoked, updates every card copy and tells the requester. Throws on a
   * failed step (the request stays `succeeded`, so it is retried).
   */
  async revoke(
    request: AccessRequest,
    by: Actor,
    reason: string | undefined,
    expired: boolean,
  ): Promise<AccessRequest> {
    if (request.state !== 'succeeded')
      throw new UserFacingError('request.notActive', `Request ${request.id} has no active access to revoke.`);
    const guard = await this.holdAccessLease(request);
    try {
      // Under the lease (access-lease.ts): the look for requests being granted the same access,
      // the deletes and marking this request revoked happen before any other revocation of it
      // looks at who holds it; a run that relies on it waits until the lease is free.
      const current = (await this.store.get(request.id)) ?? request;
      if (current.state !== 'succeeded') return current;
      // An attempt that began (and may have deleted something) is finished by its retry, whatever
      // happened to the end since.
      const begun = Boolean(current.access?.revokingSince);
      // An extension that succeeded since the job looked moved the end: not due any more (the
      // extension rescheduled the job).
      if (expired && !begun && !isDue(current, this.clock.now())) return current;
      // Someone revoking ends the extensions too: they are the same access, so they neither keep
      // it nor stay "active" after it is gone (the newest extension of a secret wrote the secret
      // and holds the live credential). At expiry an extension still running (its end later than
      // this one's) keeps it until its own end (never early, G17); one that ends now too (it
      // moved this end to its own) ends with it, and the requester is told once.
      const now = this.clock.now();
      const family = await this.extensionsOf(current);
      // An extension that succeeded without moving this end holds the access past it: moved now,
      // and nothing is revoked (the moved end rescheduled this job).
      if (expired && !begun && (await this.movedByMissedExtensions(current, family, now)))
        return (await this.store.get(current.id)) ?? current;
      const extensions = family.filter((e) => !expired || isDue(e, now));
      // Once, before the first delete (and again by a retry): a request being granted the same
      // access defers the revocation. One approved from here on waits for this lease, then finds
      // the original ending.
      const stopped = await this.refuseWhileGranting(current, extensions, by, expired);
      await guard?.check();
      const [ending, ...endingExtensions] = await this.beginRevoke([current, ...extensions]);
      if (ending.plan.kind === 'secret') await this.revokeSecrets(ending, endingExtensions, by, stopped);
      else await this.revokeGrant(ending, ending.plan, by, endingExtensions);
      await guard?.check();
      for (const extension of endingExtensions)
        await this.markRevoked(extension, { by, reason, expired }, { endedWith: ending });
      return await this.markRevoked(ending, { by, reason, expired }, { extensions: endingExtensions });
    } finally {
      await guard?.stop();
    }
  }

  /**
   * At the expiry of `original`: its extensions that succeeded without moving its end (the
   * follow-up after their success failed — an audit or store write, logged and not run again — or
   * the process stopped in between) and end later make that move now, oldest first, as at their
   * success ({@link applyExtension}: audited, the end job and reminders rescheduled, the cards
   * redrawn). Without it the original would end alone and its requester hear "Expired and
   * revoked" of access the extension keeps. True when the original, read afresh, is no longer due.
   */
  private async movedByMissedExtensions(
    original: AccessRequest,
    family: readonly AccessRequest[],
    now: Date,
  ): Promise<boolean> {
    const missed = family.filter(
      (e) =>
        e.extendsRequestId === original.id &&
        !original.access?.extendedBy?.includes(e.id) &&
        !e.access?.revokingSince &&
        e.access?.expiresAt !== undefined &&
        !isDue(e, now),
    );
    if (!missed.length) return false;
    this.log.warn(
      { requestId: original.id, extensions: missed.map((e) => e.id) },
      'an extension had not moved the end of the access it extends; moved at its end',
    );
    // extensionsOf lists newest first; each move reads the original afresh.
    for (const extension of [...missed].reverse()) await this.applyExtension(extension);
    const fresh = await this.store.get(original.id);
    return fresh?.state === 'succeeded' && !isDue(fresh, now);
  }

  /**
   * The `access.expire` job of a grant that failed with `azure.writeUnconfirmed` (GrantRunner):
   * the PUT's answer was lost and reading the assignment back did not find it, or failed, so
   * Azure may have made it. The request's `created` records its deterministic name (written
   * before the PUT, G15), and the revocation's checks decide, under the same access lease: a
   * request being granted the same assignment defers it; another active grant holding it keeps
   * it; an assignment with that name, principal, role and scope is deleted; none is audited
   * `absent`. The request stays `failed` (it granted nothing, and its requester was told so);
   * no card changes. Throws when a step failed, so the job is retried and reported (G17).
   */
  private async cleanUpUnconfirmedGrant(request: AccessRequest): Promise<void> {
    const plan = request.plan as GrantPlan;
    const guard = await this.holdAccessLease(request);
    try {
      const current = (await this.store.get(request.id)) ?? request;
      if (!isUnconfirmedGrant(current)) return;
      await this.refuseWhileGranting(current, [], ACRBOT_ACTOR, true);
      await guard?.check();
      await this.revokeGrant(current, plan, ACRBOT_ACTOR, [], {
        why: "the grant failed after Azure's answer to its PUT was lost; Azure had made the assignment",
      });
    } finally {
      await guard?.stop();
    }
  }

  /**
   * Takes the access lease of `request`'s access (access-lease.ts) for a revocation, or throws so
   * that the job is retried when another revocation of the same access holds it. The guard keeps
   * it alive while the work runs (a slow cluster) and is checked before deletes and before
   * "revoked": runs wait for it. None without leases (a single process).
   */
  private async holdAccessLease(request: AccessRequest): Promise<LeaseGuard | undefined> {
    const leases = this.settings.leases;
    if (!leases) return undefined;
    // An owner of its own per call, not per instance or per request: a lease is re-entrant for its
    // owner, and two revocations in one process contend too, those of one request included (its
    // end job and a Revoke of it, an extension's end job that takes it along). No caller takes it
    // again while holding it.
    const lease = await leases.store.acquire(
      accessLeaseKey(request.plan),
      `${leases.owner}|${request.id}#${randomUUID()}`,
      ACCESS_LEASE_TTL_MS,
    );
    if (!lease) throw new Error(`another revocation of ${accessLeaseSubject(request.plan)} is running; retrying`);
    return new LeaseGuard(
      { leases: leases.store, ttlMs: ACCESS_LEASE_TTL_MS },
      lease,
      this.log,
      { requestId: request.id },
      () => this.clock.now(),
      { what: 'access lease' },
    );
  }

  /**
   * Marks each request's access as ending (`revokingSince`) before anything is deleted, unless
   * an earlier attempt did: an extension's check refuses it from then on, and a failed attempt's
   * retry finishes the revocation even if the end moved (G17). Conditional writes: a request
   * changed meanwhile fails the attempt, to be retried. Each request's cards are redrawn once its
   * mark is written ("Being revoked since …"; nothing is sent): a revocation that keeps failing is
   * seen as under way, not as access still granted.
   */
  private async beginRevoke(requests: readonly AccessRequest[]): Promise<AccessRequest[]> {
    const begun: AccessRequest[] = [];
    for (const request of requests) {
      if (request.access?.revokingSince) {
        begun.push(request);
        continue;
      }
      const next = transition(request, { type: 'beginRevoke', at: this.clock.now() });
      try {
        await this.store.update(next);
      } catch (err) {
        if (err instanceof VersionConflictError)
          throw new Error(`request ${request.id} changed as its revocation began; retrying`, { cause: err });
        throw err;
      }
      begun.push(next);
      // Awaited (the lease is renewed meanwhile): a redraw still on its way when "Revoked" has been
      // written could land after it and put "Being revoked" back on the card. The messenger logs
      // its own failures; this catch is for the rest of the notifier's chain.
      await this.cards
        .requestChanged(next, { markOnly: true })
        .catch((err: unknown) =>
          this.log.error({ err, requestId: next.id }, 'redrawing the cards of a revocation failed'),
        );
    }
    return begun;
  }

  /**
   * Ends a secret request and the extensions ending with it: every credential is deleted (or
   * kept with its reason), then the cluster clean-up; throws when that failed, so it is retried
   * and nothing is marked revoked until it is done. `stopped`: the extensions whose runs wait to
   * be resumed ({@link refuseWhileGranting}).
   */
  private async revokeSecrets(
    request: AccessRequest,
    extensions: readonly AccessRequest[],
    by: Actor,
    stopped: ReadonlySet<string>,
  ): Promise<void> {
    const plan = request.plan as SecretPlan;
    const ending = new Set([request.id, ...extensions.map((e) => e.id)]);
    const failures: unknown[] = [];
    for (const owner of [...extensions, request]) {
      const failed = await this.revokeSecret(owner, owner.plan as SecretPlan, by, { ending, stopped });
      if (failed) failures.push(failed);
    }
    if (!failures.length) return;
    const cause = failures.length === 1 ? failures[0] : new AggregateError(failures, 'several secrets');
    throw new Error(
      `the Kubernetes clean-up of ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name} failed; its credential is deleted, the clean-up is retried`,
      { cause },
    );
  }

  /**
   * Refuses, for now, to end access that is being granted again right now (approved or
   * running): an extension, whose run checks that the original still holds its access and,
   * finding it so before the original is marked revoked, would write a new credential after
   * "revoked"; or another grant of the same role assignment, whose PUT finds it present ("already
   * assigned") and which would say "succeeded" once this revocation deleted it (G17). Thrown to
   * be retried (the scheduler's backoff, reported if it lasts): by then that request has
   * succeeded (an extension ends with the original; a grant holds the assignment) or failed.
   * When someone revokes, an extension that succeeded since `extensions` was read counts too:
   * this revocation would not end it. Checked once, before the first deletion, under the access
   * lease; a run that starts later waits for that lease before its check or its PUT (see revoke).
   * Resolves to the ids of the extensions not waited for (their runs wait to be resumed).
   */
  private async refuseWhileGranting(
    original: AccessRequest,
    extensions: readonly AccessRequest[],
    by: Actor,
    expired: boolean,
  ): Promise<ReadonlySet<string>> {
    const ending = new Set([original.id, ...extensions.map((e) => e.id)]);
    const states: RequestState[] = expired ? ['approved', 'executing'] : ['approved', 'executing', 'succeeded'];
    // A grant's assignment can be shared by another cluster (one kubelet identity): the registry's
    // requests; an extension is on its original's cluster and registry.
    const same =
      original.plan.kind === 'grant'
        ? await this.store.listByRegistry(original.plan.registry.id, states, 1000)
        : await this.store.listByTarget(original.plan.cluster.id, original.plan.registry.id, states, 1000);
    const others = same.filter((r) => !ending.has(r.id));
    const extensionsOfIt = others.filter((r) => r.extendsRequestId && ending.has(r.extendsRequestId));
    // A revocation someone asked for ("token leaked") does not wait for an extension whose run
    // stopped and waits to be resumed (a rotation's secret write whose answer was lost waits up to
    // CLUSTER_WAIT_LIMIT_MS): the credentials would stay valid all that time. No run of it is
    // under way, so none has passed its check of the original; a resume from now on waits for
    // this access lease, then finds the original ending, fails and deletes its own credential
    // (ExtensionAwareSecretRunner). A run under way is waited for. An expiry waits for both: the
    // extension keeps the access until its own end (never early).
    const idle = expired ? new Set<string>() : await this.runsNotUnderWay(extensionsOfIt);
    const extending = extensionsOfIt.filter((r) => !idle.has(r.id));
    if (idle.size)
      this.log.info(
        { requestId: original.id, extensions: [...idle] },
        'revoking without waiting for extensions whose runs wait to be resumed; they fail when resumed',
      );
    const granting = others.filter(
      (r) => !extensionsOfIt.includes(r) && isBeingGranted(r) && sameRoleAssignment(r.plan, original.plan),
    );
    if (!extending.length && !granting.length) return idle;
    const ids = (rs: AccessRequest[]) => rs.map((r) => r.id).join(', ');
    const what = [
      extending.length ? `its extension ${ids(extending)}` : '',
      granting.length ? `another request for the same role assignment, ${ids(granting)},` : '',
    ].filter(Boolean);
    await this.record(original, by, {
      action: 'access.revoke.deferred',
      outcome: 'deferred',
      detail: `${what.join(' and ')} is being granted; retried`,
    });
    const sentences = [
      extending.length ? `An extension of ${original.id} (${ids(extending)}) is being granted right now.` : '',
      granting.length
        ? `Another request for the same role assignment as ${original.id} (${ids(granting)}) is being granted right now.`
        : '',
    ].filter(Boolean);
    throw new UserFacingError('revoke.grantRunning', `${sentences.join(' ')} The revocation runs again in a moment.`);
  }

  /**
   * The ids of `requests` that are `executing` but waiting to be resumed (the executor's
   * `RunInterrupted`: `waiting` set) and whose execution lease nobody holds now: no run of them
   * is under way. Read under the access lease, after it was taken (see refuseWhileGranting).
   * None without leases: a run under way cannot be told apart.
   */
  private async runsNotUnderWay(requests: readonly AccessRequest[]): Promise<Set<string>> {
    const idle = new Set<string>();
    const leases = this.settings.leases;
    if (!leases) return idle;
    for (const r of requests)
      if (r.state === 'executing' && r.waiting && !(await leases.store.holder(executionLeaseKey(r.id)))) idle.add(r.id);
    return idle;
  }

  /**
   * Marks `request` revoked, audits it, updates its cards and tells the requester
   * ({@link makeEndKnown}). An extension ended with the request it extends (`endedWith`) is
   * audited as such, its end is no longer waited for, and the requester is told once, by the
   * original. The `access.expired`/`access.revoked` entry comes before the write (G11) under a key
   * of its own ({@link endedKey}): a retry after a write that lost a race finds it instead of
   * saying "revoked" twice, and the end job's next run reads from it how the access ended.
   */
  private async markRevoked(
    request: AccessRequest,
    how: EndedAs,
    along: { endedWith?: AccessRequest; extensions?: readonly AccessRequest[] },
  ): Promise<AccessRequest> {
    const { by, reason, expired } = how;
    const { endedWith } = along;
    const next = transition(request, { type: 'revoke', at: this.clock.now(), by, reason });
    // Read before the write (a failed read fails the attempt, which is retried): the notice below
    // says whether the cluster can still pull through an assignment that was not acrbot's.
    const heldOutsideAcrbot = endedWith ? undefined : await this.heldOutsideAcrbot(request);
    await this.record(request, by, {
      action: expired ? 'access.expired' : 'access.revoked',
      outcome: 'revoked',
      detail: endedWith ? `with ${endedWith.id}, which it extends${reason ? `: ${reason}` : ''}` : reason,
      idempotencyKey: endedKey(request.id, endedWith?.id),
    });
    try {
      await this.store.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError) {
        // Extended or revoked meanwhile: the next run of the job looks again.
        throw new Error(`request ${request.id} changed during revocation; retrying`, { cause: err });
      }
      throw err;
    }
    await this.makeEndKnown(next, how, { ...along, heldOutsideAcrbot });
    return next;
  }

  /**
   * What follows the write of `revoked`: every card copy redrawn, the requester told (unless it
   * ended with the request it extends, whose notice tells them) and the pending extensions of
   * the ended access closed; then recorded (`access.end.told`). Until that entry exists, the
   * request's end job does it again when it next runs ({@link finishEndMadeKnown}): a store error
   * or a stopped process in between neither loses the notice nor leaves the cards saying "Being
   * revoked". Cancelling the reminders (and an extension's own end job) comes last and only
   * logs a failure: a reminder left behind finds the request revoked and sends nothing.
   */
  private async makeEndKnown(
    revoked: AccessRequest,
    how: EndedAs,
    along: { endedWith?: AccessRequest; extensions?: readonly AccessRequest[]; heldOutsideAcrbot?: boolean },
  ): Promise<void> {
    const { endedWith, heldOutsideAcrbot } = along;
    // The notifier and the messenger log their own failures; this catch is for the rest of the chain.
    await this.cards
      .requestChanged(revoked)
      .catch((err: unknown) => this.log.error({ err, requestId: revoked.id }, 'redrawing the cards of an end failed'));
    if (!endedWith) {
      await this.messenger.tellRequester(revoked, {
        kind: 'ended',
        by: how.by,
        expired: how.expired,
        reason: how.reason,
        ...(heldOutsideAcrbot !== undefined && { heldOutsideAcrbot }),
      });
      await this.closePendingExtensions(revoked, along.extensions ?? []);
    }
    await this.record(revoked, how.by, {
      action: END_TOLD,
      outcome: endedWith ? 'withOriginal' : 'sent',
      detail: endedWith
        ? `cards updated; the requester is told by ${endedWith.id}'s notice`
        : 'cards updated and the requester told',
    });
    const jobs = this.settings.remindersMs.map((beforeMs) => accessReminderJobId(revoked.id, beforeMs));
    if (endedWith) jobs.push(accessExpiryJobId(revoked.id));
    for (const id of jobs)
      await this.jobs
        .cancel(id)
        .catch((err: unknown) =>
          this.log.warn(
            { err, requestId: revoked.id, jobId: id },
            'a job of ended access was not cancelled; it does nothing when due',
          ),
        );
  }

  /**
   * The end job met its request revoked: when this version's revocation wrote that (its keyed
   * `access.expired`/`access.revoked` entry) and no `access.end.told` follows it, the attempt
   * stopped after the write (a store error, a stopped process) and the job is its retry: the end
   * is made known now ({@link makeEndKnown}, at least once). Under the access lease, so a
   * revocation still finishing on another instance is not told twice; a request revoked before
   * the key existed, or whose end was told, is left alone.
   */
  private async finishEndMadeKnown(request: AccessRequest): Promise<void> {
    // Read first without the lease: nearly always told already (an end job whose delete failed).
    if (!(await this.endNotMadeKnown(request.id))) return;
    const guard = await this.holdAccessLease(request);
    try {
      const current = await this.store.get(request.id);
      if (current?.state !== 'revoked') return;
      const ended = await this.endNotMadeKnown(current.id);
      if (!ended) return;
      const endedWithId = ended.idempotencyKey!.slice(endedKey(current.id).length + 1) || undefined;
      const endedWith = endedWithId ? await this.store.get(endedWithId) : undefined;
      if (endedWithId && !endedWith) return;
      const how: EndedAs = {
        by: ended.actor,
        reason: current.access?.revokeReason,
        expired: ended.action === 'access.expired',
      };
      this.log.warn(
        { requestId: current.id },
        'the end of this access was written but not made known; the cards and the requester are told now',
      );
      const extensions = endedWith ? [] : await this.extensionsOf(current, ['revoked']);
      const heldOutsideAcrbot = endedWith ? undefined : await this.heldOutsideAcrbot(current);
      await guard?.check();
      await this.makeEndKnown(current, how, { endedWith, extensions, heldOutsideAcrbot });
    } finally {
      await guard?.stop();
    }
  }

  /**
   * Whether the role assignment a grant relied on was made outside acrbot (its end removes
   * nothing there); undefined for a secret. A grant whose PUT met RoleAssignmentExists says so
   * itself (`alreadyPresent`). An extension's run created nothing either and records the same
   * flag ("nothing re-created"), though the assignment it held is usually acrbot's: the requests
   * it extends say who made it, as they do for its revocation (G15).
   */
  private async heldOutsideAcrbot(request: AccessRequest): Promise<boolean | undefined> {
    if (request.plan.kind !== 'grant') return undefined;
    if (!request.extendsRequestId) return Boolean(request.outcome?.alreadyPresent);
    return !(await this.acrbotCreatedAssignment(request, request.plan));
  }

  /**
   * The keyed `access.expired`/`access.revoked` entry of request `id` when no `access.end.told`
   * follows it (its end was written and not made known); undefined otherwise, and for a request
   * revoked before the key existed.
   */
  private async endNotMadeKnown(id: string): Promise<AuditEntry | undefined> {
    const entries = await this.audit.forRequest(id);
    const key = endedKey(id);
    const ended = entries.findLast((e) => e.idempotencyKey === key || e.idempotencyKey?.startsWith(`${key}:`));
    if (!ended || entries.some((e) => e.seq > ended.seq && e.action === END_TOLD)) return undefined;
    return ended;
  }

  /**
   * Closes the extensions still waiting for approval of access that just ended (`original` and
   * the extensions that ended with it): what they would extend is gone, so they expire with it
   * rather than wait for an approver whose approval could only fail. Each is a conditional write
   * like every transition; one decided meanwhile (approved, rejected, cancelled) is left as it
   * is. Audited, and every copy of its card updated, as when a pending request expires; a
   * close whose audit entry cannot be written is undone (G11).
   *
   * The access has ended by now, so a failure here does not make the revocation fail (a retry
   * would find the original revoked and stop): it is logged, each extension on its own, and an
   * extension left pending still grants nothing (approved, its run finds the original ended and
   * fails with `extend.notActive`).
   */
  private async closePendingExtensions(original: AccessRequest, ended: readonly AccessRequest[]): Promise<void> {
    const endedIds = new Set([original.id, ...ended.map((e) => e.id)]);
    let pending: AccessRequest[];
    try {
      pending = await this.store.listByTarget(original.plan.cluster.id, original.plan.registry.id, ['pending'], 1000);
    } catch (err) {
      this.log.error({ err, requestId: original.id }, 'pending extensions of ended access not closed');
      return;
    }
    // One by one: a failure closing one leaves the others to be closed.
    for (const extension of pending)
      if (extension.extendsRequestId && endedIds.has(extension.extendsRequestId))
        await this.closePendingExtension(extension, original).catch((err: unknown) =>
          this.log.error(
            { err, requestId: extension.id, original: original.id },
            'pending extension of ended access not closed',
          ),
        );
  }

  private async closePendingExtension(extension: AccessRequest, original: AccessRequest): Promise<void> {
    const next = transition(extension, { type: 'expire', at: this.clock.now() });
    try {
      await updateUndoingUnseen({ store: this.store, clock: this.clock, log: this.log }, extension, next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      this.log.info({ requestId: extension.id }, 'pending extension decided meanwhile; left as it is');
      return;
    }
    // Audited by the winner of the conditional write only, as a pending request's expiry is;
    // no state change without its entry (G11): undone when the entry cannot be written.
    try {
      await this.record(extension, ACRBOT_ACTOR, {
        action: 'request.expired',
        outcome: 'expired',
        detail: `the access it extends ended with ${original.id}; closed without a decision`,
      });
    } catch (err) {
      await undoUnaudited(this.store, this.clock, extension, next);
      throw err;
    }
    await this.jobs.cancel(requestExpiryJobId(extension.id));
    await this.cards.requestChanged(next);
  }

  /**
   * The succeeded extensions of `request`, and extensions of those, newest first: approved
   * requests that moved its end (a secret's also rotated the credential into its secret). Read
   * from the store by the request's own `extendsRequestId` records, never from a cluster.
   */
  private async extensionsOf(request: AccessRequest, states: RequestState[] = ['succeeded']): Promise<AccessRequest[]> {
    const same = await this.store.listByTarget(request.plan.cluster.id, request.plan.registry.id, states, 1000);
    const family = new Set([request.id]);
    const found: AccessRequest[] = [];
    for (let grew = true; grew;) {
      grew = false;
      for (const r of same)
        if (
          !family.has(r.id) &&
          r.extendsRequestId &&
          family.has(r.extendsRequestId) &&
          r.plan.kind === request.plan.kind
        ) {
          family.add(r.id);
          found.push(r);
          grew = true;
        }
    }
    return found.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  /**
   * Active acrbot grants holding the role assignment `plan` names, from any cluster: one kubelet
   * identity can serve several clusters, and the assignment is the identity's (its name comes
   * from scope, principal and role). A new grant may overlap them (G17), and those whose term has
   * passed while their revocation has yet to finish (`ending`).
   */
  async holdersOf(plan: GrantPlan): Promise<AssignmentHolders> {
    const now = this.clock.now();
    const listed = await this.store.listByRegistry(plan.registry.id, ['succeeded'], HOLDERS_LISTED);
    const same = listed.filter((r) => r.plan.kind === 'grant' && r.plan.roleAssignmentName === plan.roleAssignmentName);
    return {
      holders: same.filter((r) => isActive(r, now)),
      ending: same.filter((r) => !isActive(r, now) && !r.outcome?.alreadyPresent),
      // A full listing may have left a holder out: then nobody can say the assignment is unused.
      complete: listed.length < HOLDERS_LISTED,
    };
  }

  /**
   * Other active acrbot grants on the same role assignment (overlap: they keep it), but not the
   * extensions ending with this request (`ending`).
   */
  private async otherHolders(
    request: AccessRequest,
    plan: GrantPlan,
    ending: ReadonlySet<string> = new Set(),
  ): Promise<Holders> {
    const { holders, complete } = await this.holdersOf(plan);
    return { holders: holders.filter((r) => r.id !== request.id && !ending.has(r.id)), complete };
  }

  /**
   * Whether an acrbot request created this role assignment (G15): this request's own record,
   * or an earlier acrbot request on the same assignment that created it (a later overlapping
   * request found it present and created nothing).
   */
  private async acrbotCreatedAssignment(request: AccessRequest, plan: GrantPlan): Promise<boolean> {
    // RoleAssignmentExists (`alreadyPresent`) created nothing, though the run recorded the
    // deterministic name before its PUT: the access exists under another name.
    const created = (r: AccessRequest) =>
      r.plan.kind === 'grant' &&
      r.plan.roleAssignmentName === plan.roleAssignmentName &&
      !r.outcome?.alreadyPresent &&
      ((r.created ?? []).some((c) => c.kind === 'roleAssignment' && c.name === plan.roleAssignmentName) ||
        (r.outcome !== undefined && (r.outcome.createdIds?.length ?? 0) > 0));
    if (created(request)) return true;
    // An extension created nothing (its original's assignment was there): the request it extends
    // says who made it, read directly rather than looked for in a registry's history, which is
    // read oldest first and only so far.
    let link = request;
    for (let hops = 0; link.extendsRequestId && hops < 10; hops++) {
      const extended = await this.store.get(link.extendsRequestId);
      if (!extended) break;
      if (created(extended)) return true;
      link = extended;
    }
    const history = await this.store.listByRegistry(plan.registry.id, ['succeeded', 'revoked'], 1000);
    return history.some(created);
  }

  /**
   * Deletes the role assignment `request` made, after the checks (G15, G17): kept while another
   * active grant holds it; left alone unless acrbot's records say acrbot made it and it is still
   * there with that name, principal, role and scope; `absent` when the registry itself is gone
   * (nothing on its scope is left to delete). `context.why` is said in the `deleted` audit entry.
   */
  private async revokeGrant(
    request: AccessRequest,
    plan: GrantPlan,
    by: Actor,
    extensions: readonly AccessRequest[],
    context: { why?: string } = {},
  ): Promise<void> {
    const target = `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`;
    const others = await this.otherHolders(request, plan, new Set(extensions.map((e) => e.id)));
    if (others.holders.length || !others.complete) {
      await this.record(request, by, {
        action: 'access.revoke.roleAssignment',
        outcome: 'kept',
        targetIds: [target],
        detail: whyKept(others, plan, request.tenantId),
      });
      return;
    }
    if (!(await this.acrbotCreatedAssignment(request, plan))) {
      await this.record(request, by, {
        action: 'access.revoke.roleAssignment',
        outcome: 'notOurs',
        targetIds: [target],
        detail: 'the assignment existed before acrbot; left in place',
      });
      return;
    }
    // Only the assignment acrbot created: same name, principal, role and scope (G15).
    let current: RoleAssignmentInfo[];
    try {
      current = await this.ports.roleAssignments.listForPrincipal(plan.scope, plan.identity.objectId);
    } catch (err) {
      // A deleted registry: the assignment was on its scope, there is nothing left to pull from,
      // and nothing on that scope can be listed or deleted any more; retrying would fail (and be
      // reported) for ever. A refusal or a hiccup is not this, and is retried. A registry created
      // again under the same id answers the listing, and the checks below run as usual. Deleted
      // may also answer 403 (acrbot's rights went with it): the adapter reads the registry and
      // says gone on its 404, or that it cannot tell (retried, reported) when that is refused too.
      if (!(err instanceof ResourceGoneError)) throw err;
      await this.record(request, by, {
        action: 'access.revoke.roleAssignment',
        outcome: 'absent',
        targetIds: [target],
        // Not at its recorded id may also be moved: Azure does not move a role assignment made on
        // a resource with it (it is left orphaned at the old scope), so it grants nothing either way.
        detail: `${err.subject} no longer exists (Azure answered ${err.azureCode}) at its recorded id: deleted, or moved to another resource group or subscription. The role assignment was on that scope, and Azure does not move a role assignment with its resource, so it grants nothing on it now; nothing deleted`,
      });
      return;
    }
    const match = current.find(
      (a) =>
        a.name.toLowerCase() === plan.roleAssignmentName.toLowerCase() &&
        a.scope.toLowerCase() === plan.scope.toLowerCase() &&
        a.principalId.toLowerCase() === plan.identity.objectId.toLowerCase() &&
        a.roleDefinitionId.toLowerCase().endsWith(`/${plan.role.id.toLowerCase()}`),
    );
    if (!match) {
      await this.record(request, by, {
        action: 'access.revoke.roleAssignment',
        outcome: 'absent',
        targetIds: [target],
        detail: 'no assignment with the name, principal, role and scope acrbot created; nothing deleted',
      });
      return;
    }
    await this.ports.roleAssignments.delete({
      scope: plan.scope,
      name: plan.roleAssignmentName,
      subscriptionId: plan.registry.subscriptionId,
    });
    await this.record(request, by, {
      action: 'access.revoke.roleAssignment',
      outcome: 'deleted',
      targetIds: [match.id],
      detail:
        [context.why, extensions.length ? `its extension ${extensions.map((e) => e.id).join(', ')} ends with it` : '']
          .filter(Boolean)
          .join('; ') || undefined,
    });
  }

  /**
   * Ends one secret request: its secret and service-account entry (unless a later acrbot
   * request wrote that same object, or the cluster cannot be reached), then its credential,
   * which is deleted even when the cluster step failed: a revoke after a leak must end the
   * credential at once. Returns the cluster step's error, to be retried; throws if the
   * credential could not be deleted. `ending`: the requests ending with it; `stopped`: the
   * extensions whose runs wait to be resumed ({@link removeSecret}).
   */
  private async revokeSecret(
    request: AccessRequest,
    plan: SecretPlan,
    by: Actor,
    { ending, stopped }: { ending: ReadonlySet<string>; stopped: ReadonlySet<string> },
  ): Promise<unknown> {
    const target = `${plan.cluster.id}/namespaces/${plan.namespace}/secrets/${plan.secretName}`;
    // A replacement is a PUT that keeps the uid: acrbot's records of who wrote that object, and
    // when, say whether a later request holds it now (G15). Asked of the store, not the cluster.
    const holder = laterWriterOf(request, await this.secretHolders(plan), ending);
    let clusterFailure: unknown;
    if (holder)
      await this.record(request, by, {
        action: 'access.revoke.secret',
        outcome: 'kept',
        targetIds: [target],
        detail: `acrbot wrote the same secret (uid ${writtenSecretUid(request)}) again for ${holder.id}, which holds it now; secret and service-account entry left in place`,
      });
    else
      try {
        await this.removeSecret(request, plan, by, { target, stopped });
      } catch (err) {
        clusterFailure = err;
        // Not allowed to stop the credential's deletion below: a failed audit write here is
        // logged, the error itself goes to the scheduler (retried and reported).
        await this.record(request, by, {
          action: 'access.revoke.secret',
          outcome: 'failed',
          targetIds: [target],
          detail: `the cluster step failed (${isUserFacing(err) ? err.code : 'unexpected error'}); the credential is deleted now, the cluster step is retried`,
        }).catch((auditErr: unknown) =>
          this.log.error({ err: auditErr, requestId: request.id }, 'audit of a failed secret revocation failed'),
        );
      }
    await this.revokeCredential(request, by);
    return clusterFailure;
  }

  /** The acrbot requests on this cluster and registry that may hold a secret they wrote, from the store. */
  private secretHolders(plan: SecretPlan): Promise<AccessRequest[]> {
    return this.store.listByTarget(plan.cluster.id, plan.registry.id, ['executing', 'succeeded'], 1000);
  }

  /**
   * The request `labelled` (the secret's label, read from the cluster: a hint) when acrbot's
   * records prove the secret is still the object acrbot wrote for `request` and the label is the
   * mark of a write that will never hold it (G15): `request` recorded the uid it wrote (the
   * removal is conditional on it), and the last write `labelled` recorded starting replaced
   * `request`'s secret, so its PUT, which keeps the uid, landed although its answer was lost. That
   * write holds nothing: `labelled` failed (its clean-up deleted its credential), or it is an
   * extension whose run waits to be resumed (`stopped`: no run under way, and a resume waits for
   * this revocation's lease) and, resumed, finds this access ended and fails. Left, the secret
   * would keep a dead credential and its `imagePullSecrets` entries for good, and refuse the next
   * request for that name. A succeeded writer recorded the uid: it is a later writer
   * ({@link laterWriterOf}) or ends with `request`. Undefined for anything else.
   */
  private async unfinishedWriterOf(
    request: AccessRequest,
    labelled: string | undefined,
    stopped: ReadonlySet<string>,
  ): Promise<AccessRequest | undefined> {
    if (!labelled || !isRequestId(labelled) || !writtenSecretUid(request)) return undefined;
    const writer = await this.store.get(labelled);
    if (!writer || !(writer.state === 'failed' || (writer.state === 'executing' && stopped.has(writer.id))))
      return undefined;
    return replacedByStartedWrite(writer)?.requestId === request.id ? writer : undefined;
  }

  /**
   * Deletes the secret acrbot wrote, and its entries in the `imagePullSecrets` of the service
   * accounts acrbot's records say acrbot added them to ({@link acrbotServiceAccountEntries}): an
   * entry that was there before acrbot linked the secret belongs to whoever put it there (G15).
   * A secret labelled by a write that replaced it and will never hold it ({@link unfinishedWriterOf})
   * is still the object acrbot wrote for `request`: deleted too, its entries with it.
   */
  private async removeSecret(
    request: AccessRequest,
    plan: SecretPlan,
    by: Actor,
    { target, stopped }: { target: string; stopped: ReadonlySet<string> },
  ): Promise<void> {
    const entries = acrbotServiceAccountEntries(request);
    let access: ClusterAccess;
    try {
      access = await this.ports.kubernetes.access(plan.cluster);
    } catch (err) {
      // A deleted cluster took the secret and its service accounts with it: nothing is left to
      // delete there, and retrying would fail for ever. The credential lives outside the cluster
      // (a token in the registry, an application in the directory) and is deleted by the caller.
      if (!(err instanceof ResourceGoneError && err.kind === 'cluster')) throw err;
      await this.record(request, by, {
        action: 'access.revoke.secret',
        outcome: 'absent',
        targetIds: [target],
        detail: `${err.subject} no longer exists (Azure answered ${err.azureCode}); the secret and its imagePullSecrets entries went with it, nothing deleted there`,
        // Said once: a retry (the credential's deletion failed) finds the cluster gone again.
        idempotencyKey: `access.revoke.secret:clusterGone:${request.id}`,
      });
      return;
    }
    // The data acrbot recorded writing, too: the object it made with someone else's data in it
    // (a GitOps sync that took the name over) is theirs now (G15). None on older records.
    const fingerprint = writtenSecretFingerprint(request);
    const removal = {
      namespace: plan.namespace,
      secretName: plan.secretName,
      serviceAccounts: entries,
      requestId: request.id,
      writtenUid: writtenSecretUid(request),
      ...(fingerprint ? { writtenFingerprints: [fingerprint] } : {}),
      serviceAccountUids: serviceAccountUidsOf(request),
    };
    let removed = await this.ports.kubernetes.remove(access, removal);
    const writer =
      removed.secret === 'notOurs'
        ? await this.unfinishedWriterOf(request, removed.ownerRequestId, stopped)
        : undefined;
    // Still conditional on the uid acrbot recorded writing for this request; the label is the
    // writer's now, and so is the data: what one of its started writes was about to put in.
    if (writer) {
      const started = startedWriteFingerprints(writer);
      removed = await this.ports.kubernetes.remove(access, {
        ...removal,
        requestId: writer.id,
        writtenFingerprints: started.complete ? started.fingerprints : undefined,
      });
    }
    await this.record(request, by, {
      action: 'access.revoke.secret',
      outcome: removed.secret,
      targetIds: [target],
      detail:
        removed.secret === 'notOurs'
          ? removed.contentsReplaced
            ? `it is the object acrbot wrote (uid ${removal.writtenUid}), but its contents were replaced by someone else since acrbot wrote it; left in place with its imagePullSecrets entries; the credential acrbot made is revoked all the same`
            : removed.ownerRequestId
              ? `its label names ${removed.ownerRequestId}; left in place`
              : 'not written by acrbot for this request; left in place'
          : writer
            ? `labelled by ${writer.id}, whose write into this secret (uid ${removal.writtenUid}) replaced this request's; it ${writer.state === 'failed' ? 'failed' : 'waits to be resumed and fails then'}`
            : undefined,
      // Said once: a retry (the credential's deletion failed) finds the secret gone again.
      ...(removed.secret === 'absent' && { idempotencyKey: `access.revoke.secret:absent:${request.id}` }),
    });
    const serviceAccountId = (name: string) =>
      `${plan.cluster.id}/namespaces/${plan.namespace}/serviceaccounts/${name}`;
    for (const serviceAccount of removed.serviceAccountsPatched)
      await this.record(request, by, {
        action: 'access.revoke.serviceAccount',
        outcome: 'patched',
        targetIds: [serviceAccountId(serviceAccount)],
      });
    for (const serviceAccount of removed.serviceAccountsAbsent)
      await this.record(request, by, {
        action: 'access.revoke.serviceAccount',
        outcome: 'absent',
        targetIds: [serviceAccountId(serviceAccount)],
        detail: 'the service account no longer exists; no entry to take out',
      });
    // GitOps or Helm put the list back as their source has it: nothing of acrbot's is left there.
    for (const serviceAccount of removed.serviceAccountsNoEntry ?? [])
      await this.record(request, by, {
        action: 'access.revoke.serviceAccount',
        outcome: 'absent',
        targetIds: [serviceAccountId(serviceAccount)],
        detail: 'the entry was already gone from its imagePullSecrets; nothing to take out',
        // Said once: a retry finds it gone again (or gone since an earlier attempt took it out).
        idempotencyKey: `access.revoke.serviceAccount:noEntry:${request.id}:${serviceAccount}`,
      });
    for (const serviceAccount of removed.serviceAccountsNotOurs ?? [])
      await this.record(request, by, {
        action: 'access.revoke.serviceAccount',
        outcome: 'kept',
        targetIds: [serviceAccountId(serviceAccount)],
        detail:
          "the service account was deleted and made again since acrbot added the entry (another uid); its entries are not acrbot's; left in place",
      });
    if (plan.serviceAccount && !entries.includes(plan.serviceAccount) && removed.secret === 'deleted')
      await this.record(request, by, {
        action: 'access.revoke.serviceAccount',
        outcome: 'kept',
        targetIds: [serviceAccountId(plan.serviceAccount)],
        detail: ENTRY_NOT_ADDED,
      });
    // The secret is gone; an entry left is taken out by the retry (the secret is then absent).
    if (removed.serviceAccountFailure) {
      await this.record(request, by, {
        action: 'access.revoke.serviceAccount',
        outcome: 'failed',
        targetIds: [serviceAccountId(removed.failedServiceAccount ?? '')],
        detail: isUserFacing(removed.serviceAccountFailure) ? removed.serviceAccountFailure.code : 'unexpected error',
      });
      throw removed.serviceAccountFailure;
    }
  }

  /**
   * Deletes the credential this request created, rebuilt from its own store records (G15). A
   * later request that replaced the secret already retired it; deleting an absent one is a
   * no-op, audited `absent` (not `deleted`: acrbot deleted nothing). Once acrbot's audit says it
   * deleted it or found it absent, a retry deletes nothing by that name again: an object made
   * since under the same name is not the one acrbot's records vouch for.
   */
  private async revokeCredential(request: AccessRequest, by: Actor): Promise<void> {
    const ref = credentialOf(request);
    const problem = ref ? credentialRefProblem(ref, request) : 'no credential is recorded for this request';
    if (!ref || problem) {
      await this.record(request, by, { action: 'access.revoke.credential', outcome: 'kept', detail: problem });
      return;
    }
    const targetIds = [ref.kind === 'token' ? ref.tokenName : ref.applicationId];
    const before = (await this.audit.forRequest(request.id)).filter((e) => e.action === 'access.revoke.credential');
    const deletedBefore = before.some((e) => e.outcome === 'deleted');
    // 'unconfirmed': an earlier attempt ended it for acrbot's records and told the approvers.
    if (deletedBefore || before.some((e) => e.outcome === 'absent' || e.outcome === 'unconfirmed')) {
      await this.record(request, by, {
        action: 'access.revoke.credential',
        outcome: deletedBefore ? 'alreadyDeleted' : 'absent',
        targetIds,
        detail: deletedBefore
          ? 'deleted by an earlier attempt of this revocation; nothing deleted again'
          : 'not there when an earlier attempt of this revocation looked; nothing deleted',
      });
      return;
    }
    const deletion = await deleteCredential(this.ports, ref);
    // A role assignment under the recorded name that is not the one acrbot made (another role or
    // scope, G15): left in place, and said so for an operator, as the clean-up job says it.
    const scope = ref.kind === 'sp' ? ref.roleAssignment?.scope : undefined;
    const left = scope ? deletion.notOurs.map((name) => ({ name, scope })) : [];
    for (const { name, scope } of left) {
      this.log.warn(
        { requestId: request.id, roleAssignment: name },
        'role assignment under the recorded name is not the one acrbot made; left in place for an operator',
      );
      await this.record(request, by, {
        action: 'access.revoke.credential',
        outcome: 'refused',
        targetIds: [name],
        detail: leftAssignmentDetail({ name, scope }),
      });
    }
    // Only what this call deleted is called deleted: a credential a rotation retired already (or
    // that someone deleted) is absent, and the revocation goes on, as the clean-ups record it.
    await this.record(request, by, {
      action: 'access.revoke.credential',
      outcome: deletion.deleted.length ? 'deleted' : deletion.registryUnconfirmed ? 'unconfirmed' : 'absent',
      targetIds,
      detail: revokedCredentialDetail(ref, deletion, left.length > 0),
    });
    // Its registry is nowhere acrbot can see, its name taken (or not to be asked about): ended for
    // acrbot's records, and the approvers told once what acrbot cannot confirm and what to do.
    if (deletion.registryUnconfirmed)
      await this.messenger.reportToApprovers(
        request,
        `The revocation of ${request.id} ended unconfirmed for its token. ${deletion.registryUnconfirmed}`,
      );
  }

  private async record(
    request: AccessRequest,
    by: Actor,
    event: Pick<AuditEvent, 'action' | 'outcome' | 'detail' | 'idempotencyKey'> & { targetIds?: string[] },
  ): Promise<void> {
    await this.audit.append({
      ...(event.idempotencyKey && { idempotencyKey: event.idempotencyKey }),
      actor: by,
      tenantId: request.tenantId,
      requestId: request.id,
      targetIds: event.targetIds ?? [request.plan.cluster.id, request.plan.registry.id],
      action: event.action,
      outcome: event.outcome,
      detail: event.detail,
    });
  }
}

/**
 * What a secret extension's rotation did to the credential before it, from its own records (the
 * write's `replaces`, the outcome): the `access.extended` entry says what was retired, not what a
 * rotation usually does.
 */
function rotationWords(extension: AccessRequest): string {
  const replaced = replacedByStartedWrite(extension)?.requestId;
  const written = extension.outcome?.secret?.action === 'created' ? 'the secret written anew' : 'the same secret';
  if (!replaced) return `new credential in ${written}; no earlier credential was retired`;
  // The clean-up job takes `retirement` away once it deleted the credential (and keeps it when
  // refused): a run's `pending` with the mark gone was deleted on a later try.
  const pending = pendingRetirementOf(extension)?.requestId === replaced;
  switch (retiredCredentialOf(extension, replaced)) {
    case 'deleted':
      return `new credential in ${written}; the old one, ${replaced}'s, deleted`;
    case 'pending':
      return pending
        ? `new credential in ${written}; the old one, ${replaced}'s, is deleted in the background`
        : `new credential in ${written}; the old one, ${replaced}'s, deleted on a later try`;
    case 'none':
      return `new credential in ${written}; acrbot's records vouched for no credential of ${replaced}'s to delete`;
    default:
      return `new credential in ${written}; the old one, ${replaced}'s, was not deleted (see the extension's audit entries)`;
  }
}

/**
 * The detail of a revocation's `access.revoke.credential` entry: what the deletion of `ref`
 * deleted and what it did not find (gone already: a rotation retired it, or someone deleted it).
 * `leftAssignment`: a role assignment under the recorded name was not acrbot's and stays.
 */
function revokedCredentialDetail(ref: CredentialRef, deletion: CredentialDeletion, leftAssignment: boolean): string {
  const gone = 'not found: deleted already';
  if (ref.kind === 'token') {
    const map = ref.scopeMapName;
    // The registry is not at its recorded id: deleted, or moved without the token (one moved with
    // the token fails the deletion instead, for an operator).
    if (deletion.registryNote)
      return `token${map ? ' and scope map' : ''} not found: ${deletion.registryNote}; nothing deleted`;
    if (!deletion.found)
      return deletion.deleted.length
        ? `scope map (the token was ${gone})`
        : `token${map ? ' and scope map' : ''} ${gone}; nothing deleted`;
    if (!map) return 'token';
    return deletion.deleted.includes(map) ? 'token and scope map' : `token (its scope map was ${gone})`;
  }
  const assignment = !ref.roleAssignment
    ? ''
    : leftAssignment
      ? ' (its role assignment left in place: not the one acrbot made)'
      : deletion.deleted.includes(ref.roleAssignment.name)
        ? ' (and its role assignment)'
        : ` (its role assignment was ${gone})`;
  if (deletion.found) return `application${assignment}`;
  return deletion.deleted.length
    ? `role assignment (the application was ${gone})`
    : `application ${gone}; nothing deleted${leftAssignment ? ' (its role assignment left in place: not the one acrbot made)' : ''}`;
}

function jobSpec(job: ScheduledJob) {
  return { id: job.id, kind: job.kind, dueAt: new Date(job.dueAt), requestId: job.requestId, payload: job.payload };
}

/** What deleting a secret request's credential deletes, from its store records (for the preview). */
function credentialSteps(request: AccessRequest): RevocationStep[] {
  const ref = credentialOf(request);
  if (ref?.kind === 'token')
    return [
      { what: 'ACR token', target: `${ref.tokenName} on ${ref.registry}`, action: 'delete' },
      ...(ref.scopeMapName ? [{ what: 'scope map', target: ref.scopeMapName, action: 'delete' as const }] : []),
    ];
  if (ref?.kind === 'sp')
    return [
      { what: 'Entra application', target: `${ref.appId}`, action: 'delete' },
      ...(ref.roleAssignment
        ? [
            {
              what: 'role assignment',
              target: `of ${ref.appId} on ${request.plan.registry.name}`,
              action: 'delete' as const,
            },
          ]
        : []),
    ];
  return [];
}
