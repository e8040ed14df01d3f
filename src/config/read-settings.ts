/**
 * The settings read and checked one by one: the cleaned environment parsed by the schema, with
 * every malformed value listed as a problem and replaced by its default, so that the checks
 * across settings and by mode (loadConfig, config.ts) can still run and list theirs at once.
 */
import { cleanEnvironment } from './clean-environment';
import { ConfigError } from './config-error';
import { schema, type Settings } from './settings-schema';

/** Whether each named setting parsed (false for one replaced by its default). */
export type ParsedOk = (...names: string[]) => boolean;

/** The settings as read, and what loadConfig needs to judge them further. */
export interface ReadSettings {
  /** The environment as the schema was given it (clean-environment.ts). */
  cleaned: Record<string, string | undefined>;
  /** The settings, each malformed one replaced by its default. */
  e: Settings;
  /** The problems so far: quotes, then each malformed setting's, in the schema's order. */
  problems: string[];
  /** Whether each named setting parsed: checks across settings skip one that did not. */
  parsedOk: ParsedOk;
  /** Whether the settings are judged as sandbox mode's. */
  sandbox: boolean;
  /** Whether azure mode was chosen by NODE_ENV=production alone (ACRBOT_MODE unset). */
  modeFromNodeEnv: boolean;
}

/**
 * Reads every setting of `env` on its own; throws {@link ConfigError} when not even the defaults
 * stand in for the malformed ones.
 */
export function readSettings(env: Record<string, string | undefined>): ReadSettings {
  const { cleaned, quoted } = cleanEnvironment(env);
  // A production process never falls back to the sandbox: without ACRBOT_MODE it is azure mode (G1).
  const modeFromNodeEnv = cleaned.ACRBOT_MODE === undefined && cleaned.NODE_ENV === 'production';
  if (modeFromNodeEnv) cleaned.ACRBOT_MODE = 'azure';
  const parsed = schema.safeParse(cleaned);
  const problems = [
    ...quoted,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) =>
          i.path.length && !i.message.startsWith(String(i.path[0])) ? `${String(i.path[0])}: ${i.message}` : i.message,
        )),
  ];
  // Mode rules run even when some value was malformed, so every problem is listed at once.
  const e = parsed.success
    ? parsed.data
    : (schema.safeParse({
        ...cleaned,
        ...Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), undefined])),
      }).data as Settings | undefined);
  if (!e) throw new ConfigError(problems);
  // A setting that failed to parse was replaced by its default above: checks across settings
  // skip it, or they would blame the default (ACRBOT_MODE=Azure is not "sandbox with production").
  const failed = new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0])));
  const parsedOk: ParsedOk = (...names) => names.every((name) => !failed.has(name));
  // A mode that failed to parse fell back to the sandbox default above; one that reads as azure
  // (any case), or any mode under NODE_ENV=production, is checked as azure so its problems are
  // listed now, not after the mode is fixed.
  const sandbox = parsedOk('ACRBOT_MODE')
    ? (e.ACRBOT_MODE ?? 'sandbox') === 'sandbox'
    : cleaned.ACRBOT_MODE?.trim().toLowerCase() !== 'azure' && cleaned.NODE_ENV !== 'production';
  return { cleaned, e, problems, parsedOk, sandbox, modeFromNodeEnv };
}
