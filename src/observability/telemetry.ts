/**
 * Optional OpenTelemetry export to Application Insights (Azure Monitor), on when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set. It must start before the HTTP server modules
 * load so their requests are instrumented; the SDK is loaded only when enabled.
 */

import type * as MonitorModule from '@azure/monitor-opentelemetry';

/** A started exporter. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/** Starts the Azure Monitor distro when a connection string is given; undefined otherwise. */
export function startTelemetry(connectionString: string | undefined): Telemetry | undefined {
  if (!connectionString) return undefined;
  // Loaded lazily: the distro instruments `http` on load and costs start-up time when unused.
  const monitor = require('@azure/monitor-opentelemetry') as typeof MonitorModule;
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // Requests, dependencies (Azure SDK and Kubernetes calls over http/https) and logs; no browser snippet.
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
    enableLiveMetrics: false,
  });
  return { shutdown: () => monitor.shutdownAzureMonitor() };
}
