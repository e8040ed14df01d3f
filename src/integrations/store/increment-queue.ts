/**
 * One write at a time per counter row, with every increment that arrives meanwhile merged into
 * the next write.
 *
 * A rate window on Azure Tables is one row per user, incremented under If-Match. When one user's
 * requests arrive together (a script, a burst of retries), each increment on its own would race
 * the others of the same process: all but one get 412, read the row again and retry with a
 * back-off, so a burst of n costs O(n²) requests and its latency grows with n. Queued here, the
 * increments of one process never race each other: while one write is in flight the next ones
 * wait, and they are then written together (count + k) in one request. Only another instance's
 * write can still cost a 412, which the writer handles as before.
 */

/** Increments waiting for the same row and the same window: written together. */
interface Group {
  window: number;
  waiters: { resolve(count: number): void; reject(err: unknown): void }[];
  /** True once its write has been sent: later increments wait for the next group. */
  sent: boolean;
}

/**
 * Adds `n` to the counter `key` in `window` and resolves with the count after it (counting from
 * 0 when the row holds another window). Never called again for a key before its previous call
 * for that key has settled.
 */
export type WriteIncrement = (key: string, window: number, n: number) => Promise<number>;

/** Per-key queue of counter increments, each key's writes one after another and merged while waiting. */
export class IncrementQueue {
  /** Per key, the group being written first and the groups waiting behind it. Empty keys are removed. */
  private readonly queues = new Map<string, Group[]>();

  constructor(private readonly write: WriteIncrement) {}

  /**
   * Counts one event for `key` in `window`; resolves with its place in the window (the count
   * after it, as if the increments had been written one by one in the order they arrived).
   */
  add(key: string, window: number): Promise<number> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      const last = queue.at(-1);
      if (last && !last.sent && last.window === window) {
        last.waiters.push({ resolve, reject });
        return;
      }
      queue.push({ window, waiters: [{ resolve, reject }], sent: false });
      if (queue.length === 1) void this.drain(key, queue);
    });
  }

  /** How many keys have increments queued or in flight (for tests: the map must not grow forever). */
  get size(): number {
    return this.queues.size;
  }

  /** Writes the key's groups in order until none is left. Never rejects: a failed write fails its own group only. */
  private async drain(key: string, queue: Group[]): Promise<void> {
    while (queue.length) {
      const group = queue[0];
      group.sent = true;
      const n = group.waiters.length;
      try {
        const total = await this.write(key, group.window, n);
        group.waiters.forEach((w, i) => w.resolve(total - n + 1 + i));
      } catch (err) {
        for (const w of group.waiters) w.reject(err);
      }
      queue.shift();
    }
    this.queues.delete(key);
  }
}
