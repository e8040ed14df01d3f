/**
 * Resolves what users typed to Azure resources in the allowed subscriptions: registries by
 * name across all of them (two matches → ask which), clusters by name, group/name or id.
 */
import type { ClusterInfo, RegistryInfo } from '../domain/azure-model';
import { closestNames } from '../domain/closest-names';
import { isSubscriptionNotFound, UserFacingError } from '../domain/errors';
import type { ClusterRef, RegistryRef } from '../domain/names';
import { describeClusterRef } from '../domain/names';
import type { AzureResourceReader } from '../domain/ports';
import { azureAnswered } from './azure-failure-text';
import { clusterResourceId, registryResourceId } from '../domain/typed-names';

/**
 * How long one subscription's cluster listing serves the look for clusters sharing a grant's
 * identity, for every plan in that time: 200 grants asked at once list each subscription once,
 * not 200 times (each listing pages through every cluster), and a cluster given the identity
 * meanwhile is seen within this long.
 */
export const SHARING_LISTING_TTL_MS = 30_000;

/** Looks resources up through ARM; never builds URLs from user text. */
export class ResourceResolver {
  /** The recent cluster listing of each subscription (lower-cased id), for the sharing look. */
  private readonly recent = new Map<string, { at: number; listing: Promise<ClusterInfo[]> }>();
  /** {@link listAllClusters}' last answer with every subscription listed, and the listings it joined. */
  private lastAll?: { parts: ClusterInfo[][]; clusters: readonly ClusterInfo[] };

