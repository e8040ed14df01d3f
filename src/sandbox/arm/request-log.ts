/**
 * The request log of an emulator (shared by ARM and Graph): what tests assert on ("exactly one
 * role assignment PUT") and what benchmarks count. Cheap by design: one small object per call,
 * and it can be switched off or capped for long benchmark runs.
 */

/** One answered request. */
export interface RequestLogEntry {
  method: string;
  /** Path as received (repeated slashes kept), without the query string. */
  path: string;
  /** Operation name, e.g. `registries.get`; `unknown` when no route matched. */
  operation: string;
  status: number;
  /** `api-version` query parameter for ARM, `v1.0` for Graph; undefined when absent. */
  apiVersion: string | undefined;
  /** The `x-ms-request-id` (ARM) or `request-id` (Graph) sent back. */
  requestId: string;
  /** Epoch milliseconds when the request arrived. */
  at: number;
}

/** Options for {@link RequestLog}. */
export interface RequestLogOptions {
  /** false: record nothing. Default true. */
  enabled?: boolean;
  /** Keep at most this many entries (oldest dropped). Default 10 000. */
  cap?: number;
}

/** Bounded in-memory request log. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  enabled: boolean;
  cap: number;

  constructor(opts: RequestLogOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.cap = opts.cap ?? 10_000;
  }

  record(entry: RequestLogEntry): void {
    if (!this.enabled) return;
    this.entries.push(entry);
    // Drop a batch rather than one entry at a time: splice is O(n), so doing it per call would
    // make a capped log quadratic.
    if (this.entries.length > this.cap)
      this.entries.splice(0, Math.max(1, this.entries.length - Math.floor(this.cap * 0.9)));
  }

  clear(): void {
    this.entries.length = 0;
  }
}
