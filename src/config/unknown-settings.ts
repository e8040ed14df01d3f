/**
 * `ACRBOT_*` variables acrbot does not read. A misspelt setting (ACRBOT_MAX_ACCESS_DURATON) is
 * otherwise silently ignored, and its default applies where the operator believes their value
 * does. A warning at start, not a problem: a variable of an older or newer release (one the
 * template still sets, or sets already) must not stop a rollout. Names only, never values.
 */

/**
 * `ACRBOT_*` names acrbot's own scripts and tests read from the same environment, which the bot
 * does not: the app package's (scripts/package/variables.ts) and test knobs
 * (test/integration/scale-out.test.ts, test/e2e/browser-smoke.test.ts).
 */
const READ_ELSEWHERE: ReadonlySet<string> = new Set([
  'ACRBOT_WEBSITE_URL',
  'ACRBOT_PRIVACY_URL',
  'ACRBOT_TERMS_URL',
  'ACRBOT_DEVELOPER_NAME',
  'ACRBOT_RACES',
  'ACRBOT_SCREENSHOTS',
]);

/** Levenshtein distance between `a` and `b` (short names: the plain table is enough). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/**
 * The known name closest to `name` (ignoring case), or undefined when none is near. Also names
 * the field a misspelt key of the policy file most likely meant (policy-unknown-fields.ts).
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(upper, candidate.toUpperCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  // Beyond a third of the name it is another word, not a typo; a suggestion would mislead.
  return best && best.distance <= Math.max(2, Math.floor(upper.length / 3)) ? best.name : undefined;
}

/**
 * A warning for each variable of `env`, not blank, named `ACRBOT_…` (any case: the environment's names are
 * case-sensitive, so `acrbot_mode` is not ACRBOT_MODE) that is not one of `settings` (the names
 * acrbot reads) nor read by acrbot's own scripts. Each names the variable and the nearest setting.
 */
export function unknownSettingWarnings(
  env: Record<string, string | undefined>,
  settings: ReadonlySet<string>,
): string[] {
  const known = [...settings].filter((name) => name.startsWith('ACRBOT_'));
  return (
    Object.keys(env)
      // A blank one is unset, as every setting is read: it does nothing either way.
      .filter((name) => /^ACRBOT_/i.test(name) && !settings.has(name) && !READ_ELSEWHERE.has(name) && env[name]?.trim())
      .sort()
      .map((name) => {
        const near = nearest(name, known);
        return `${name} is not a setting acrbot reads, so it does nothing${near ? `: did you mean ${near}?` : ''} (README, "Configuration"; a variable of another release can be left until it is upgraded)`;
      })
  );
}
