/**
 * The lease of one run (an execution, a revocation, a scheduled job): kept alive while the run
 * works and checked before each of its writes, so a holder that lost it (another instance took
 * the run over) stops before writing.
 */
import type { Lease, LeaseStore } from '../domain/ports';
import { LeaseLostError, LeaseMarginError, LeaseStoreFailedError } from '../domain/ports';
import { causesOf } from '../domain/error-causes';
import type { Logger } from '../observability/logger';

/**
 * A check this soon after the last renewal (a tenth of the TTL) trusts it instead of renewing
 * again: another instance may take the lease only once it expired, which is still at least
 * nine tenths of a TTL away. A grant flow checks six times within a second or two, and each
 * renewal is a write (a SQLite transaction, an Azure Tables request), so this saves most of
 * them (docs/performance.md, P8).
 */
export const FRESH_FRACTION = 0.1;

/**
 * How much of its TTL a lease must still have, by the expiry of its last renewal that succeeded
 * (on the lease store's clock), for a check whose own renewal the store failed to pass: two
 * thirds, so the last success is at most one renewal period (a third of the TTL) old. A check
 * gates an unfenced Azure write (a role assignment PUT, a token create or delete, a Kubernetes
 * write) that takes seconds; the store cannot fence it, only the margin left before another
 * instance may take the lease over does. With the store answering, a check leaves at least nine
 * tenths of a TTL ({@link FRESH_FRACTION}) and the timer keeps renewing while the write runs;
 * with it failing, nothing renews, so the write has only what is left. Two thirds is 40 s of the
 * default 60 s ACRBOT_LEASE_TTL: more than a Kubernetes call may take (KUBE_CALL_TIMEOUT_MS,
 * 30 s) and than an ARM or Graph write takes in practice (seconds). No margin can cover a call
 * that runs to the HTTP answer timeout (ANSWER_TIMEOUT_MS, 60 s, pooled-http-client.ts): that is
 * the whole default TTL, which even a renewal that succeeds covers only once. A larger fraction
 * would stop a run at a single failed renewal more often (the timer's last success being up to a
 * third of a TTL old); passing until expiry, as before, let a write start with milliseconds left.
 */
export const SAFE_FRACTION = 2 / 3;

/** How a {@link LeaseGuard} names its lease and decides it is lost. */
export interface LeaseGuardOptions {
  /** What the lease guards, for log lines (default `execution lease`). */
  what?: string;
}

/**
 * Keeps a lease alive while the run works (renewed every third of its TTL) and checks it before
 * each write: `check()` renews (unless the lease was renewed within {@link FRESH_FRACTION} of its
 * TTL) and throws {@link LeaseLostError} when another instance took over, or once its expiry
 * passed before a renewal landed (a holder that stalled past it, or a renewal the store took that
 * long over: a lapsed lease is not renewed, for another instance may have read it free
 * meanwhile), so a stale holder stops before its next write. `signal` is aborted, with that error as its reason, once it is lost.
 *
 * A renewal the store fails (it did not answer, or answered 503) does not stop a check while the
 * lease keeps {@link SAFE_FRACTION} of its TTL by the expiry of the last renewal that succeeded:
 * nobody may take it before it expired, and a write started now still has that margin. With less
 * left, the check throws {@link LeaseMarginError} (a {@link LeaseLostError}, the store's error as
 * its `cause`): the run must stop before its write. The lease counts as lost (`signal`,
 * {@link LeaseGuard.stillHeld}) only once that expiry has passed, or another instance took it:
 * with less than the margin it is still this run's, so `stop()` releases it and the outcome of a
 * finished run may still be written. So a store hiccup can stop a run's writes, a clean-up's
 * deletes included, but then with a {@link LeaseMarginError}: a caller that reads a lost lease as
 * "another instance has the run now" (secret-run-cleanup.ts `cleanUpCredentials`) tells the two
 * apart and records what it did not delete.
 */
export class LeaseGuard {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly what: string;
  /** The store's error of the last renewal while none since succeeded: the cause of a lease that expired meanwhile. */
  private lastFailure?: { err: unknown };

  constructor(
    private readonly exec: { leases: LeaseStore; ttlMs: number },
    private lease: Lease,
    private readonly log: Logger,
    /** Fields of its log lines naming the run (`{ requestId }`, `{ jobId }`). */
    private readonly logFields: Record<string, string>,
    /** The clock the lease store uses (the lease's expiry is compared with it). */
    private readonly now: () => Date,
    options: LeaseGuardOptions = {},
  ) {
    this.what = options.what ?? 'execution lease';
    // renew() logs a failed renewal and records a lost lease for the next check(); the timer has no one to tell.
    this.timer = setInterval(() => void this.renew().catch(() => undefined), Math.max(500, exec.ttlMs / 3));
    this.timer.unref();
  }