  constructor(
    private readonly azure: AzureResourceReader,
    private readonly subscriptionIds: readonly string[],
    /** The clock of {@link SHARING_LISTING_TTL_MS}. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * `ref` with its subscription spelled as in ACRBOT_SUBSCRIPTION_IDS; refused when it is not
   * one of them. Compared without letter case (a GUID); the configured spelling goes on, so the
   * casings a user may type all reach Azure as one subscription (one set of SDK clients, kept
   * for the process's life) and name it as the configuration does.
   */
  private allowed<R extends { subscriptionId: string }>(ref: R): R {
    const typed = ref.subscriptionId;
    const configured = this.subscriptionIds.find((s) => s.toLowerCase() === typed.toLowerCase());
    if (configured === undefined) {
      throw new UserFacingError(
        'subscription.notAllowed',
        `Subscription ${typed} is not one acrbot manages; use a resource in ${this.subscriptionIds.join(', ')} or ask the platform team to add the subscription to ACRBOT_SUBSCRIPTION_IDS.`,
      );
    }
    return { ...ref, subscriptionId: configured };
  }

  /**
   * Every cluster in the allowed subscriptions, one listing each, and the subscriptions whose
   * listing failed, whatever the failure: for a look that must not fail what it serves (the
   * clusters sharing a grant's identity, grant-planner.ts), which says where it could not look.
   * `listings`: those the same plan already made ({@link resolveCluster} by name), reused as they
   * ended, a failed one included (unlisted, not asked again); any other subscription's is the
   * listing of the last {@link SHARING_LISTING_TTL_MS}, shared by every plan (a failed one is not
   * kept: the next plan asks again). While every subscription answers with the same listings as
   * the last call, `clusters` is the same array as then (read it, never change it): the sharing
   * look indexes it once for all the plans of those listings (domain/pull-identity-index.ts).
   */
  async listAllClusters(listings?: ClusterListings): Promise<{ clusters: readonly ClusterInfo[]; unlisted: string[] }> {
    // Only the shared listings are remembered: a plan's own (by name) are made and dropped with it.
    const shared = !this.subscriptionIds.some((s) => listings?.has(s.toLowerCase()));
    const results = await Promise.allSettled(
      this.subscriptionIds.map((s) => listings?.get(s.toLowerCase()) ?? this.recentListing(s)),
    );
    const parts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const last = this.lastAll;
    if (shared && parts.length === results.length && last && sameArrays(last.parts, parts))
      return { clusters: last.clusters, unlisted: [] };
    const clusters: ClusterInfo[] = [];
    const unlisted: string[] = [];
    results.forEach((r, i) =>
      r.status === 'fulfilled' ? clusters.push(...r.value) : unlisted.push(this.subscriptionIds[i]),
    );
    if (shared && unlisted.length === 0) this.lastAll = { parts, clusters };
    return { clusters, unlisted };
  }

  /**
   * Finds a cluster; unknown names get the closest names the bot can see. `listings`: where the
   * cluster listings it makes are kept for the rest of the same plan ({@link listAllClusters}).
   */
  async resolveCluster(typed: ClusterRef, listings?: ClusterListings): Promise<ClusterInfo> {
    const ref = typed.kind === 'id' ? this.allowed(typed) : typed;
    const listAll = () => this.listEverywhere('clusters', (s) => this.listClustersIn(s, listings));
    if (ref.kind === 'name') {
      const { all, unreadable } = await listAll();
      const matches = all.filter((c) => c.name.toLowerCase() === ref.name.toLowerCase());
      if (matches.length === 0)
        throw (
          unreadable ??
          this.notFound(
            'cluster',
            ref.name,
            all.map((c) => c.name),
          )
        );
      return this.onlyCluster(ref, matches);
    }
    const where = ref.kind === 'id' ? [ref.subscriptionId] : this.subscriptionIds;
    const read = await this.readEverywhere(where, (s) => this.azure.getCluster(s, ref.resourceGroup, ref.name));
    if (read.found.length) return this.onlyCluster(ref, read.found);
    // Only for where else it is and suggestions: a subscription whose list is refused simply offers
    // none; a listing that fails otherwise does not hide why the read found nothing.
    const { all, failure } = await settledListing(listAll());
    const elsewhere = inOtherGroups('cluster', ref, all);
    if (elsewhere && lookedWhereFound(elsewhere, read)) throw elsewhere.answer;
    const unseen =
      ref.kind === 'id'
        ? this.unseenResource('cluster', clusterResourceId(ref), ref.resourceGroup, read, elsewhere)
        : undefined;
    if (unseen) throw unseen;
    if (failure !== undefined) throw failure;
    throw this.notFound(
      'cluster',
      describeClusterRef(ref),
      all.map((c) => `${c.resourceGroup}/${c.name}`),
      { ...read, resourceGroup: ref.resourceGroup },
      elsewhere ? { close: elsewhere.forms, instead: elsewhere.possibility } : {},
    );
  }

  /** `subscriptionId`'s cluster listing started in the last {@link SHARING_LISTING_TTL_MS}, or a new one. */
  private recentListing(subscriptionId: string): Promise<ClusterInfo[]> {
    const key = subscriptionId.toLowerCase();
    const now = this.now().getTime();
    const kept = this.recent.get(key);
    if (kept && now - kept.at < SHARING_LISTING_TTL_MS) return kept.listing;
    const listing = this.azure.listClusters(subscriptionId);
    this.recent.set(key, { at: now, listing });
    // A failure is not kept: the next plan asks Azure again (this one counts it unlisted).
    listing.catch(() => {
      if (this.recent.get(key)?.listing === listing) this.recent.delete(key);
    });
    return listing;
  }

  /** One subscription's cluster listing: the one `listings` holds, or a new one (kept there). */
  private listClustersIn(subscriptionId: string, listings?: ClusterListings): Promise<ClusterInfo[]> {
    const key = subscriptionId.toLowerCase();
    const made = listings?.get(key);
    if (made) return made;
    const listing = this.azure.listClusters(subscriptionId);
    listings?.set(key, listing);
    return listing;
  }

  private onlyCluster(ref: ClusterRef, matches: ClusterInfo[]): ClusterInfo {
    if (matches.length > 1) {
      throw new UserFacingError(
        'cluster.ambiguous',
        `There are ${matches.length} clusters named ${ref.name}; say which one with resourceGroup/name or the full resource id:`,
        matches.map((c) => c.id),
      );
    }
    return matches[0];
  }

  /** Finds a registry by name or login server across all allowed subscriptions, or by id. */
  async resolveRegistry(ref: RegistryRef): Promise<RegistryInfo> {
    if (ref.kind === 'id') {
      const byId = this.allowed(ref);
      const read = await this.readEverywhere([byId.subscriptionId], (s) =>
        this.azure.getRegistry(s, byId.resourceGroup, byId.name),
      );
      if (read.found.length) return read.found[0];
      const { all, failure } = await settledListing(
        this.listIn([byId.subscriptionId], (s) => this.azure.listRegistries(s)),
      );
      const elsewhere = inOtherGroups('registry', byId, all);
      if (elsewhere && lookedWhereFound(elsewhere, read)) throw elsewhere.answer;
      const unseen = this.unseenResource('registry', registryResourceId(byId), byId.resourceGroup, read, elsewhere);
      if (unseen) throw unseen;
      if (failure !== undefined) throw failure;
      throw this.notFound(
        'registry',
        byId.name,
        all.map((r) => r.name),
      );
    }
    const { all, unreadable } = await this.listEverywhere('registries', (s) => this.azure.listRegistries(s));
    const typed = ref.kind === 'name' ? ref.name : ref.loginServer;
    const matches = all.filter(
      (r) => (ref.kind === 'name' ? r.name : r.loginServer).toLowerCase() === typed.toLowerCase(),
    );
    if (matches.length === 0 && unreadable) throw unreadable;
    if (matches.length === 0 && ref.kind === 'loginServer')
      throw this.notFound('registry', typed, [], undefined, {
        named: 'with login server',
        close: closestLoginServers(typed, all),
      });
    if (matches.length === 0)
      throw this.notFound(
        'registry',
        typed,
        all.map((r) => r.name),
      );
    if (matches.length > 1) {
      throw new UserFacingError(
        'registry.ambiguous',
        `There are ${matches.length} registries ${ref.kind === 'name' ? 'named' : 'with login server'} ${typed} in the subscriptions acrbot manages; repeat the command with the full resource id of the one you mean:`,
        matches.map((r) => r.id),
      );
    }
    return matches[0];
  }

  /**
   * Lists in every allowed subscription. One acrbot may not read (its identity lacks Reader
   * there, or the subscription is gone) does not hide what the others hold: its failure is
   * returned as the sentence to answer with when nothing was found, so "not found" is never
   * said about a subscription that was not looked in. Anything else than a refusal is thrown.
   */
  private async listEverywhere<T>(
    what: 'clusters' | 'registries',
    list: (subscriptionId: string) => Promise<T[]>,
  ): Promise<{ all: T[]; unreadable?: UserFacingError }> {
    const { all, ...unseen } = await this.listIn(this.subscriptionIds, list);
    if (unseen.refused.length === 0 && unseen.unknown.length === 0) return { all };
    return {
      all,
      unreadable: new UserFacingError(
        unseen.refused.length ? 'subscription.unreadable' : 'subscription.notFound',
        unseenSentences('list', what, unseen).join(' '),
        { cause: unseen.cause },
      ),
    };
  }

  /**
   * Lists in each subscription; 403 and 404 count as "could not look there": refused, or (404
   * SubscriptionNotFound) a subscription ARM could not find.
   */
  private async listIn<T>(
    subscriptionIds: readonly string[],
    list: (subscriptionId: string) => Promise<T[]>,
  ): Promise<{ all: T[] } & Unseen> {
    const { values, ...unseen } = await inEach(subscriptionIds, list, [403, 404]);
    return { all: values.flat(), ...unseen };
  }

  /**
   * One point read (GET by group and name) in each subscription. Real ARM answers 403
   * AuthorizationFailed for a resource in a resource group acrbot may not read, whether or not
   * it (or the group) exists there: acrbot's Reader is on the resource groups of the resources it
   * manages (docs/deploy.md), so a group that is not in a subscription answers 403 there too.
   * That subscription is "could not look there", not "not found" and not a failure of the whole
   * lookup. So is one ARM answers 404 SubscriptionNotFound for (the reader
   * throws it); any other 404 is already "none" (the reader's `unlessAbsent`).
   */
  private async readEverywhere<T>(
    subscriptionIds: readonly string[],
    read: (subscriptionId: string) => Promise<T | undefined>,
  ): Promise<{ found: T[] } & Unseen> {
    const { values, ...unseen } = await inEach(subscriptionIds, read, [403]);
    return { found: values.filter((v): v is T => v !== undefined), ...unseen };
  }

  /**
   * For an explicit resource id acrbot could not look up: it cannot tell whether the resource
   * exists, so it says why, naming the subscription ARM could not find, or the right it lacks
   * (403, which ARM answers alike for a name that does not exist in a resource group acrbot may
   * not read: a mistyped group or name reads so too). Undefined when it did look. `elsewhere`:
   * one of that name in another group, then named as a possibility only: acrbot cannot tell
   * whether the one it may not read exists, so a wrong group is not the certain mistake.
   */
  private unseenResource(
    kind: 'cluster' | 'registry',
    id: string,
    resourceGroup: string,
    unseen: Unseen,
    elsewhere?: Elsewhere,
  ): UserFacingError | undefined {
    const { cause } = unseen;
    const [missing] = unseen.unknown;
    if (missing !== undefined)
      return new UserFacingError(
        'subscription.notFound',
        `Azure Resource Manager could not find subscription ${missing} (Azure answered SubscriptionNotFound), so acrbot cannot tell whether ${kind} ${id} exists: the subscription may have been deleted or moved to another Microsoft Entra tenant, or acrbot's identity may not be known there yet. Check that the subscription exists in acrbot's tenant and that acrbot's identity has the Reader role on it (docs/deploy.md), then try again.`,
        { cause },
      );
    if (unseen.refused.length === 0) return undefined;
    const code = (cause as { code?: unknown } | undefined)?.code;
    return new UserFacingError(
      `${kind}.unreadable`,
      `acrbot may not read ${kind} ${id}${azureAnswered(code)}, so it cannot tell whether it exists: Azure gives the same answer for a name that does not exist in a resource group acrbot may not read. Check the resource group and the name; if they are right, acrbot's identity needs the Reader role on resource group ${resourceGroup}: make sure the ${kind} is in ${managedList(kind)} and redeploy (docs/deploy.md, Rights for the bot's identity), then try again.${elsewhere ? ` ${elsewhere.possibility}` : ''}`,
      { cause },
    );
  }

  /**
   * "Not found", with the closest names. `unseen`: subscriptions acrbot could not look in
   * (refused, or not found by ARM), named so that "not found" is said only about the others;
   * with its `resourceGroup`, the refusals were point reads in that group (see
   * {@link readEverywhere}), and the sentence names the group rather than the subscription.
   * `how.instead`: a sentence said in place of "Did you mean" (one of that name in another
   * group, {@link Elsewhere}), `how.close` then being what it says to type.
   */
  private notFound(
    kind: 'cluster' | 'registry',
    name: string,
    candidates: string[],
    unseen: Unseen & { resourceGroup?: string } = { refused: [], unknown: [] },
    how: { named?: 'named' | 'with login server'; close?: string[]; instead?: string } = {},
  ): UserFacingError {
    const { named = 'named', close = closestNames(name, candidates) } = how;
    // One of that name elsewhere says where and what to type itself: no "Did you mean" besides.
    const suggestion =
      how.instead !== undefined ? ` ${how.instead}` : close.length ? ` Did you mean ${close.join(', ')}?` : '';
    const notLookedIn = [...unseen.refused, ...unseen.unknown].map((s) => s.toLowerCase());
    if (notLookedIn.length === 0)
      return new UserFacingError(
        `${kind}.notFound`,
        `No ${kind} ${named} ${name} was found in the subscriptions acrbot can see.${suggestion}`,
        close,
      );
    const lookedIn = this.subscriptionIds.filter((s) => !notLookedIn.includes(s.toLowerCase()));
    const where = lookedIn.length ? ` in ${plural(lookedIn, 'subscription')}.` : ':';
    const why = unseenSentences(
      unseen.resourceGroup === undefined ? 'list' : { group: unseen.resourceGroup, kind },
      kind === 'cluster' ? 'clusters' : 'registries',
      unseen,
    );
    return new UserFacingError(
      `${kind}.notFound`,
      `No ${kind} ${name} was found${where} ${why.join(' ')}${suggestion}`,
      close,
    );
  }
}

/**
 * The login servers of `registries` closest to `typed`, compared by their first label (the
 * registry's name, and a hash with a domain name label scope): compared whole, the domain they
 * share would make every one of them close.
 */
function closestLoginServers(typed: string, registries: readonly RegistryInfo[]): string[] {
  const label = (host: string) => host.split('.')[0].toLowerCase();
  const close = closestNames(
    label(typed),
    registries.map((r) => label(r.loginServer)),
  );
  return close.flatMap((l) => registries.filter((r) => label(r.loginServer) === l).map((r) => r.loginServer));
}

/**
 * A listing that serves only the answer to a lookup that found nothing: its failure is returned
 * rather than thrown, so that the answer says first why the lookup failed (a refused read).
 */
function settledListing<T>(listing: Promise<{ all: T[] }>): Promise<{ all: T[]; failure?: unknown }> {
  return listing.then(
    ({ all }) => ({ all }),
    (failure: unknown) => ({ all: [], failure }),
  );
}

/**
 * Resources of exactly the typed name in other resource groups than the one typed (an id: in the
 * same subscription; a registry name being shared across subscriptions with a domain name label
 * scope, another subscription's is another registry), and the two ways of saying so.
 */
interface Elsewhere {
  /** What to type for each: `group/name` where it names one alone, else the id. */
  forms: string[];
  /** The subscriptions (lower case) they are in. */
  subscriptionIds: string[];
  /**
   * The answer when the typed group was looked in and has none: where it is and what to type,
   * since a wrong group is then the likely mistake, not a missing Reader role.
   */
  answer: UserFacingError;
  /**
   * The sentence added to "cannot tell" when the typed group could not be read (403): the typed
   * one may exist there, so the other is a possibility, and the Reader-role advice stays.
   */
  possibility: string;
}

/** The {@link Elsewhere} of a resource named with `ref.resourceGroup`; undefined when there is none. */
function inOtherGroups(
  kind: 'cluster' | 'registry',
  ref: { name: string; resourceGroup: string; subscriptionId?: string },
  listed: readonly (ClusterInfo | RegistryInfo)[],
): Elsewhere | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const there = listed.filter(
    (r) =>
      same(r.name, ref.name) &&
      !same(r.resourceGroup, ref.resourceGroup) &&
      (ref.subscriptionId === undefined || same(r.subscriptionId, ref.subscriptionId)),
  );
  if (there.length === 0) return undefined;
  // `group/name` where it names one of them alone (read in every subscription), else the id.
  const forms = there.map((r) =>
    ref.subscriptionId === undefined && there.filter((o) => same(o.resourceGroup, r.resourceGroup)).length === 1
      ? `${r.resourceGroup}/${r.name}`
      : r.id,
  );
  const groups = [...new Set(there.map((r) => r.resourceGroup))];
  const inGroups = `in resource group${groups.length === 1 ? '' : 's'} ${groups.join(', ')}`;
  const type = `type ${forms.length === 1 ? '' : 'one of '}${forms.join(', ')} instead.`;
  const Kind = kind === 'cluster' ? 'Cluster' : 'Registry';
  const [one, Many] = kind === 'cluster' ? ['cluster', 'Clusters'] : ['registry', 'Registries'];
  return {
    forms,
    subscriptionIds: [...new Set(there.map((r) => r.subscriptionId.toLowerCase()))],
    answer: new UserFacingError(
      `${kind}.notFound`,
      `${Kind} ${there[0].name} is ${inGroups}, not ${ref.resourceGroup}: ${type}`,
      forms,
    ),
    possibility:
      there.length === 1
        ? `A ${one} of that name is ${inGroups}: if you meant it, ${type}`
        : `${Many} of that name are ${inGroups}: if you meant one of them, ${type}`,
  };
}

