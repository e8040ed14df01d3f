/**
 * An overall deadline on planning a request. Planning makes its Azure reads one after another
 * (resolve, existing access, the permission check), and each ARM call that gets no answer takes
 * two answer timeouts to fail (arm-no-answer.ts): without a deadline of its own, the requester's
 * card would stay at "Planning your request…" for minutes while Azure does not answer. Past the
 * deadline the planner stops waiting and fails; the reads still under way are not cancelled (the
 * ports take no abort signal) but nothing acts on them: planning only reads, and its late answer
 * is dropped (reported to `onLate`, for the log).
 */
import { UserFacingOutageError } from '../domain/errors';
import { currentCorrelationId } from '../observability/correlation';
import { settleWithin } from './settle-within';

/**
 * Longest wait for a plan. A plan normally takes a few seconds; this leaves room for a throttled
 * read ARM asks to wait out, and ends well before the minutes a silent ARM would take.
 */
export const PLANNING_DEADLINE_MS = 60_000;

/** The code of {@link PlanningTimeoutError}. */
const PLANNING_TIMEOUT = 'azure.planningTimeout';

/**
 * Planning did not finish within its deadline: Azure (ARM, or Graph for a service principal's
 * lookup) did not answer in time. The requester is told so, with the turn's reference, rather
 * than "something unexpected": it is Azure's failure, not acrbot's, and asking again later is
 * what they can do. An outage all the same: the turn logs it once, as a warning, under that
 * reference (`UserFacingOutageError`). No `cause`: the reads were still waiting when it was
 * thrown; what they came to is logged when they end (`onLate`).
 */
export class PlanningTimeoutError extends UserFacingOutageError {
  constructor(
    /** `grant`, `pull secret` (for the log: the requester knows what they asked for). */
    readonly what: string,
    readonly deadlineMs: number,
    /**
     * The turn's correlation id, which the error card's reference, its log line and the
     * requester's audit entry (`plan.failed`, bot/validation-audit.ts) carry.
     */
    readonly reference: string | undefined,
  ) {
    super(
      PLANNING_TIMEOUT,
      `Azure did not answer in time: acrbot stopped planning after ${deadlineMs / 1000} s; nothing was requested or changed. Try again in a few minutes${reference ? ` (reference ${reference})` : ''}.`,
    );
    this.name = 'PlanningTimeoutError';
  }
}

/** What a plan that missed its deadline came to in the end: its value or its failure, both dropped. */
export type LatePlanning = { value: unknown } | { error: unknown };

/** Options of {@link withPlanningDeadline}. */
export interface PlanningDeadlineOptions {
  /** Named in the error: `grant`, `pull secret`. */
  what: string;
  /** Default {@link PLANNING_DEADLINE_MS}. */
  deadlineMs?: number;
  /** Told what a plan that missed its deadline came to, once it does (for the log). */
  onLate?: (late: LatePlanning) => void;
}

/**
 * `plan()`'s answer (its failure thrown), or {@link PlanningTimeoutError} once `deadlineMs` passed
 * without one (`settleWithin`: the timer is cleared as soon as the plan settles).
 */
export async function withPlanningDeadline<T>(plan: () => Promise<T>, options: PlanningDeadlineOptions): Promise<T> {
  const deadlineMs = options.deadlineMs ?? PLANNING_DEADLINE_MS;
  // Read now, in the turn: the same id the error card's reference and the turn's log lines carry.
  const reference = currentCorrelationId();
  const planning = plan();
  const got = await settleWithin(planning, deadlineMs);
  if (!got.late) return got.value;
  // Past the deadline: what it comes to later is only told (for the log), never used.
  planning.then(
    (value) => options.onLate?.({ value }),
    (error: unknown) => options.onLate?.({ error }),
  );
  throw new PlanningTimeoutError(options.what, deadlineMs, reference);
}
