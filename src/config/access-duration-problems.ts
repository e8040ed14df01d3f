/**
 * ACRBOT_MIN_ACCESS_DURATION, ACRBOT_MAX_ACCESS_DURATION and ACRBOT_DEFAULT_ACCESS_DURATION:
 * each within the bounds of any access (1m to 1y) and in order, and the limits a policy file's
 * terms are held to as they follow from them.
 */
import { MAX_ACCESS_DURATION_MS, MIN_ACCESS_DURATION_MS } from './duration';
import type { PolicyLimits } from './policy-file';
import type { ParsedOk } from './read-settings';

/**
 * The access durations out of their bounds (1m to 1y) or out of order, and the minimum and
 * maximum a policy file's terms are held to. A duration that failed to parse or is out of bounds
 * is not compared (its default stood in for it, which the operator never set; or its own problem
 * is listed, and a default compared with `99999999999999999999d` would be blamed for it): the
 * default is then held to the bound instead. The policy gets neither limit while they contradict.
 */
export function accessDurationProblems(
  e: Record<'ACRBOT_MIN_ACCESS_DURATION' | 'ACRBOT_MAX_ACCESS_DURATION' | 'ACRBOT_DEFAULT_ACCESS_DURATION', number>,
  parsedOk: ParsedOk,
): { problems: string[]; limits: Pick<PolicyLimits, 'minAccessMs' | 'maxAccessMs'> } {
  const problems: string[] = [];
  const { ACRBOT_MIN_ACCESS_DURATION: minMs, ACRBOT_MAX_ACCESS_DURATION: maxMs } = e;
  if (minMs < MIN_ACCESS_DURATION_MS) problems.push('ACRBOT_MIN_ACCESS_DURATION can be no less than 1m');
  if (minMs > MAX_ACCESS_DURATION_MS)
    problems.push('ACRBOT_MIN_ACCESS_DURATION can be at most 1y (no access lasts longer: ACRBOT_MAX_ACCESS_DURATION)');
  if (maxMs > MAX_ACCESS_DURATION_MS)
    problems.push('ACRBOT_MAX_ACCESS_DURATION can be at most 1y (use ACRBOT_ALLOW_PERMANENT for access without end)');
  const min =
    parsedOk('ACRBOT_MIN_ACCESS_DURATION') && minMs >= MIN_ACCESS_DURATION_MS && minMs <= MAX_ACCESS_DURATION_MS
      ? minMs
      : undefined;
  const max = parsedOk('ACRBOT_MAX_ACCESS_DURATION') && maxMs <= MAX_ACCESS_DURATION_MS ? maxMs : undefined;
  if (min !== undefined && max !== undefined && min > max) {
    problems.push('ACRBOT_MIN_ACCESS_DURATION is longer than ACRBOT_MAX_ACCESS_DURATION');
    return { problems, limits: {} };
  }
  const fallback = e.ACRBOT_DEFAULT_ACCESS_DURATION;
  if (
    parsedOk('ACRBOT_DEFAULT_ACCESS_DURATION') &&
    (fallback < (min ?? MIN_ACCESS_DURATION_MS) || fallback > (max ?? MAX_ACCESS_DURATION_MS))
  )
    problems.push(
      'ACRBOT_DEFAULT_ACCESS_DURATION must lie between ACRBOT_MIN_ACCESS_DURATION and ACRBOT_MAX_ACCESS_DURATION',
    );
  return { problems, limits: { minAccessMs: min, maxAccessMs: max } };
}
