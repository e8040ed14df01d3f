/**
 * One read shared by callers that each look something up first and need a read made after their
 * own lookup ended: the card copies of one request change (card-copy-updates.ts `updateCopy`), each
 * looking up its viewers (which may ask Teams) and then drawing the request as stored.
 *
 * A read made before a caller's lookup ended is never used by it: another instance may have
 * stored a newer state while the lookup ran, and a copy drawn from the older read would put that
 * older state over the newer one. So a read starts only when no caller's lookup is running, and
 * every caller waiting then shares it; a caller whose lookup ends after a read started waits for
 * the next one. Copies whose lookups overlap (the usual case: the copies of a change go out
 * together) cost one read; a copy that starts after a read began (its lane was full, or its hold
 * ended later) costs its own.
 *
 * The price: a caller whose lookup ended waits for the others running then (a Teams member
 * lookup, usually known already and then at once), but never longer than `maxWaitMs`: past it,
 * it reads on its own, so one lookup that hangs (until its HTTP deadline) holds up only its own
 * copy, as before the reads were shared.
 */
export class BatchedRead<T> {
  /** Lookups running. */
  private lookups = 0;
  /** Callers whose lookup ended, waiting for the next read. */
  private readonly waiting: Array<(read: Promise<T>) => void> = [];

  /**
   * @param read the read shared; it starts only once no lookup is running.
   * @param maxWaitMs how long a caller whose lookup ended waits for the others before reading alone.
   */
  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxWaitMs = 2_000,
  ) {}

  /**
   * Runs `lookup`, then reads (sharing the read with every caller waiting when it starts).
   * Rejects with `lookup`'s error, without reading, when it fails.
   */
  async after<L>(lookup: () => Promise<L>): Promise<{ looked: L; read: T }> {
    this.lookups++;
    let looked: L;
    try {
      looked = await lookup();
    } catch (err) {
      this.lookups--;
      // The others may have been waiting for this lookup alone.
      this.startIfQuiet();
      throw err;
    }
    this.lookups--;
    const read = new Promise<T>((resolve) => {
      const waiter = (shared: Promise<T>) => {
        clearTimeout(timer);
        resolve(shared);
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(waiter);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        resolve(new Promise<T>((own) => own(this.read())));
      }, this.maxWaitMs);
      timer.unref();
      this.waiting.push(waiter);
    });
    this.startIfQuiet();
    return { looked, read: await read };
  }

  /** Starts a read for everyone waiting once no lookup is running. */
  private startIfQuiet(): void {
    if (this.lookups > 0 || this.waiting.length === 0) return;
    // Started now; a read that throws at once rejects every caller's wait instead of hanging it.
    const read = new Promise<T>((resolve) => resolve(this.read()));
    for (const resolve of this.waiting.splice(0)) resolve(read);
  }
}
