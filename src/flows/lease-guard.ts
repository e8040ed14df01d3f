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
  /**
   * Also lost once renewals kept failing (not refused: the store did not answer) until the lease
   * expired: another instance may take it from then on. For runs that cannot stop mid-way on a
   * store hiccup without harm this stays off (an execution keeps going and its next write is
   * fenced by the store anyway); a scheduled job turns it on and writes nothing back.
   */
  lostOnceExpired?: boolean;
}

/**
 * Keeps a lease alive while the run works (renewed every third of its TTL) and checks it before
 * each write: `check()` renews (unless the lease was renewed within {@link FRESH_FRACTION} of its
 * TTL) and throws {@link LeaseLostError} when another instance took over, so a stale holder stops
 * before its next write. `signal` is aborted, with that error as its reason, once it is lost.
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
    private readonly options: LeaseGuardOptions = {},
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

  /** Throws {@link LeaseLostError} when the lease is no longer this run's. */
  async check(): Promise<void> {
    this.throwIfLost();
    const remainingMs = Date.parse(this.lease.expiresAt) - this.now().getTime();
    if (remainingMs > this.exec.ttlMs * (1 - FRESH_FRACTION)) return;
    await this.renew();
  }

  /**
   * Whether the run may still write its outcome back: false once the lease is known lost. A
   * renewal failing for another reason (logged by renew) leaves it this run's.
   */
  async stillHeld(): Promise<boolean> {
    // A failed check is either the loss (read from the signal below) or a renewal error renew() logged.
    await this.check().catch(() => undefined);
    return !this.controller.signal.aborted;
  }

  private async renew(): Promise<void> {
    this.throwIfLost();
    try {
      this.lease = await this.exec.leases.renew(this.lease, this.exec.ttlMs);
    } catch (err) {
      if (err instanceof LeaseLostError) this.lose(err);
      else {
        this.log.warn({ err, ...this.logFields }, `${this.what} renewal failed`);
        if (this.options.lostOnceExpired && Date.parse(this.lease.expiresAt) <= this.now().getTime())
          this.lose(new LeaseLostError(this.lease.key));
      }
      this.throwIfLost();
      throw err;
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
