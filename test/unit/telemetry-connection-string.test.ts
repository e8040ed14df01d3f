/**
 * APPLICATIONINSIGHTS_CONNECTION_STRING is judged as the Azure Monitor exporter judges it: each
 * value here is refused by the check exactly when the exporter itself throws on it, so a usable
 * string is never refused and an unusable one never reaches the distro (where it ended the start
 * with a stack trace). The problems never repeat the value.
 */
import { telemetryConnectionStringProblem } from '../../src/observability/telemetry-connection-string';

// The base of every exporter the distro constructs (@azure/monitor-opentelemetry's dependency): its
// constructor reads and checks the connection string, and starts nothing.
const { AzureMonitorBaseExporter } = require('@azure/monitor-opentelemetry-exporter') as {
  AzureMonitorBaseExporter: new (options: { connectionString: string }) => unknown;
};

const KEY = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const CASES: Array<[string, string, RegExp | undefined]> = [
  [
    'as the portal shows it',
    `InstrumentationKey=${KEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=7f0e5d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f`,
    undefined,
  ],
  ['the key alone, field name in another case', `instrumentationkey=${KEY}`, undefined],
  ['with a trailing separator', `InstrumentationKey=${KEY};`, undefined],
  [
    'no key at all',
    'IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
    /has no InstrumentationKey/,
  ],
  ['not a connection string', 'my-app-insights', /has no InstrumentationKey/],
  ['the GUID alone', KEY, /has no InstrumentationKey/],
  ['a key that is not a GUID', 'InstrumentationKey=ikey-from-the-portal', /not a GUID in lower case/],
  ['a key in upper case', `InstrumentationKey=${KEY.toUpperCase()}`, /not a GUID in lower case/],
  ['pasted with its quotes', `"InstrumentationKey=${KEY}"`, /has no InstrumentationKey|not a GUID/],
  [
    'an unresolved Key Vault reference',
    '@Microsoft.KeyVault(VaultName=kv-acrbot;SecretName=appinsights)',
    /Key Vault reference that App Service could not resolve/,
  ],
];

describe('APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
  test.each(CASES)('%s', (_name, value, problem) => {
    const found = telemetryConnectionStringProblem(value);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
    // Refused by the check exactly when the exporter would throw on it.
    const exporterThrows = (() => {
      try {
        new AzureMonitorBaseExporter({ connectionString: value });
        return false;
      } catch {
        return true;
      }
    })();
    expect({ value, refused: found !== undefined }).toEqual({ value, refused: exporterThrows });
    // Never repeats the value or a part of it (keys, endpoints, vault names).
    if (found) expect(found).not.toMatch(/0a1b2c3d|ikey-from|westeurope|kv-acrbot|my-app-insights/i);
  });

  test('unset or empty: no telemetry, no problem', () => {
    expect(telemetryConnectionStringProblem(undefined)).toBeUndefined();
    expect(telemetryConnectionStringProblem('')).toBeUndefined();
  });
});
