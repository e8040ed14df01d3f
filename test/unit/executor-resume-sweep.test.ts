/**
 * The resume sweep comes every half lease TTL: while one listing of the runs to take over is still
 * waiting on a slow store, the next sweeps share it instead of piling up listings of up to 1,000
 * requests each; once it is answered, the next sweep lists again.
 */
import { executorOnMemory } from './support/executor-resume';
import { APPROVER, pendingRequest } from './support/requests';

test('one listing at a time: sweeps during a slow listing share it, and the runs it finds run once', async () => {
  const t = executorOnMemory('2025-01-15T09:00:00.000Z');
  await t.store.create(
    pendingRequest({
      state: 'executing',
      version: 3,
      decision: { approved: true, by: APPROVER, at: '2025-01-15T09:00:00.000Z' },
    }),
  );
  const listByState = t.store.listByState.bind(t.store);
  let listings = 0;
  let answer!: () => void;
  const slow = new Promise<void>((resolve) => (answer = resolve));
  t.store.listByState = async (...args) => {
    listings++;
    await slow;
    return listByState(...args);
  };

  const sweeps = [t.executor.resumeInterrupted(), t.executor.resumeInterrupted(), t.executor.resumeInterrupted()];
  expect(listings).toBe(1);
  answer();
  expect(await Promise.all(sweeps)).toEqual([1, 1, 1]);
  await t.executor.drain();
  expect(t.runs).toEqual(['R-7K2M9QXA']);

  await t.executor.resumeInterrupted();
  expect(listings).toBe(2);
});
