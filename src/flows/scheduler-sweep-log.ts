/**
 * The log lines of sweeps that fail (the store does not answer `due()`). One line per sweep would
 * be 120 lines an hour per instance through a store outage, all saying the same: the first failure
 * is logged, then at most one line every {@link SWEEP_FAILURE_LOG_EVERY_MS} with how many sweeps
 * failed, and one line once a sweep succeeds again. Kept in this process only: it decides nothing
 * but how often this instance logs. The scheduler's sweep uses it, and so do the other sweeps of
 * the same period that a store outage fails every time (the executor's resume sweep, the passes
 * of the outcome net), each with its own {@link SweepFailureMessages}.
 */
import type { Logger } from '../observability/logger';

/** While sweeps keep failing, at most one error line this often (the first failure's is at once). */
const SWEEP_FAILURE_LOG_EVERY_MS = 10 * 60_000;

/** What one kind of sweep logs (each message fixed text, for operators to alert on). */
export interface SweepFailureMessages {
  /** The first failure of a run of failures (error). */
  failed: string;
  /** While failures go on, at most every {@link SWEEP_FAILURE_LOG_EVERY_MS} (error, `failedSweeps`, `since`). */
  stillFailing: string;
  /** The first success after failures (info, `failedSweeps`, `since`). */
  succeeded: string;
}

/** The scheduler's sweep (scheduler.ts). */
export const SCHEDULER_SWEEP_MESSAGES: SweepFailureMessages = {
  failed: 'scheduler sweep failed; while sweeps keep failing this is logged again at most every few minutes',
  stillFailing: 'scheduler sweeps still failing',
  succeeded: 'scheduler sweep succeeded: store reachable again',
};

/** Counts failed sweeps and logs them sparingly ({@link SWEEP_FAILURE_LOG_EVERY_MS}). */
export class SweepFailureLog {
  /** Sweeps failed since the last that succeeded. */
  private failedSweeps = 0;
  private since = 0;
  private lastLogged = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly messages: SweepFailureMessages = SCHEDULER_SWEEP_MESSAGES,
  ) {}

  /**
   * A sweep failed with `err`; `fields` say what this sweep found (counts, ids) and go on the line
   * when this failure is one that is logged.
   */
  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    const now = this.now();
    if (this.failedSweeps++ === 0) {
      this.since = now;
      this.lastLogged = now;
      this.log.error({ ...fields, err }, this.messages.failed);
      return;
    }
    if (now - this.lastLogged < SWEEP_FAILURE_LOG_EVERY_MS) return;
    this.lastLogged = now;
    this.log.error(
      { ...fields, err, failedSweeps: this.failedSweeps, since: new Date(this.since).toISOString() },
      this.messages.stillFailing,
    );
  }

  /** A sweep succeeded: one line when it ends a run of failures. */
  succeeded(): void {
    if (this.failedSweeps === 0) return;
    this.log.info(
      { failedSweeps: this.failedSweeps, since: new Date(this.since).toISOString() },
      this.messages.succeeded,
    );
    this.failedSweeps = 0;
  }
}
