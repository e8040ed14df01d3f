/**
 * The access matrix the tab shows, reused for a short time (ACRBOT_TAB_INVENTORY_TTL): reading
 * it lists clusters, registries and role assignments across the allowed subscriptions in ARM,
 * which is too slow and too many ARM calls to repeat on every page load and every page of rows.
 *
 * Loads in flight are shared (ten people opening the tab at once cause one read). `invalidate()`
 * drops the copy at once; the composition root calls it when a request changes on this
 * instance (revoke, extend, grant outcomes), so people acting here see the change at the next
 * load. Other instances keep their copy until it is older than the TTL (docs/tab.md).
 */
import type { AccessMatrix } from '../domain/access-inventory';
import type { Clock } from '../domain/ports';
import type { TabInventory } from './tab-api';

/** A {@link TabInventory} with a short-lived copy of the matrix. */
export class CachedInventory implements TabInventory {
  private cached?: { matrix: AccessMatrix; loadedAtMs: number; generation: number };
  private loading?: { promise: Promise<AccessMatrix>; generation: number };
  /** Bumped by {@link invalidate}: a load that started before it is not kept. */
  private generation = 0;

  constructor(
    private readonly source: TabInventory,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The matrix: the copy while it is younger than the TTL and nothing changed here since, else a fresh read. */
  matrix(): Promise<AccessMatrix> {
    const generation = this.generation;
    const startedMs = this.clock.now().getTime();
    const copy = this.cached;
    if (copy && copy.generation === generation && startedMs - copy.loadedAtMs < this.ttlMs)
      return Promise.resolve(copy.matrix);
    if (this.loading?.generation === generation) return this.loading.promise;
    const promise = this.source.matrix().then((matrix) => {
      // Aged from when the read started: what it saw is at least that old.
      if (generation === this.generation) this.cached = { matrix, loadedAtMs: startedMs, generation };
      return matrix;
    });
    const loading = { promise, generation };
    this.loading = loading;
    // Failed loads are not kept: the next call reads again (the caller gets and reports the error).
    void promise.then(
      () => this.loading === loading && (this.loading = undefined),
      () => this.loading === loading && (this.loading = undefined),
    );
    return promise;
  }

  /** Drops the copy (a request changed on this instance); the next load reads Azure again. */
  invalidate(): void {
    this.generation += 1;
    this.cached = undefined;
  }
}
