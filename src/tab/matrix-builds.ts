/**
 * An approver's matrix as one load's pages slice it: built once, at the load's first page. The
 * page loader (web/src/matrix-loader.ts) asks for page after page; each used to build the whole
 * answer again (the inventory joined to up to 5,000 requests, the Revoke checks, the sort, the
 * digest) to slice 1,000 rows of it, so a load of three pages paid three builds.
 *
 * A cache of a read, never of a decision: what a page shows, never what anyone may do (Extend and
 * Revoke decide again when asked). Kept per instance, in memory, for a few seconds
 * ({@link MATRIX_BUILD_TTL_MS}), at most {@link MATRIX_BUILDS_KEPT} builds, least recently used
 * dropped first. A build is kept only:
 * - per caller: their tenant, object id and roles, so no one is ever shown another's rows or
 *   buttons (a role lost between pages makes another key);
 * - with the inventory's copy it joined ({@link MatrixBuild.source}): a change here that drops
 *   that copy (a grant's outcome, a revoke, an extension, the tab's own actions:
 *   matrix-invalidation.ts, composition/http.ts) makes the next page build anew, so its snapshot
 *   name differs and the load starts again, as before;
 * - for pages after the first: a load's first page (offset 0) always builds, so every load reads
 *   the store's request details afresh (docs/tab.md, Caching).
 */
import type { AccessMatrix } from '../domain/access-inventory';
import type { Clock } from '../domain/ports';

/** How long a build serves the pages after its first: the few seconds a paged load takes. */
export const MATRIX_BUILD_TTL_MS = 15_000;

/** Most builds kept at once (each holds one approver's whole matrix, a few MB at thousands of rows). */
export const MATRIX_BUILDS_KEPT = 16;

/** One caller's built matrix, sorted, with the inventory copy it was joined to. */
export interface MatrixBuild<T> {
  /** The inventory's matrix the build joined (its identity names the copy). */
  source: AccessMatrix;
  answer: T;
}

/** Builds of the matrix by caller, for the pages of a load after its first. */
export class MatrixBuilds<T> {
  private readonly kept = new Map<string, { build: MatrixBuild<T>; builtAtMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = MATRIX_BUILD_TTL_MS,
    private readonly max = MATRIX_BUILDS_KEPT,
  ) {}

  /**
   * `caller`'s build joined to `source` (the inventory's copy now), while younger than the TTL;
   * otherwise undefined (and a stale one is dropped).
   */
  get(caller: string, source: AccessMatrix): T | undefined {
    const entry = this.kept.get(caller);
    if (!entry) return undefined;
    const age = this.clock.now().getTime() - entry.builtAtMs;
    if (entry.build.source !== source || age < 0 || age >= this.ttlMs) {
      this.kept.delete(caller);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.kept.delete(caller);
    this.kept.set(caller, entry);
    return entry.build.answer;
  }

  /** Keeps `caller`'s newest build (replacing theirs), dropping the least recently used beyond the bound. */
  set(caller: string, build: MatrixBuild<T>): void {
    this.kept.delete(caller);
    // Aged from when it was built: the pages after the first follow its answer.
    this.kept.set(caller, { build, builtAtMs: this.clock.now().getTime() });
    while (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
  }
}
