/**
 * Step "background": work that runs after the server listens: resuming interrupted executions,
 * retrying credential clean-ups, and the periodic expiry sweep. Timers started here are stopped
 * by the returned function.
 */
import type { Clock } from '../domain/ports';
import { retryPendingCleanups } from '../flows/credential-cleanup';
import type { Logger } from '../observability/logger';
import type { AzurePorts } from './azure-ports';
import type { Flows } from './flows';
import type { Stores } from './stores';

/** Starts the background work; returns how to stop its timers. */
export async function startBackground(
  deps: { flows: Flows; stores: Stores; azure: AzurePorts; clock: Clock; log: Logger },
  options: { sweepIntervalMs?: number },
): Promise<() => void> {
  const { flows, stores, azure, clock, log } = deps;
  const resumed = await flows.executor.resumeInterrupted();
  if (resumed) log.info({ resumed }, 'resuming interrupted executions');
  void retryPendingCleanups(stores.requests, stores.audit, azure.secrets, clock, log).catch((err) =>
    log.warn({ err: { message: (err as Error).message } }, 'credential clean-up retry failed'),
  );
  const sweepMs = options.sweepIntervalMs ?? 60_000;
  const sweeper =
    sweepMs > 0
      ? setInterval(
          () =>
            void flows.requests
              .expireDue()
              .catch((err) => log.warn({ err: { message: (err as Error).message } }, 'expiry sweep failed')),
          sweepMs,
        )
      : undefined;
  sweeper?.unref();
  return () => {
    if (sweeper) clearInterval(sweeper);
  };
}
