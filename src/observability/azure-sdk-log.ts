/**
 * The Azure SDK's own log lines (`@azure/logger`: azure:identity, azure:core-rest-pipeline …),
 * written through acrbot's logger: JSON lines like every other, scrubbed (G12), with the
 * correlation id of the work they came from. The SDK writes them to stderr as plain text by
 * default, and the Azure Monitor distro, once telemetry is on, enables them at "warning" (or
 * AZURE_LOG_LEVEL) and sends them to the console the same way.
 *
 * The level the SDK logs at is left as it is (the distro's "warning" with telemetry on, else
 * AZURE_LOG_LEVEL or nothing): an operator still sees the SDK's warnings, now as log lines.
 */
import { format } from 'node:util';
import type * as AzureLoggerModule from '@azure/logger';
import type { Logger } from './logger';

/** pino's level for each of the SDK's, which is the last part of the line's namespace. */
const LEVELS = { error: 'error', warning: 'warn', info: 'info', verbose: 'debug' } as const;

/**
 * Sends every line the Azure SDK logs to `log`, at its level, with the SDK's namespace as
 * `azureSdk`. Call it once the logger exists and after telemetry has started (the distro sets
 * its own writer when it starts).
 */
export function routeAzureSdkLogs(log: Logger): void {
  const { AzureLogger } = require('@azure/logger') as typeof AzureLoggerModule;
  AzureLogger.log = (...args: unknown[]) => {
    // The SDK's debug writer puts `<namespace> ` before the message: `azure:identity:warning …`.
    const text = format(...args);
    const space = text.indexOf(' ');
    const namespace = space > 0 ? text.slice(0, space) : '';
    const level = LEVELS[namespace.slice(namespace.lastIndexOf(':') + 1) as keyof typeof LEVELS];
    if (!level || !namespace.startsWith('azure')) {
      log.info({ azureSdk: 'azure' }, text);
      return;
    }
    log[level]({ azureSdk: namespace.slice(0, namespace.lastIndexOf(':')) }, text.slice(space + 1));
  };
}
