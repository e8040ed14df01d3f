/**
 * A correlation id per turn (and per background execution), carried by AsyncLocalStorage so
 * every log line of that work has it without threading a logger through every call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The one AsyncLocalStorage of the process. Each in use costs every promise made anywhere its
 * propagation (Node 20 runs them on async hooks: docs/performance.md, P8), so work that needs to
 * carry something else through a turn marks this scope ({@link markCurrentWork}) rather than
 * opening a storage of its own.
 */
const storage = new AsyncLocalStorage<{ correlationId: string; marks?: Set<string> }>();

/** Runs `work` with a correlation id (a new one unless given), in a scope of its own (no marks). */
export function withCorrelation<T>(work: () => T, correlationId: string = randomUUID()): T {
  return storage.run({ correlationId }, work);
}

/**
 * Marks the work running in the current scope (`mark` names what happened in it, e.g. a request
 * refused for the pause), for whoever opened the scope to read back once it is done
 * ({@link currentWorkMarked}). Outside any scope nothing is marked.
 */
export function markCurrentWork(mark: string): void {
  const scope = storage.getStore();
  if (scope) (scope.marks ??= new Set()).add(mark);
}

/** Whether the work of the current scope was marked `mark` ({@link markCurrentWork}). */
export function currentWorkMarked(mark: string): boolean {
  return storage.getStore()?.marks?.has(mark) ?? false;
}

/** The current correlation id, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
