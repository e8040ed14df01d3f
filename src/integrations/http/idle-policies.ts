/**
 * Trimming the Azure SDK pipelines acrbot builds (ARM, Graph, Azure Tables) of policies that do
 * nothing useful in this process.
 */
import type { Pipeline } from '@azure/core-rest-pipeline';

/**
 * Removes from an SDK client's pipeline what does nothing useful in this process: without a
 * telemetry exporter (`tracing: false`) no tracer is registered, yet the tracing policy still
 * starts a no-op span and sanitises the URL for it on every request (~5 % of an ARM call's bot
 * CPU, docs/performance.md P8). With telemetry on, the pipeline is left as the SDK built it.
 */
export function dropIdlePolicies(pipeline: Pipeline, connection: { tracing?: boolean }): void {
  if (connection.tracing === false) pipeline.removePolicy({ name: 'tracingPolicy' });
}
