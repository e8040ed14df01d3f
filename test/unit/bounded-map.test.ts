/**
 * mapAtMost: at most N calls in flight, results in the items' order, a new call as soon as one
 * ends (not batch after batch), and the first failure stops further calls.
 */
import { mapAtMost } from '../../src/domain/bounded-map';

/** A call the test settles by hand, to see what runs at one moment. */
interface Held {
  item: number;
  resolve(value: string): void;
  reject(err: Error): void;
}

function holding() {
  const running: Held[] = [];
  const started: number[] = [];
  const fn = (item: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(item);
      running.push({ item, resolve, reject });
    });
  /** Settles the running call for `item` and lets the map start the next one. */
  const settle = async (item: number, how: (h: Held) => void) => {
    const i = running.findIndex((h) => h.item === item);
    const [held] = running.splice(i, 1);
    how(held!);
    for (let k = 0; k < 5; k += 1) await Promise.resolve();
  };
  return { running, started, fn, settle };
}

test('runs at most the bound at once, starts the next as soon as any ends, and keeps the order', async () => {
  const h = holding();
  const done = mapAtMost([0, 1, 2, 3, 4], 2, h.fn);
  expect(h.started).toEqual([0, 1]);
  // The second ends first: one slot frees, one call starts (not waiting for the first).
  await h.settle(1, (c) => c.resolve('b'));
  expect(h.started).toEqual([0, 1, 2]);
  expect(h.running.map((c) => c.item)).toEqual([0, 2]);
  for (const [item, value] of [
    [2, 'c'],
    [0, 'a'],
    [3, 'd'],
    [4, 'e'],
  ] as const) {
    expect(h.running.length).toBeLessThanOrEqual(2);
    await h.settle(item, (c) => c.resolve(value));
  }
  await expect(done).resolves.toEqual(['a', 'b', 'c', 'd', 'e']);
});

test('the first failure rejects the map and no further call starts', async () => {
  const h = holding();
  const done = mapAtMost([0, 1, 2, 3], 2, h.fn);
  const failure = new Error('throttled');
  await h.settle(0, (c) => c.reject(failure));
  await expect(done).rejects.toBe(failure);
  await h.settle(1, (c) => c.resolve('late'));
  expect(h.started).toEqual([0, 1]);
});

test('no items, no calls; a bound below 1 is refused', async () => {
  const fn = jest.fn(async () => 'x');
  await expect(mapAtMost([], 4, fn)).resolves.toEqual([]);
  expect(fn).not.toHaveBeenCalled();
  await expect(mapAtMost([1], 0, fn)).rejects.toThrow(/whole number of calls at once/);
});
