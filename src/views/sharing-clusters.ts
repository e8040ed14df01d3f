/**
 * Other clusters that pull with a grant's identity (GrantPlan.sharedWith), in the words the request
 * card and the break-glass card both use: each card puts them in a sentence of its own, and
 * neutralises the text it builds from them.
 */
import type { SharedIdentity } from '../domain/plan';
import { warnedGroupName } from './group-name';

/** Clusters a card names by name; the rest are counted. */
const SHARING_NAMED = 10;

/** {@link SharedIdentity} in words; each part is empty when it has nothing to say. */
export interface SharingWords {
  /**
   * "cluster aks-b (resource group rg-b, subscription …)", or "clusters …, … and 3 more": the
   * first {@link SHARING_NAMED} by name, the rest counted. Not neutralised: resource group names
   * are user text (a look-alike one carries its warning), so the card makes its line inert.
   */
  clusters: string;
  /** How the sentence refers back to {@link SharingWords.clusters}: "it" for one cluster, else "them". */
  them: 'it' | 'them';
  /** "subscription s1", or "subscriptions s1, s2": where acrbot could not list clusters to look. */
  unchecked: string;
}

/** The words for `shared`: who else pulls with the identity, and where that could not be looked for. */
export function sharingWords(shared: SharedIdentity): SharingWords {
  const { clusters, more, unchecked } = shared;
  const named = clusters
    .slice(0, SHARING_NAMED)
    .map((c) => `${c.name} (resource group ${warnedGroupName(c.resourceGroup)}, subscription ${c.subscriptionId})`);
  const rest = clusters.length - named.length + more;
  const one = clusters.length + more === 1;
  return {
    clusters: clusters.length
      ? `cluster${one ? '' : 's'} ${named.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`
      : '',
    them: one ? 'it' : 'them',
    unchecked: unchecked.length ? `subscription${unchecked.length === 1 ? '' : 's'} ${unchecked.join(', ')}` : '',
  };
}
