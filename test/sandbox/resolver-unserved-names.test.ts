/**
 * What the resource resolver tells users about names that are not there, now that the sandbox
 * ARM emulator answers them as Azure does (arm-unserved-names.test.ts): 404 in a resource group
 * acrbot has Reader on, so a typo gets its closest names; 403 where it has no right (a mistyped
 * resource group, in any subscription it does not hold that group in), which must not read as
 * "not found" nor as a subscription acrbot may not read, but say that acrbot cannot tell and how
 * to fix it. The default sandbox seed, real SDK clients over HTTPS.
 */
import { UserFacingError } from '../../src/domain/errors';
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

const { platform, data } = SANDBOX_SUBSCRIPTIONS;
let sandbox: Sandbox;
let resolver: ResourceResolver;

beforeAll(async () => {
  sandbox = await startSandbox();
  resolver = new ResourceResolver(sandboxArm(sandbox).reader, [platform, data]);
});
afterAll(() => sandbox.stop());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

const registryId = (group: string, name: string) =>
  `/subscriptions/${platform}/resourceGroups/${group}/providers/Microsoft.ContainerRegistry/registries/${name}`;

describe('a mistyped name in a resource group acrbot has Reader on', () => {
  it('registry id: plain not found, with the closest names', async () => {
    const err = await failure(resolver.resolveRegistry(parseRegistryRef(registryId('rg-acr', 'contosoacrr'))));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'registry.notFound' });
    expect((err as Error).message).toBe(
      'No registry named contosoacrr was found in the subscriptions acrbot can see. Did you mean contosoacr, contosoabac?',
    );
  });

  it('rg/name: not found where it looked, the other subscription named by the group it may not read there', async () => {
    const err = await failure(resolver.resolveCluster(parseClusterRef('rg-aks/aks-prdo')));
    expect(err).toMatchObject({ code: 'cluster.notFound' });
    expect((err as Error).message).toBe(
      `No cluster rg-aks/aks-prdo was found in subscription ${platform}. acrbot may not read resource group rg-aks in subscription ${data}, so it could not look there (Azure gives the same answer where no such group exists); if the cluster is there, acrbot's identity needs the Reader role on that group: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity). Did you mean rg-aks/aks-prod, rg-dev/aks-dev?`,
    );
  });
});

describe('a name in a resource group acrbot may not read (here: one that does not exist)', () => {
  it('registry id: cannot tell whether it exists, check the group and name, or give Reader on the group', async () => {
    // A name no registry of that subscription has: with one, the answer is where that one is
    // (resolver-wrong-group.test.ts).
    const id = registryId('rg-acrr', 'contosoacrx');
    const err = await failure(resolver.resolveRegistry(parseRegistryRef(id)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'registry.unreadable' });
    expect((err as Error).message).toBe(
      `acrbot may not read registry ${id} (Azure answered AuthorizationFailed), so it cannot tell whether it exists: Azure gives the same answer for a name that does not exist in a resource group acrbot may not read. Check the resource group and the name; if they are right, acrbot's identity needs the Reader role on resource group rg-acrr: make sure the registry is in managedRegistries and redeploy (docs/deploy.md, Rights for the bot's identity), then try again.`,
    );
  });

  it('rg/name: says it could look nowhere, names the group, and still offers the closest names', async () => {
    // A name no cluster has: with one, the answer is where it is (resolver-wrong-group.test.ts).
    const err = await failure(resolver.resolveCluster(parseClusterRef('rg-akss/aks-prdo')));
    expect(err).toMatchObject({ code: 'cluster.notFound' });
    expect((err as Error).message).toBe(
      `No cluster rg-akss/aks-prdo was found: acrbot may not read resource group rg-akss in subscriptions ${platform}, ${data}, so it could not look there (Azure gives the same answer where no such group exists); if the cluster is there, acrbot's identity needs the Reader role on that group: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity). Did you mean rg-aks/aks-prod, rg-dev/aks-dev?`,
    );
  });
});

describe('the seeded resources', () => {
  it('resolve by name, rg/name and id as before', async () => {
    await expect(resolver.resolveRegistry(parseRegistryRef('contosoacr'))).resolves.toMatchObject({
      name: 'contosoacr',
    });
    await expect(resolver.resolveCluster(parseClusterRef('rg-aks/aks-prod'))).resolves.toMatchObject({
      name: 'aks-prod',
    });
    await expect(resolver.resolveCluster(parseClusterRef('rg-dev/aks-dev'))).resolves.toMatchObject({
      name: 'aks-dev',
    });
    await expect(
      resolver.resolveRegistry(parseRegistryRef(registryId('rg-shared', 'sharedacr'))),
    ).resolves.toMatchObject({ name: 'sharedacr' });
  });
});
