/**
 * A correlation id per turn (and per background execution), carried by AsyncLocalStorage so
 * every log line of that work has it without threading a logger through every call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const storage = new AsyncLocalStorage<{ correlationId: string }>();

/** Runs `work` with a correlation id (a new one unless given). */
export function withCorrelation<T>(work: () => T, correlationId: string = randomUUID()): T {
  return storage.run({ correlationId }, work);
}

/** The current correlation id, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
