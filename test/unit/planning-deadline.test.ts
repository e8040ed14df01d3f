/**
 * Planning has an overall deadline: when Azure stops answering, the planner fails with "Azure did
 * not answer in time" once PLANNING_DEADLINE_MS has passed (on jest's fake clock), instead of
 * waiting on ARM for minutes; what the reads answer later is dropped and logged, and the turn
 * shows the requester that sentence with its reference, logged once for operators. A plan in
 * time leaves no timer behind.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import type { AzureResourceReader } from '../../src/domain/ports';
import { GrantPlanner, type PlanningReads } from '../../src/flows/grant-planner';
import { PLANNING_DEADLINE_MS, PlanningTimeoutError } from '../../src/flows/planning-deadline';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import { SecretPlanner } from '../../src/flows/secret-planner';
import { errorCardFor } from '../../src/bot/turn-cards';
import { withCorrelation } from '../../src/observability/correlation';
import { fakeDirectory } from './support/fake-directory';

const SUB = '11111111-1111-4111-8111-111111111111';
const CLUSTER_ID = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`;

const cluster: ClusterInfo = {
  id: CLUSTER_ID,
  name: 'aks-prod',
  subscriptionId: SUB,
  resourceGroup: 'rg-aks',
  identity: { identityType: 'UserAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: 'kubelet-oid' },
  aadEnabled: true,
  localAccountsDisabled: true,
};
const registry: RegistryInfo = {
  id: REGISTRY_ID,
  name: 'contosoacr',
  subscriptionId: SUB,
  resourceGroup: 'rg-acr',
  loginServer: 'contosoacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};

/** A promise that never settles: an ARM that accepted the call and never answers. */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** ARM's reads of clusters and registries; `silent`: none of them ever answers. */
function reader(silent: boolean): AzureResourceReader {
  return {
    getCluster: async () => (silent ? never() : cluster),
    getRegistry: async () => (silent ? never() : registry),
    listClusters: async () => (silent ? never() : [cluster]),
    listRegistries: async () => (silent ? never() : [registry]),
  } as unknown as AzureResourceReader;
}

/** A grant planner over `reads` (role assignment reads) and `reader`; what it logs goes to `warned`. */
function grantPlanner(
  azure: AzureResourceReader,
  reads: Partial<PlanningReads> & { canAssignRoles?: () => Promise<boolean> },
) {
  const warned: Array<[Record<string, unknown>, string]> = [];
  const log = { warn: (fields: Record<string, unknown>, msg: string) => void warned.push([fields, msg]) };
  const ports = { listAssignedToAt: async () => [], canAssignRoles: async () => true, ...reads };
  const planner = new GrantPlanner(new ResourceResolver(azure, [SUB]), ports as never, fakeDirectory(), log as never);
  return { planner, warned };
}

/** Whether `promise` has settled, and how, without waiting for it. */
function watch<T>(promise: Promise<T>): { settled: () => boolean; outcome: Promise<unknown> } {
  let done = false;
  const outcome = promise.then(
    (v) => ((done = true), v),
    (e: unknown) => ((done = true), e),
  );
  return { settled: () => done, outcome };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a grant plan whose ARM reads never answer fails at the deadline saying Azure did not answer in time', async () => {
  const { planner } = grantPlanner(reader(true), {});
  const plan = watch(planner.plan(CLUSTER_ID, REGISTRY_ID));
  await jest.advanceTimersByTimeAsync(PLANNING_DEADLINE_MS - 1);
  expect(plan.settled()).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  expect(plan.settled()).toBe(true);
  const err = await plan.outcome;
  expect(err).toBeInstanceOf(PlanningTimeoutError);
  expect(err).toMatchObject({ code: 'azure.planningTimeout', what: 'grant', deadlineMs: PLANNING_DEADLINE_MS });
  expect((err as Error).message).toBe(
    'Azure did not answer in time: acrbot stopped planning after 60 s; nothing was requested or changed. Try again in a few minutes.',
  );
});

