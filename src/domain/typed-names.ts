/**
 * Clusters and registries written as a user must type them in a command acrbot suggests
 * (`@acrbot grant CLUSTER REGISTRY …`), so that the command, copied, reaches this very resource.
 * The bare name the cards show is not enough: the resolver (flows/resource-resolver.ts) refuses a
 * name two resources share, and answers "repeat the command with the full resource id". Pure.
 *
 * What each form the parser accepts (names.ts) names, and why the id is the default:
 * - a bare name: whatever resource of that name the allowed subscriptions hold; a registry name
 *   is not unique there (a registry with a domain name label scope shares its name with others:
 *   the sandbox's two `sharedacr`), nor is a cluster's (unique only within its resource group);
 * - a cluster's `resourceGroup/name`: read in every allowed subscription, so two subscriptions
 *   with the same group and cluster names (environments laid out alike) make it ambiguous too;
 *   registries have no such form;
 * - the full resource id: exactly one resource, without a lookup. Long, but the only form that
 *   always works, so it is what a hint writes unless it knows better.
 * It knows better in two cases, each proving that a shorter form names this resource alone:
 * - the user named the resource themselves and it resolved ({@link TypedAs}; a plan records it,
 *   plan.ts `typed`): the resolver refuses a form that fits two, so the form they typed named this
 *   one alone, and the same form, spelled from the resource's own names, is written back;
 * - the code listed every resource of its kind in the allowed subscriptions and no other has its
 *   name ({@link uniqueName}): the resolver's bare-name lookup lists those same subscriptions and
 *   compares names without letter case, so it finds this one alone.
 * Both hold as of that lookup or listing: a namesake made since makes the bare name ambiguous,
 * and the resolver's answer then lists the ids to choose from, so a stale hint is refused, never
 * taken for another resource. Every form is spelled from the recorded names, never from the text
 * typed; names passed validation, but a resource group may be spelled like a host (`www.…`), so
 * cards show an id or `group/name` made inert (views: request-view.ts `commandNames`).
 */
import type { ClusterRef, RegistryRef } from './names';

/** A cluster or registry as acrbot records it: the parts every typed form is made of. */
export interface TypeableResource {
  name: string;
  resourceGroup: string;
  subscriptionId: string;
}

/**
 * How a command may name each resource (names.ts `kind`): the form the user typed for it, when it
 * resolved to it, or `name` from {@link uniqueName}. Only a resolution or a complete listing
 * proves a shorter form names one resource. Absent: not known, and the id is written.
 */
export interface TypedAs {
  cluster?: ClusterRef['kind'];
  registry?: RegistryRef['kind'];
}

/** `/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerService/managedClusters/N`. */
export function clusterResourceId(cluster: TypeableResource): string {
  return resourceId(cluster, 'Microsoft.ContainerService/managedClusters');
}

/** `/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerRegistry/registries/N`. */
export function registryResourceId(registry: TypeableResource): string {
  return resourceId(registry, 'Microsoft.ContainerRegistry/registries');
}

/**
 * The cluster as a command must name it: the form `typedAs` says names it alone (the user's, when
 * it resolved to this cluster, or a unique bare name), spelled from its own names, else its full
 * resource id.
 */
export function typedCluster(cluster: TypeableResource, typedAs?: ClusterRef['kind']): string {
  if (typedAs === 'name') return cluster.name;
  if (typedAs === 'groupAndName') return `${cluster.resourceGroup}/${cluster.name}`;
  return clusterResourceId(cluster);
}

/**
 * The registry as a command must name it: its bare name when `typedAs` says that names it alone
 * (the user typed it and it resolved to this registry, or it is unique), else its full resource id.
 */
export function typedRegistry(registry: TypeableResource, typedAs?: RegistryRef['kind']): string {
  return typedAs === 'name' ? registry.name : registryResourceId(registry);
}

/**
 * The cluster and the registry, each as {@link typedCluster} and {@link typedRegistry} write it.
 * `typedAs` defaults to the pair's own `typed` (a plan's: how its requester named them when it was
 * planned), so a hint from a plan repeats the requester's forms, and one from a plan stored before
 * they were recorded writes the ids.
 */
export function typedNames(
  pair: { cluster: TypeableResource; registry: TypeableResource; typed?: TypedAs },
  typedAs: TypedAs = pair.typed ?? {},
): { cluster: string; registry: string } {
  return {
    cluster: typedCluster(pair.cluster, typedAs.cluster),
    registry: typedRegistry(pair.registry, typedAs.registry),
  };
}

/** `CLUSTER REGISTRY`, as {@link typedNames} writes them (the pair's own `typed` by default). */
export function typedPair(
  pair: { cluster: TypeableResource; registry: TypeableResource; typed?: TypedAs },
  typedAs?: TypedAs,
): string {
  const { cluster, registry } = typedNames(pair, typedAs);
  return `${cluster} ${registry}`;
}

/**
 * `name` when no other resource of `listed` has `resource`'s name (letter case aside), so that a
 * command may name it bare; else undefined (the id is written). `listed`: every resource of its
 * kind in the allowed subscriptions, from listings that all answered (the access inventory's),
 * which is where the resolver looks a bare name up; a listing that left a subscription out proves
 * nothing (a namesake may be there), so pass none. `resource` is found in `listed` by its
 * subscription, group and name, without letter case, as ARM compares them.
 */
export function uniqueName(
  resource: TypeableResource,
  listed: readonly TypeableResource[] | undefined,
): 'name' | undefined {
  const named = (listed ?? []).filter((r) => same(r.name, resource.name));
  const [only] = named;
  const isIt =
    named.length === 1 &&
    same(only.subscriptionId, resource.subscriptionId) &&
    same(only.resourceGroup, resource.resourceGroup);
  return isIt ? 'name' : undefined;
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Built from the parts, not copied from a stored id: the one spelling the parser reads back. */
function resourceId(r: TypeableResource, providerAndType: string): string {
  return `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${providerAndType}/${r.name}`;
}
