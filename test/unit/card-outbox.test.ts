import { CardOutbox, type HoldTimers } from '../../src/bot/card-outbox';

/** A write that records itself when it starts and finishes only when released. */
class Writes {
  readonly started: string[] = [];
  private readonly gates = new Map<string, () => void>();
  private waiters: Array<() => void> = [];

  write(label: string): () => Promise<void> {
    return () =>
      new Promise<void>((resolve) => {
        this.started.push(label);
        this.gates.set(label, resolve);
        for (const w of this.waiters.splice(0)) w();
      });
  }

  release(label: string): void {
    const gate = this.gates.get(label);
    if (!gate) throw new Error(`${label} has not started`);
    this.gates.delete(label);
    gate();
  }

  /** Resolves once `label` has started (an event, not a sleep). */
  async startedOf(label: string): Promise<void> {
    while (!this.started.includes(label)) await new Promise<void>((r) => this.waiters.push(r));
  }
}

describe('CardOutbox', () => {
  test('replacements of one card queued behind a write in flight are coalesced: the newest state is written, none is lost', async () => {
    const outbox = new CardOutbox();
    const w = new Writes();
    const v2 = outbox.replace('conv', 'card-1', 2, w.write('v2'));
    await w.startedOf('v2');
    // While v2 is on its way, three more states arrive: only the last must be written.
    const v3 = outbox.replace('conv', 'card-1', 3, w.write('v3'));
    const v4 = outbox.replace('conv', 'card-1', 4, w.write('v4'));
    const v5 = outbox.replace('conv', 'card-1', 5, w.write('v5'));
    expect(w.started).toEqual(['v2']);
    w.release('v2');
    await v2;
    await w.startedOf('v5');
    w.release('v5');
    await Promise.all([v3, v4, v5]);
    expect(w.started).toEqual(['v2', 'v5']);
    expect(outbox.counts).toEqual({ written: 2, superseded: 2, dropped: 0 });
    expect(outbox.activeConversations).toBe(0);
  });

  test('an older state never follows a newer one of the same card', async () => {
    const outbox = new CardOutbox();
    const w = new Writes();
    const v4 = outbox.replace('conv', 'card-1', 4, w.write('v4'));
    await w.startedOf('v4');
    const v3 = outbox.replace('conv', 'card-1', 3, w.write('v3')); // a late caller with a stale state
    const v6 = outbox.replace('conv', 'card-1', 6, w.write('v6'));
    const v5 = outbox.replace('conv', 'card-1', 5, w.write('v5')); // older than the waiting v6
    w.release('v4');
    await Promise.all([v4, v3]);
    await w.startedOf('v6');
    w.release('v6');
    await Promise.all([v5, v6]);
    expect(w.started).toEqual(['v4', 'v6']);
  });

  test('a late older state is not written over a newer one already written; the same state again is', async () => {
    const outbox = new CardOutbox();
    const w = new Writes();
    const v5 = outbox.replace('conv', 'card-1', 5, w.write('v5'));
    await w.startedOf('v5');
    w.release('v5');
    await v5;
    // A caller that read its copies late, with an older state: resolves, writes nothing.
    await outbox.replace('conv', 'card-1', 3, async () => void w.started.push('v3'));
    expect(w.started).toEqual(['v5']);
    expect(outbox.counts.superseded).toBe(1);
    // Another card, or the same card in another conversation, is not affected.
    await outbox.replace('other', 'card-1', 3, async () => void w.started.push('other v3'));
    // The same state again (a writer that reads what changed since) is written, after the one on its way.
    const again = outbox.replace('conv', 'card-1', 5, w.write('v5 again'));
    await w.startedOf('v5 again');
    const third = outbox.replace('conv', 'card-1', 5, async () => void w.started.push('v5 third'));
    expect(w.started).toEqual(['v5', 'other v3', 'v5 again']);
    w.release('v5 again');
    await Promise.all([again, third]);
    expect(w.started).toEqual(['v5', 'other v3', 'v5 again', 'v5 third']);
    expect(outbox.activeConversations).toBe(0);
  });

  test('different cards and conversations are not held up by each other (up to the per-conversation bound)', async () => {
    const outbox = new CardOutbox(2);
    const w = new Writes();
    const a = outbox.replace('conv', 'card-a', 2, w.write('a'));
    const b = outbox.replace('conv', 'card-b', 2, w.write('b'));
    const c = outbox.replace('conv', 'card-c', 2, w.write('c')); // third in one conversation: waits
    const other = outbox.replace('other', 'card-a', 2, w.write('other'));
    await w.startedOf('other');
    expect(w.started).toEqual(['a', 'b', 'other']);
    w.release('a');
    await a;
    await w.startedOf('c');
    for (const x of ['b', 'c', 'other']) w.release(x);
    await Promise.all([b, c, other]);
  });

  test('a new message is never coalesced and goes out after everything queued before it', async () => {
    const outbox = new CardOutbox();
    const w = new Writes();
    const card = outbox.replace('conv', 'card-1', 2, w.write('card v2'));
    const news = outbox.send('conv', w.write('news'));
    const outcome = outbox.send('conv', w.write('outcome'));
    await w.startedOf('card v2');
    expect(w.started).toEqual(['card v2']);
    w.release('card v2');
    await card;
    await w.startedOf('news');
    expect(w.started).toEqual(['card v2', 'news']);
    w.release('news');
    await news;
    await w.startedOf('outcome');
    w.release('outcome');
    await outcome;
    expect(w.started).toEqual(['card v2', 'news', 'outcome']);
  });

  test('a failed write rejects for everyone waiting on it; the lane keeps working', async () => {
    const outbox = new CardOutbox();
    const w = new Writes();
    const first = outbox.replace('conv', 'card-1', 2, w.write('v2'));
    await w.startedOf('v2');
    const failing = outbox.replace('conv', 'card-1', 3, () => Promise.reject(new Error('connector said 500')));
    const superseding = outbox.replace('conv', 'card-1', 4, () => Promise.reject(new Error('connector said 503')));
    w.release('v2');
    await first;
    const [x, y] = await Promise.allSettled([failing, superseding]);
    // Both waited for the newest state's write, which failed.
    expect(x).toMatchObject({ status: 'rejected', reason: { message: 'connector said 503' } });
    expect(y).toMatchObject({ status: 'rejected', reason: { message: 'connector said 503' } });
    await expect(outbox.send('conv', async () => 'sent')).resolves.toBe('sent');
  });

  test('a held message waits without holding back what follows; withdrawn while held, it is never sent', async () => {
    const timers = new ManualTimers();
    const outbox = new CardOutbox(8, timers);
    const w = new Writes();
    const news = outbox.send('conv', w.write('news'), { ms: 2_000, tag: 'news-1' });
    const card = outbox.replace('conv', 'card-1', 3, w.write('card v3'));
    await w.startedOf('card v3');
    expect(w.started).toEqual(['card v3']);
    w.release('card v3');
    await card;
    expect(outbox.dropHeld('conv', 'news-1')).toBe(true);
    await expect(news).resolves.toBeUndefined();
    // Nothing fires later either: the timer was cleared and the lane is gone.
    timers.fireAll();
    await expect(outbox.send('conv', async () => 'outcome')).resolves.toBe('outcome');
    expect(w.started).toEqual(['card v3']);
    expect(outbox.counts.dropped).toBe(1);
    expect(outbox.activeConversations).toBe(0);
  });

  test('a held message whose hold has passed is an ordinary message: it goes out in order and can no longer be withdrawn', async () => {
    const timers = new ManualTimers();
    const outbox = new CardOutbox(8, timers);
    const w = new Writes();
    const news = outbox.send('conv', w.write('news'), { ms: 2_000, tag: 'news-1' });
    timers.fireAll();
    await w.startedOf('news');
    expect(outbox.dropHeld('conv', 'news-1')).toBe(false);
    const outcome = outbox.send('conv', w.write('outcome'));
    w.release('news');
    await news;
    await w.startedOf('outcome');
    w.release('outcome');
    await outcome;
    expect(w.started).toEqual(['news', 'outcome']);
    expect(outbox.counts.dropped).toBe(0);
  });

  test('idle() resolves once every conversation is empty, a held message included; at once when nothing is queued', async () => {
    const timers = new ManualTimers();
    const outbox = new CardOutbox(8, timers);
    await outbox.idle();
    const w = new Writes();
    const news = outbox.send('conv-a', w.write('news'), { ms: 2_000, tag: 'news-1' });
    const card = outbox.replace('conv-b', 'card-1', 3, w.write('card v3'));
    let idle = false;
    const idled = outbox.idle().then(() => (idle = true));
    await w.startedOf('card v3');
    w.release('card v3');
    await card;
    // conv-b is empty; conv-a still holds its news.
    expect(idle).toBe(false);
    timers.fireAll();
    await w.startedOf('news');
    expect(idle).toBe(false);
    w.release('news');
    await news;
    await idled;
    expect(outbox.activeConversations).toBe(0);
  });
});

/** Hold timers fired by the test. */
class ManualTimers implements HoldTimers {
  private readonly pending = new Map<number, () => void>();
  private next = 0;
  set(fire: () => void): unknown {
    this.pending.set(++this.next, fire);
    return this.next;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const fires = [...this.pending.values()];
    this.pending.clear();
    for (const fire of fires) fire();
  }
}
