/**
 * BatchedRead: every caller is given a read that started after its own lookup ended, and the
 * callers whose lookups overlap share one.
 */
import { BatchedRead } from '../../src/bot/batched-read';

/** A promise settled by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A read that numbers its calls and records which lookups had ended when it started. */
function counted(ended: Set<string>) {
  const starts: string[][] = [];
  const read = async () => {
    starts.push([...ended].sort());
    return starts.length;
  };
  return { starts, read };
}

/** Runs `lookup` as caller `name`, noting when it ended. */
function caller<L>(batched: BatchedRead<number>, ended: Set<string>, name: string, lookup: Promise<L>) {
  return batched.after(async () => {
    const looked = await lookup;
    ended.add(name);
    return looked;
  });
}

test('callers whose lookups overlap share one read, started after the last of them ended', async () => {
  const ended = new Set<string>();
  const { starts, read } = counted(ended);
  const batched = new BatchedRead(read);
  const slow = deferred<string>();
  const first = caller(batched, ended, 'fast', Promise.resolve('f'));
  const second = caller(batched, ended, 'slow', slow.promise);
  // The fast lookup has ended; nothing is read while the slow one runs.
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(starts).toEqual([]);
  slow.resolve('s');
  expect(await first).toEqual({ looked: 'f', read: 1 });
  expect(await second).toEqual({ looked: 's', read: 1 });
  expect(starts).toEqual([['fast', 'slow']]);
});

test('a caller whose lookup ends after a read started gets a read of its own, started after it', async () => {
  const ended = new Set<string>();
  const { starts, read } = counted(ended);
  const batched = new BatchedRead(read);
  expect(await caller(batched, ended, 'early', Promise.resolve('e'))).toEqual({ looked: 'e', read: 1 });
  expect(await caller(batched, ended, 'late', Promise.resolve('l'))).toEqual({ looked: 'l', read: 2 });
  expect(starts).toEqual([['early'], ['early', 'late']]);
});

test('a failed lookup rejects its caller without a read and lets the waiting ones read', async () => {
  const ended = new Set<string>();
  const { starts, read } = counted(ended);
  const batched = new BatchedRead(read);
  const failing = deferred<string>();
  const ok = caller(batched, ended, 'ok', Promise.resolve('o'));
  const failed = caller(batched, ended, 'failing', failing.promise);
  await new Promise<void>((resolve) => setImmediate(resolve));
  failing.reject(new Error('no members API'));
  await expect(failed).rejects.toThrow('no members API');
  expect(await ok).toEqual({ looked: 'o', read: 1 });
  expect(starts).toEqual([['ok']]);
});

test('a read that throws at once rejects every caller waiting for it', async () => {
  const batched = new BatchedRead<number>(() => {
    throw new Error('store gone');
  });
  const later = deferred<string>();
  const first = batched.after(async () => 'x');
  const second = batched.after(() => later.promise);
  later.resolve('y');
  await expect(first).rejects.toThrow('store gone');
  await expect(second).rejects.toThrow('store gone');
});

test('a caller whose lookup ended reads alone once it has waited maxWaitMs for one that hangs', async () => {
  const ended = new Set<string>();
  const { starts, read } = counted(ended);
  const batched = new BatchedRead(read, 5);
  const hanging = deferred<string>();
  const stuck = caller(batched, ended, 'stuck', hanging.promise);
  expect(await caller(batched, ended, 'quick', Promise.resolve('q'))).toEqual({ looked: 'q', read: 1 });
  expect(starts).toEqual([['quick']]);
  hanging.resolve('s');
  expect(await stuck).toEqual({ looked: 's', read: 2 });
});
