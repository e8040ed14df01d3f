/**
 * Which extension terms are worth offering: an extension's term counts from when it is granted
 * and only ever moves the end later, so a term no longer than the time left is refused
 * (`extend.refused.notLater`), and one that moves the end by minutes is no use. Shared by the
 * tab's choices (web/src/format.ts) and the term a reminder's Extend is pre-filled with.
 */
import type { PolicyRule } from './policy';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The terms the tab offers for an extension, in days, when the limits allow them. */
export const EXTEND_DAYS: readonly number[] = [1, 7, 30, 90];

/** The terms an extension may ask for and run with: the deployment's and the rule's limits. */
export interface ExtensionRange {
  minMs: number;
  maxMs: number;
}

/**
 * The terms an extension under `rule` may run with: from the deployment's shortest to the least
 * of its longest, the rule's maxDuration and its auto-approval cap.
 */
export function extensionRangeUnder(
  limits: ExtensionRange,
  rule: Pick<PolicyRule, 'maxDurationMs' | 'autoApprove'>,
): ExtensionRange {
  const caps = [limits.maxMs, rule.maxDurationMs, rule.autoApprove?.maxDurationMs];
  return { minMs: limits.minMs, maxMs: Math.min(...caps.filter((ms): ms is number => ms !== undefined)) };
}

/**
 * Whether a term, counted from now, moves an end worth asking an approver for: by at least a day,
 * or by half the term for terms under two days (a term that moves the end by minutes is not).
 * Always later than the end, so never a term acrbot refuses as ending before it.
 */
export function movesEndEnough(termMs: number, end: number, now: number): boolean {
  return now + termMs >= end + Math.min(DAY_MS, termMs / 2);
}

/**
 * The term to offer for extending access that ends at `expiresAt` (none: no end to move): the
 * smallest of the deployment's default (cut into `range`), the tab's choices ({@link EXTEND_DAYS})
 * and the longest `range` allows that lies within `range` and {@link movesEndEnough}. Undefined
 * when none does: every term allowed would end too soon after the current end (or before it).
 */
export function extensionTermToOffer(
  defaultMs: number,
  range: ExtensionRange | undefined,
  expiresAt: string | undefined,
  now: number,
): number | undefined {
  const end = expiresAt ? Date.parse(expiresAt) : Number.NEGATIVE_INFINITY;
  const cutDefault = range ? Math.max(range.minMs, Math.min(defaultMs, range.maxMs)) : defaultMs;
  const candidates = [cutDefault, ...EXTEND_DAYS.map((days) => days * DAY_MS), ...(range ? [range.maxMs] : [])].map(
    // Whole minutes, as `--for` is typed: a limit of 90s offers 1m, not a 2m it refuses.
    (ms) => Math.floor(ms / MINUTE_MS) * MINUTE_MS,
  );
  const fitting = candidates.filter(
    (ms) => (!range || (ms >= range.minMs && ms <= range.maxMs)) && movesEndEnough(ms, end, now),
  );
  return fitting.length ? Math.min(...fitting) : undefined;
}
