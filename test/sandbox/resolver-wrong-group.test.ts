/**
 * Names people type that are close to right: a registry's login server (copied from an image
 * reference), and a cluster or registry named with the wrong resource group. The resolver finds
 * the first by the login server ARM reports, and answers the second with where the resource is
 * and what to type, before any Reader-role advice (which stays for names found nowhere,
 * resolver-unserved-names.test.ts), when it could read the typed group; when it could not (403,
 * which Azure answers alike whether or not one of that name is there), the Reader-role advice
 * stays and the other group is named as a possibility. The default sandbox seed, real SDK
 * clients over HTTPS.
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
const lower = (id: string) => id.toLowerCase();

describe('a registry typed as its login server', () => {
  it.each(['contosoacr.azurecr.io', 'https://ContosoACR.azurecr.io/team/app:1.0'])('%s', async (typed) => {
    const registry = await resolver.resolveRegistry(parseRegistryRef(typed));
    expect(lower(registry.id)).toBe(lower(sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso)));
  });

  it('one with a domain name label scope: its login server names it alone, where its name is shared', async () => {
    await expect(resolver.resolveRegistry(parseRegistryRef('sharedacr'))).rejects.toMatchObject({
      code: 'registry.ambiguous',
    });
    const registry = await resolver.resolveRegistry(parseRegistryRef('sharedacr-b7c1.azurecr.io'));
    expect(lower(registry.id)).toBe(lower(sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData)));
  });

  it('a login server no registry has: not found, with the login servers whose names are closest', async () => {
    // Compared whole, the shared domain would make sharedacr.azurecr.io close too.
    const err = await failure(resolver.resolveRegistry(parseRegistryRef('contosoacrr.azurecr.io')));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({
      code: 'registry.notFound',
      hints: ['contosoacr.azurecr.io', 'contosoabac.azurecr.io'],
    });
    expect((err as Error).message).toBe(
      'No registry with login server contosoacrr.azurecr.io was found in the subscriptions acrbot can see. Did you mean contosoacr.azurecr.io, contosoabac.azurecr.io?',
    );
  });
});

describe('a cluster or registry named with the wrong resource group', () => {
  it('rg/name: where the cluster is and what to type, no Reader-role advice, no other names', async () => {
    const err = await failure(resolver.resolveCluster(parseClusterRef('rg-acr/aks-prod')));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'cluster.notFound', hints: ['rg-aks/aks-prod'] });
    expect((err as Error).message).toBe(
      'Cluster aks-prod is in resource group rg-aks, not rg-acr: type rg-aks/aks-prod instead.',
    );
  });

  it('a cluster id: the id of the one in its subscription', async () => {
    const right = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
    const wrong = right.replace(/\/resourceGroups\/rg-aks\//i, '/resourceGroups/rg-acr/');
    expect(wrong).not.toBe(right);
    const err = await failure(resolver.resolveCluster(parseClusterRef(wrong)));
    expect(err).toMatchObject({ code: 'cluster.notFound', hints: [right] });
    expect((err as Error).message).toBe(
      `Cluster aks-prod is in resource group rg-aks, not rg-acr: type ${right} instead.`,
    );
  });

  it('a cluster id: one of that name in another subscription is not offered (another environment, likely)', async () => {
    const elsewhere = `/subscriptions/${data}/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
    const err = await failure(resolver.resolveCluster(parseClusterRef(elsewhere)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).not.toContain('is in resource group');
    expect((err as Error).message).toMatch(/^No cluster named rg-dev\/aks-prod was found/);
  });

  it('a registry id: the one of that name in its subscription, not a namesake in another', async () => {
    // sharedacr is in rg-shared (platform) and rg-shared-data (data): only the first is the same subscription's.
    const right = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform);
    const wrong = right.replace(/\/resourceGroups\/rg-shared\//i, '/resourceGroups/rg-acr/');
    expect(wrong).not.toBe(right);
    const err = await failure(resolver.resolveRegistry(parseRegistryRef(wrong)));
    expect(err).toMatchObject({ code: 'registry.notFound', hints: [right] });
    expect((err as Error).message).toBe(
      `Registry sharedacr is in resource group rg-shared, not rg-acr: type ${right} instead.`,
    );
  });
});

describe('the same, in a resource group acrbot may not read', () => {
  // A group that exists but where acrbot's identity holds no role: ARM answers 403 for any name
  // in it, so acrbot cannot tell whether one of that name is there too.
  const unreadable = 'rg-no-acrbot';
  beforeAll(() => sandbox.arm.state.addResourceGroup(platform, unreadable));

  it('a cluster id: cannot tell, Reader-role advice kept, the one in another group offered as a possibility', async () => {
    const right = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
    const typed = right.replace(/\/resourceGroups\/rg-aks\//i, `/resourceGroups/${unreadable}/`);
    expect(typed).not.toBe(right);
    const err = await failure(resolver.resolveCluster(parseClusterRef(typed)));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'cluster.unreadable' });
    expect((err as Error).message).toBe(
      `acrbot may not read cluster ${typed} (Azure answered AuthorizationFailed), so it cannot tell whether it exists: Azure gives the same answer for a name that does not exist in a resource group acrbot may not read. Check the resource group and the name; if they are right, acrbot's identity needs the Reader role on resource group ${unreadable}: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity), then try again. A cluster of that name is in resource group rg-aks: if you meant it, type ${right} instead.`,
    );
  });

  it('a registry id: the same', async () => {
    const right = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
    const typed = right.replace(/\/resourceGroups\/rg-acr\//i, `/resourceGroups/${unreadable}/`);
    expect(typed).not.toBe(right);
    const err = await failure(resolver.resolveRegistry(parseRegistryRef(typed)));
    expect(err).toMatchObject({ code: 'registry.unreadable' });
    expect((err as Error).message).toBe(
      `acrbot may not read registry ${typed} (Azure answered AuthorizationFailed), so it cannot tell whether it exists: Azure gives the same answer for a name that does not exist in a resource group acrbot may not read. Check the resource group and the name; if they are right, acrbot's identity needs the Reader role on resource group ${unreadable}: make sure the registry is in managedRegistries and redeploy (docs/deploy.md, Rights for the bot's identity), then try again. A registry of that name is in resource group rg-acr: if you meant it, type ${right} instead.`,
    );
  });

  it('rg/name: where the one of that name is, the typed group could not be read: Reader-role advice kept, that one a possibility', async () => {
    // aks-dev is in rg-dev of the data subscription, where acrbot may not read rg-acr (it reads
    // rg-acr of the platform subscription, which has no aks-dev).
    const err = await failure(resolver.resolveCluster(parseClusterRef('rg-acr/aks-dev')));
    expect(err).toMatchObject({ code: 'cluster.notFound', hints: ['rg-dev/aks-dev'] });
    expect((err as Error).message).toBe(
      `No cluster rg-acr/aks-dev was found in subscription ${platform}. acrbot may not read resource group rg-acr in subscription ${data}, so it could not look there (Azure gives the same answer where no such group exists); if the cluster is there, acrbot's identity needs the Reader role on that group: make sure the cluster is in managedClusters and redeploy (docs/deploy.md, Rights for the bot's identity). A cluster of that name is in resource group rg-dev: if you meant it, type rg-dev/aks-dev instead.`,
    );
  });
});
