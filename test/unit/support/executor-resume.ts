/**
 * An executor on memory stores whose runners only note the requests they run, and a resume sweep
 * as the start runs it: for the tests of what a sweep does with the runs it picks up.
 */
import { Executor, type PlanRunner } from '../../../src/flows/executor';
import type { AccessRequest } from '../../../src/domain/request';
import { MemoryLeaseStore } from '../../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import { FakeClock, MINUTE } from './fake-clock';

/** The executor at `now` (ISO) on a fake clock, its stores, what ran, and what the cards were told. */
export function executorOnMemory(now: string) {
  const clock = new FakeClock(now);
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const runs: string[] = [];
  const told: string[] = [];
  const runner: PlanRunner = {
    run: async (request) => {
      runs.push(request.id);
      return { summary: 'done', azureRequestIds: [] };
    },
  };
  const executor = new Executor(
    store,
    audit,
    clock,
    { grant: runner, secret: runner },
    {
      requestChanged: async (request) => {
        told.push(request.state);
      },
    },
    createLogger({ level: 'silent' }),
    { leases: new MemoryLeaseStore(() => clock.now()), owner: 'test', ttlMs: MINUTE },
  );
  /** Stores `request`, runs the resume sweep (as the start does), and returns it as stored then. */
  const resume = async (request: AccessRequest): Promise<AccessRequest> => {
    await store.create(request);
    await executor.resumeInterrupted();
    await executor.drain();
    return (await store.get(request.id))!;
  };
  return { clock, store, audit, executor, runs, told, resume };
}
