/**
 * The resume sweep (every half lease TTL, composition/background.ts) lists the approved and
 * executing requests; a store outage fails every listing. Its failures are logged as the
 * scheduler's sweep logs them (scheduler-sweep-log.ts): the first at once, then at most one line
 * every few minutes with how many sweeps failed, and one line once a listing succeeds again.
 */
import { Executor, type PlanRunner } from '../../src/flows/executor';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

const ERROR = 50;
const INFO = 30;

function setup() {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const lines: Array<Record<string, any> & { level: number; msg: string }> = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const grant: PlanRunner = { run: async () => ({ summary: 'granted', azureRequestIds: [] }) };
  const executor = new Executor(
    store,
    new MemoryAuditLog(clock),
    clock,
    { grant },
    { requestChanged: async () => undefined },
    logger,
    { leases: new MemoryLeaseStore(() => clock.now()), owner: 'test', ttlMs: MINUTE },
  );
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
