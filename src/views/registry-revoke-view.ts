/**
 * The confirmation card of `revoke registry NAME`: every active acrbot request (grant or pull
 * secret) on one registry, from every cluster of the asker's tenant, that this approver may
 * revoke, as a pair's card lists a pair's (lifecycle-view.ts): the same bound on the steps
 * listed, the same button and click. Each step names its request's cluster, which a pair's card
 * need not; the text names the clusters right after its opening and counts another tenant's
 * requests without naming them (with `beyond` and `cut`, as a pair's card says them). It says
 * "Every … ends now" only when nothing there stays active (no other tenant's either).
 */
import type { AccessRequest } from '../domain/request';
import type { AdaptiveCardJson } from './card-templates';
import type { RevocationLine } from '../domain/revocation-step-words';
import { revokeSeveralConfirmCard, type SeveralRevokeInput } from './lifecycle-view';

/** Clusters the card names, each with its count of requests; the rest are counted. */
const CLUSTERS_NAMED = 10;

/**
 * The confirmation before revoking every acrbot request this approver may revoke on a registry.
 * `otherTenants`: active acrbot requests on it of another tenant (counted, never named, never
 * revoked from here: tenant-boundary.ts).
 */
export function revokeRegistryConfirmCard(
  input: SeveralRevokeInput & { registry: string; otherTenants: number },
  requests: Array<{ request: AccessRequest; lines: RevocationLine[] }>,
): AdaptiveCardJson {
  const clusters = clustersOf(requests.map((r) => r.request));
  const n = requests.length;
  return revokeSeveralConfirmCard(
    {
      ...input,
      scope: 'registry',
      // "requests": what `revoke R-…` ends, a pull secret as much as a grant.
      title: `Revoke ${n} acrbot request${n === 1 ? '' : 's'} on ${input.registry}, from ${clusters.count} cluster${clusters.count === 1 ? '' : 's'}?`,
      // Another tenant's requests stay active: "every … ends now" would read as a clean registry.
      all:
        input.otherTenants > 0
          ? undefined
          : 'Every active acrbot request on this registry, from every cluster, ends now',
      lead: `${n === 1 ? 'It is' : 'They are'} on ${clusters.named}.`,
      more:
        input.otherTenants > 0
          ? [
              `${input.otherTenants} more active acrbot request${input.otherTenants === 1 ? '' : 's'} on it ${input.otherTenants === 1 ? 'is' : 'are'} of another organisation (tenant): not listed, and not revoked from here.`,
            ]
          : [],
      // A registry's steps say which cluster each request pulls to; a pair's need not.
      heading: (r) => `${r.id} on ${r.plan.cluster.name}`,
    },
    requests,
  );
}

/** The clusters of `requests` as the card names them ("aks-prod (2), aks-dev (1)"), and how many. */
function clustersOf(requests: readonly AccessRequest[]): { named: string; count: number } {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.plan.cluster.name, (counts.get(r.plan.cluster.name) ?? 0) + 1);
  const named = [...counts].slice(0, CLUSTERS_NAMED).map(([name, count]) => `${name} (${count})`);
  const more = counts.size - named.length;
  return {
    named: `${named.join(', ')}${more > 0 ? ` and ${more} more cluster${more === 1 ? '' : 's'}` : ''}`,
    count: counts.size,
  };
}
