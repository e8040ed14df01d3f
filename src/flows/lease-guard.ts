/**
 * The lease of one run (an execution, a revocation, a scheduled job): kept alive while the run
 * works and checked before each of its writes, so a holder that lost it (another instance took
 * the run over) stops before writing.
 */
import type { Lease, LeaseStore } from '../domain/ports';
import { LeaseLostError } from '../domain/ports';
import type { Logger } from '../observability/logger';

/**
 * A check this soon after the last renewal (a tenth of the TTL) trusts it instead of renewing
 * again: another instance may take the lease only once it expired, which is still at least
 * nine tenths of a TTL away. A grant flow checks six times within a second or two, and each
 * renewal is a write (a SQLite transaction, an Azure Tables request), so this saves most of
 * them (docs/performance.md, P8).
 */
export const FRESH_FRACTION = 0.1;

/** How a {@link LeaseGuard} names its lease and decides it is lost. */
export interface LeaseGuardOptions {
  /** What the lease guards, for log lines (default `execution lease`). */
  what?: string;
}

/**
 * Keeps a lease alive while the run works (renewed every third of its TTL) and checks it before
 * each write: `check()` renews (unless the lease was renewed within {@link FRESH_FRACTION} of its
 * TTL) and throws {@link LeaseLostError} when another instance took over, so a stale holder stops
 * before its next write. `signal` is aborted, with that error as its reason, once it is lost.
 *
 * A renewal the store fails (it did not answer, or answered 503) is not a loss while the lease is
 * unexpired by the expiry of the last renewal that succeeded: nobody may take a lease before it
 * expired (the reasoning of {@link FRESH_FRACTION}), so the check logs a warning and passes. Once
 * that expiry has passed without a renewal, the lease is lost ({@link LeaseLostError}, the store's
 * error as its `cause`). So `check()` throws nothing else: a caller's clean-up after a failure
 * (secret-runner.ts `cleanUp`) is never cut short by a store hiccup it could not tell from a loss.
 */
export class LeaseGuard {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly what: string;

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
   * Throws {@link LeaseLostError} when the lease is no longer this run's (taken over, or expired
   * while the store failed every renewal); throws nothing else.
   */
  async check(): Promise<void> {
    this.throwIfLost();
    const remainingMs = Date.parse(this.lease.expiresAt) - this.now().getTime();
    if (remainingMs > this.exec.ttlMs * (1 - FRESH_FRACTION)) return;
    await this.renew();
  }

  /** Whether the run may still write its outcome back: false once the lease is known lost. */
  async stillHeld(): Promise<boolean> {
    // check() throws only the loss, which the signal below also records.
    await this.check().catch(() => undefined);
    return !this.controller.signal.aborted;
  }

  /**
   * Renews the lease; throws {@link LeaseLostError} once it is lost. A renewal the store fails
   * is logged; it loses the lease only once the expiry of the last renewal that succeeded has
   * passed (by the lease store's clock): until then no other instance can hold it.
   */
  private async renew(): Promise<void> {
    this.throwIfLost();
    try {
      this.lease = await this.exec.leases.renew(this.lease, this.exec.ttlMs);
    } catch (err) {
      if (err instanceof LeaseLostError) this.lose(err);
      else {
        this.log.warn({ err, ...this.logFields }, `${this.what} renewal failed`);
        if (Date.parse(this.lease.expiresAt) <= this.now().getTime())
          this.lose(Object.assign(new LeaseLostError(this.lease.key), { cause: err }));
      }
      this.throwIfLost();
    }
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
