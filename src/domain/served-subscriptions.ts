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

/**
 * The plan's cluster (first) or registry whose subscription is not in `served`, or undefined
 * when both are (ids compared ignoring case, as config lists them). No list (flows run without
 * config, or none configured): nothing is outside it.
 */
export function planOutsideSubscriptions(
  plan: {
    cluster: { name: string; subscriptionId: string };
    registry: { name: string; subscriptionId: string };
  },
  served: readonly string[] | undefined,
): UnservedResource | undefined {
  if (!served?.length) return undefined;
  const listed = new Set(served.map((s) => s.toLowerCase()));
  for (const kind of ['cluster', 'registry'] as const) {
    const { name, subscriptionId } = plan[kind];
    if (!listed.has(subscriptionId.toLowerCase())) return { kind, name, subscriptionId };
  }
  return undefined;
}

/** "Cluster aks-dev is in subscription …, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)". */
export function unservedClause(resource: UnservedResource): string {
  const kind = resource.kind === 'cluster' ? 'Cluster' : 'Registry';
  return `${kind} ${resource.name} is in subscription ${resource.subscriptionId}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`;
}
