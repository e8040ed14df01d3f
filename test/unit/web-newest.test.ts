/** Only the newest of the page's reloads draws: an older one answering last would show stale data. */
import { newestOnly } from '../../web/src/newest';

/** A promise settled by hand. */
function gate<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: Error): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('reloads', () => {
  test('an older reload answering after a newer one is not drawn', async () => {
    const loads = newestOnly();
    const drawn: string[] = [];
    const older = gate<string>();
    const newer = gate<string>();
    const first = loads.run(
      () => older.promise,
      (v) => drawn.push(v),
    );
    const second = loads.run(
      () => newer.promise,
      (v) => drawn.push(v),
    );
    newer.resolve('after the revoke');
    await expect(second).resolves.toBe(true);
    older.resolve('before the revoke');
    await expect(first).resolves.toBe(false);
    expect(drawn).toEqual(['after the revoke']);
  });

  test('in order, each is drawn; an older failure is no news, the newest one is reported', async () => {
    const loads = newestOnly();
    const drawn: string[] = [];
    await loads.run(
      async () => 'one',
      (v) => drawn.push(v),
    );
    await loads.run(
      async () => 'two',
      (v) => drawn.push(v),
    );
    expect(drawn).toEqual(['one', 'two']);
    const older = gate<string>();
    const first = loads.run(
      () => older.promise,
      (v) => drawn.push(v),
    );
    const second = loads.run(
      async () => {
        throw new Error('the store did not answer');
      },
      (v) => drawn.push(v),
    );
    await expect(second).rejects.toThrow('the store did not answer');
    older.reject(new Error('old news'));
    await expect(first).resolves.toBe(false);
    expect(drawn).toEqual(['one', 'two']);
  });
});
