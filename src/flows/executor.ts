/**
 * Runs approved requests after the approve click has been answered (Teams shows "Unable to
 * reach app" when an invoke takes more than a few seconds). Tracks in-flight work so a
 * shutdown can finish it, and resumes work a crash interrupted (G13).
 */
import { randomUUID } from 'node:crypto';
import { accessEndsAt, formatUtc } from '../domain/access-term';
import type { AuditEvent } from '../domain/audit-chain';
import { causesOf } from '../domain/error-causes';
import { isUserFacing } from '../domain/errors';
import type { AuditLog, Clock, LeaseStore, RequestStore } from '../domain/ports';
import { CloudApiError, LeaseLostError, VersionConflictError } from '../domain/ports';
import type { AccessRequest, CreatedObject, Outcome, RequestEvent } from '../domain/request';
import { ACRBOT_ACTOR, transition } from '../domain/request';
import { CLEANUP_PROMISES, pullSecretRecordId, recordedCredentials } from '../domain/secret-ownership';
import { scrubSecrets } from '../domain/secret-text';
import { currentCorrelationId, withCorrelation } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { type PauseReader, pausedRefusal } from './access-pause';
import { LeaseGuard } from './lease-guard';
import type { RequestNotifier } from './notifier';
import { executionLeaseKey } from './access-lease';
import { runLimitMs, UNCONFIRMED_GRANT } from './run-resumption';
import { OutcomeNet, outcomeEntryKey, type OutcomeTelling, tellOutcome } from './outcome-told-net';
import { decisionEntryState, lateDecisionEntry } from './decision-entry-net';
import { SweepFailureLog, type SweepFailureMessages } from './scheduler-sweep-log';

/** What a runner may record while it works. */
export interface RunContext {
  /** The request being run (what its audit entries and records belong to). */
  readonly requestId: string;
  /**
   * Appends an audit entry for this request; throws if the log is unavailable. With
   * `idempotencyKey`, an entry already written under that key (by this run, an earlier attempt
   * or a job that records the same fact) is not written again.
   */
  audit(
    event: Pick<AuditEvent, 'action' | 'outcome' | 'targetIds' | 'detail' | 'correlationIds' | 'idempotencyKey'>,
  ): Promise<void>;
  /**
   * Records in the store what acrbot is about to create or has created (G15), replacing an
   * earlier record of the same kind and name (or id). Call it before the write with the name
   * and again with the id once known: only these records may later be replaced or deleted.
   */
  recordCreated(object: Omit<CreatedObject, 'recordedAt'>): Promise<void>;
  /** What the store records as created for this request so far (a resumed run finds its own objects here). */
  created(): CreatedObject[];
  /**
   * Throws {@link LeaseLostError} when this run no longer holds its execution lease. Call it
   * before a delete: a run that was taken over must not delete what the new holder resumes with
   * (a delete is no store write, so nothing else fences it). The executor always provides it.
   */
  checkLease?(): Promise<void>;
  /**
   * Aborted when this instance stops (SIGTERM): a run in a long wait it may leave (the pull
   * check) stops with {@link RunInterrupted}, to be resumed by another instance or the next
   * start, instead of holding the shutdown for minutes.
   */
  readonly stopping?: AbortSignal;
  log: Logger;
}

/** Carries out one kind of plan. Throws a UserFacingError with the fix when it fails. */
export interface PlanRunner {
  run(request: AccessRequest, ctx: RunContext): Promise<Outcome>;
}

/** A failure that already carries its outcome (e.g. a secret flow that cleaned up after itself). */
export class RunFailure extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.error ?? 'failed');
  }
}

/**
 * Thrown by a runner that cannot finish now and must not fail either: it cannot tell whether a
 * write it made took effect (a secret write whose answer was lost may hold the credential it
 * made, so neither "failed" nor a clean-up would be true). The executor records nothing, leaves
 * the request `executing` and releases the lease; the periodic resume (or the next start) runs
 * it again, and the runner's resume path finds out what happened (G13, G14). The message is
 * logged: it must hold no secret.
 */
export class RunInterrupted extends Error {
  /** One sentence for the cards: what the run waits for and what acrbot does meanwhile (no secret). */
  readonly notice?: string;

  constructor(message: string, options?: { cause?: unknown; notice?: string }) {
    super(message, options);
    this.name = 'RunInterrupted';
    this.notice = options?.notice;
  }
}

