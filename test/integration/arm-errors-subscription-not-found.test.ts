/**
 * A cluster or registry named in an allowed subscription that ARM answers 404
 * SubscriptionNotFound for (deleted, moved to another tenant, acrbot's identity not yet known
 * there). That says nothing of whether the resource exists, so acrbot names the subscription and
 * what to check instead of "not found"; an ordinary ResourceNotFound or ResourceGroupNotFound
 * reads as before. The real reader over HTTPS against the ARM emulator, whose unknown
 * subscriptions answer 404 SubscriptionNotFound as ARM does.
 */
import { UserFacingError } from '../../src/domain/errors';
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

const { platform } = SANDBOX_SUBSCRIPTIONS;
/** Allowed by configuration, but unknown to ARM (the emulator: 404 SubscriptionNotFound). */
const UNKNOWN = '9f0c0000-0000-4000-8000-0000000000fe';
const clusterId = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const registryId = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`;
/** The sentence about a subscription ARM could not find, as a name lookup says it. */
const unknownSentence =
  `Azure Resource Manager could not find subscription ${UNKNOWN} (Azure answered SubscriptionNotFound: deleted, ` +
  `moved to another Microsoft Entra tenant, or acrbot's identity not yet known there), so acrbot could not look ` +
  `there; check that it still exists in acrbot's tenant and that acrbot's identity has the Reader role on it ` +
  `(docs/deploy.md), or take it out of ACRBOT_SUBSCRIPTION_IDS.`;

let sandbox: Sandbox;
let arm: ReturnType<typeof sandboxArm>;
let resolver: ResourceResolver;

beforeAll(async () => {
  sandbox = await startSandbox();
  arm = sandboxArm(sandbox);
  resolver = new ResourceResolver(arm.reader, [platform, UNKNOWN]);
});
afterAll(async () => {
  arm.conn.agent.destroy();
  await sandbox.stop();
});

/** What `promise` rejected with (undefined when it resolved). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

/**
 * Runs `check` with the Reader role given to acrbot's identity on subscription `platform`, and
 * takes it away after (even when `check` fails). Azure answers 404 ResourceGroupNotFound only to
 * a caller with rights on the subscription; acrbot's Bicep gives Reader on its resource groups
 * only, so without this a missing resource group is 403 AuthorizationFailed, as any name there.
 */
async function withSubscriptionReader(check: () => Promise<void>): Promise<void> {
  const scope = `/subscriptions/${platform}`;
  sandbox.arm.state.assignCallerRole(scope, BUILT_IN_ROLES.reader);
  try {
    await check();
  } finally {
    sandbox.arm.state.unassignCaller(scope, 'Reader');
  }
}

/** The sentence for a resource named by id in a subscription ARM could not find. */
function byIdSentence(kind: 'cluster' | 'registry', id: string): string {
  return (
    `Azure Resource Manager could not find subscription ${UNKNOWN} (Azure answered SubscriptionNotFound), so ` +
    `acrbot cannot tell whether ${kind} ${id} exists: the subscription may have been deleted or moved to another ` +
    `Microsoft Entra tenant, or acrbot's identity may not be known there yet. Check that the subscription exists ` +
    `in acrbot's tenant and that acrbot's identity has the Reader role on it (docs/deploy.md), then try again.`
  );
}

describe('the reader', () => {
  it('throws SubscriptionNotFound for a cluster or registry read instead of finding none', async () => {
    await expect(arm.reader.getCluster(UNKNOWN, 'rg-aks', 'aks-prod')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SubscriptionNotFound',
    });
    await expect(arm.reader.getRegistry(UNKNOWN, 'rg-acr', 'contosoacr')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SubscriptionNotFound',
    });
  });

  it('still finds none for a resource, or a resource group, that is not there', async () => {
    await expect(arm.reader.getCluster(platform, 'rg-aks', 'aks-nope')).resolves.toBeUndefined();
    await expect(arm.reader.getRegistry(platform, 'rg-acr', 'nopeacr')).resolves.toBeUndefined();
    await withSubscriptionReader(async () => {
      await expect(arm.reader.getCluster(platform, 'rg-nope', 'aks-prod')).resolves.toBeUndefined();
    });
    // Without rights on the subscription, Azure refuses rather than say the group is not there.
    await expect(arm.reader.getCluster(platform, 'rg-nope', 'aks-prod')).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
  });
});

