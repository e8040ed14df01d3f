import { IncrementQueue } from '../../src/integrations/store/increment-queue';

/** A counter store whose writes the test releases one by one, recording each write's arguments. */
function heldCounter() {
  const rows = new Map<string, { window: number; count: number }>();
  const writes: { key: string; window: number; n: number; release(fail?: Error): void }[] = [];
  const queue = new IncrementQueue(
    (key, window, n) =>
      new Promise<number>((resolve, reject) => {
        writes.push({
          key,
          window,
          n,
          release: (fail) => {
            if (fail) return reject(fail);
            const row = rows.get(key);
            const count = (row && row.window === window ? row.count : 0) + n;
            rows.set(key, { window, count });
            resolve(count);
          },
        });
      }),
  );
  /** Lets every queued microtask run, so whatever the queue does next has been done. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { queue, writes, settle };
}

describe('IncrementQueue', () => {
  it('writes one increment at a time per key and merges the ones that wait into one write', async () => {
    const { queue, writes, settle } = heldCounter();
    const counts = Array.from({ length: 6 }, () => queue.add('user-1', 0));
    await settle();
    // The first goes out alone; the five behind it wait, not racing it.
    expect(writes.map((w) => w.n)).toEqual([1]);
    writes[0].release();
    await settle();
    expect(writes.map((w) => w.n)).toEqual([1, 5]);
    writes[1].release();
    // Each caller gets its own place in the window, as if written one by one in arrival order.
    await expect(Promise.all(counts)).resolves.toEqual([1, 2, 3, 4, 5, 6]);
    expect(queue.size).toBe(0);
  });

  it('lets other keys write meanwhile', async () => {
    const { queue, writes, settle } = heldCounter();
    const a = queue.add('user-1', 0);
    const b = queue.add('user-2', 0);
    await settle();
    expect(writes.map((w) => w.key)).toEqual(['user-1', 'user-2']);
    writes[1].release();
    await expect(b).resolves.toBe(1);
    writes[0].release();
    await expect(a).resolves.toBe(1);
  });

  it('never merges increments of different windows, and keeps their order', async () => {
    const { queue, writes, settle } = heldCounter();
    const counts = [
      queue.add('user-1', 0),
      queue.add('user-1', 0),
      queue.add('user-1', 60_000),
      queue.add('user-1', 60_000),
    ];
    for (let i = 0; i < 3; i++) {
      await settle();
      writes[i].release();
    }
    expect(writes.map((w) => [w.window, w.n])).toEqual([
      [0, 1],
      [0, 1],
      [60_000, 2],
    ]);
    await expect(Promise.all(counts)).resolves.toEqual([1, 2, 1, 2]);
  });

  it('fails only the increments of a failed write, and the next ones still go out', async () => {
    const { queue, writes, settle } = heldCounter();
    const first = queue.add('user-1', 0);
    const merged = [queue.add('user-1', 0), queue.add('user-1', 0)];
    await settle();
    writes[0].release(new Error('503 Server Busy'));
    await expect(first).rejects.toThrow('503 Server Busy');
    await settle();
    expect(writes.map((w) => w.n)).toEqual([1, 2]);
    writes[1].release();
    await expect(Promise.all(merged)).resolves.toEqual([1, 2]);
    expect(queue.size).toBe(0);
  });
});