/** The key the outcome net's pass is tracked under among the runs (no request id looks like it). */
const OUTCOME_NET_RUN = '\u0000outcome-net';

/** What a failing resume sweep logs (as the scheduler's sweep: the first, then spaced, then "again"). */
const RESUME_SWEEP_MESSAGES: SweepFailureMessages = {
  failed:
    'resuming interrupted executions failed; while sweeps keep failing this is logged again at most every few minutes',
  stillFailing: 'resuming interrupted executions still failing',
  succeeded: 'resuming interrupted executions succeeded: store reachable again',
};

/** Appends one of a run's audit entries under its lease, as acrbot, for the run's request. */
type RunAuditRecorder = (
  event: Pick<AuditEvent, 'action' | 'outcome' | 'targetIds' | 'detail' | 'idempotencyKey'>,
) => Promise<void>;

/** Executions run under the lease `exec:<requestId>` (ACRBOT_LEASE_TTL). */
export interface ExecutionLeases {
  leases: LeaseStore;
  /** This instance's id (lease owner). */
  owner: string;
  ttlMs: number;
}

/**
 * Runs requests in the background, one run per request at a time in this process and, through
 * the lease `exec:<requestId>`, in the whole deployment: another instance takes a run over only
 * after the holder's lease expired (it crashed), and the holder's later writes are fenced.
 */
