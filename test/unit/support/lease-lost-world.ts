/**
 * What the tests of a run that loses a lease right before a write share: a job's lease that can
 * be lost on demand, and a lifecycle over memory stores (with or without access leases) whose
 * audit log can freeze the run at the entry written just before that write.
 */
import type { AuditEvent } from '../../../src/domain/audit-chain';
import { LeaseLostError, type ScheduledJob } from '../../../src/domain/ports';
import type { AccessRequest } from '../../../src/domain/request';
import type { JobRun } from '../../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../../src/flows/secret-runner';
import { MemoryLeaseStore } from '../../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { quietLifecycle } from './access-lifecycle';
import { FakeClock } from './fake-clock';

/**
 * A job's lease that holds until `lose()`, then throws on every check, as the scheduler's does;
 * `checks()` counts the checks made.
 */
export function losableJobRun(): { run: JobRun; lose(): void; checks(): number } {
  let lost = false;
  let checks = 0;
  return {
    run: {
      check: async () => {
        checks++;
        if (lost) throw new LeaseLostError('job:test');
      },
      signal: new AbortController().signal,
    },
    lose: () => {
      lost = true;
    },
    checks: () => checks,
  };
}

/**
 * A lifecycle over memory stores and `ports`, holding access leases (owner `this-instance`) in
 * `leases` when `withLeases`. `atAppend(matches, freeze)` runs `freeze` once, right after the
 * first audit entry `matches` accepts is stored (where a run may freeze); `expireJob` is the
 * `access.expire` job of a request, due now.
 */
export function leaseLostWorld(ports: SecretRunnerPorts, withLeases: boolean) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const leases = new MemoryLeaseStore(() => clock.now());
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    ports,
    settings: withLeases ? { leases: { store: leases, owner: 'this-instance' } } : {},
  });
  const atAppend = (matches: (event: AuditEvent) => boolean, freeze: () => Promise<void>) => {
    const append = audit.append.bind(audit);
    audit.append = async (event: AuditEvent) => {
      const stored = await append(event);
      if (matches(event)) {
        audit.append = append;
        await freeze();
      }
      return stored;
    };
  };
  const expireJob = (request: AccessRequest): ScheduledJob => ({
    id: `access.expire:${request.id}`,
    kind: 'access.expire',
    dueAt: clock.now().toISOString(),
    requestId: request.id,
    attempts: 0,
  });
  return { clock, store, audit, leases, lifecycle, atAppend, expireJob };
}