describe('a resource named by id in a subscription ARM could not find', () => {
  it('a cluster: names the subscription and what to check, not "not found"', async () => {
    const id = clusterId(UNKNOWN, 'rg-aks', 'aks-prod');
    const err = await failureOf(resolver.resolveCluster(parseClusterRef(id)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'subscription.notFound', message: byIdSentence('cluster', id) });
    expect((err as Error).cause).toMatchObject({ statusCode: 404, code: 'SubscriptionNotFound' });
  });

  it('a registry: the same', async () => {
    const id = registryId(UNKNOWN, 'rg-acr', 'contosoacr');
    const err = await failureOf(resolver.resolveRegistry(parseRegistryRef(id)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'subscription.notFound', message: byIdSentence('registry', id) });
  });
});

describe('a cluster named by resourceGroup/name when one allowed subscription is unknown to ARM', () => {
  it('is found in the subscription ARM knows', async () => {
    const cluster = await resolver.resolveCluster(parseClusterRef('rg-aks/aks-prod'));
    expect(cluster.name).toBe(SANDBOX_CLUSTERS.prod.name);
  });

  it('found nowhere: not found where acrbot looked, and the unknown subscription named with what to check', async () => {
    const err = await failureOf(resolver.resolveCluster(parseClusterRef('rg-aks/aks-prd')));
    expect(err).toMatchObject({ code: 'cluster.notFound' });
    expect((err as Error).message).toBe(
      `No cluster rg-aks/aks-prd was found in subscription ${platform}. ${unknownSentence} Did you mean rg-aks/aks-prod?`,
    );
  });
});

describe('a registry named by name when one allowed subscription is unknown to ARM', () => {
  it('is found in the subscription ARM knows', async () => {
    const registry = await resolver.resolveRegistry(parseRegistryRef(SANDBOX_REGISTRIES.contoso.name));
    expect(registry.resourceGroup).toBe(SANDBOX_REGISTRIES.contoso.resourceGroup);
  });

  it('found nowhere: names the unknown subscription, not "may not list"', async () => {
    const err = await failureOf(resolver.resolveRegistry(parseRegistryRef('nosuchacr')));
    expect(err).toMatchObject({ code: 'subscription.notFound', message: unknownSentence });
  });
});

describe('an ordinary not found reads as before', () => {
  const only = () => new ResourceResolver(arm.reader, [platform]);

  it('a cluster id whose resource is not there (ResourceNotFound)', async () => {
    const err = await failureOf(only().resolveCluster(parseClusterRef(clusterId(platform, 'rg-aks', 'aks-nope'))));
    expect(err).toMatchObject({ code: 'cluster.notFound' });
    expect((err as Error).message).toBe(
      'No cluster named rg-aks/aks-nope was found in the subscriptions acrbot can see. Did you mean rg-aks/aks-prod?',
    );
  });

  it('a registry id whose resource group is not there (ResourceGroupNotFound)', async () => {
    // A name no registry has: with one elsewhere, the answer is where it is (resolver-wrong-group.test.ts).
    const id = registryId(platform, 'rg-nope', 'nosuchacr');
    await withSubscriptionReader(async () => {
      const err = await failureOf(only().resolveRegistry(parseRegistryRef(id)));
      expect(err).toMatchObject({ code: 'registry.notFound' });
      expect((err as Error).message).toMatch(
        /^No registry named nosuchacr was found in the subscriptions acrbot can see\./,
      );
    });
    // Without rights on the subscription Azure answers 403, which says nothing of whether it exists.
    const refused = await failureOf(only().resolveRegistry(parseRegistryRef(id)));
    expect(refused).toMatchObject({ code: 'registry.unreadable' });
    expect((refused as Error).cause).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  });
});
