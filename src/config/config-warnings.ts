/**
 * The settings' start warnings (AppConfig `warnings`: an `ACRBOT_*` name acrbot does not read, a
 * NO_PROXY entry that never matches, the bot's own tenant left out) as acrbot's command-line tools
 * print them on stderr, in the words `npm start` logs them with (`configuration: …`). An operator
 * who runs a tool against the bot's settings meets them there first.
 */
import { ConfigError, loadConfig } from './config';

/**
 * One stderr line per warning, without its newline: `policy-check: warning: configuration: …`.
 * `tool` is the prefix the tool starts its other lines with.
 */
export function configWarningLines(tool: string, warnings: readonly string[]): string[] {
  return warnings.map((w) => `${tool}: warning: configuration: ${w}`);
}

/**
 * The warnings `npm start` would log for `env`, read as it reads them; none when the settings do
 * not load (they would not start the bot, whose problems are then its own to report: a tool that
 * does not need the bot's settings, as the audit CLI, runs without them).
 */
export function startWarnings(env: Record<string, string | undefined>): readonly string[] {
  try {
    return loadConfig(env).warnings ?? [];
  } catch (err) {
    // Settings that would not start the bot (a policy file that cannot be read among them):
    // `npm start` and `policy:check --env` list those problems; the warnings come once they load.
    if (err instanceof ConfigError) return [];
    throw err;
  }
}
