/**
 * The tab's cached access matrix: reused within ACRBOT_TAB_INVENTORY_TTL, read again after it or
 * once something changed on this instance, one read for simultaneous loads, failures not kept.
 */
import type { AccessMatrix } from '../../src/domain/access-inventory';
import { CachedInventory } from '../../src/tab/inventory-cache';

const TTL_MS = 60_000;

/** A source whose reads finish when the test says so, numbered by their generatedAt. */
class Source {
  reads = 0;
  private pending: Array<{ resolve: (m: AccessMatrix) => void; reject: (e: Error) => void }> = [];
  matrix(): Promise<AccessMatrix> {
    this.reads += 1;
    const n = this.reads;
    return new Promise((resolve, reject) =>
      this.pending.push({
        resolve: () =>
          resolve({ clusters: [], registries: [], cells: [], unresolvedClusters: [], generatedAt: `read-${n}` }),
        reject,
      }),
    );
  }
  get waiting(): boolean {
    return this.pending.length > 0;
  }
  /** Finishes the oldest read still running, or the newest with `newest`. */
  finish(newest = false): void {
    (newest ? this.pending.pop() : this.pending.shift())!.resolve(undefined as never);
  }
  fail(): void {
    this.pending.shift()!.reject(new Error('ARM answered 503'));
  }
}

function setup() {
  const source = new Source();
  let nowMs = Date.parse('2026-11-30T10:00:00Z');
  const clock = { now: () => new Date(nowMs) };
  const cache = new CachedInventory(source, clock, TTL_MS);
  /** A load whose read (if it started one) finishes at once. */
  const load = async () => {
    const p = cache.matrix();
    if (source.waiting) source.finish();
    return (await p).generatedAt;
  };
  return { source, cache, load, advance: (ms: number) => (nowMs += ms) };
}

test('reused within the TTL, read again once it is older', async () => {
  const { source, load, advance } = setup();
  expect(await load()).toBe('read-1');
  advance(TTL_MS - 1);
  expect(await load()).toBe('read-1');
  expect(source.reads).toBe(1);
  advance(1);
  expect(await load()).toBe('read-2');
  expect(source.reads).toBe(2);
});

test('invalidate() drops the copy: the next load reads again', async () => {
  const { source, cache, load } = setup();
  await load();
  cache.invalidate();
  expect(await load()).toBe('read-2');
  expect(source.reads).toBe(2);
});

test('simultaneous loads share one read', async () => {
  const { source, cache } = setup();
  const loads = [cache.matrix(), cache.matrix(), cache.matrix()];
  source.finish();
  const results = await Promise.all(loads);
  expect(results.map((m) => m.generatedAt)).toEqual(['read-1', 'read-1', 'read-1']);
  expect(source.reads).toBe(1);
});

test('a read that started before a change is not kept (it may predate the change)', async () => {
  const { source, cache } = setup();
  const before = cache.matrix();
  cache.invalidate();
  const after = cache.matrix();
  expect(source.reads).toBe(2);
  // The newer read finishes first; the older one, finishing last, must not replace it.
  source.finish(true);
  source.finish();
  expect((await before).generatedAt).toBe('read-1');
  expect((await after).generatedAt).toBe('read-2');
  const again = cache.matrix();
  expect(source.reads).toBe(2);
  expect((await again).generatedAt).toBe('read-2');
});

test('a failed read is reported to the caller and not kept', async () => {
  const { source, cache } = setup();
  const failing = cache.matrix();
  source.fail();
  await expect(failing).rejects.toThrow('ARM answered 503');
  const retry = cache.matrix();
  expect(source.reads).toBe(2);
  source.finish();
  expect((await retry).generatedAt).toBe('read-2');
});
