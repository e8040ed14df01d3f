/**
 * The log lines of sweeps that fail (the store does not answer `due()`). One line per sweep would
 * be 120 lines an hour per instance through a store outage, all saying the same: the first failure
 * is logged, then at most one line every {@link SWEEP_FAILURE_LOG_EVERY_MS} with how many sweeps
 * failed, and one line once a sweep succeeds again. Kept in this process only: it decides nothing
 * but how often this instance logs.
 */
import type { Logger } from '../observability/logger';

/** While sweeps keep failing, at most one error line this often (the first failure's is at once). */
const SWEEP_FAILURE_LOG_EVERY_MS = 10 * 60_000;

/** Counts failed sweeps and logs them sparingly ({@link SWEEP_FAILURE_LOG_EVERY_MS}). */
export class SweepFailureLog {
  /** Sweeps failed since the last that succeeded. */
  private failedSweeps = 0;
  private since = 0;
  private lastLogged = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly everyMs = SWEEP_FAILURE_LOG_EVERY_MS,
  ) {}

  /** A sweep failed with `err`. */
  failed(err: unknown): void {
    const now = this.now();
    if (this.failedSweeps++ === 0) {
      this.since = now;
      this.lastLogged = now;
      this.log.error(
        { err },
        'scheduler sweep failed; while sweeps keep failing this is logged again at most every few minutes',
      );
      return;
    }
    if (now - this.lastLogged < this.everyMs) return;
    this.lastLogged = now;
    this.log.error(
      { err, failedSweeps: this.failedSweeps, since: new Date(this.since).toISOString() },
      'scheduler sweeps still failing',
    );
  }

  /** A sweep succeeded: one line when it ends a run of failures. */
  succeeded(): void {
    if (this.failedSweeps === 0) return;
    this.log.info(
      { failedSweeps: this.failedSweeps, since: new Date(this.since).toISOString() },
      'scheduler sweep succeeded: store reachable again',
    );
    this.failedSweeps = 0;
  }
}
