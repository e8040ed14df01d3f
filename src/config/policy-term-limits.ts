/**
 * The policy's access terms checked against the deployment's access limits
 * (ACRBOT_MIN/MAX_ACCESS_DURATION): a rule's maxDuration, its autoApprove cap and the break-glass
 * maxDuration. A term outside them would refuse every request, cut every grant below the minimum,
 * or grant a permanent request past the maximum, so the policy file is refused when it is loaded.
 */
import { formatDurationMs, MAX_ACCESS_DURATION_MS, MIN_ACCESS_DURATION_MS } from './duration';
import { type AddProblem, rawMs, ruleName, shortened } from './policy-problems';

/** The access limits from the configuration that a policy's terms are checked against. */
export interface AccessLimits {
  /** ACRBOT_MIN_ACCESS_DURATION; unknown, the shortest it may be (1m). */
  minAccessMs?: number;
  /** ACRBOT_MAX_ACCESS_DURATION; unknown, the longest it may be (1y). */
  maxAccessMs?: number;
}

/** ACRBOT_MIN/MAX_ACCESS_DURATION as a policy's terms are checked against them, with their names. */
export interface AccessBounds {
  minMs: number;
  maxMs: number;
  /** `ACRBOT_MIN_ACCESS_DURATION (1h)`; `the shortest ACRBOT_MIN_ACCESS_DURATION (1m)` when unknown. */
  min: string;
  max: string;
}

/** The bounds of `limits`, an unknown limit taken at its extreme. */
export function accessBounds(limits: AccessLimits): AccessBounds {
  const minMs = limits.minAccessMs ?? MIN_ACCESS_DURATION_MS;
  const maxMs = limits.maxAccessMs ?? MAX_ACCESS_DURATION_MS;
  const known = (ms: number | undefined, extreme: string) => (ms === undefined ? `${extreme} ` : '');
  return {
    minMs,
    maxMs,
    min: `${known(limits.minAccessMs, 'the shortest')}ACRBOT_MIN_ACCESS_DURATION (${formatDurationMs(minMs)})`,
    max: `${known(limits.maxAccessMs, 'the longest')}ACRBOT_MAX_ACCESS_DURATION (${formatDurationMs(maxMs)})`,
  };
}

/** What a term would do below the access minimum (`short`) and above the maximum (`long`). */
interface OutOfBounds {
  short: string;
  long: string;
}

/**
 * Why a term the policy sets (`field`: `maxDuration`, …) lies outside the access limits, or
 * undefined when it lies within them or is not a duration (zod says why).
 */
function termOutsideLimits(field: string, value: unknown, bounds: AccessBounds, why: OutOfBounds): string | undefined {
  const ms = rawMs(value);
  if (ms === undefined) return undefined;
  const written = shortened(String(value));
  if (ms < bounds.minMs)
    return `${field} ${written} is shorter than ${bounds.min}: ${why.short}; make it at least ${formatDurationMs(bounds.minMs)}`;
  if (ms > bounds.maxMs)
    return `${field} ${written} is longer than ${bounds.max}: ${why.long}; make it at most ${formatDurationMs(bounds.maxMs)}`;
  return undefined;
}

/** A permanent request is granted an autoApprove or break-glass cap in full (access-term.ts). */
const PAST_THE_MAXIMUM =
  'no --for may ask for that long, yet a permanent request (ACRBOT_ALLOW_PERMANENT) would be granted all of it';

/**
 * A rule's terms outside the deployment's access limits. Below ACRBOT_MIN_ACCESS_DURATION a
 * maxDuration refuses every --for (none may be shorter than the minimum), cuts the default term
 * below the minimum and leaves the tab an extension range whose least is above its most; an
 * autoApprove cap cuts every auto-approved term below the minimum. Above
 * ACRBOT_MAX_ACCESS_DURATION a maxDuration is never reached (no --for may be longer; a permanent
 * request is refused) while the policy card states it, and an autoApprove cap grants a permanent
 * request past the maximum. Refused, as an autoApprove cap above maxDuration is.
 */
export function accessTermProblems(
  rule: Record<string, unknown>,
  i: number,
  add: AddProblem,
  bounds: AccessBounds,
): void {
  const max = termOutsideLimits('maxDuration', rule.maxDuration, bounds, {
    short: 'every --for would be refused under this rule, and a request without one would get less than the minimum',
    long: 'no --for may ask for that long, so the rule would state (on its policy card) longer access than anyone gets',
  });
  if (max) add(['maxDuration'], `${ruleName(rule, i)}: ${max}`);
  const auto = rule.autoApprove;
  if (!auto || typeof auto !== 'object') return;
  const autoMs = rawMs((auto as Record<string, unknown>).maxDuration);
  const ruleMs = rawMs(rule.maxDuration);
  // Longer than the rule's maxDuration is said already (and that one is checked above).
  if (autoMs !== undefined && ruleMs !== undefined && autoMs > ruleMs) return;
  const capped = termOutsideLimits('autoApprove.maxDuration', (auto as Record<string, unknown>).maxDuration, bounds, {
    short: 'every auto-approved request would be cut below the minimum',
    long: PAST_THE_MAXIMUM,
  });
  if (capped) add(['autoApprove', 'maxDuration'], `${ruleName(rule, i)}: ${capped}`);
}

/**
 * `breakGlass.maxDuration` (of the raw document) outside the access limits: below the minimum
 * every break-glass grant is cut below it; above the maximum a permanent one is granted past it.
 * `add` takes paths from the document's root.
 */
export function breakGlassTermProblems(raw: unknown, add: AddProblem, bounds: AccessBounds): void {
  const breakGlass = (raw as { breakGlass?: unknown } | null)?.breakGlass;
  if (!breakGlass || typeof breakGlass !== 'object') return;
  const problem = termOutsideLimits('maxDuration', (breakGlass as Record<string, unknown>).maxDuration, bounds, {
    short: 'every break-glass grant would be cut below the minimum',
    long: PAST_THE_MAXIMUM,
  });
  if (problem) add(['breakGlass', 'maxDuration'], problem);
}
