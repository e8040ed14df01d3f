/**
 * Checks APPLICATIONINSIGHTS_CONNECTION_STRING before the Azure Monitor distro sees it. The distro
 * throws from inside `useAzureMonitor` on a value it cannot use ("No instrumentation key or
 * connection string was provided", even when one was), and it runs before the configuration is
 * validated: a mistyped or unresolved value ended the start with a stack trace instead of being
 * listed with the other settings. The rule is the exporter's own: an `InstrumentationKey=<guid>`
 * field (lower-case GUID, as the exporter's pattern is case-sensitive) among `;`-separated
 * `name=value` pairs.
 */

const INSTRUMENTATION_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const HOW =
  'copy the connection string whole from the Application Insights resource (Overview: InstrumentationKey=…;IngestionEndpoint=https://…), or unset it to run without telemetry';

/**
 * The problem with the connection string, as a line for the configuration error (never containing
 * the value); undefined when it is unset or usable.
 */
export function telemetryConnectionStringProblem(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // App Service passes a Key Vault reference it could not resolve through as its text.
  if (/^@Microsoft\.KeyVault\(/i.test(value.trim()))
    return "APPLICATIONINSIGHTS_CONNECTION_STRING is a Key Vault reference that App Service could not resolve: check that the secret exists and that the app's identity may read it (Key Vault Secrets User), then restart the app";
  // As the exporter reads it: a pair with more or fewer than one "=" is dropped, keys match in any case.
  const key = value
    .split(';')
    .map((pair) => pair.split('='))
    .find((parts) => parts.length === 2 && parts[0]!.toLowerCase() === 'instrumentationkey')?.[1];
  if (key === undefined) return `APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey: ${HOW}`;
  if (!INSTRUMENTATION_KEY.test(key))
    return `APPLICATIONINSIGHTS_CONNECTION_STRING: its InstrumentationKey is not a GUID in lower case: ${HOW}`;
  return undefined;
}
