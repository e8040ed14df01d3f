/**
 * The end of granted access (G17): schedules `access.expire` and `access.remind` jobs when a
 * request succeeds, and revokes — at expiry, or when someone revokes — exactly what acrbot
 * created, step by step in the audit log. Overlapping grants on the same role assignment keep
 * it until the last one ends; a revoke ends the request's extensions with it (they are the same
 * access), and extensions still awaiting approval expire with it; anything that cannot be
 * verified as acrbot's is left alone.
 */
import { accessExpiryJobId, carriesRevoke } from './access-jobs';
import { isUserFacing, UserFacingError } from '../domain/errors';
import type { RoleAssignmentInfo } from '../domain/azure-model';
import type { GrantPlan, SecretPlan } from '../domain/plan';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import { ACRBOT_ACTOR } from '../domain/request';
import { replacedByStartedWrite } from '../domain/secret-ownership';
import { isFailedBreakGlass } from '../domain/policy';
import { currentCorrelationId } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { scheduleLostEnds } from './access-end-net';
import { finishEndMadeKnown, markRevoked, NOTICE_TRIES_FIELD } from './access-end-notice';
import {
  applyExtension,
  carryingOriginalEnd,
  extensionsOf,
  movedByMissedExtensions,
  originalEndingWith,
  type RevokeSoon,
} from './access-extensions';
import { type LifecycleDeps, type LifecycleSettings, recordAccessEvent } from './access-lifecycle-deps';
import { scheduleEnd, scheduleReminders, sendReminder } from './access-reminders';
import { isDue } from './access-term';
import { endedGrantsBehind } from './grant-planner';
import { revokeGrant } from './grant-revocation';
import { orphanWatchJobId, watchOrphanedAssignment } from './orphan-watch';
import type { LifecycleMessenger } from './lifecycle-messenger';
import type { RequestNotifier } from './notifier';
import { breakGlassReviewJobId, type JobScheduling } from './request-jobs';
import type { Listing } from './revocation-draw-reads';
import {
  type ActiveRead,
  activeOn,
  activeOnRegistry,
  preview,
  previewTogether,
  type RevocationStep,
  waitingOn,
  waitingOnRegistry,
} from './revocation-preview';
import { beginRevoke, checkBoth, holdAccessLease, refuseWhileGranting } from './revocation-guards';
import { type AssignmentClaims, grantingOf, type Holders, holdersOf, watchedEnded } from './role-assignment-holders';
import { type JobRun, type JobSpec, OtherRunUnderWay } from './scheduler';
import { revokeSecrets } from './secret-revocation';
import type { SecretRunnerPorts } from './secret-runner';
import { rotationPlan } from './secret-rotation-plan';
import { cleanUpUnconfirmedGrant, isUnconfirmedGrant } from './unconfirmed-grant-cleanup';
import { passingFailure } from './outage-report-failure';

/** The failed attempt of a revocation at which its requester is first told it is retrying. */
export const FAILING_TOLD_AFTER = 3;
/**
 * Then told again after this many more failed attempts: once a day at the scheduler's longest
 * backoff (30 min), the cadence at which the approvers hear of a recurring job that keeps failing
 * (RECURRING_REPORT_EVERY, composition/scheduler.ts).
 */
export const FAILING_TOLD_EVERY = 48;

/** Payload of an `access.expire` job moved to "now" by a revoke command. */
interface RevokePayload {
  by?: Actor;
  reason?: string;
}

/** Schedules and carries out the end of access. */
export class AccessLifecycle {
  /** The constructor's arguments, for the functions the lifecycle runs (access-lifecycle-deps.ts). */
  private readonly deps: LifecycleDeps;

