/**
 * A grant or secret typed registry first (`grant contosoacr aks-dev …`, or `grant contosoacr to
 * aks-dev`, glue dropped by the parser). Told by the names' forms alone, no lookup: the word in
 * the registry's place can be no registry but can be a cluster (`aks-dev` has a hyphen, a
 * registry's name has none), and the word in the cluster's place can be a registry (a name of
 * letters and digits, or a login server, which no cluster's name is). Refused then as the swap it
 * most likely is, naming the order, instead of as an invalid registry name (or, with a short
 * reason, as a reason too short, which sent the requester looking in the wrong place).
 */
import { UserFacingError } from './errors';
import { isNameOf } from './names';

/**
 * The refusal of `verb CLUSTER REGISTRY` typed with the two swapped, when their forms say so;
 * else undefined (the names are checked as typed later). Both words quoted are valid names by
 * form, so no other user text comes back.
 */
export function swappedNames(verb: 'grant' | 'secret', cluster: string, registry: string): UserFacingError | undefined {
  if (isNameOf('registry', registry) || !isNameOf('cluster', registry) || !isNameOf('registry', cluster))
    return undefined;
  return new UserFacingError(
    'validation.name',
    `Cluster first: ${verb} ${registry} ${cluster} REASON… ("${registry}" reads as a cluster, and cannot be a registry: a registry's name is 5–50 letters and digits). Nothing was requested.`,
  );
}
