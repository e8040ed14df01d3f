/**
 * The ids one go failed for (a revoke click's requests, a pass of the outcome net), logged as one
 * line instead of one per id: a store or Graph outage fails every id alike, with the same error,
 * and a registry's card or a pass may carry hundreds of them. Each failure is counted; the first
 * error and the first {@link IDS_LOGGED} ids are kept.
 */

/** Request ids one line names at most. */
const IDS_LOGGED = 10;

/** Failures of one go, counted, for its one log line. */
export class FailedIds {
  private count = 0;
  private readonly requestIds: string[] = [];
  private firstErr: unknown;

  /** `id` failed with `err`. */
  add(id: string, err: unknown): void {
    if (this.count++ === 0) this.firstErr = err;
    if (this.requestIds.length < IDS_LOGGED) this.requestIds.push(id);
  }

  /** The fields of the one line (`count`, the first ids, the first error); undefined when none failed. */
  fields(): { count: number; requestIds: string[]; err: unknown } | undefined {
    if (this.count === 0) return undefined;
    return { count: this.count, requestIds: [...this.requestIds], err: this.firstErr };
  }
}
