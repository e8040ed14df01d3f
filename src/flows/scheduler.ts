/**
 * The persisted scheduler: background work (pending-request expiry, access expiry, reminders,
 * approval nudges) as jobs in the {@link ScheduleStore}, run by exactly one instance under the
 * lease `job:<id>`. Jobs survive restarts because they live in the store; a job whose handler
 * throws stays in the store with `attempts`/`lastError` and a later `dueAt` (backoff, or the
 * time it asked for with {@link RetryAt}), and is reported once it keeps failing — it is never
 * dropped silently (G17). A job of a kind this version has no handler for (scheduled by a newer
 * version during a rolling upgrade) is not a failure: it is left for an instance that knows it
 * (see {@link Scheduler}'s `leaveUnknown`).
 *
 * What a run writes back (the failure, or the delete once done) applies only to the job as it
 * was read for the run (conditional on its revision, in the store): anything written meanwhile —
 * the handler moving its own job, another instance's revoke moving it to now with who and why, a
 * cancel — is newer and stays as it is. A run that lost its lease (it expired, another instance
 * took the job over) writes nothing back: the job is that instance's now. A run still going at
 * its time limit is not failed: the sweep goes on without it while it keeps its lease, and writes
 * its outcome back when it settles (scheduler-run-limit.ts).
 */
import type { Clock, JobKind, LeaseLostError, LeaseStore, ScheduledJob, ScheduleStore } from '../domain/ports';
import { UserFacingError } from '../domain/errors';
import { scrubSecrets } from '../domain/secret-text';
import { withCorrelation } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { LeaseGuard, leaseStop } from './lease-guard';
import { bringForwardAfterRecovery } from './scheduler-recovery';
import { passingFailure } from './outage-report-failure';
import { JOBS_AT_ONCE, limitText, runTimeLimitOf } from './scheduler-run-limit';
import { settleWithin } from './settle-within';
import { SweepFailureLog } from './scheduler-sweep-log';
import { SWEEP_MAX_JOBS, sweepDue } from './scheduler-sweep-feed';
import { jitteredMs, spreadOf } from './retry-jitter';

/**
 * The lease a run of a job holds (`job:<id>`), as its handler sees it. A run whose lease was
 * lost (another instance took the job over once it expired) must not make its side effects:
 * the instance holding the lease now runs the same job.
 */
export interface JobRun {
  /**
   * Resolves while the lease is this run's; throws {@link LeaseLostError} once another instance
   * may have taken the job over, or the store failed a renewal with too little of the lease left
   * to write safely (LeaseGuard: the store error is its cause). Call it
   * right before each side effect (a post, a write).
   */
  check(): Promise<void>;
  /** Aborted, with a {@link LeaseLostError} as its reason, once the lease is known to be lost. */
  readonly signal: AbortSignal;
  /**
   * Tells the sweep that the run's urgent work is done (an end written: the access is revoked),
   * and what is left (its notice to the requester, its cards redrawn: Teams, which may throttle)
   * can go on beside the next due job rather than in one of the sweep's {@link JOBS_AT_ONCE}
   * slots. Nothing else changes: the run keeps its lease, its outcome is written back (the job
   * deleted, or its failure recorded) only when the handler settles, and the sweep waits for it
   * before it ends. Absent outside a sweep (`runNow`); does nothing while
   * {@link YIELDED_AT_ONCE} runs that freed their slot are still going, and a second time. True
   * when the slot was freed.
   */
  readonly yieldSlot?: () => boolean;
}

/**
 * Most runs that freed their slot ({@link JobRun.yieldSlot}) going on at once in this process:
 * past it a run keeps its slot, so a mass end's notices reach Teams at most this many (and the
 * slots' own) at a time, not all at once.
 */
export const YIELDED_AT_ONCE = 2 * JOBS_AT_ONCE;

/**
 * Runs one job; throwing means "try again later" (retried with backoff, reported), throwing
 * {@link RetryAt} "try again at this time", {@link OtherRunUnderWay} "not mine to do right now,
 * look again at the next sweep" (no failure). `run` tells whether the run still holds the job's
 * lease; a handler with side effects checks it before each.
 */
export type JobHandler = (job: ScheduledJob, run: JobRun) => Promise<void>;

/**
 * Thrown by a handler whose run failed, to say when to try again: work with a cadence of its own
 * (a daily look, a recurring check) whose next run would be no likelier to succeed at the backoff.
 * The failure is its `cause`, and is recorded, logged and reported as any other (one more
 * attempt, `lastError`); only the next due time differs: `at`, sooner or later than the backoff
 * (a drift check keeps its interval however long it fails), but never sooner than
 * {@link RETRY_AT_FLOOR_MS} after the failure, or the backoff when that is sooner still: a
 * handler asking for "now" cannot make a failing job spin.
 */
