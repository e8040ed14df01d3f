/**
 * A grant, secret, check or policy typed registry first (`grant contosoacr.azurecr.io aks-dev …`,
 * or with `to` between them, glue dropped by the parser). Told by the names' forms alone, no lookup. The word
 * in the registry's place can be no registry but can be a cluster (`aks-dev` has a hyphen, a
 * registry's name has none). Whether the word in the cluster's place is a registry is sure only
 * when it can be no cluster: a login server (`contosoacr.azurecr.io`) or a registry's resource
 * id. A plain name of letters and digits (`contosoacr`, `aksprod`) can be either, since a
 * cluster's name may be letters and digits too (names.ts): `grant aksprod contoso-acr` is a
 * cluster and a mistyped registry as likely as a swap. Refused as the swap when sure, naming the
 * order; else by the registry's own rule, with the order named as the other possibility. Either
 * way not as a reason too short, which sent the requester looking in the wrong place.
 */
import { askedNext, type GivenAnswers } from './asked-next';
import { isUserFacing, UserFacingError } from './errors';
import { isNameOf, onLoginServerDomain, parseRegistryRef } from './names';

/** The commands that take a cluster, then a registry. `check` and `policy` take no reason and request nothing. */
export type PairVerb = 'grant' | 'secret' | 'check' | 'policy';

/**
 * The refusal of `verb CLUSTER REGISTRY` when the registry's place holds a word that can only be
 * a cluster and the cluster's place one that can be a registry; else undefined (the names are
 * checked as typed later). Sure of the swap, it names the order with both words, valid names by
 * form, so no other user text comes back; not sure, it is the registry rule's own refusal (which
 * quotes the word as names.ts does) with the order named as the other possibility.
 */
export function swappedNames(verb: PairVerb, cluster: string, registry: string): UserFacingError | undefined {
  if (isNameOf('registry', registry) || !isNameOf('cluster', registry)) return undefined;
  const requests = verb === 'grant' || verb === 'secret';
  const reason = requests ? ' REASON…' : '';
  const nothing = requests ? ' Nothing was requested.' : '';
  // A login server in the cluster's place that is no registry's (`bad_x.azurecr.io`): a registry
  // all the same (no cluster is on an ACR domain), so the swap is sure; its own rule is said too,
  // and the order written with REGISTRY, not the word refused.
  if (!isNameOf('registry', cluster) && onLoginServerDomain(cluster)) {
    const refusal = registryRefusal(cluster);
    return new UserFacingError(
      refusal.code,
      `Cluster first: ${verb} ${registry} REGISTRY${reason}, and ${refusal.message}${nothing}`,
      { cause: refusal },
    );
  }
  if (!isNameOf('registry', cluster)) return undefined;
  if (!isNameOf('cluster', cluster))
    return new UserFacingError(
      'validation.name',
      `Cluster first: ${verb} ${registry} ${cluster}${reason} ("${registry}" reads as a cluster, and cannot be a registry: a registry's name is 5–50 letters and digits).${nothing}`,
    );
  const refusal = registryRefusal(registry);
  return new UserFacingError(
    refusal.code,
    `${refusal.message} If you typed the registry first, put the cluster first: ${verb} CLUSTER REGISTRY${reason || '.'}`,
    { cause: refusal },
  );
}

/**
 * The refusal of a registry given where only the cluster is asked for (the request dialog's
 * cluster question, one word): the same swap, sure only when the word can be no cluster (a login
 * server or a registry's resource id). Quoted when it is a registry by form; a login server that
 * is no registry's is not quoted but refused by its own rule, as {@link swappedNames} does.
 * `given`: what the command that started the questions already gave. Its registry given (typed
 * alone), the refusal does not say the registry is asked next, only what is (the reason, if any).
 */
export function registryForCluster(word: string, given: GivenAnswers = {}): UserFacingError | undefined {
  if (/\s/.test(word) || isNameOf('cluster', word)) return undefined;
  // The registry comes next: the point of the refusal, so the reason after it is left unsaid.
  const next = given.registry ? askedNext('cluster', given) : 'the registry is asked next';
  const asked = `this question takes the cluster (name, resourceGroup/name or resource id)${next ? `, and ${next}` : ''}`;
  if (isNameOf('registry', word))
    return new UserFacingError('validation.name', `Cluster first: "${word}" reads as a registry; ${asked}.`);
  if (!onLoginServerDomain(word)) return undefined;
  const refusal = registryRefusal(word);
  return new UserFacingError(refusal.code, `Cluster first: ${asked}; and ${refusal.message}`, { cause: refusal });
}

/** The registry rule's refusal of `word`, which is no registry by form (isNameOf said so). */
function registryRefusal(word: string): UserFacingError {
  try {
    parseRegistryRef(word);
  } catch (err) {
    if (isUserFacing(err)) return err;
    throw err;
  }
  throw new Error('registryRefusal: a valid registry name');
}
