/**
 * The execution lease of one run: kept alive while the run works and checked before each of its
 * writes, so a holder that lost it (another instance took the run over) stops before writing.
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

/**
 * Keeps an execution lease alive while the run works (renewed every third of its TTL) and
 * checks it before each write: `check()` renews (unless the lease was renewed within
 * {@link FRESH_FRACTION} of its TTL) and throws {@link LeaseLostError} when another instance
 * took over, so a stale holder stops before its next write.
 */
export class LeaseGuard {
  private lost: LeaseLostError | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly exec: { leases: LeaseStore; ttlMs: number },
    private lease: Lease,
    private readonly log: Logger,
    private readonly requestId: string,
    /** The clock the lease store uses (the lease's expiry is compared with it). */
    private readonly now: () => Date,
    /** What the lease guards, for log lines. */
    private readonly what = 'execution lease',
  ) {
    // renew() logs a failed renewal and records a lost lease for the next check(); the timer has no one to tell.
    this.timer = setInterval(() => void this.renew().catch(() => undefined), Math.max(500, exec.ttlMs / 3));
    this.timer.unref();
  }

  /** Throws {@link LeaseLostError} when the lease is no longer this run's. */
  async check(): Promise<void> {
    if (this.lost) throw this.lost;
    const remainingMs = Date.parse(this.lease.expiresAt) - this.now().getTime();
    if (remainingMs > this.exec.ttlMs * (1 - FRESH_FRACTION)) return;
    await this.renew();
  }

  private async renew(): Promise<void> {
    if (this.lost) throw this.lost;
    try {
      this.lease = await this.exec.leases.renew(this.lease, this.exec.ttlMs);
    } catch (err) {
      if (err instanceof LeaseLostError) this.lost = err;
      else this.log.warn({ err, requestId: this.requestId }, `${this.what} renewal failed`);
      throw err;
    }
  }

  /** Stops renewing and releases the lease (unless it was lost). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.lost) return;
    await this.exec.leases.release(this.lease).catch((err: unknown) => {
      this.log.error({ err, requestId: this.requestId }, `releasing an ${this.what}`);
    });
  }
}