export class Executor {
  private readonly inFlight = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly runners: { grant: PlanRunner; secret?: PlanRunner },
    private readonly notifier: RequestNotifier,
    private readonly log: Logger,
    private readonly exec: ExecutionLeases,
    /**
     * Persists an audit entry that could not be written after an Azure change was made (an
     * `audit.retry` job): the change happened, so the request says so and the entry follows.
     * The event carries the idempotency key its first attempt was made with (see appendRetried).
     */
    private readonly auditRetry?: (event: AuditEvent & { idempotencyKey: string }) => Promise<void>,
    /**
     * The pause of new access, read before a run starts: a request approved before the pause
     * (or by a click racing it) that has not started yet changes nothing in Azure.
     */
    private readonly pauses?: PauseReader,
  ) {}

  /** How often to look for runs to take over: half a lease TTL, so a dead holder's work waits at most 1.5 TTL. */
  get resumeIntervalMs(): number {
    return Math.max(1000, Math.floor(this.exec.ttlMs / 2));
  }

  /**
   * Appends an audit entry an `audit.retry` job carries (throws to be retried with backoff).
   * The event must carry its idempotency key (the one its first attempt was made with): a job
   * run again after its append was stored (its delete failed, or the instance died in between),
   * or after a first attempt that was stored but reported failed, finds the entry under that
   * key and appends nothing.
   */
  async appendRetried(event: AuditEvent & { idempotencyKey: string }): Promise<void> {
    await this.audit.append(event);
  }

  /**
   * Starts the work for a request without waiting for it; a second call while it runs is a no-op.
   * `swept`: picked up by a resume sweep rather than right after its decision was recorded (an
   * approval whose entry a stopped process left unwritten is audited first: decision-entry-net.ts).
   */
  schedule(requestId: string, options: { swept?: boolean } = {}): Promise<void> {
    // Shutting down: the request stays approved in the store, where the next start, or another
    // instance once no lease holds it, picks it up (resumeInterrupted).
    if (this.closed) return Promise.resolve();
    const running = this.inFlight.get(requestId);
    // A sweep's run may leave a decision whose entry it did not find yet (decision-entry-net.ts
    // `wait`): the click that decided it, scheduling now with its entry written, runs it after.
    if (running && !options.swept && this.swept.has(requestId)) return running.then(() => this.schedule(requestId));
    if (running) return running;
    if (options.swept) this.swept.add(requestId);
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      // The crash line is written inside the run's correlation, so it carries the reference the
      // run's other lines (and its cards) carry.
      .then(() =>
        withCorrelation(
          () =>
            this.run(requestId, options.swept === true).catch((err) =>
              this.log.error({ err, requestId }, 'execution crashed'),
            ),
          `exec-${requestId}`,
        ),
      )
      .finally(() => {
        this.inFlight.delete(requestId);
        this.swept.delete(requestId);
      });
    this.inFlight.set(requestId, work);
    return work;
  }

  /** The runs in flight that a resume sweep started (see {@link schedule}). */
  private readonly swept = new Set<string>();

  /** Resolves when all scheduled work has finished (tests; shutdown uses {@link close}). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Shutdown: starts nothing more (a resume sweep still awaiting its store read when the process
   * was told to stop would otherwise start a run after the drain, cut off by the exit with its
   * lease held) and waits for what runs.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    await this.drain();
  }

  /** Aborted by {@link close}: what runs in a wait it may leave (RunContext.stopping) stops. */
  private readonly closing = new AbortController();

  /**
   * Picks up requests approved or started but not finished: at start, and periodically, so a
   * run whose instance died is taken over once its lease expired. A run another live instance
   * holds is left alone (its lease refuses us). Returns how many were examined.
   */
  resumeInterrupted(): Promise<number> {
    // One listing at a time: the sweep comes every half lease TTL, and a slow store (Tables
    // retrying for a minute) would otherwise pile up listings of up to 1,000 requests each. A
    // call during a listing shares it; the runs it schedules are deduplicated by `schedule`.
    this.resuming ??= this.store
      .listByState(['approved', 'executing'], 1000)
      .then((interrupted) => {
        for (const r of interrupted) void this.schedule(r.id, { swept: true });
        return interrupted.length;
      })
      .finally(() => {
        this.resuming = undefined;
      });
    return this.resuming;
  }

  private resuming?: Promise<number>;

  /**
   * The periodic resume sweep ({@link resumeInterrupted} every {@link resumeIntervalMs}). Never
   * throws: a failed listing is logged sparingly (a store outage would otherwise log a line every
   * half lease TTL per instance), and the next sweep tries again.
   */
  resumeSweep(): Promise<void> {
    return this.resumeInterrupted().then(
      () => this.resumeLog.succeeded(),
      (err: unknown) => this.resumeLog.failed(err),
    );
  }

  /** Made on first use, as {@link outcomeNet}. */
  private get resumeLog(): SweepFailureLog {
    return (this.resumeFailures ??= new SweepFailureLog(
      this.log,
      () => this.clock.now().getTime(),
      RESUME_SWEEP_MESSAGES,
    ));
  }

  private resumeFailures?: SweepFailureLog;

  /**
   * The net for outcomes a stopped process left untold (outcome-told-net.ts): at start, and with
   * every resume sweep (a full pass at most every `atMostEveryMs`; in between, only the runs a
   * pass found held by another lease). One pass at a time; tracked like a run, so a shutdown
   * waits for it. Never throws: the pass logs its own failures (sparingly), and a full pass whose
   * listing failed is a full one again at the next resume sweep.
   */
  tellUntoldOutcomes(options: { atMostEveryMs?: number } = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    const running = this.inFlight.get(OUTCOME_NET_RUN);
    if (running) return running;
    const work = this.outcomeNet
      .pass(options)
      // The pass logs its store failures itself; only a fault in its own code comes here (an
      // unhandled rejection would end the process: the resume sweep calls this without waiting).
      .then(
        () => undefined,
        (err: unknown) =>
          this.log.error({ err }, 'the untold-outcome pass failed unexpectedly; the next resume sweep tries again'),
      )
      .finally(() => this.inFlight.delete(OUTCOME_NET_RUN));
    this.inFlight.set(OUTCOME_NET_RUN, work);
    return work;
  }

  /** How final states are told and the telling recorded (the save's, and the net's). */
  private get telling(): OutcomeTelling {
    return { notifier: this.notifier, audit: this.audit, log: this.log, auditRetry: this.auditRetry };
  }

  /** Made on first use: a field initialiser would run before the constructor's parameters are set. */
  private get outcomeNet(): OutcomeNet {
    return (this.net ??= new OutcomeNet({
      ...this.telling,
      audit: this.audit,
      store: this.store,
      exec: this.exec,
      clock: this.clock,
      runningHere: (requestId) => this.inFlight.has(requestId),
    }));
  }

  private net?: OutcomeNet;

  private async run(requestId: string, swept: boolean): Promise<void> {
    const lease = await this.exec.leases.acquire(executionLeaseKey(requestId), this.exec.owner, this.exec.ttlMs);
    if (!lease) return; // another instance runs it; if it dies, its lease expires and a sweep takes over
    const guard = new LeaseGuard(this.exec, lease, this.log, { requestId }, () => this.clock.now());
    try {
      await this.runLeased(requestId, guard, swept);
    } catch (err) {
      // Still executing in the store (marked waiting, logged once: markWaiting): the lease is
      // released below, so the next resume sweep (any instance) runs it again.
      if (err instanceof RunInterrupted) return;
      if (!(err instanceof LeaseLostError)) throw err;
      // Someone else took over (we were too slow to renew), or the store failed a renewal with too
      // little of the lease left to write safely: stop here; the holder, or the next resume pass
      // once the lease is free, finishes it.
      this.log.warn(
        { requestId, err },
        'execution lease lost (or too near its expiry to write); another instance or the next resume pass continues this request',
      );
    } finally {
      await guard.stop();
    }
  }

  private async runLeased(requestId: string, guard: LeaseGuard, swept: boolean): Promise<void> {
    let request = await this.store.get(requestId);
    if (!request || (request.state !== 'approved' && request.state !== 'executing')) return;
    const resumed = request.state === 'executing';
    if (resumed) {
      // Fence: a version bump under our lease makes every later conditional write of an earlier
      // holder (still running somewhere, paused) fail, so it can record nothing more.
      await guard.check();
      const claimed: AccessRequest = { ...request, version: request.version + 1 };
      try {
        await this.store.update(claimed);
      } catch (err) {
        if (err instanceof VersionConflictError) return; // moved on meanwhile: nothing to resume here
        throw err;
      }
      request = claimed;
    }
    const targets = [request.plan.cluster.id, request.plan.registry.id];
    const tenantId = request.tenantId;
    const record = async (
      event: Pick<AuditEvent, 'action' | 'outcome' | 'targetIds' | 'detail' | 'correlationIds' | 'idempotencyKey'>,
    ) => {
      await guard.check();
      await this.audit.append({ ...event, actor: ACRBOT_ACTOR, tenantId, requestId });
    };
    // A run picked up by a sweep before it started: its decision's entry first, if a stopped
    // process left it unwritten (G11); while that decision is recent, a later sweep decides.
    if (swept && !resumed) {
      const audited = await this.decisionAudited(request, guard);
      if (!audited) return;
      request = audited;
    }
    // A run picked up too long after its approval (runLimitMs) is failed, not carried out: most
    // likely a store restored from a backup brought it back, and its access may have been ended since.
    if (this.tooOld(request)) {
      await this.failTooOld(request, guard, record, targets, resumed);
      return;
    }
    // Only a run that has not started: a resumed one may have written in Azure already, and is
    // finished (its writes recorded) rather than left half done.
    const paused = resumed ? undefined : await this.pauses?.current();
    if (paused) {
      const error = pausedRefusal(
        paused,
        `Request ${requestId} was approved but had not started, so acrbot made no change in Azure; ask again once new access is resumed.`,
        false,
      );
      await this.refuseToStart(request, guard, record, targets, error, 'access.paused');
      return;
    }
    try {
      // A run that waits (it stopped, was audited and told once) is resumed at every sweep until
      // it can go on: those resumes are not audited each time; what they change is.
      if (!request.waiting)
        await record({
          action: resumed ? 'execution.resumed' : 'execution.started',
          outcome: 'executing',
          targetIds: targets,
          // Names the decision, so even if the process died between the decision's conditional
          // write and its audit entry, no Azure write happens without a durable entry saying why.
          detail: request.decision
            ? `approved by ${request.decision.by.name} (${request.decision.by.objectId})`
            : undefined,
        });
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      if (resumed) throw this.resumeLater(requestId, 'the audit log could not be written', err);
      await this.notStarted(
        request,
        guard,
        'audit.unavailable',
        "The audit log could not be written, so acrbot made no change in Azure; try again once the bot's storage is healthy.",
      );
      return;
    }
    if (!resumed) {
      const started = await this.write(request, guard, { type: 'start', at: this.clock.now() });
      if (!started) return;
      request = started;
    }
    try {
      // Before any write in Azure: the cards say "executing" and the lifecycle schedules a
      // provisional end (G17). A resumed run does this again, as its first holder may have
      // stopped before it; not one that waits, whose first holder got past it (told again at
      // every resume, the requester would hear "approved" each time). If the end cannot be
      // scheduled, nothing is changed in Azure.
      if (!request.waiting) await this.notifier.requestChanged(request);
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      if (resumed) throw this.resumeLater(requestId, 'the end of the access could not be scheduled', err);
      this.log.error({ err, requestId }, 'the end of the access could not be scheduled; nothing changed in Azure');
      await this.refuseToStart(
        request,
        guard,
        record,
        targets,
        "acrbot could not schedule the end of this access, so it made no change in Azure; try again once the bot's storage is healthy.",
        'schedule.unavailable',
        'the end of the access could not be scheduled',
      );
      return;
    }
    // After the first write an audit failure must not turn a done change into "failed": the
    // entry is handed to a retry job and the run goes on (the outcome stays truthful).
    const recordOrRetry = async (
      event: Pick<AuditEvent, 'action' | 'outcome' | 'targetIds' | 'detail' | 'correlationIds' | 'idempotencyKey'>,
    ) => {
      // One key for this entry, from the first attempt on: a failed attempt may still have been
      // stored (no answer from the store), and the retry job appends under the same key, so the
      // entry is written once however many attempts it takes. The runner's own key, when it
      // gives one, names a fact another writer may record too (credential-cleanup.ts).
      const keyed = { ...event, idempotencyKey: event.idempotencyKey ?? randomUUID() };
      try {
        await record(keyed);
      } catch (err) {
        // Taken over by another instance: stop; the new holder writes the rest.
        if (err instanceof LeaseLostError) throw err;
        const full = { ...keyed, actor: ACRBOT_ACTOR, tenantId, requestId };
        this.log.error({ err, requestId, action: event.action }, 'audit write failed; scheduling an audit.retry');
        if (!this.auditRetry) throw err;
        await this.auditRetry(full).catch((retryErr: unknown) =>
          this.log.error(
            { err: retryErr, requestId, lostAuditEvent: full },
            'audit entry could not be scheduled for retry',
          ),
        );
      }
    };
    const runner = request.plan.kind === 'grant' ? this.runners.grant : this.runners.secret;
    let event: RequestEvent;
    let current = request;
    const recordCreated = async (object: Omit<CreatedObject, 'recordedAt'>) => {
      const entry: CreatedObject = { ...object, recordedAt: this.clock.now().toISOString() };
      const same = (o: CreatedObject) =>
        o.kind === entry.kind &&
        ((entry.name !== undefined && o.name === entry.name) || (!!entry.id && o.id === entry.id));
      const next: AccessRequest = {
        ...current,
        version: current.version + 1,
        created: [...(current.created ?? []).filter((o) => !same(o)), entry],
      };
      // A conditional write like every other: if someone else moved the request (or took the
      // run over), the run stops before creating anything it could not record.
      await guard.check();
      await this.store.update(next);
      current = next;
    };
    try {
      if (!runner) throw new Error(`no runner for ${request.plan.kind}`);
      // The child logger is made on first use: a pino child runs the redaction over its bindings
      // (~15 KiB of garbage per run in the P8 heap profile), and a run that goes well logs nothing.
      const parentLog = this.log;
      let runLog: Logger | undefined;
      const outcome = await runner.run(request, {
        requestId,
        audit: recordOrRetry,
        recordCreated,
        created: () => [...(current.created ?? [])],
        checkLease: () => guard.check(),
        stopping: this.closing.signal,
        get log() {
          return (runLog ??= parentLog.child({ requestId }));
        },
      });
      event = { type: 'succeed', at: this.clock.now(), outcome };
    } catch (err) {
      if (err instanceof RunInterrupted) await this.markWaiting(current, guard, err);
      if (err instanceof LeaseLostError || err instanceof RunInterrupted) throw err;
      event = { type: 'fail', at: this.clock.now(), outcome: failureOutcome(err, requestId) };
      if (!isUserFacing(err) && !(err instanceof RunFailure))
        this.log.error({ err, requestId }, 'execution failed unexpectedly');
    }
    await recordOrRetry({
      action: event.type === 'succeed' ? 'request.succeeded' : 'request.failed',
      outcome: event.type === 'succeed' ? 'succeeded' : 'failed',
      targetIds: targets,
      detail: event.outcome.error ?? withAccessEnd(event.outcome.summary, current, event),
      correlationIds: event.outcome.azureRequestIds,
      // Names the request: the outcome net tells a run whose final entry has such a key and whose
      // telling was not recorded (outcome-told-net.ts).
      idempotencyKey: outcomeEntryKey(requestId),
    }).catch((err: unknown) => {
      if (err instanceof LeaseLostError) throw err;
      this.log.error({ err, requestId }, 'audit write failed after execution');
    });
    await this.save(current, guard, event);
  }

  /** Whether `request` was approved longer ago than a run of its kind may be carried out ({@link runLimitMs}). */
  private tooOld(request: AccessRequest): boolean {
    const approvedAt = Date.parse(request.decision?.at ?? request.updatedAt);
    return this.clock.now().getTime() - approvedAt > runLimitMs(request.plan.kind);
  }

  /**
   * Fails a run picked up too long after its approval ({@link runLimitMs}) instead of carrying it
   * out, audited (`request.failed`) like any failed run, the cards told. One that never started
   * changed nothing in Azure ("Not started"). A resumed one leaves what its earlier attempt
   * recorded as created to the clean-up of a failed run: a grant's role assignment to the
   * lifecycle, which deletes what Azure made (as an unconfirmed grant's), a secret's credential to
   * its clean-up job. Logged once, as a warning: the run ends here.
   */
  private async failTooOld(
    request: AccessRequest,
    guard: LeaseGuard,
    record: RunAuditRecorder,
    targets: string[],
    resumed: boolean,
  ): Promise<void> {
    const approvedAt = request.decision?.at ?? request.updatedAt;
    const hours = runLimitMs(request.plan.kind) / 3_600_000;
    this.log.warn(
      { requestId: request.id, approvedAt, resumed },
      'a run picked up too long after its approval was failed instead of carried out',
    );
    const why = `interrupted too long ago to resume safely (approved at ${formatUtc(approvedAt)}, more than ${hours} hours ago; a store restored from a backup brings back runs whose access may have been ended since)`;
    if (!resumed) {
      const error = `Request ${request.id} was ${why}, and had not started, so acrbot made no change in Azure; ask again.`;
      await this.refuseToStart(request, guard, record, targets, error, 'run.tooOld');
      return;
    }
    const { sentence, ...left } = leftByEarlierAttempt(request);
    const outcome: Outcome = {
      summary: 'Failed',
      azureRequestIds: [],
      error: `The run of request ${request.id} was ${why}, so acrbot did not finish it; ask again.${sentence}`,
      errorCode: 'run.tooOld',
      ...left,
    };
    await record({
      action: 'request.failed',
      outcome: 'failed',
      targetIds: targets,
      detail: outcome.error,
      idempotencyKey: outcomeEntryKey(request.id),
    }).catch((auditErr: unknown) => {
      if (auditErr instanceof LeaseLostError) throw auditErr;
      this.log.error({ err: auditErr, requestId: request.id }, 'audit write failed after a run too old to resume');
    });
    await this.save(request, guard, { type: 'fail', at: this.clock.now(), outcome });
  }

  /**
   * `request` once its approval is in the audit log, its entry written late when a stopped process
   * left it out (decision-entry-net.ts); undefined: too recent to tell, or moved meanwhile, so a
   * later sweep looks again. A failed write leaves the run to the next sweep too.
   *
   * Fenced first: the version is moved under this run's lease before the entry is written, so the
   * click's own undo (its entry failed: RequestAudit.recordOrUndo) can no longer take back an
   * approval this entry records; a click whose entry is still being written meets this one's key
   * and writes nothing more (one `request.approved`, G8).
   */
  private async decisionAudited(request: AccessRequest, guard: LeaseGuard): Promise<AccessRequest | undefined> {
    try {
      const state = await decisionEntryState(request, this.audit, this.clock.now());
      if (state === 'wait') return undefined;
      if (state === 'recorded' || !request.decision) return request;
      await guard.check();
      const fenced: AccessRequest = { ...request, version: request.version + 1 };
      try {
        await this.store.update(fenced);
      } catch (err) {
        if (err instanceof VersionConflictError) return undefined; // undone, or run by another: look again
        throw err;
      }
      await this.audit.append(lateDecisionEntry({ ...fenced, decision: request.decision }));
      this.log.warn(
        { requestId: request.id },
        "an approval's audit entry was missing (its process stopped after storing it) and was written before the run",
      );
      return fenced;
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      throw this.resumeLater(request.id, "the approval's missing audit entry could not be written", err);
    }
  }

  /**
   * A resumed run that cannot get going (its audit entry or the end of its access cannot be
   * written): not failed with "no change was made in Azure", which an earlier attempt may have
   * made untrue (an assignment or a credential in place), but left executing for the next
   * resume sweep, logged here once per attempt (it never reaches {@link markWaiting}).
   */
  private resumeLater(requestId: string, what: string, err: unknown): RunInterrupted {
    this.log.error({ err, requestId }, `${what} as the run resumed; it is resumed again later`);
    return new RunInterrupted(`resumed run stopped: ${what}`, { cause: err });
  }

  /**
   * A run that stopped without finishing ({@link RunInterrupted}): the first time, the request is
   * marked waiting (since when, why, the reference of its log lines), every card says so and the
   * log has one line; a later resume that stops again changes nothing and tells nobody (a debug
   * line). This is the one line for the interruption: its `err` carries why (the message) and
   * the failure behind it (the cause), and the thrower does not log it as well. A warning, not an
   * error: nothing failed yet, the run is resumed. Never throws: the run stays executing and is
   * resumed whatever becomes of the mark.
   */
  private async markWaiting(request: AccessRequest, guard: LeaseGuard, err: RunInterrupted): Promise<void> {
    const requestId = request.id;
    if (request.waiting) {
      this.log.debug({ err, requestId }, 'execution interrupted again; it is resumed later');
      return;
    }
    this.log.warn({ err, requestId }, 'execution interrupted; it is resumed later');
    const next: AccessRequest = {
      ...request,
      version: request.version + 1,
      waiting: {
        since: this.clock.now().toISOString(),
        reason: err.notice ?? 'acrbot could not finish this run yet; it tries again shortly.',
        reference: currentCorrelationId() ?? requestId,
      },
    };
    try {
      await guard.check();
      await this.store.update(next);
    } catch (markErr) {
      // Taken over, or the store is down: the next resume marks it.
      this.log.warn({ err: markErr, requestId }, 'the waiting run could not be marked; the next resume tries again');
      return;
    }
    await this.notifier
      .requestChanged(next, { markOnly: true })
      .catch((notifyErr: unknown) =>
        this.log.error({ err: notifyErr, requestId }, 'the cards of a waiting run could not be updated'),
      );
  }

  /**
   * Fails a run before its first Azure write, audited (`request.failed`, with `auditDetail` or
   * the error); an audit failure is logged and the run is failed all the same: nothing was done.
   */
  private async refuseToStart(
    request: AccessRequest,
    guard: LeaseGuard,
    record: RunAuditRecorder,
    targets: string[],
    error: string,
    errorCode: string,
    auditDetail = error,
  ): Promise<void> {
    await record({
      action: 'request.failed',
      outcome: 'failed',
      targetIds: targets,
      detail: auditDetail,
      idempotencyKey: outcomeEntryKey(request.id),
    }).catch((auditErr: unknown) => {
      if (auditErr instanceof LeaseLostError) throw auditErr;
      this.log.error({ err: auditErr, requestId: request.id }, 'audit write failed after a refused execution');
    });
    await this.notStarted(request, guard, errorCode, error);
  }

  /** Fails a run before its first Azure write: "Not started", with why and what to do. */
  private async notStarted(request: AccessRequest, guard: LeaseGuard, errorCode: string, error: string): Promise<void> {
    await this.save(request, guard, {
      type: 'fail',
      at: this.clock.now(),
      outcome: { summary: 'Not started', azureRequestIds: [], error, errorCode },
    });
  }

  /** Writes a transition under the lease; undefined when the request moved on meanwhile. */
  private async write(
    request: AccessRequest,
    guard: LeaseGuard,
    event: RequestEvent,
  ): Promise<AccessRequest | undefined> {
    const next = transition(request, event);
    await guard.check();
    try {
      await this.store.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError) {
        this.log.warn({ requestId: request.id }, 'request changed during execution; leaving it');
        return undefined;
      }
      throw err;
    }
    return next;
  }

  /**
   * Writes a final transition, then tells the cards and the lifecycle, and records that it did
   * (`request.outcome.told`, outcome-told-net.ts; still under the run's lease, so the net of
   * another instance waits for it). Card failures are logged by the notifier; what reaches here
   * is the lifecycle's (the end's job or an extension), logged and not thrown: the request's
   * state is already true, and the provisional end scheduled before the Azure write still stands.
   */
  private async save(
    request: AccessRequest,
    guard: LeaseGuard,
    event: RequestEvent,
  ): Promise<AccessRequest | undefined> {
    const next = await this.write(request, guard, event);
    if (!next) return undefined;
    await tellOutcome(this.telling, next);
    return next;
  }
}