test('a read that answers after the deadline is dropped: the plan has failed already, and the late answer is only logged', async () => {
  let answer!: (value: []) => void;
  const late = new Promise<[]>((resolve) => (answer = resolve));
  const { planner, warned } = grantPlanner(reader(false), { listAssignedToAt: () => late });
  const plan = watch(planner.plan(CLUSTER_ID, REGISTRY_ID));
  await jest.advanceTimersByTimeAsync(PLANNING_DEADLINE_MS);
  expect(plan.settled()).toBe(true);
  expect(await plan.outcome).toBeInstanceOf(PlanningTimeoutError);
  expect(warned).toHaveLength(0);
  answer([]);
  await jest.advanceTimersByTimeAsync(0);
  expect(warned).toEqual([
    [{ lateStatus: 'planned' }, expect.stringContaining('ended after the planning deadline; dropped')],
  ]);
});

test('a pull secret plan whose ARM reads never answer fails at the deadline too', async () => {
  const roles = { canAssignRoles: async () => true } as never;
  const planner = new SecretPlanner(
    new ResourceResolver(reader(true), [SUB]),
    roles,
    { now: () => new Date() },
    86_400_000,
  );
  const plan = watch(
    planner.plan({ cluster: CLUSTER_ID, registry: REGISTRY_ID, typed: { namespace: 'payments', name: 'acr-auth' } }),
  );
  await jest.advanceTimersByTimeAsync(PLANNING_DEADLINE_MS);
  expect(plan.settled()).toBe(true);
  const err = await plan.outcome;
  expect(err).toBeInstanceOf(PlanningTimeoutError);
  expect(err).toMatchObject({ code: 'azure.planningTimeout', what: 'pull secret' });
  expect((err as Error).message).toContain('Azure did not answer in time: acrbot stopped planning after 60 s');
});

test('a plan in time answers as before and leaves no deadline timer running', async () => {
  const { planner } = grantPlanner(reader(false), {});
  await expect(planner.plan(CLUSTER_ID, REGISTRY_ID)).resolves.toMatchObject({ status: 'planned' });
  expect(jest.getTimerCount()).toBe(0);
});

test('the turn tells the requester Azure did not answer in time, with its reference, and logs it once for operators', async () => {
  const { planner, warned } = grantPlanner(reader(true), {});
  // Planned in the turn, as the request handler does: the reference is the turn's correlation id.
  const plan = watch(withCorrelation(() => planner.plan(CLUSTER_ID, REGISTRY_ID), 'corr-1234'));
  await jest.advanceTimersByTimeAsync(PLANNING_DEADLINE_MS);
  expect(plan.settled()).toBe(true);
  const err = await plan.outcome;
  const logged: Array<[string, Record<string, unknown>, string]> = [];
  const log = {
    error: (fields: Record<string, unknown>, msg: string) => void logged.push(['error', fields, msg]),
    warn: (fields: Record<string, unknown>, msg: string) => void logged.push(['warn', fields, msg]),
  };
  const card = withCorrelation(
    () => errorCardFor({ log: log as never, settings: { sandbox: false } }, err, 'Could not plan the grant'),
    'corr-1234',
  );
  // The title is drawn on a background of its tint (message.json, src/views/tint.ts): its text is the container's.
  const texts = (card.body as Array<{ text?: string; items?: Array<{ text?: string }> }>).map(
    (block) => block.text ?? block.items?.[0]?.text,
  );
  expect(texts).toEqual([
    'Could not plan the grant',
    'Azure did not answer in time: acrbot stopped planning after 60 s; nothing was requested or changed. Try again in a few minutes (reference corr-1234).',
  ]);
  expect(JSON.stringify(card)).not.toContain('Something unexpected');
  // Once, under the reference the card shows; the reads still waiting have nothing to say yet.
  expect(logged).toEqual([['warn', { err, ref: 'corr-1234' }, 'outage in a turn (the user was told)']]);
  expect(warned).toEqual([]);
});
