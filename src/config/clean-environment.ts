/**
 * The first step of reading the settings: the environment as the schema is given it, trimmed,
 * with quotes around acrbot's own settings named as problems (setting-value.ts).
 */
import { readSettingValue } from './setting-value';
import { SETTINGS } from './settings-schema';

/**
 * The environment as the settings are read from it: every value trimmed (blank is unset), and
 * acrbot's own settings read by {@link readSettingValue}, which names quotes around them as a
 * problem. Other variables keep their quotes: they are not acrbot's to judge.
 */
export function cleanEnvironment(env: Record<string, string | undefined>): {
  cleaned: Record<string, string | undefined>;
  quoted: string[];
} {
  const cleaned: Record<string, string | undefined> = {};
  const quoted: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!SETTINGS.has(name)) {
      cleaned[name] = value?.trim() || undefined;
      continue;
    }
    const setting = readSettingValue(name, value);
    if (setting.quotedProblem) quoted.push(setting.quotedProblem);
    cleaned[name] = setting.value;
  }
  return { cleaned, quoted };
}
