/**
 * Work a turn starts and does not wait for (planning after a card submit was answered, G16):
 * tracked so a shutdown, or a test, can wait for it; failures are logged once with the error.
 */
import { currentCorrelationId, withCorrelation } from '../observability/correlation';
import type { Logger } from '../observability/logger';

/** Runs and tracks background work of turns. */
export class BackgroundWork {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts `work` after the current turn's response; keeps the turn's correlation id. */
  run(what: string, work: () => Promise<void>): void {
    const correlationId = currentCorrelationId();
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => withCorrelation(work, correlationId))
      .catch((err: unknown) => this.log.error({ err, what }, 'background work of a turn failed'))
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Resolves when all started work has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
