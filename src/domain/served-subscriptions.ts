/**
 * The subscription boundary of a stored plan. ACRBOT_SUBSCRIPTION_IDS bounds where acrbot plans
 * (resource-resolver.ts refuses names and ids elsewhere), but a plan made before a subscription
 * was taken out of it keeps that subscription: approving it, extending it or running it would
 * still write there. This is the one check for all three (request-decision.ts, access-actions.ts,
 * grant-runner.ts); ending access there is never checked, so revocations and expiry still work.
 * Pure.
 */

/** A planned cluster or registry in a subscription no longer served. */
export interface UnservedResource {
  kind: 'cluster' | 'registry';
  name: string;
  subscriptionId: string;
}

/** Where a plan writes: its cluster and its registry, each with its subscription. */
type PlannedPlaces = Record<'cluster' | 'registry', { name: string; subscriptionId: string }>;

/**
 * The plan's cluster (first) or registry whose subscription is not in `served`, or undefined
 * when both are (ids compared ignoring case, as config lists them). No list (flows run without
 * config, or none configured): nothing is outside it.
 */
export function planOutsideSubscriptions(
  plan: PlannedPlaces,
  served: readonly string[] | undefined,
): UnservedResource | undefined {
  return planResourcesOutside(plan, served)[0];
}

/**
 * Each of the plan's cluster and registry (in that order) whose subscription is not in `served`,
 * as {@link planOutsideSubscriptions} judges them: for a count that names every subscription no
 * longer served, the registry's too when the cluster's is one.
 */
export function planResourcesOutside(plan: PlannedPlaces, served: readonly string[] | undefined): UnservedResource[] {
  if (!served?.length) return [];
  const listed = new Set(served.map((s) => s.toLowerCase()));
  return (['cluster', 'registry'] as const)
    .filter((kind) => !listed.has(plan[kind].subscriptionId.toLowerCase()))
    .map((kind) => ({ kind, name: plan[kind].name, subscriptionId: plan[kind].subscriptionId }));
}

/** "Cluster aks-dev is in subscription …, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)". */
export function unservedClause(resource: UnservedResource): string {
  return `${resource.kind === 'cluster' ? 'Cluster' : 'Registry'} ${unservedRest(resource)}`;
}

/** {@link unservedClause} inside a sentence: "cluster aks-dev is in subscription …, which …". */
export function unservedClauseWithin(resource: UnservedResource): string {
  return `${resource.kind} ${unservedRest(resource)}`;
}

/** The words of {@link unservedClause} after the resource's kind. */
function unservedRest(resource: UnservedResource): string {
  return `${resource.name} is in subscription ${resource.subscriptionId}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`;
}
