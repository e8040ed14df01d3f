/**
 * An extension whose run fails with an error that itself sends its requester to a new request
 * (the cluster pulls with another identity, the registry changed its permission mode or is being
 * deleted) ends its failed card with a new request's command, as that error says, never with
 * "Once fixed, ask again: @acrbot extend …". One that failed because acrbot can no longer read
 * what it must re-check is asked for again with `extend` once acrbot reads it again (the original
 * still holds its access, and `extend` then works), as its error says. One that failed because the
 * cluster or registry is no longer at its recorded id (deleted, or a registry moved; a cluster
 * cannot be moved) is told to make a new request once acrbot has Reader where it is now, or once
 * it exists again (`extend` of it is
 * refused: extend.resourceGone). The errors
 * come from the real extension runner's re-check (ExtensionAwareGrantRunner over the real
 * GrantRunner), so a code the runner throws and the card's lists (NEW_REQUEST_CODES, GONE_CODES)
 * cannot part.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { isUserFacing } from '../../src/domain/errors';
import { GONE_CODES, NEW_REQUEST_CODES } from '../../src/domain/new-request-codes';
import type { AzureResourceReader, DirectoryPort, RoleAssignmentPort } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { RunContext } from '../../src/flows/executor';
import { ExtensionAwareGrantRunner } from '../../src/flows/extension-runner';
import { GrantPlanner } from '../../src/flows/grant-planner';
import { GrantRunner } from '../../src/flows/grant-runner';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { outcomeCard } from '../../src/views/request-view';
import { FakeClock } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const plan = { ...grantPlan(), typed: { cluster: 'name', registry: 'name' } as const };
const OTHER_IDENTITY = '0d000000-0000-4000-8000-0000000000ff';

const cluster = (kubeletObjectId = plan.identity.objectId): ClusterInfo => ({
  id: plan.cluster.id,
  name: plan.cluster.name,
  subscriptionId: plan.cluster.subscriptionId,
  resourceGroup: plan.cluster.resourceGroup,
  identity: { identityType: 'UserAssigned', kubeletObjectId },
  aadEnabled: true,
});

const registry = (over: Partial<RegistryInfo> = {}) => ({ ...plan.registry, ...over }) as RegistryInfo;

/** What ARM answers a re-read that it refuses. */
const armRefusal = (statusCode: number, code: string) =>
  Object.assign(new Error(`ARM answered ${statusCode}`), { statusCode, code });

/** The failure of an approved extension of an active original, run over `reads`. */
async function extensionFailure(reads: Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const planner = new GrantPlanner(
    {} as ResourceResolver,
    {} as ConstructorParameters<typeof GrantPlanner>[1],
    {} as DirectoryPort,
  );
  const grants = new GrantRunner(
    reads as AzureResourceReader,
    {} as RoleAssignmentPort,
    planner,
    [],
    async () => undefined,
  );
  const runner = new ExtensionAwareGrantRunner(
    grants,
    store,
    { store: new MemoryLeaseStore(() => clock.now()) },
    { assignmentDrift: async () => undefined },
  );
  const original = pendingRequest({
    id: 'R-ORIGINAL',
    state: 'succeeded',
    plan,
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['x'] },
    access: { durationMs: 86_400_000, expiresAt: '2026-12-01T10:00:00.000Z' },
  });
  await store.create(original);
  const extension = pendingRequest({
    id: 'R-EXTENSN2',
    state: 'executing',
    plan,
    extendsRequestId: original.id,
    access: { durationMs: 7 * 86_400_000 },
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
  });
  const ctx = {
    requestId: extension.id,
    audit: async () => undefined,
    recordCreated: async () => undefined,
    created: () => [],
    log: createLogger({ level: 'silent' }),
  } as RunContext;
  const failure = await runner.run(extension, ctx).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isUserFacing(failure)) throw new Error(`expected a user-facing failure, got ${String(failure)}`);
  const failed: AccessRequest = {
    ...extension,
    state: 'failed',
    outcome: { summary: 'Failed', azureRequestIds: [], error: failure.message, errorCode: failure.code },
  };
  return { failure, text: JSON.stringify(outcomeCard(failed)) };
}

