import { KeyedSerialiser } from '../../src/domain/keyed-serialiser';

/** A promise the test settles by hand, so the order of events is decided by the test alone. */
function gate(): { promise: Promise<void>; open: () => void; fail: (err: Error) => void } {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('KeyedSerialiser', () => {
  it('runs a second task under the same key only after the first settled', async () => {
    const serialiser = new KeyedSerialiser();
    const events: string[] = [];
    const first = gate();
    const a = serialiser.run('R-1', async () => {
      events.push('a start');
      await first.promise;
      events.push('a end');
      return 'a';
    });
    const b = serialiser.run('R-1', async () => {
      events.push('b start');
      return 'b';
    });
    // Let every queued microtask run: b must still wait for a.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['a start']);
    first.open();
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b start']);
    expect(serialiser.size).toBe(0);
  });

  it('lets tasks under other keys run meanwhile', async () => {
    const serialiser = new KeyedSerialiser();
    const first = gate();
    const a = serialiser.run('R-1', () => first.promise.then(() => 'a'));
    await expect(serialiser.run('R-2', async () => 'other')).resolves.toBe('other');
    first.open();
    await expect(a).resolves.toBe('a');
  });

  it('runs the next task after one that threw, and hands each caller its own outcome', async () => {
    const serialiser = new KeyedSerialiser();
    const first = gate();
    const a = serialiser.run('R-1', () => first.promise);
    const b = serialiser.run('R-1', async () => 'b');
    first.fail(new Error('audit down'));
    await expect(a).rejects.toThrow('audit down');
    await expect(b).resolves.toBe('b');
    expect(serialiser.size).toBe(0);
  });
});
