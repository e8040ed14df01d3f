/**
 * A grant extension re-checks the plan as a grant does before its PUT (GrantRunner.recheck): the
 * extension prolongs AcrPull for the planned identity, so a cluster that now pulls with another
 * one (a user-assigned kubelet identity moved to another cluster), or a registry whose role
 * assignment mode changed, refuses it with the grant's own `recheck.*` code and sentence: no
 * "Extended" outcome, nothing written to Azure, the original's end where it was.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { isUserFacing } from '../../src/domain/errors';
import type { AzureResourceReader, DirectoryPort, RoleAssignmentPort } from '../../src/domain/ports';
import type { RunContext } from '../../src/flows/executor';
import { ExtensionAwareGrantRunner } from '../../src/flows/extension-runner';
import { GrantPlanner } from '../../src/flows/grant-planner';
import { GrantRunner } from '../../src/flows/grant-runner';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const plan = grantPlan();
const END = '2026-12-01T10:00:00.000Z';

/** The cluster as Azure shows it: a user-assigned kubelet identity, `kubeletObjectId` by default the plan's. */
function cluster(kubeletObjectId = plan.identity.objectId): ClusterInfo {
  return {
    id: plan.cluster.id,
    name: plan.cluster.name,
    subscriptionId: plan.cluster.subscriptionId,
    resourceGroup: plan.cluster.resourceGroup,
    identity: { identityType: 'UserAssigned', kubeletObjectId },
    aadEnabled: true,
  };
}

function registry(roleAssignmentMode = plan.registry.roleAssignmentMode): RegistryInfo {
  return { ...plan.registry, roleAssignmentMode } as RegistryInfo;
}

async function setup(azure: { cluster: ClusterInfo; registry: RegistryInfo }) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const writes: string[] = [];
  const roleAssignments: RoleAssignmentPort = {
    listForPrincipal: async () => [],
    create: async (input) => {
      writes.push(`create ${input.name}`);
      return { id: 'x' };
    },
    canAssignRoles: async () => true,
    delete: async (input) => {
      writes.push(`delete ${input.name}`);
      return {};
    },
    scopeExists: async () => true,
  };
  const reader = {
    getCluster: async () => azure.cluster,
    getRegistry: async () => azure.registry,
  } as unknown as AzureResourceReader;
  // The real planner's identity resolution (a kubelet identity needs no directory lookup).
  const planner = new GrantPlanner(
    {} as ResourceResolver,
    {} as ConstructorParameters<typeof GrantPlanner>[1],
    {} as DirectoryPort,
  );
  const grants = new GrantRunner(reader, roleAssignments, planner, [], async () => undefined);
  // The assignment is there as recorded; only the recheck is under test here.
  const runner = new ExtensionAwareGrantRunner(
    grants,
    store,
    { store: new MemoryLeaseStore(() => clock.now()) },
    { assignmentDrift: async () => undefined },
  );
  const audited: string[] = [];
  const ctx = {
    requestId: 'R-UNITTEST',
    audit: async (e: { action: string; outcome: string }) => void audited.push(`${e.action}:${e.outcome}`),
    recordCreated: async () => void writes.push('recordCreated'),
    created: () => [],
    log: createLogger({ level: 'silent' }),
  } as RunContext;
  const original = pendingRequest({
    id: 'R-ORIGINAL',
    state: 'succeeded',
    plan,
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['x'] },
    access: { durationMs: 86_400_000, expiresAt: END },
  });
  await store.create(original);
  const extension = pendingRequest({ id: 'R-EXTENSION', state: 'executing', plan, extendsRequestId: original.id });
  const run = () => runner.run(extension, ctx).catch((err: unknown) => err);
  return { run, store, original, writes, audited };
}

describe('ExtensionAwareGrantRunner: the plan re-checked as a grant is', () => {
  test('the cluster now pulls with another kubelet identity: recheck.identityChanged, not extended, nothing written', async () => {
    const other = '0d000000-0000-4000-8000-0000000000ff';
    const t = await setup({ cluster: cluster(other), registry: registry() });
    const failure = await t.run();
    expect(isUserFacing(failure) && failure.code).toBe('recheck.identityChanged');
    // The grant's own sentence.
    expect((failure as Error).message).toBe(
      `Cluster ${plan.cluster.name} now pulls with a different identity (${other}) than the approved plan, so the access was not extended and ends as before; make a new request.`,
    );
    expect(t.writes).toEqual([]);
    expect(t.audited).toEqual([]);
    expect((await t.store.get(t.original.id))!.access).toEqual({ durationMs: 86_400_000, expiresAt: END });
  });

  test('the registry switched its role assignment mode: recheck.registryChanged, not extended, nothing written', async () => {
    const t = await setup({ cluster: cluster(), registry: registry('AbacRepositoryPermissions') });
    const failure = await t.run();
    expect(isUserFacing(failure) && failure.code).toBe('recheck.registryChanged');
    expect((failure as Error).message).toBe(
      `Registry ${plan.registry.name} switched its permission mode to AbacRepositoryPermissions since the plan was made, so the access was not extended and ends as before; make a new request.`,
    );
    expect(t.writes).toEqual([]);
    expect(t.audited).toEqual([]);
    expect((await t.store.get(t.original.id))!.access).toEqual({ durationMs: 86_400_000, expiresAt: END });
  });

  test('the plan still holds: extended, nothing written to Azure', async () => {
    const t = await setup({ cluster: cluster(), registry: registry() });
    const outcome = await t.run();
    expect(outcome).toMatchObject({ alreadyPresent: true, azureRequestIds: [] });
    expect((outcome as { summary: string }).summary).toMatch(/^Extended the access of R-ORIGINAL/);
    expect(t.writes).toEqual([]);
    expect(t.audited).toEqual(['access.extend.checked:active']);
  });
});
