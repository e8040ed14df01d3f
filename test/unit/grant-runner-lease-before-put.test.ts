/**
 * A grant run checks its execution lease right before each role assignment PUT: nothing fences an
 * ARM write, and the waits before one (a revocation of the same assignment running, up to 75 s,
 * longer than the lease's TTL; the backoff of a PrincipalNotFound retry) can outlast the lease. A
 * run taken over meanwhile (its request finished elsewhere, then revoked) must not make the
 * assignment again: it would grant pull with no grant to end it.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AzureResourceReader, RoleAssignmentPort } from '../../src/domain/ports';
import { CloudApiError, LeaseLostError } from '../../src/domain/ports';
import { accessLeaseKey } from '../../src/flows/access-lease';
import type { RunContext } from '../../src/flows/executor';
import type { GrantPlanner } from '../../src/flows/grant-planner';
import { GrantRunner } from '../../src/flows/grant-runner';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { grantPlan, pendingRequest } from './support/requests';

const plan = grantPlan();

/**
 * A GrantRunner whose PUTs answer `answers` in turn (an error thrown, anything else a success)
 * and whose waits run what `whileSleeping` set, with a run context whose lease check throws once
 * `lose()` was called.
 */
function setup(answers: Array<CloudApiError | undefined>, leases?: MemoryLeaseStore) {
  const puts: unknown[] = [];
  const roleAssignments = {
    listForPrincipal: async () => [],
    create: async (input: unknown) => {
      puts.push(input);
      const answer = answers.shift();
      if (answer) throw answer;
      return { id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}` };
    },
  } as unknown as RoleAssignmentPort;
  const azure = {
    getCluster: async () => ({ id: plan.cluster.id, name: plan.cluster.name }),
    getRegistry: async () => ({ id: plan.registry.id, roleAssignmentMode: plan.registry.roleAssignmentMode }),
  } as unknown as AzureResourceReader;
  const planner = { resolveIdentity: async () => plan.identity } as unknown as GrantPlanner;
  let onSleep = async () => {};
  const sleep = async () => onSleep();
  const runner = new GrantRunner(azure, roleAssignments, planner, [1_000], sleep, leases && { store: leases, sleep });
  let lost = false;
  const audit: Array<Pick<AuditEvent, 'action' | 'outcome'>> = [];
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    audit: async (e) => void audit.push(e),
    recordCreated: async () => undefined,
    created: () => [],
    checkLease: async () => {
      if (lost) throw new LeaseLostError('execution:R-UNITTEST');
    },
    log: createLogger({ level: 'silent' }),
  };
  return {
    run: () => runner.run(pendingRequest({ state: 'executing', plan }), ctx),
    puts,
    audit,
    lose: () => {
      lost = true;
    },
    whileSleeping: (f: () => Promise<void>) => {
      onSleep = f;
    },
  };
}

test('a run whose lease lapsed while it waited for a revocation of the same assignment sends no PUT', async () => {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const leases = new MemoryLeaseStore(() => clock.now());
  const revocation = await leases.acquire(accessLeaseKey(plan), 'other|R-OTHER', 60_000);
  const t = setup([], leases);
  // The revocation finishes while the run waits; meanwhile another instance took the run over.
  t.whileSleeping(async () => {
    clock.advance(61_000);
    t.lose();
    await leases.release(revocation!);
  });

  await expect(t.run()).rejects.toBeInstanceOf(LeaseLostError);

  expect(t.puts).toEqual([]);
  expect(t.audit).toEqual([]);
});

test('a run whose lease was lost in the backoff after PrincipalNotFound sends no second PUT, and audits no failure', async () => {
  const t = setup([new CloudApiError('PrincipalNotFound', 400, 'principal not replicated yet')]);
  t.whileSleeping(async () => t.lose());

  await expect(t.run()).rejects.toBeInstanceOf(LeaseLostError);

  expect(t.puts).toHaveLength(1);
  expect(t.audit).toEqual([]);
});