export class RetryAt extends Error {
  constructor(
    /** When the job is due again (at the earliest: the floor, see {@link RetryAt}). */
    readonly at: Date,
    cause: unknown,
  ) {
    // Not toISOString: an invalid date must not turn the failure into a RangeError.
    super(`retry at ${at.toJSON() ?? 'the backoff'}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'RetryAt';
  }
}

/**
 * Thrown by a handler whose work another run is doing right now (another revocation of the same
 * access holds its lease: an extended grant's two end jobs, due at the same moment): not a
 * failure of this job, which is neither done nor failing. Nothing is written: the job stays as
 * it was (due, its attempts and last error kept) and runs again at the next sweep, when it finds
 * the work done, or does it itself if that other run failed (G17: nothing dropped, and a job
 * failing for real still has its count, so it is reported as before). Logged at info: an
 * ordinary meeting, not one to alert on.
 */
export class OtherRunUnderWay extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtherRunUnderWay';
  }
}

/** A handler's failure: what failed, and the due time it asked for (a {@link RetryAt}), if any. */
interface RunFailure {
  err: unknown;
  at?: Date;
}

/** `err` as a {@link RunFailure}: a {@link RetryAt} gives its cause and its time (ignored when not a date). */
function runFailure(err: unknown): RunFailure {
  if (!(err instanceof RetryAt)) return { err };
  return Number.isFinite(err.at.getTime()) ? { err: err.cause, at: err.at } : { err: err.cause };
}

/** Told when a job failed `reportAfterAttempts` times (and on every later failure). */
export type JobFailureReporter = (job: ScheduledJob, err: unknown) => Promise<void>;

/** What to schedule. */
export interface JobSpec {
  id: string;
  kind: JobKind;
  dueAt: Date;
  requestId?: string;
  payload?: Record<string, unknown>;
}

/** Scheduler settings. */
export interface SchedulerOptions {
  /** This instance's id (lease owner). */
  instanceId: string;
  /** How often `start()` sweeps (ACRBOT_SWEEP_INTERVAL). */
  sweepIntervalMs: number;
  /** How long a job's lease lasts; another instance takes a job over only after it (ACRBOT_LEASE_TTL). */
  leaseTtlMs: number;
  /** Most due jobs read at once; a sweep reads again as they run low (scheduler-sweep-feed.ts). */
  batchSize?: number;
  /** Most jobs one sweep takes over all its reads (the rest run in the next one); default {@link SWEEP_MAX_JOBS}. */
  maxJobsPerSweep?: number;
  /**
   * Backoff after the n-th failure: at most `backoffMs[min(n-1, last)]`, and at least 80 % of it
   * (see {@link jitteredBackoffMs}).
   */
  backoffMs?: readonly number[];
  /** A number in [0, 1) that spreads the backoff; default {@link spreadOf} the job's id and attempt. */
  random?: () => number;
  /** Failures after which the reporter is called. */
  reportAfterAttempts?: number;
  reporter?: JobFailureReporter;
  /**
   * How far a job of a kind this version does not know is moved on (left for an instance that
   * knows it); default one sweep (`sweepIntervalMs`), or {@link UNKNOWN_KIND_DELAY_MS} without one.
   */
  unknownKindDelayMs?: number;
  /**
   * How long a job's kind may stay unknown to every instance that meets it before it is reported
   * (once); default {@link UNKNOWN_KIND_REPORT_AFTER_MS}.
   */
  unknownKindReportAfterMs?: number;
  /**
   * How long a sweep waits for one run before it goes on without it (the run keeps its lease and
   * writes its outcome back when it settles: see `runLeased`); default {@link
   * JOB_RUN_TIME_LIMIT_MS}, and at least an hour for the estate-wide recurring jobs
   * (`runTimeLimitOf`, scheduler-run-limit.ts).
   */
  runTimeLimitMs?: number;
}

/**
 * The soonest a failed job's {@link RetryAt} time is honoured, after the failure: a handler asking
 * for now (or a past time) is run at most once a minute, not in every sweep. No job with a cadence
 * asks for less (ACRBOT_DRIFT_INTERVAL is at least a minute).
 */
export const RETRY_AT_FLOOR_MS = 60_000;

/** How far a job of an unknown kind is moved on when the scheduler does not sweep on an interval. */
export const UNKNOWN_KIND_DELAY_MS = 30_000;

/**
 * How long a job's kind may stay unknown before it is reported: far longer than a rolling upgrade
 * (minutes), or a canary left running over a weekend, so a rollout never reports; a kind no version
 * knows any more (removed in a later release, or a job only a rolled-back version wrote) is then
 * reported once instead of being moved on silently for ever.
 */
export const UNKNOWN_KIND_REPORT_AFTER_MS = 3 * 24 * 60 * 60_000;

/** Most kinds whose first meeting this process logs (a store full of made-up kinds logs no more). */
const MAX_LOGGED_UNKNOWN_KINDS = 100;

/**
 * A job as the store keeps it, with what an instance that met it without a handler wrote on it.
 * The stores keep a job's fields as one document, so these round-trip; a run by an instance that
 * knows the kind drops them (it is known again), as does `schedule` (a fresh job).
 */
interface StoredJob extends ScheduledJob {
  /** When an instance first met the job without a handler for its kind, since one that knows it last ran it. */
  unknownKindSince?: string;
  /** The job was reported for staying unknown past `unknownKindReportAfterMs` (once per job). */
  unknownKindReported?: boolean;
}

/** 30 s, 1 min, 2 min, 5 min, 15 min, then every 30 min (each up to a fifth shorter, spread by job and attempt). */
export const DEFAULT_JOB_BACKOFF_MS: readonly number[] = [30_000, 60_000, 120_000, 300_000, 900_000, 1_800_000];

/**
 * The largest part of a backoff step {@link jitteredBackoffMs} may take off (a job retried at the
 * longest step is due again between 80 % of it and all of it; the reporter counts on that).
 */
export const JOB_BACKOFF_JITTER = 0.2;

/**
 * The wait before a failed job's next run: `stepMs` less a part of up to a fifth of it.
 * Jobs that failed together (every revocation while ARM was down) then come due over a spread of
 * sweeps instead of all in one, which would meet a recovering service with the same burst.
 * Shorter, never longer: the steps are the promised cadence (reports "about once a day" at the
 * 30-minute step, composition/scheduler.ts), and a fifth keeps them so; `random() = 0` waits
 * the whole step. `random` defaults to {@link spreadOf} the job's id and attempt (retry-jitter.ts).
 */
function jitteredBackoffMs(stepMs: number, random: () => number): number {
  // The end notice's retries spread by the same formula, with a larger part (access-end-notice.ts).
  return jitteredMs(stepMs, JOB_BACKOFF_JITTER, random());
}

/**
 * The correlation id of every line a run of job `jobId` logs: a report of the job to the approvers
 * gives it as the reference to look up.
 */
export function jobCorrelationId(jobId: string): string {
  return `job-${jobId}`;
}

/**
 * The fields every line about one job carries: its request (when it has one) too, so a search of
 * the log by `requestId` finds its jobs' failures (an immediate revoke that failed logs only here).
 */
function jobFields(job: ScheduledJob): { jobId: string; kind: JobKind; requestId?: string } {
  return job.requestId
    ? { jobId: job.id, kind: job.kind, requestId: job.requestId }
    : { jobId: job.id, kind: job.kind };
}

/**
 * When a job that failed at `now` is due again: after `backoffMs`, or at `at` when its handler
 * asked for a time ({@link RetryAt}), sooner or later than the backoff. The handler's time is
 * honoured no sooner than {@link RETRY_AT_FLOOR_MS} after the failure, or the backoff when that is
 * sooner (a first failure's 30 s): a handler that keeps asking for now runs at most once a minute,
 * and never more often than a plain throw would at that attempt. Not the later of the two: a drift
 * check failing for hours would come every 30 minutes (the longest backoff), not at its interval.
 */
function dueAfterFailure(now: number, backoffMs: number, at: Date | undefined): number {
  if (!at) return now + backoffMs;
  return Math.max(at.getTime(), now + Math.min(backoffMs, RETRY_AT_FLOOR_MS));
}

/** Longest error text kept on a job (never a secret: errors are built without them). */
const MAX_ERROR_LENGTH = 500;

/** `job` as the store keeps it, never run yet (no failed attempts). */
function freshJob(job: JobSpec): Omit<ScheduledJob, 'revision'> {
  return {
    id: job.id,
    kind: job.kind,
    dueAt: job.dueAt.toISOString(),
    requestId: job.requestId,
    payload: job.payload,
    attempts: 0,
  };
}

/** Persisted jobs, run once each by one instance. */
export class Scheduler {
  private readonly handlers = new Map<JobKind, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  /** Runs started by this scheduler: each run holds its job's lease as an owner of its own. */
  private runs = 0;
  /** Unknown kinds this process logged meeting (once each: not every sweep). */
  private readonly unknownKindsLogged = new Set<string>();
  /** Sweeps of `start()` that failed, logged sparingly (a store outage is not 120 lines an hour). */
  private readonly sweepLog: SweepFailureLog;
  /** Runs the sweep went on without (past their time limit), until each settles and is written back. */
  private readonly detached = new Set<Promise<void>>();
  /** Runs going on after they freed their sweep's slot ({@link JobRun.yieldSlot}). */
  private yieldedRuns = 0;

  constructor(
    private readonly jobs: ScheduleStore,
    private readonly leases: LeaseStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: SchedulerOptions,
  ) {
    this.sweepLog = new SweepFailureLog(log, () => clock.now().getTime());
  }

  /** Sets the handler for a kind (one per kind; a second registration replaces the first). */
  register(kind: JobKind, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Idempotent by job id: scheduling a job that exists moves it to the new due time and payload
   * and resets its failure count (e.g. an extension moving `access.expire:R-…`). Unconditional,
   * and a new revision: a run of the job under way on any instance then leaves it as written here.
   */
  async schedule(job: JobSpec): Promise<void> {
    await this.jobs.put(freshJob(job));
  }

  /**
   * Writes the job only when none has its id (fresh, as {@link schedule} writes it); false, with
   * nothing written, when one exists. For a writer that found the job missing and must not
   * replace one written since (a revoke confirmed meanwhile, with who and why).
   */
  scheduleIfAbsent(job: JobSpec): Promise<boolean> {
    return this.jobs.putIfAbsent(freshJob(job));
  }

  /**
   * Moves a running job (as it was read for its run) to `dueAt`, keeping its payload and resetting
   * its failure count, only while nobody wrote it since: a revoke confirmed on another instance
   * meanwhile (due now, with who and why) must not be put back to a plain expiry later. False,
   * with nothing written, when it changed; the newer version then stays as it is.
   */
  moveIfUnchanged(job: ScheduledJob, dueAt: Date): Promise<boolean> {
    return this.jobs.putIfUnchanged({ ...job, dueAt: dueAt.toISOString(), attempts: 0 }, job.revision ?? '');
  }

  /** Jobs whose id starts with `prefix`, at most `limit`, in id order (e.g. every review still owed). */
  withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]> {
    return this.jobs.withIdPrefix(prefix, limit);
  }

  /** The job with this id, if it is still scheduled. */
  get(id: string): Promise<ScheduledJob | undefined> {
    return this.jobs.get(id);
  }

  /** Removes a job (no-op when absent). */
  async cancel(id: string): Promise<void> {
    await this.jobs.delete(id);
  }

  /** Runs due jobs once, each under the lease `job:<id>`; returns how many ran (succeeded or failed). */
  async runDue(): Promise<number> {
    // One sweep at a time in this process; a second caller waits for the running one (whose
    // caller gets its failure) and then sweeps.
    while (this.running) await Promise.allSettled([this.running]);
    this.running = this.sweep();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Runs one job now if it is due (e.g. a revoke the user just confirmed), under its lease like
   * a sweep would; false when it is not due, gone, another instance holds it, or this version has
   * no handler for its kind (it is left for an instance that knows it).
   */
  async runNow(id: string): Promise<boolean> {
    const job = await this.jobs.get(id);
    return job ? this.runOne(job) : false;
  }

  /** Sweeps every `sweepIntervalMs` until {@link stop}. */
  start(): void {
    if (this.timer || this.options.sweepIntervalMs <= 0) return;
    this.stopped = false;
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      void this.runDue().then(
        () => this.sweepLog.succeeded(),
        (err: unknown) => this.sweepLog.failed(err),
      );
    }, this.options.sweepIntervalMs);
    this.timer.unref();
  }

  /**
   * Stops sweeping and waits for a running sweep to finish. Runs the sweep went on without (past
   * their time limit: waiting on something that does not answer) are not waited for, or shutdown
   * would wait as long as they hang: they go on, holding their leases, until they settle (then
   * written back as usual, while the store is open) or the process exits; a lease left then lapses
   * after `leaseTtlMs` and the job runs again from the revision it had, on whichever instance
   * meets it first (handlers find work already done and stop).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // Only waits for the sweep to end: the sweep logs each job's failure itself (runDue).
    if (this.running) await Promise.allSettled([this.running]);
    if (this.detached.size)
      this.log.info(
        { detachedRuns: this.detached.size },
        'scheduler stopped with jobs still running past their time limit; not waited for: their leases lapse once the process exits, and the jobs run again then',
      );
  }

  /**
   * One sweep: the due jobs, a batch at a time, {@link JOBS_AT_ONCE} at once (one run stuck on a
   * service that does not answer holds one slot, until its time limit, not the pending requests'
   * expiries and reminders due behind it), reading more as the batch runs low, each job once
   * (scheduler-sweep-feed.ts).
   */
  private async sweep(): Promise<number> {
    // The runs that freed their slot: waited for before the sweep ends, as any run it started.
    const yielded = new Set<Promise<void>>();
    try {
      return await this.sweepFeeding(yielded);
    } finally {
      while (yielded.size) await Promise.allSettled([...yielded]);
    }
  }

  /** {@link sweep}'s feed: `yielded` gathers the runs that freed their slot. */
  private sweepFeeding(yielded: Set<Promise<void>>): Promise<number> {
    return sweepDue({
      read: (limit) => this.jobs.due(this.clock.now(), limit),
      run: (job) =>
        this.runOne(
          job,
          (err) => {
            // A store error around one job (its lease, its re-read, its write-back) must not hold
            // back the other due jobs; this one is still in the store and comes up again.
            this.log.error({ err, ...jobFields(job) }, 'scheduled job could not be run; the sweep goes on');
            return false;
          },
          yielded,
        ),
      stopped: () => this.stopped,
      batchSize: this.options.batchSize ?? 100,
      maxJobs: this.options.maxJobsPerSweep,
    });
  }

  /**
   * Runs one job under its lease; false when another instance holds it or it is gone or not yet
   * due, or of a kind this version does not know (left for an instance that knows it). Everything the run logs — its handler's lines, its lease's renewal warnings, its failure
   * and write-back lines, `onError`'s — carries the correlation id `job-<id>`, the reference a
   * report of the failing job gives (composition/scheduler.ts).
   */
  private runOne(
    candidate: ScheduledJob,
    onError?: (err: unknown) => boolean,
    yielded?: Set<Promise<void>>,
  ): Promise<boolean> {
    return withCorrelation(async () => {
      try {
        return await this.runLeased(candidate, yielded);
      } catch (err) {
        if (!onError) throw err;
        return onError(err);
      }
    }, jobCorrelationId(candidate.id));
  }

  /**
   * Takes the job's lease and runs it ({@link runHeld}), waiting at most its time limit. A run
   * still going then is detached: this returns (the sweep's slot goes to the next due job) while
   * the run keeps its lease, renewed as before, until its handler settles; its outcome is then
   * written back as any run's (done, failed with backoff and report) and only then is the lease
   * released. So no sweep, here or on another instance, starts the job again meanwhile: they find
   * its lease held. In a sweep (`yielded`), a handler may free its slot sooner
   * ({@link JobRun.yieldSlot}): this returns then, and the rest of its run goes on as a run past
   * its limit does, added to `yielded` for the sweep to wait for until the same time limit, still
   * counted from the run's start.
   */
  private async runLeased(candidate: ScheduledJob, yielded?: Set<Promise<void>>): Promise<boolean> {
    // A lease is re-entrant for its owner: each run is an owner of its own, so a job the sweep
    // is running is not run a second time at once by `runNow` (a revoke confirmed meanwhile).
    const owner = `${this.options.instanceId}#${++this.runs}`;
    const lease = await this.leases.acquire(`job:${candidate.id}`, owner, this.options.leaseTtlMs);
    if (!lease) return false;
    // Long handlers (a revocation retrying Azure) keep their lease alive.
    const run = new LeaseGuard(
      { leases: this.leases, ttlMs: this.options.leaseTtlMs },
      lease,
      this.log,
      // Named as the scheduler's own lines name the job (its request, its kind): the guard's
      // warning of a lapsed lease is often the only line saying why a run stopped.
      jobFields(candidate),
      () => this.clock.now(),
      { what: 'job lease' },
    );
    const startedAt = this.clock.now().getTime();
    let freeSlot: (() => void) | undefined;
    const slotFreed = new Promise<'slotFreed'>((resolve) => (freeSlot = () => resolve('slotFreed')));
    const jobRun: JobRun = {
      check: () => run.check(),
      get signal() {
        return run.signal;
      },
      ...(yielded && {
        yieldSlot: () => {
          if (!freeSlot || this.yieldedRuns >= YIELDED_AT_ONCE) return false;
          // Counted from here until the rest of the run settles (below): the race below sees
          // the slot freed first, as the run settles only after its handler returns.
          this.yieldedRuns++;
          freeSlot();
          freeSlot = undefined;
          return true;
        },
      }),
    };
    const ran = this.runHeld(candidate, run, owner, jobRun).finally(() => run.stop());
    const limitMs = runTimeLimitOf(candidate.kind, this.options.runTimeLimitMs);
    const inTime = await settleWithin(yielded ? Promise.race([ran, slotFreed]) : ran, limitMs);
    // Freed once at most, and only while the sweep waits on this call (not once detached).
    freeSlot = undefined;
    if (inTime.late) {
      this.detach(candidate, ran, limitMs, startedAt);
      return true;
    }
    if (inTime.value !== 'slotFreed') return inTime.value;
    // The slot is the next job's; the rest of the run is waited for by the sweep, within what is
    // left of its time limit (one deadline from its start, not a fresh one: past it, detached),
    // and its store errors logged as a sweep's.
    const leftMs = Math.max(0, limitMs - (this.clock.now().getTime() - startedAt));
    const rest = settleWithin(ran, leftMs)
      .then(
        (late) => void (late.late && this.detach(candidate, ran, limitMs, startedAt)),
        (err: unknown) =>
          void this.log.error({ err, ...jobFields(candidate) }, 'scheduled job could not be run; the sweep goes on'),
      )
      .finally(() => {
        this.yieldedRuns--;
        yielded!.delete(rest);
      });
    yielded!.add(rest);
    return true;
  }

  /** Keeps track of a run the sweep went on without, and logs when it passed its limit and when it settles. */
  private detach(job: ScheduledJob, ran: Promise<boolean>, limitMs: number, startedAt: number): void {
    this.log.warn(
      { ...jobFields(job), limitMs },
      `scheduled job still running after ${limitText(limitMs)}; the sweep goes on without it`,
    );
    const settled = ran.then(
      () =>
        this.log.info(
          { ...jobFields(job), runMs: this.clock.now().getTime() - startedAt },
          'scheduled job that ran past its time limit has settled; its outcome is written back',
        ),
      (err: unknown) =>
        // The store failed around its write-back (as `onError` in a sweep): the job is still
        // in the store as it was, and comes up again once its lease is free.
        this.log.error({ err, ...jobFields(job) }, 'scheduled job could not be run; the sweep goes on'),
    );
    this.detached.add(settled);
    void settled.finally(() => this.detached.delete(settled));
  }

  /** Runs the job under `run`'s lease and writes its outcome back; `runLeased` releases the lease. */
  private async runHeld(candidate: ScheduledJob, run: LeaseGuard, owner: string, jobRun: JobRun): Promise<boolean> {
    // Re-read under the lease: another instance may have run (and deleted) or moved it meanwhile.
    const stored: StoredJob | undefined = await this.jobs.get(candidate.id);
    if (!stored || Date.parse(stored.dueAt) > this.clock.now().getTime()) return false;
    const handler = this.handlers.get(stored.kind);
    if (!handler) {
      await this.leaveUnknown(stored);
      return false;
    }
    // This instance knows the kind: whatever one that did not wrote on the job goes with its
    // next write (a failure recorded, a move by its handler).
    const { unknownKindSince: _since, unknownKindReported: _reported, ...job } = stored;
    let failure: RunFailure | undefined;
    try {
      await handler(job, jobRun);
    } catch (err) {
      failure = runFailure(err);
    }
    // Lost while it ran: the instance holding the lease now runs the same job from the same
    // revision. Deleting it or writing a failure here would take the job from under that run
    // (its failure then not recorded, or a finished job run once more), so nothing is written.
    if (!(await run.stillHeld())) {
      // A handler stopped by its lease check failed with the loss itself: an operational event
      // (a stall, a store outage, a take-over), not a failure to act on. Still one line: the
      // guard warns only of a lapse or an outage, not of a take-over the store refused to renew.
      // One that met its work under way in another run (OtherRunUnderWay) did not fail either.
      if (failure && (leaseStop(failure.err) !== undefined || failure.err instanceof OtherRunUnderWay))
        this.log.warn(
          { err: failure.err, ...jobFields(job) },
          'scheduled job stopped when its lease was lost; not recorded: the instance holding the lease owns the job now',
        );
      else if (failure)
        this.log.error(
          { err: failure.err, ...jobFields(job) },
          'scheduled job failed after its lease was lost; not recorded: the instance holding the lease owns the job now',
        );
      else
        this.log.warn(
          jobFields(job),
          'scheduled job done after its lease was lost; left to the instance holding the lease now',
        );
      return true;
    }
    // Stopped by a lease check while the job's lease held: another lease of its run (the access
    // lease, whose TTL is its own) lapsed or was taken. An operational stop as the job lease's
    // own loss is, not the work failing: no attempt counted, no backoff, nothing reported. Left
    // as it is (due), so the next sweep runs it again once its leases are free (`runLeased`
    // releases the job's). A store failing renewals (too near the expiry, or until it passed) is
    // a failure as before: backed off and, if it lasts, reported, rather than retried at every sweep.
    // Its work is another run's right now (an extended grant's two end jobs): not a failure, so
    // nothing is written (its count kept for a failure that is real) and it stays due.
    if (failure?.err instanceof OtherRunUnderWay) {
      this.log.info(
        { err: failure.err, ...jobFields(job) },
        'scheduled job found its work under way in another run; not a failure: it runs again at the next sweep',
      );
      return true;
    }
    if (failure && leaseStop(failure.err) === 'lost') {
      this.log.warn(
        { err: failure.err, ...jobFields(job) },
        'scheduled job stopped at a lease check; not recorded as a failure: it runs again at the next sweep',
      );
      return true;
    }
    if (failure) {
      await this.failed(job, failure);
      return true;
    }
    await this.done(job);
    // Its dependency answers again: the jobs of its kind that failed with it need not wait out
    // their backoff (up to 30 minutes) to end access.
    await bringForwardAfterRecovery(
      {
        jobs: this.jobs,
        leases: this.leases,
        log: this.log,
        owner,
        sweepIntervalMs: this.options.sweepIntervalMs > 0 ? this.options.sweepIntervalMs : UNKNOWN_KIND_DELAY_MS,
      },
      job,
      this.clock.now().getTime(),
    );
    return true;
  }

  /**
   * Leaves a job of a kind this version has no handler for to an instance that knows it: a newer
   * version scheduled it during a rolling upgrade, and runs it once it meets it. Not a failure: no
   * attempt is counted (a newer instance's count and last error stay as they are), nothing is
   * reported, and the job is never deleted. It is moved one sweep on (so it does not come up
   * again in every sweep, nor crowd the batch of due jobs this instance can run), under its
   * revision like any write-back. The first meeting of a kind is logged once per process.
   *
   * Bounded: a kind no version knows any more (removed in a later release) would be moved on for
   * ever. The job records when it was first met unknown; once that is `unknownKindReportAfterMs`
   * ago, it is reported once (logged as an error for operators, and given to the reporter), and
   * from then on moved on at the longest backoff: still kept, for an operator to remove, or for a
   * version that knows it (a rollback) to run.
   */
  private async leaveUnknown(job: StoredJob): Promise<void> {
    const now = this.clock.now().getTime();
    const firstMet = Date.parse(job.unknownKindSince ?? '');
    const since = Number.isFinite(firstMet) ? Math.min(firstMet, now) : now;
    const reportAfter = this.options.unknownKindReportAfterMs ?? UNKNOWN_KIND_REPORT_AFTER_MS;
    const report = !job.unknownKindReported && now - since >= reportAfter;
    const backoff = this.options.backoffMs ?? DEFAULT_JOB_BACKOFF_MS;
    const delayMs =
      job.unknownKindReported || report
        ? backoff[backoff.length - 1]
        : (this.options.unknownKindDelayMs ??
          (this.options.sweepIntervalMs > 0 ? this.options.sweepIntervalMs : UNKNOWN_KIND_DELAY_MS));
    const next: StoredJob = {
      ...job,
      unknownKindSince: new Date(since).toISOString(),
      ...(job.unknownKindReported || report ? { unknownKindReported: true } : {}),
      dueAt: new Date(now + delayMs).toISOString(),
    };
    if (!this.unknownKindsLogged.has(job.kind) && this.unknownKindsLogged.size < MAX_LOGGED_UNKNOWN_KINDS) {
      this.unknownKindsLogged.add(job.kind);
      this.log.info(
        { jobId: job.id, kind: job.kind },
        'job kind unknown to this version; its jobs are left for an instance that knows it (a rolling upgrade)',
      );
    }
    if (!(await this.jobs.putIfUnchanged(next, job.revision ?? ''))) {
      this.log.debug({ jobId: job.id, kind: job.kind }, 'job of an unknown kind was written meanwhile; left as it is');
      return;
    }
    if (!report) return;
    const err = new UserFacingError(
      'job.kindUnknown',
      `the job kind ${job.kind} has been unknown to every instance that met it since ${next.unknownKindSince!.slice(0, 16).replace('T', ' ')} UTC: it runs once an instance of a version that knows it meets it, or an operator removes it from the schedule`,
    );
    this.log.error({ err, jobId: job.id, kind: job.kind }, 'job of a kind no instance knows; kept, reported once');
    await this.options
      .reporter?.(next, err)
      .catch((reportErr: unknown) =>
        this.log.error({ err: reportErr, jobId: job.id }, 'reporting a failed job failed'),
      );
  }

  /**
   * Removes a job whose run succeeded: the job as it was read for this run goes, in one
   * conditional delete (no read first). A job written since is newer work and stays for its own
   * due time: the handler moved its own id (a reminder chain, a recurring job), or another
   * instance wrote it while this one ran (a revoke confirmed there, which found this run holding
   * the lease and left it to the job).
   */
  private async done(job: ScheduledJob): Promise<void> {
    try {
      if (!(await this.jobs.deleteIfUnchanged(job.id, job.revision ?? '')))
        this.log.debug(
          { jobId: job.id, kind: job.kind },
          'scheduled job done; it was written or removed while it ran, so the newer version stays',
        );
    } catch (err) {
      // Nothing is recorded on the job: the store just refused a write, so a second one (an
      // attempt counted on a job that succeeded) would most likely fail too, and would make a
      // success look like a failure. The job stays as it was and runs again at the next sweep;
      // handlers find their work done (a revoked grant, a decided request) and stop.
      this.log.error(
        { err, ...jobFields(job) },
        'scheduled job done, but removing it failed; it runs again at the next sweep',
      );
    }
  }

  /**
   * Records a failed run on the job as it was read for the run: one more attempt, the error,
   * whether it was passing (`lastFailurePassing`: the recovery pass brings only such jobs forward),
   * the next due time after the backoff, or at the time the handler asked for ({@link dueAfterFailure}).
   * When the job was written or removed meanwhile, nothing is written and nothing reported: the
   * newer version is other work (a revoke with who and why, an end moved by an extension, a
   * cancel) and keeps the due time and attempts its writer gave it (`schedule` resets the count),
   * so it runs on its own and reports its own failures; carrying this count over would back a
   * just-confirmed revoke off as if it had failed already.
   */
  private async failed(job: ScheduledJob, { err, at }: RunFailure): Promise<void> {
    const attempts = job.attempts + 1;
    const backoff = this.options.backoffMs ?? DEFAULT_JOB_BACKOFF_MS;
    const delayMs = jitteredBackoffMs(
      backoff[Math.min(attempts - 1, backoff.length - 1)],
      this.options.random ?? (() => spreadOf(job.id, attempts)),
    );
    const now = this.clock.now().getTime();
    // For operators (the store, the log line below): the raw text of any error. A report to the
    // approvers shows only what an error meant for users says (composition/scheduler.ts).
    // Stored where operators read it (the schedule): secrets inside the text (a SAS in a storage
    // error's URL) are scrubbed, as in the log line.
    const lastError = scrubSecrets(err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
    const next: ScheduledJob = {
      ...job,
      attempts,
      lastError,
      lastFailurePassing: passingFailure(err) !== undefined,
      dueAt: new Date(dueAfterFailure(now, delayMs, at)).toISOString(),
    };
    let written: boolean;
    try {
      written = await this.jobs.putIfUnchanged(next, job.revision ?? '');
    } catch (writeErr) {
      // Both errors in the one log line: the job's own failure would be lost with a store error alone.
      this.log.error(
        {
          err: new AggregateError([err, writeErr], `job ${job.id} failed and its failure could not be recorded`),
          ...jobFields(job),
          attempts,
        },
        'scheduled job failed, and recording the failure failed too; it runs again at the next sweep',
      );
      return;
    }
    if (!written) {
      this.log.error(
        { err, ...jobFields(job), attempts },
        'scheduled job failed; not written back: it was written or removed while it ran, and the newer version stays as it is',
      );
      return;
    }
    this.log.error({ err, ...jobFields(job), attempts, dueAt: next.dueAt }, 'scheduled job failed; retrying later');
    if (this.options.reporter && attempts >= (this.options.reportAfterAttempts ?? 1)) {
      await this.options
        .reporter(next, err)
        .catch((reportErr: unknown) =>
          this.log.error({ err: reportErr, jobId: job.id }, 'reporting a failed job failed'),
        );
    }
  }
}