/**
 * What a resumed run failed before finishing leaves to the clean-up of a failed run, by what its
 * earlier attempt recorded as created (G15), in the runners' words for a resumed run that fails: a
 * grant's role assignment (the lifecycle deletes an unconfirmed grant's, if Azure made it), a
 * secret's credential (its clean-up job deletes it; the secret may hold it when that attempt began
 * writing it). `sentence` follows the error; empty, with nothing else, when nothing was recorded.
 */
function leftByEarlierAttempt(
  request: AccessRequest,
): Pick<Outcome, 'errorCode' | 'cleanup' | 'credentialRef'> & { sentence: string } {
  const created = request.created ?? [];
  const plan = request.plan;
  if (plan.kind === 'grant') {
    if (!created.some((c) => c.kind === 'roleAssignment' && c.name === plan.roleAssignmentName))
      return { sentence: '' };
    return {
      errorCode: UNCONFIRMED_GRANT,
      sentence:
        ' An earlier attempt of this request had already asked Azure for the role assignment, so it may exist: if it does, acrbot deletes it, and nothing is granted.',
    };
  }
  const refs = recordedCredentials(request);
  if (!refs.length) return { sentence: '' };
  const secretId = pullSecretRecordId(plan);
  const began = created.some(
    (o) => (o.kind === 'pullSecretWriteStarted' || o.kind === 'pullSecret') && o.id === secretId,
  );
  const promise = refs.every((ref) => ref.kind === 'sp' && !ref.applicationId)
    ? CLEANUP_PROMISES.earlierUnanswered
    : CLEANUP_PROMISES.earlierRecorded;
  const held = began
    ? ` That attempt began writing secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}, which may therefore hold the credential and stop working without it: look at that secret, and delete it if it names this request.`
    : '';
  return { cleanup: 'pending', credentialRef: JSON.stringify(refs), sentence: ` ${promise}${held}` };
}

