/**
 * Maps items through an async function with at most a given number of calls in flight, results
 * in the items' order. For many point reads of one store (the tab's matrix reads every request
 * the inventory names beyond its listing): all at once, thousands of parallel reads of one Azure
 * Tables partition invite throttling (429/503); one at a time, a page waits for each round trip.
 * A new call starts as soon as one ends, not batch after batch, so one slow read holds up one
 * slot only. No I/O: it orders promises (like keyed-serialiser.ts).
 */

/**
 * `fn` over `items`, at most `atOnce` calls running at any moment; resolves with the results in
 * the items' order. The first failure rejects the whole map at once and no further call starts
 * (calls already running finish; their outcomes are dropped).
 */
export async function mapAtMost<T, R>(
  items: readonly T[],
  atOnce: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isSafeInteger(atOnce) || atOnce < 1)
    throw new RangeError(`mapAtMost needs a whole number of calls at once, 1 or more (got ${atOnce}).`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  // Each worker takes the next item when its call ends; `next++` runs with no await in between,
  // so no two workers take the same item.
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  return results;
}
