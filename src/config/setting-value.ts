/**
 * How acrbot reads one of its settings from the environment, shared by the configuration
 * (config.ts), the settings read before it (the telemetry connection string in index.ts) and the
 * proxy variables (src/integrations/http/outbound-proxy.ts, which the Azure SDK reads too), so
 * that every setting follows the one rule README's "Configuration" states.
 *
 * The value is trimmed: a line break at the end of a Key Vault secret, or a space after `=`, would
 * otherwise become part of a password or a path, and a blank value is unset like an empty one.
 * Quotes around it are a problem (docker's --env-file and App Service keep them as part of the
 * value); it is read without them so that they are the one problem named, and the problem never
 * repeats the value (it may be a secret).
 */

/** A setting's value as read, and the problem with it if it was in quotes. */
export interface SettingValue {
  /** The trimmed value without its quotes; undefined when unset, empty or blank. */
  value: string | undefined;
  /** Set when the value was in quotes: names the setting, never its value. */
  quotedProblem?: string;
}

/** Reads the setting `name` from its raw environment value `raw`. */
export function readSettingValue(name: string, raw: string | undefined): SettingValue {
  const value = raw?.trim() || undefined;
  if (value && value.length > 1 && /^(["']).*\1$/s.test(value))
    return {
      value: value.slice(1, -1).trim() || undefined,
      quotedProblem: `${name} is in quotes, which would be part of its value: remove them`,
    };
  return { value };
}