/** The Azure request id of the refusal behind a failure (its `cause` chain), for the card and the audit entry. */
function azureRequestIdsOf(err: unknown): string[] {
  for (const e of causesOf(err)) if (e instanceof CloudApiError && e.requestId) return [e.requestId];
  return [];
}

/**
 * The outcome a failed run stores, which cards and the audit entry show. Its error may quote what
 * Azure, Graph or a cluster answered (a runner's explanation, a user-facing error's message):
 * secrets inside it are scrubbed here, where every failed run's outcome is made (G12).
 */
function failureOutcome(err: unknown, requestId: string): Outcome {
  if (err instanceof RunFailure)
    return err.outcome.error === undefined ? err.outcome : { ...err.outcome, error: scrubSecrets(err.outcome.error) };
  if (isUserFacing(err))
    return {
      summary: 'Failed',
      azureRequestIds: azureRequestIdsOf(err),
      error: scrubSecrets(err.message),
      errorCode: err.code,
    };
  return {
    summary: 'Failed',
    azureRequestIds: [],
    error: `Something unexpected went wrong; the platform team can find the details in the bot's logs under reference ${currentCorrelationId() ?? requestId}.`,
    errorCode: 'internal',
  };
}

/**
 * A grant's or secret's `request.succeeded` detail with the end of its access as stored by the
 * success (domain/request.ts: the term starts when access exists, G17), so the trail alone says
 * until when the access was given. Not on an extension's: its `access.extended` entry names the
 * original's new end.
 */
function withAccessEnd(summary: string, request: AccessRequest, event: { type: string; at: Date }): string {
  if (event.type !== 'succeed' || request.extendsRequestId) return summary;
  const endsAt = request.access?.expiresAt ?? accessEndsAt(request.access, event.at);
  return endsAt ? `${summary} Access until ${endsAt}.` : summary;
}