  /** Aborted, with a {@link LeaseLostError} as its reason, once the lease is known to be lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Throws {@link LeaseLostError} when the lease is no longer this run's (taken over, or its
   * expiry passed before a renewal landed: a lapsed lease is not renewed), or {@link LeaseMarginError}
   * when the store failed this check's renewal and less than {@link SAFE_FRACTION} of the TTL is
   * left; throws nothing else.
   */
  async check(): Promise<void> {
    this.throwIfLost();
    if (this.remainingMs() > this.exec.ttlMs * (1 - FRESH_FRACTION)) return;
    const failed = await this.renew();
    if (!failed || this.remainingMs() >= this.exec.ttlMs * SAFE_FRACTION) return;
    throw new LeaseMarginError(this.lease.key, failed.err);
  }

  /** Whether the run may still write its outcome back: false once the lease is known lost. */
  async stillHeld(): Promise<boolean> {
    // check() throws only LeaseLostError; a loss is also recorded in the signal read below (a
    // LeaseMarginError is not: the lease is still this run's, the write a store's).
    await this.check().catch(() => undefined);
    return !this.controller.signal.aborted;
  }

  /**
   * Renews the lease; throws {@link LeaseLostError} once it is lost, which it is once the expiry
   * of its last renewal that succeeded has passed (by the lease store's clock), before this one
   * or by the time this one landed: a lapsed lease is never renewed. A renewal the store fails is logged and its error returned (`{ err }`); until
   * that expiry no other instance can hold the lease.
   */
  private async renew(): Promise<{ err: unknown } | undefined> {
    this.throwIfLost();
    // Lapsed (the process stalled past its expiry, or the store failed every renewal until then):
    // the store refuses to renew it, for another instance may have read it free since and acted
    // on that. Lost without asking, and logged once here: an operational event, not a failure.
    this.loseIfLapsed();
    let renewed: Lease;
    try {
      renewed = await this.exec.leases.renew(this.lease, this.exec.ttlMs);
    } catch (err) {
      if (err instanceof LeaseLostError) this.lose(err);
      else {
        this.lastFailure = { err };
        this.log.warn({ err, ...this.logFields }, `${this.what} renewal failed`);
        if (this.remainingMs() <= 0) this.lose(lostBecause(this.lease.key, err));
      }
      this.throwIfLost();
      return { err };
    }
    // The store judged "not lapsed" as its call began (Tables on the row it read first, its
    // conditional replace landing up to a minute later while the SDK retries; SQLite before its
    // write queue): a renewal that lands after the last expiry known (the one before it, or one a
    // renewal alongside it stored since) revived a lease another instance may have read free
    // meanwhile. Lost as a lapse is, and the renewed lease is not used (nor released: it lapses
    // one TTL on, as a stalled holder's does).
    this.loseIfLapsed();
    this.lease = renewed;
    this.lastFailure = undefined;
    return undefined;
  }

  /**
   * Loses the lease, warning once, when its expiry (the last successful renewal's) has passed by
   * the lease store's clock (a stall, or a store that failed every renewal until then), and throws
   * its {@link LeaseLostError}.
   */
  private loseIfLapsed(): void {
    this.throwIfLost(); // lost meanwhile (a renewal running alongside): said already
    const overrunMs = -this.remainingMs();
    if (overrunMs < 0) return;
    const failed = this.lastFailure;
    this.log.warn(
      { ...this.logFields, overrunMs },
      failed
        ? `${this.what} expired while the store failed its renewals; the run stops as for a lost lease`
        : `${this.what} lapsed before it was renewed (the process stalled?); the run stops as for a lost lease`,
    );
    this.lose(failed ? lostBecause(this.lease.key, failed.err) : new LeaseLostError(this.lease.key));
    this.throwIfLost();
  }

  /** Time left before the lease (its last successful renewal) expires, by the lease store's clock. */
  private remainingMs(): number {
    return Date.parse(this.lease.expiresAt) - this.now().getTime();
  }

  /** Stops renewing and releases the lease (unless it was lost: it is another run's now). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.controller.signal.aborted) return;
    await this.exec.leases.release(this.lease).catch((err: unknown) => {
      if (!(err instanceof LeaseLostError)) this.log.error({ err, ...this.logFields }, `releasing the ${this.what}`);
    });
  }

  private lose(err: LeaseLostError): void {
    if (!this.controller.signal.aborted) this.controller.abort(err);
  }

  private throwIfLost(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason as LeaseLostError;
  }
}

/** A {@link LeaseStoreFailedError} for a lease that expired while the store failed its renewals (the last error the cause). */
function lostBecause(key: string, storeError: unknown): LeaseLostError {
  return new LeaseStoreFailedError(key, storeError);
}

/**
 * How a run's failure (a scheduled job's, a revocation's) stopped on its lease, if it did (a check that threw, or an error
 * wrapping one): `storeFailed` when the store failed its renewals, a {@link LeaseMarginError}
 * (too little left to write under) or a {@link LeaseStoreFailedError} (expired while every
 * renewal failed), which backs off and is reported; `lost` when it lapsed in a stall or was taken.
 */
export function leaseStop(err: unknown): 'lost' | 'storeFailed' | undefined {
  let stop: 'lost' | undefined;
  for (const e of causesOf(err)) {
    if (e instanceof LeaseMarginError || e instanceof LeaseStoreFailedError) return 'storeFailed';
    if (e instanceof LeaseLostError) stop = 'lost';
  }
  return stop;
}
