/**
 * Point reads of a cluster or registry (resourceGroup/name, full resource id) across the allowed
 * subscriptions when acrbot may not read one of them. Real ARM answers 403 AuthorizationFailed
 * for a resource in a subscription the caller cannot read, whether or not the resource exists;
 * the sandbox ARM emulator does the same for a denied action (checked before the resource is
 * looked up). Real SDK clients over HTTPS.
 */
import { UserFacingError } from '../../src/domain/errors';
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

const { platform, data } = SANDBOX_SUBSCRIPTIONS;
const CLUSTER_READ = 'Microsoft.ContainerService/managedClusters/read';
const REGISTRY_READ = 'Microsoft.ContainerRegistry/registries/read';

describe('resolving by resourceGroup/name or id when a subscription answers 403', () => {
  let sandbox: Sandbox;
  let resolver: ResourceResolver;
  beforeAll(async () => {
    sandbox = await startSandbox();
    resolver = new ResourceResolver(sandboxArm(sandbox).reader, [platform, data]);
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    sandbox.arm.state.allowAction(`/subscriptions/${data}`, CLUSTER_READ);
    sandbox.arm.state.allowAction(`/subscriptions/${data}`, REGISTRY_READ);
    sandbox.arm.state.allowAction(`/subscriptions/${platform}`, CLUSTER_READ);
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => err,
    );

  test('the emulator answers 403 for a cluster in a subscription acrbot may not read, even one that does not exist', async () => {
    sandbox.arm.state.denyAction(`/subscriptions/${data}`, CLUSTER_READ);
    const reader = sandboxArm(sandbox).reader;
    await expect(reader.getCluster(data, 'rg-aks', 'aks-prod')).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    await expect(reader.getCluster(data, 'rg-dev', 'aks-dev')).rejects.toMatchObject({ statusCode: 403 });
  });

  test('rg/name: found in the readable subscription although the other one answers 403', async () => {
    sandbox.arm.state.denyAction(`/subscriptions/${data}`, CLUSTER_READ);
    const cluster = await resolver.resolveCluster(parseClusterRef('rg-aks/aks-prod'));
    expect(cluster.id.toLowerCase()).toBe(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod).toLowerCase());
  });

  test('rg/name found nowhere readable: not found, naming the resource group acrbot could not look in', async () => {
    sandbox.arm.state.denyAction(`/subscriptions/${data}`, CLUSTER_READ);
    const err = await failure(resolver.resolveCluster(parseClusterRef('rg-dev/aks-dev')));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'cluster.notFound' });
    expect((err as Error).message).toBe(
      // rg-dev is not in `platform` either: Azure refuses there too, acrbot having no right above its groups.
      `No cluster rg-dev/aks-dev was found: acrbot may not read resource group rg-dev in subscriptions ${platform}, ${data}, so it could not look there (Azure gives the same answer where no such group exists); if the cluster is there, acrbot's identity needs the Reader role on that group: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity). Did you mean rg-aks/aks-prod?`,
    );
  });

  test('rg/name when every subscription answers 403: says it could look nowhere', async () => {
    sandbox.arm.state.denyAction(`/subscriptions/${data}`, CLUSTER_READ);
    sandbox.arm.state.denyAction(`/subscriptions/${platform}`, CLUSTER_READ);
    const err = await failure(resolver.resolveCluster(parseClusterRef('rg-aks/aks-prod')));
    expect(err).toMatchObject({ code: 'cluster.notFound' });
    expect((err as Error).message).toBe(
      `No cluster rg-aks/aks-prod was found: acrbot may not read resource group rg-aks in subscriptions ${platform}, ${data}, so it could not look there (Azure gives the same answer where no such group exists); if the cluster is there, acrbot's identity needs the Reader role on that group: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity).`,
    );
  });

  test('a cluster id acrbot may not read: says so and which role it needs', async () => {
    sandbox.arm.state.denyAction(`/subscriptions/${data}`, CLUSTER_READ);
    const id = sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev);
    const err = await failure(resolver.resolveCluster(parseClusterRef(id)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'cluster.unreadable' });
    expect((err as Error).message).toBe(
      `acrbot may not read cluster ${id} (Azure answered AuthorizationFailed), so it cannot tell whether it exists: Azure gives the same answer for a name that does not exist in a resource group acrbot may not read. Check the resource group and the name; if they are right, acrbot's identity needs the Reader role on resource group rg-dev: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity), then try again.`,
    );
  });

  test('a registry id acrbot may not read: says so and which role it needs', async () => {
    sandbox.arm.state.denyAction(`/subscriptions/${data}`, REGISTRY_READ);
    const id = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData);
    const err = await failure(resolver.resolveRegistry(parseRegistryRef(id)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'registry.unreadable' });
    expect((err as Error).message).toBe(
      `acrbot may not read registry ${id} (Azure answered AuthorizationFailed), so it cannot tell whether it exists: Azure gives the same answer for a name that does not exist in a resource group acrbot may not read. Check the resource group and the name; if they are right, acrbot's identity needs the Reader role on resource group rg-shared-data: make sure the registry is in managedRegistries and redeploy (docs/deploy.md, Rights for the bot's identity), then try again.`,
    );
  });

  test('a registry id that does not exist, in a subscription whose list answers 403: plain not found', async () => {
    // The GET answers 404 (readable); only the listing for suggestions is refused.
    sandbox.arm.faults.add({
      operation: 'registries.list',
      status: 403,
      code: 'AuthorizationFailed',
      pathIncludes: data,
      count: Infinity,
    });
    try {
      const id = `/subscriptions/${data}/resourceGroups/rg-shared-data/providers/Microsoft.ContainerRegistry/registries/nosuchacr`;
      const err = await failure(resolver.resolveRegistry(parseRegistryRef(id)));
      expect(err).toMatchObject({ code: 'registry.notFound' });
    } finally {
      sandbox.arm.faults.clear();
    }
  });
});
