/**
 * A rule whose `maxDuration` is shorter than `breakGlass.maxDuration`. Break-glass is capped by
 * `breakGlass.maxDuration` alone (flows/request-creation.ts), whichever rule fits the pair, so on
 * that rule's pairs a break-glass grant may outlast any term the rule grants. That is how
 * break-glass is meant to work (on call may need longer than a developer's hour), but read beside
 * a short `maxDuration` it looks capped by it; a warning says it is not. See docs/policy.md.
 */
import { formatDurationMs } from './duration';
import type { PolicyRule } from '../domain/policy';
import type { PolicyWarning } from './policy-warnings';

/**
 * A warning for each of `rules` (as loaded, in file order) with a `maxDuration` shorter than
 * `breakGlassMs`, the policy's breakGlass.maxDuration (undefined without breakGlass: none).
 */
export function breakGlassOutlastsWarnings(
  rules: readonly PolicyRule[],
  breakGlassMs: number | undefined,
  at: (i: number) => { line: number; col: number; path: string },
): PolicyWarning[] {
  if (breakGlassMs === undefined) return [];
  const out: PolicyWarning[] = [];
  rules.forEach((rule, i) => {
    if (rule.maxDurationMs === undefined || rule.maxDurationMs >= breakGlassMs) return;
    out.push({
      ...at(i),
      ruleId: rule.id,
      message:
        `rule ${rule.id}: breakGlass.maxDuration (${formatDurationMs(breakGlassMs)}) is longer than this maxDuration ` +
        `(${formatDurationMs(rule.maxDurationMs)}), and break-glass is capped by its own maxDuration only, so a break-glass grant ` +
        `on this rule's pairs may last ${formatDurationMs(breakGlassMs)}; shorten breakGlass.maxDuration if that is not meant`,
    });
  });
  return out;
}
