/**
 * Runs tasks that share a key one after another in this process; tasks under other keys run
 * freely. The request service queues decisions and cancellations per request with it, so a
 * double click's loser reads the winner's write before it audits anything; the Tables audit
 * log queues its appends under one key so they do not race each other for the chain head.
 * Across processes the store's conditional write decides instead. No I/O: it orders promises.
 */
export class KeyedSerialiser {
  /** The last task queued per key; removed when that task settles and nothing queued behind it. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /**
   * Runs `task` once every task queued earlier under `key` has settled (whether it resolved or
   * threw: a failure of one click must not block the next). Returns the task's own outcome.
   */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // After the previous task either way: its outcome is its own caller's.
    const mine = previous.then(task, task);
    this.tails.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }

  /** How many keys have a task queued or running (for tests: the map must not grow forever). */
  get size(): number {
    return this.tails.size;
  }
}
