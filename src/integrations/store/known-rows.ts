/**
 * Rows this instance last wrote or read, each with the ETag the service gave it, so a store can
 * decide on a row without reading it again and write under that ETag (docs/storage.md,
 * "Conditional writes on a remembered ETag"). While the ETag matches, the row is exactly what
 * was remembered; anyone else's write changes the ETag and the conditional write fails, so a
 * stale memory costs a 412, never a wrong decision.
 *
 * Bounded: the row remembered longest ago is forgotten first (remembering a key again makes it
 * the newest; reading it does not), so a long-running process keeps at most `limit` rows per
 * store however many keys it has seen.
 */
export class KnownRows<T extends { etag: string }> {
  private readonly rows = new Map<string, T>();

  constructor(private readonly limit = 1_000) {}

  /** The remembered row of `key`, if any. */
  get(key: string): T | undefined {
    return this.rows.get(key);
  }

  /**
   * Remembers `row` as the newest of `key`. A write whose answer carried no ETag (the SDK's
   * fallback path) leaves nothing to decide on, so it forgets the key instead.
   */
  remember(key: string, row: Omit<T, 'etag'>, etag: string | undefined): void {
    this.rows.delete(key);
    if (!etag) return;
    this.rows.set(key, { ...row, etag } as T);
    if (this.rows.size > this.limit) this.rows.delete(this.rows.keys().next().value!);
  }

  /** Forgets `key` (its write failed, or the row is gone). */
  forget(key: string): void {
    this.rows.delete(key);
  }

  /** How many rows are remembered (tests: the bound holds). */
  get size(): number {
    return this.rows.size;
  }
}
