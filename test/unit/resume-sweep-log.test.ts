/**
 * The resume sweep (every half lease TTL, composition/background.ts) lists the approved and
 * executing requests; a store outage fails every listing. Its failures are logged as the
 * scheduler's sweep logs them (scheduler-sweep-log.ts): the first at once, then at most one line
 * every few minutes with how many sweeps failed, and one line once a listing succeeds again.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock, SECOND } from './support/fake-clock';
import { ERROR, INFO, logLines } from './support/log-lines';
import { memoryExecutor } from './support/memory-executor';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const { lines, logger } = logLines();
  const executor = memoryExecutor(clock, { store, log: logger });
  return { clock, store, lines, executor };
}

test('a store failing an hour of resume sweeps logs one line, then one every 10 minutes, then once that it answers', async () => {
  const { clock, store, lines, executor } = setup();
  const listing = jest.spyOn(store, 'listByState').mockRejectedValue(new Error('store unreachable'));
  // An hour of sweeps every 30 s; none throws.
  for (let i = 0; i < 120; i++) {
    await executor.resumeSweep();
    clock.advance(30 * SECOND);
  }
  expect(listing).toHaveBeenCalledTimes(120);
  const errors = lines.filter((l) => l.level >= ERROR);
  expect(errors).toHaveLength(6);
  expect(errors[0]).toMatchObject({
    msg: 'resuming interrupted executions failed; while sweeps keep failing this is logged again at most every few minutes',
    err: expect.objectContaining({ message: 'store unreachable' }),
  });
  expect(errors[1]).toMatchObject({ msg: 'resuming interrupted executions still failing', failedSweeps: 21 });
  listing.mockRestore();
  await executor.resumeSweep();
  await executor.resumeSweep();
  expect(lines.filter((l) => l.level === INFO)).toEqual([
    expect.objectContaining({
      msg: 'resuming interrupted executions succeeded: store reachable again',
      failedSweeps: 120,
    }),
  ]);
  expect(lines.filter((l) => l.level >= ERROR)).toHaveLength(6);
});