/**
 * True when the typed group was read (answered, not refused nor in a subscription ARM could not
 * find) in every subscription holding one of that name elsewhere: only then is "it is in that
 * other group, not this one" known rather than guessed.
 */
function lookedWhereFound(elsewhere: Elsewhere, read: Unseen): boolean {
  const unlooked = [...read.refused, ...read.unknown].map((s) => s.toLowerCase());
  return elsewhere.subscriptionIds.every((s) => !unlooked.includes(s));
}

/**
 * The cluster listings one plan made, by subscription id in lower case (GUIDs: one subscription
 * whatever its casing), in flight or ended (a failed one too), so that finding its cluster by
 * name and looking for the clusters sharing its identity list each subscription once: in a
 * deployment of 10 subscriptions, 10 paged ARM lists per grant request rather than 20. Made empty
 * per plan and dropped with it, never kept across requests: cluster identities change, and each
 * plan must see them as they are.
 */
export type ClusterListings = Map<string, Promise<ClusterInfo[]>>;

/** Whether `a` and `b` hold the same arrays (not equal ones) in the same order. */
function sameArrays(a: readonly (readonly unknown[])[], b: readonly (readonly unknown[])[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Subscriptions acrbot could not look in: `refused` answered 403 (or a listing's other 404),
 * `unknown` answered 404 SubscriptionNotFound; `cause` is the last such error.
 */
interface Unseen {
  refused: string[];
  unknown: string[];
  cause?: unknown;
}

/**
 * One sentence per kind of subscription acrbot could not look in, each with its fix. `how`:
 * `list` for a subscription-wide listing; a group (and the kind looked for) for point reads in it,
 * whose 403 says only that acrbot may not read that group there, which is also what ARM answers
 * where no such group exists.
 */
function unseenSentences(
  how: 'list' | { group: string; kind: 'cluster' | 'registry' },
  what: 'clusters' | 'registries',
  unseen: Unseen,
): string[] {
  const sentences: string[] = [];
  if (unseen.refused.length && how === 'list')
    sentences.push(`acrbot may not list the ${what} of ${cannotLookIn(unseen.refused)}.`);
  else if (unseen.refused.length && how !== 'list')
    sentences.push(
      `acrbot may not read resource group ${how.group} in ${plural(unseen.refused, 'subscription')}, so it could not look there (Azure gives the same answer where no such group exists); if the ${how.kind} is there, acrbot's identity needs the Reader role on that group: make sure the ${how.kind} is in ${managedList(how.kind)} and redeploy (docs/deploy.md, Rights for the bot's identity).`,
    );
  if (unseen.unknown.length) {
    const one = unseen.unknown.length === 1;
    const [it, exists] = one ? ['it', 'exists'] : ['them', 'exist'];
    sentences.push(
      `Azure Resource Manager could not find ${plural(unseen.unknown, 'subscription')} (Azure answered SubscriptionNotFound: deleted, moved to another Microsoft Entra tenant, or acrbot's identity not yet known there), so acrbot could not look there; check that ${one ? 'it' : 'they'} still ${exists} in acrbot's tenant and that acrbot's identity has the Reader role on ${it} (docs/deploy.md), or take ${it} out of ACRBOT_SUBSCRIPTION_IDS.`,
    );
  }
  return sentences;
}

/** The deployment parameter listing the resources of `kind` acrbot manages (infra, docs/deploy.md). */
function managedList(kind: 'cluster' | 'registry'): string {
  return kind === 'cluster' ? 'managedClusters' : 'managedRegistries';
}

/** "subscription A" / "subscriptions A, B". */
function plural(subscriptionIds: readonly string[], word: string): string {
  return `${word}${subscriptionIds.length === 1 ? '' : 's'} ${subscriptionIds.join(', ')}`;
}

/** The end of a sentence about subscriptions acrbot could not look in, with the fix. */
function cannotLookIn(refused: readonly string[]): string {
  const them = refused.length === 1 ? 'it' : 'them';
  return `${plural(refused, 'subscription')}, so it could not look there; give its identity the Reader role on ${them} (docs/deploy.md), or take ${them} out of ACRBOT_SUBSCRIPTION_IDS`;
}

/**
 * `call` in every subscription, settled one by one: a 404 SubscriptionNotFound, or a failure
 * whose status is in `refusals`, is that subscription's "could not look there" (the last such
 * error is kept as the cause); any other failure is thrown, after every call has ended.
 */
async function inEach<T>(
  subscriptionIds: readonly string[],
  call: (subscriptionId: string) => Promise<T>,
  refusals: readonly number[],
): Promise<{ values: T[] } & Unseen> {
  const results = await Promise.allSettled(subscriptionIds.map((s) => call(s)));
  const values: T[] = [];
  const unseen: Unseen = { refused: [], unknown: [] };
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return void values.push(result.value);
    const status = (result.reason as { statusCode?: unknown } | undefined)?.statusCode;
    if (isSubscriptionNotFound(result.reason)) unseen.unknown.push(subscriptionIds[i]);
    else if (typeof status === 'number' && refusals.includes(status)) unseen.refused.push(subscriptionIds[i]);
    else throw result.reason;
    unseen.cause = result.reason;
  });
  return { values, ...unseen };
}
