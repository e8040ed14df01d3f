/**
 * Optional OpenTelemetry export to Application Insights (Azure Monitor), on when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set. It must start before the HTTP server modules
 * load so their requests are instrumented; the SDK is loaded only when enabled. Every span is
 * scrubbed of secrets before it is exported (scrubbing-span-processor.ts).
 */

import type * as MonitorModule from '@azure/monitor-opentelemetry';
import { ScrubbingSpanProcessor } from './scrubbing-span-processor';

/** A started exporter. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

let exporting = false;

/**
 * True once {@link startTelemetry} has started the exporter. Only then is an Azure SDK tracer
 * registered, so the ARM and Graph clients keep their pipelines' tracing policy (see
 * `dropIdlePolicies` in src/integrations/http/idle-policies.ts).
 */
export function telemetryExporting(): boolean {
  return exporting;
}

/** Starts the Azure Monitor distro when a connection string is given; undefined otherwise. */
export function startTelemetry(connectionString: string | undefined): Telemetry | undefined {
  if (!connectionString) return undefined;
  exporting = true;
  // Loaded lazily: the distro instruments `http` on load and costs start-up time when unused.
  const monitor = require('@azure/monitor-opentelemetry') as typeof MonitorModule;
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // Requests and dependencies (Azure SDK and Kubernetes calls over http/https); no browser snippet.
    // No log records: pino writes to stdout with no OpenTelemetry bridge, and the distro's log
    // instrumentations (bunyan, winston) are off by default and log for libraries acrbot does
    // not use. A bridge added here needs a scrubbing log record processor, as spans have.
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
    // Spans record URLs and exceptions of calls acrbot does not make itself: secrets out first (G12).
    spanProcessors: [new ScrubbingSpanProcessor()],
  });
  return { shutdown: () => monitor.shutdownAzureMonitor() };
}