  /**
   * {@link revokeSoon}, for an extension that ends with its original (access-extensions.ts): one
   * whose end job carries a revoke already is ended by that job, run now, with no refusal.
   */
  private readonly revokeSoonFn: RevokeSoon = (request, by, reason) =>
    this.revokeSoon(request, by, reason, { leaveRunning: true });

  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly jobs: JobScheduling,
    ports: SecretRunnerPorts,
    cards: RequestNotifier,
    private readonly messenger: LifecycleMessenger,
    private readonly log: Logger,
    private readonly settings: LifecycleSettings,
  ) {
    this.deps = { store, audit, clock, jobs, ports, cards, messenger, log, settings };
  }

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
      await scheduleEnd(this.deps, request);
      if (request.extendsRequestId) await applyExtension(this.deps, request, this.revokeSoonFn);
    } else if (request.state === 'succeeded' && request.access?.permanent && !request.access.revokedAt) {
      // No end to schedule, but a permanent secret's credential expires (nothing renews it).
      await scheduleReminders(this.deps, request);
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
   * A confirmed revoke: the request's `access.expire` job is moved to now with who and why,
   * then run at once under its lease (failures retried and reported like expiry).
   * `options.idempotencyKey`: as {@link scheduleRevoke}'s (a break-glass review's revoke, asked
   * for by its click or by the net that finishes it after a crash).
   */
  async revokeSoon(
    request: AccessRequest,
    by: Actor,
    reason: string | undefined,
    options: RevokeOptions = {},
  ): Promise<void> {
    const run = await this.scheduleRevoke(request, by, reason, options);
    await run();
  }

  /**
   * The durable half of {@link revokeSoon}: the revoke's job written, due now with who and why,
   * then audited. Resolves once both are stored (a click can then say "revoking" truthfully, and a
   * failure here is the caller's to report); the function it returns runs the job now. The job
   * first: a crash between leaves a revoke that runs (its payload names who and why, and its
   * steps are audited as they run) without its `access.revoke.requested`, never that entry
   * without a revoke. A job that carries a revoke already (another click, on this instance or
   * another) is refused as `revoke.running` and audited so, its revoker's who and why kept;
   * the write is conditional on the job read, so two at once cannot both pass.
   * `idempotencyKey`: the entry's, where one revoke can be asked for twice at once (a replaced
   * request's end, by the follow-up and the lost-end net): it is audited once, and one asked for
   * with a key that finds a revoke stored already leaves it, unaudited and unrefused, as one with
   * `leaveRunning` does (acrbot's own follow-ups: the revoke stored ends the request anyway).
   */
  async scheduleRevoke(
    request: AccessRequest,
    by: Actor,
    reason: string | undefined,
    options: RevokeOptions = {},
  ): Promise<() => Promise<void>> {
    const id = accessExpiryJobId(request.id);
    const job = {
      id,
      kind: 'access.expire' as const,
      dueAt: this.clock.now(),
      requestId: request.id,
      payload: { by, ...(reason ? { reason } : {}) },
    };
    const leave = options.idempotencyKey !== undefined || options.leaveRunning === true;
    if (await this.writeRevokeJob(request, by, job, leave))
      await recordAccessEvent(this.deps, request, by, {
        action: 'access.revoke.requested',
        outcome: 'scheduled',
        detail: reason,
        ...(options.idempotencyKey && { idempotencyKey: options.idempotencyKey }),
      }).catch((err: unknown) => {
        // The job is stored and runs (due now, by the sweep): "nothing was revoked" would be
        // untrue. Logged here, where it is caught; the asker is told what holds.
        this.log.error({ err, requestId: request.id }, 'a revoke was stored but its request could not be audited');
        throw new UserFacingError(
          'revoke.unaudited',
          `The revoke of ${request.id} is stored and runs shortly (its card then says "Revoked"), but the audit log could not record who asked for it just now (reference for the platform team: ${currentCorrelationId() ?? request.id}).`,
          { cause: err },
        );
      });
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
   * Writes the revoke's end job over the one stored only while that one is unchanged since read
   * (a plain expiry, or none): one that carries a revoke already is refused ({@link scheduleRevoke}),
   * or left when `leave` (false). Read again when another write came between (an extension moving
   * the end), a few times. True once written.
   */
  private async writeRevokeJob(request: AccessRequest, by: Actor, job: JobSpec, leave: boolean): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.jobs.get(job.id);
      if (carriesRevoke(current)) {
        if (leave) return false;
        const askedBy = (current!.payload as { by?: Partial<Actor> }).by?.name;
        const refusal = revokeRunning(request.id, askedBy && `asked for by ${askedBy}`);
        // The refusal stands whether or not its entry could be written (as RequestAuditing.recordRefusal).
        await recordAccessEvent(this.deps, request, by, { action: 'revoke.refused', outcome: refusal.code }).catch(
          (err: unknown) =>
            this.log.error({ err, action: 'revoke.refused', requestId: request.id }, 'refusal could not be audited'),
        );
        throw refusal;
      }
      // Without a conditional write (a test double), as before: written whatever is stored.
      if (current && !this.jobs.moveIfUnchanged) {
        await this.jobs.schedule(job);
        return true;
      }
      // Its failures were a plain expiry's: the revoke starts with none.
      const written = current
        ? await this.jobs.moveIfUnchanged!(
            { ...current, payload: job.payload, lastError: undefined, lastFailurePassing: undefined },
            job.dueAt,
          )
        : await this.jobs.scheduleIfAbsent(job);
      if (written) return true;
    }
    throw new Error(`the revocation of ${request.id} kept meeting another write of its end job; ask again`);
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

  /** The `access.orphanWatch` job ({@link watchOrphanedAssignment}, orphan-watch.ts). */
  async onOrphanWatch(job: ScheduledJob, run?: JobRun): Promise<void> {
    await watchOrphanedAssignment(this.deps, job, run);
  }

  /** The `access.remind` job ({@link sendReminder}, access-reminders.ts). */
  async onReminder(job: ScheduledJob, run?: JobRun): Promise<void> {
    await sendReminder(this.deps, job, run);
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
      await cleanUpUnconfirmedGrant(this.deps, request, run);
      return;
    }
    if (request.state === 'revoked') {
      // Its end notice's retries so far, when Teams did not serve it (access-end-notice.ts).
      const tries = (job.payload as Record<string, unknown> | undefined)?.[NOTICE_TRIES_FIELD];
      await finishEndMadeKnown(this.deps, request, typeof tries === 'number' ? tries : undefined, run);
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
      const carriedUntil = await carryingOriginalEnd(this.deps, request, now);
      if (carriedUntil) {
        await this.moveOwnJob(job, new Date(carriedUntil));
        return;
      }
    }
    // An extension whose original was moved to its end ends there with it: the original's
    // revocation takes it along, so the requester is told once, whichever job runs first.
    const target = (!payload.by && (await originalEndingWith(this.deps, request, now))) || request;
    try {
      await this.revoke(target, payload.by ?? ACRBOT_ACTOR, payload.reason, !payload.by, run);
    } catch (err) {
      // A revocation waiting for a request being granted, or for another revocation of the same
      // access (no attempt counted), is not failing: the requester hears when it is done, not
      // that it "keeps failing".
      const waiting = (isUserFacing(err) && err.code === 'revoke.grantRunning') || err instanceof OtherRunUnderWay;
      // A passing failure (Azure throttling or down: 429, 5xx, no answer) is not told per request
      // either: it usually holds up many ends at once, the approvers' summary covers them all
      // (outage-report.ts), and the end notice follows once Azure answers. A mass end under
      // throttling would otherwise send one requester a "retrying" message per grant.
      const passing = passingFailure(err) !== undefined;
      const attempts = job.attempts + 1;
      // At the third failure, then once a day while it keeps failing: the approvers hear of every
      // failure and act; the requester only needs to know it is not done yet. A run that lost
      // the job's lease leaves it to the instance that holds it now.
      if (
        !waiting &&
        !passing &&
        attempts >= FAILING_TOLD_AFTER &&
        (attempts - FAILING_TOLD_AFTER) % FAILING_TOLD_EVERY === 0
      ) {
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

  /** A secret extension's rotation plan ({@link rotationPlan}, secret-rotation-plan.ts). */
  rotationPlan(original: AccessRequest, lifetimeMs: number | undefined): Promise<SecretPlan> {
    return rotationPlan(this.deps, original, lifetimeMs);
  }

  /** The active requests `revoke CLUSTER REGISTRY` lists ({@link activeOn}, revocation-preview.ts). */
  activeOn(clusterId: string, registryId: string): Promise<ActiveRead> {
    return activeOn(this.deps, clusterId, registryId);
  }

  /** The requests on a pair not run yet, which `revoke CLUSTER REGISTRY` names ({@link waitingOn}). */
  waitingOn(clusterId: string, registryId: string): Promise<{ requests: AccessRequest[]; full: boolean }> {
    return waitingOn(this.deps, clusterId, registryId);
  }

  /** The active requests `revoke registry NAME` lists ({@link activeOnRegistry}, revocation-preview.ts). */
  activeOnRegistry(registryId: string): Promise<ActiveRead> {
    return activeOnRegistry(this.deps, registryId);
  }

  /** The requests on a registry not run yet, which `revoke registry NAME` names ({@link waitingOnRegistry}). */
  waitingOnRegistry(registryId: string): Promise<{ requests: AccessRequest[]; full: boolean }> {
    return waitingOnRegistry(this.deps, registryId);
  }

  /**
   * What revoking `requests` at once would delete and keep ({@link previewTogether}), served
   * from `listings` (their read's, ActiveRead) where those hold the answer.
   */
  previewTogether(
    requests: readonly AccessRequest[],
    listings: readonly Listing[],
  ): Promise<Array<{ request: AccessRequest; lines: RevocationStep[] }>> {
    return previewTogether(this.deps, requests, listings);
  }

  /** What revoking would delete and keep ({@link preview}, revocation-preview.ts). */
  preview(request: AccessRequest, together: ReadonlySet<string> = new Set()): Promise<RevocationStep[]> {
    return preview(this.deps, request, together);
  }

  /**
   * Revokes granted access now: deletes what acrbot created (and only that), audits each step,
   * marks the request revoked, updates every card copy and tells the requester. Throws on a
   * failed step (the request stays `succeeded`, so it is retried). `run`: the lease of the job
   * running it (`access.expire`), checked with the access lease right before the role
   * assignment's DELETE, or a secret's service account PATCHes and credential DELETEs.
   */
  async revoke(
    request: AccessRequest,
    by: Actor,
    reason: string | undefined,
    expired: boolean,
    run?: JobRun,
  ): Promise<AccessRequest> {
    if (request.state !== 'succeeded')
      throw new UserFacingError('request.notActive', `Request ${request.id} has no active access to revoke.`);
    const guard = await holdAccessLease(this.deps, request);
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
      const family = await extensionsOf(this.deps, current);
      // An extension that succeeded without moving this end holds the access past it: moved now,
      // and nothing is revoked (the moved end rescheduled this job).
      if (expired && !begun && (await movedByMissedExtensions(this.deps, current, family, now, this.revokeSoonFn)))
        return (await this.store.get(current.id)) ?? current;
      const extensions = family.filter((e) => !expired || isDue(e, now));
      // Once, before the first delete (and again by a retry): a request being granted the same
      // access defers the revocation. One approved from here on waits for this lease, then finds
      // the original ending.
      const stopped = await refuseWhileGranting(this.deps, current, extensions, by, expired);
      await guard?.check();
      const [started, ...endingExtensions] = await beginRevoke(this.deps, [current, ...extensions]);
      let ending = started;
      let others: Holders | undefined;
      // Nothing fences the cluster's and Azure's writes: a run frozen past its leases stops right
      // before them (revokeGrant, revokeSecrets).
      const checkLeases = checkBoth(guard, run);
      if (started.plan.kind === 'secret')
        await revokeSecrets(this.deps, started, endingExtensions, by, stopped, checkLeases);
      // One that met its registry gone recorded the watch it scheduled: marked revoked from that version.
      else
        ({ request: ending, others } = await revokeGrant(this.deps, started, started.plan, by, endingExtensions, {
          beforeDelete: checkLeases,
        }));
      await guard?.check();
      for (const extension of endingExtensions)
        await markRevoked(this.deps, extension, { by, reason, expired }, { endedWith: ending });
      // The holders the revocation read: a kept assignment's notice says why from them. Once it
      // is written, the end job's sweep slot goes to the next due job (JobRun.yieldSlot): the
      // notice and the cards go on beside it, under this run's leases.
      return await markRevoked(
        this.deps,
        ending,
        { by, reason, expired },
        { extensions: endingExtensions, others, written: run?.yieldSlot },
      );
    } finally {
      await guard?.stop();
    }
  }

  /**
   * Active acrbot grants holding the role assignment `plan` names ({@link holdersOf}); `ending`
   * also has the revoked grants whose orphan watch may still delete it ({@link watchedEnded}):
   * a new grant of it is then a request of its own, which the watch finds holding it. And the
   * grants approved or running on it ({@link grantingOf}): one may have just made it again.
   */
  async holdersOf(plan: GrantPlan): Promise<AssignmentClaims> {
    const found = await holdersOf(this.deps, plan);
    const watched = await watchedEnded(this.deps, plan, orphanWatchJobId);
    const { granting, complete } = await grantingOf(this.deps, plan);
    return { ...found, ending: [...found.ending, ...watched], granting, complete: found.complete && complete };
  }

  /**
   * The ended acrbot grants whose records say they created `existing`, an assignment no active
   * grant holds (grant-planner.ts {@link endedGrantsBehind}): for the "access already exists"
   * answer, which then says it was left behind and how to have it removed.
   */
  endedGrantsBehind(plan: GrantPlan, existing: RoleAssignmentInfo): Promise<AccessRequest[]> {
    return endedGrantsBehind(this.deps.store, plan, existing);
  }
}

function jobSpec(job: ScheduledJob) {
  return { id: job.id, kind: job.kind, dueAt: new Date(job.dueAt), requestId: job.requestId, payload: job.payload };
}

/**
 * The refusal of a revoke of `requestId` while one runs already (`revoke.running`), `aside`
 * saying since when or who asked for it: one wording for the revoke rule's refusal
 * (access-actions.ts, the request marked `revokingSince`) and for an end job found carrying a
 * revoke ({@link AccessLifecycle.scheduleRevoke}: its run may not have begun, so no mark yet).
 */
export function revokeRunning(requestId: string, aside: string | undefined): UserFacingError {
  return new UserFacingError(
    'revoke.running',
    `Request ${requestId} is already being revoked${aside ? ` (${aside})` : ''}; acrbot retries the step that failed until it is done, and its card then says "Revoked".`,
  );
}

/** How {@link AccessLifecycle.scheduleRevoke} treats a revoke stored already. */
interface RevokeOptions {
  /** The entry's key, where one revoke can be asked for twice at once; such an ask leaves a stored revoke. */
  idempotencyKey?: string;
  /** Leave a stored revoke as it is (no refusal), and run it now. */
  leaveRunning?: boolean;
}