test.each<[string, string, Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>]>([
  [
    'the cluster pulls with another identity',
    'recheck.identityChanged',
    { getCluster: async () => cluster(OTHER_IDENTITY), getRegistry: async () => registry() },
  ],
  [
    'the registry switched its permission mode',
    'recheck.registryChanged',
    {
      getCluster: async () => cluster(),
      getRegistry: async () => registry({ roleAssignmentMode: 'AbacRepositoryPermissions' }),
    },
  ],
  [
    'the registry is being deleted',
    'recheck.registryDeleting',
    { getCluster: async () => cluster(), getRegistry: async () => registry({ provisioningState: 'Deleting' }) },
  ],
])(
  'an extension that failed because %s: its card asks for a new request, as its error does',
  async (_, code, reads) => {
    const { failure, text } = await extensionFailure(reads);

    expect(failure.code).toBe(code);
    expect(failure.message).toContain('new request');
    expect(NEW_REQUEST_CODES.has(failure.code)).toBe(true);
    expect(text).toContain(
      ` If you still need the access, make a new request: \\"@acrbot grant aks-prod contosoacr --for 7d REASON…\\".`,
    );
    expect(text).not.toContain('@acrbot extend');
    expect(text).not.toContain('Once fixed');
  },
);

test.each<[string, string, Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>]>([
  [
    'acrbot may no longer read the registry',
    'recheck.registryUnreadable',
    {
      getCluster: async () => cluster(),
      getRegistry: () => Promise.reject(armRefusal(403, 'AuthorizationFailed')),
    },
  ],
  [
    "the cluster's subscription is not found",
    'recheck.clusterUnreadable',
    {
      getCluster: () => Promise.reject(armRefusal(404, 'SubscriptionNotFound')),
      getRegistry: async () => registry(),
    },
  ],
])(
  'an extension that failed because %s: asked for again with extend once acrbot reads it again, as its error says',
  async (_, code, reads) => {
    const { failure, text } = await extensionFailure(reads);

    expect(failure.code).toBe(code);
    // What to fix, and "ask again" only once: the card adds it, with the command.
    expect(failure.message).toMatch(/Ask the platform team to check that subscription\.$|\(docs\/deploy\.md\)\.$/);
    expect(text.match(/ask again/gi)).toHaveLength(1);
    expect(failure.message).not.toContain('new request');
    expect(NEW_REQUEST_CODES.has(failure.code)).toBe(false);
    expect(text).toContain('Once fixed, ask again: \\"@acrbot extend R-ORIGINAL --for 7d REASON…\\"');
    expect(text).not.toContain('make a new request');
  },
);

test.each<[string, string, Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>]>([
  ['registry', 'recheck.registryGone', { getCluster: async () => cluster(), getRegistry: async () => undefined }],
  ['cluster', 'recheck.clusterGone', { getCluster: async () => undefined, getRegistry: async () => registry() }],
])(
  'an extension that failed because the %s is gone: neither extend nor a new request while it is; a new request once it exists again',
  async (kind, code, reads) => {
    const { failure, text } = await extensionFailure(reads);

    expect(failure.code).toBe(code);
    expect(failure.message).toMatch(
      new RegExp(
        kind === 'cluster'
          ? '^Cluster aks-prod no longer exists \\(deleted\\), so '
          : '^Registry contosoacr is no longer at its recorded id: deleted, or moved',
      ),
    );
    expect(GONE_CODES.has(failure.code)).toBe(true);
    expect(NEW_REQUEST_CODES.has(failure.code)).toBe(false);
    // A cluster cannot be moved (not-at-recorded-id.ts): only one made again under its name.
    expect(text).toContain(
      kind === 'cluster'
        ? '. Once it is created again, make a new request: \\"@acrbot grant aks-prod contosoacr --for 7d REASON…\\".'
        : ' If it was moved, give acrbot Reader where it is now. Then, or once it is created again if it was deleted, make a new request: \\"@acrbot grant aks-prod contosoacr --for 7d REASON…\\".',
    );
    if (kind === 'cluster') expect(text).not.toContain('moved');
    expect(text).not.toContain('@acrbot extend');
    expect(text).not.toContain('Once fixed');
  },
);
