/**
 * An executor on memory stores, for tests that need one but care about only a part or two of it
 * (its store, its grant runner, its log, its leases): the rest is as quiet as it can be.
 */
import type { LeaseStore } from '../../../src/domain/ports';
import { Executor, type PlanRunner } from '../../../src/flows/executor';
import { MemoryLeaseStore } from '../../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger, type Logger } from '../../../src/observability/logger';
import { type FakeClock, MINUTE } from './fake-clock';

/** The parts of {@link memoryExecutor} a test may give; each left out has a quiet default. */
export interface MemoryExecutorParts {
  /** Default: an empty memory store. */
  store?: MemoryRequestStore;
  /** Default: a runner that grants at once. */
  grant?: PlanRunner;
  /** Default: a silent logger. */
  log?: Logger;
  /** Default: memory leases on `clock`. */
  leases?: LeaseStore;
  /** The execution leases' owner. Default: `test`. */
  owner?: string;
}

/** An executor at `clock` on a fresh memory audit log, whose notifier ignores every change. */
export function memoryExecutor(clock: FakeClock, parts: MemoryExecutorParts = {}): Executor {
  return new Executor(
    parts.store ?? new MemoryRequestStore(),
    new MemoryAuditLog(clock),
    clock,
    { grant: parts.grant ?? { run: async () => ({ summary: 'granted', azureRequestIds: [] }) } },
    { requestChanged: async () => undefined },
    parts.log ?? createLogger({ level: 'silent' }),
    { leases: parts.leases ?? new MemoryLeaseStore(() => clock.now()), owner: parts.owner ?? 'test', ttlMs: MINUTE },
  );
}
