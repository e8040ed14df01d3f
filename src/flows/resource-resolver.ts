/**
 * Resolves what users typed to Azure resources in the allowed subscriptions: registries by
 * name across all of them (two matches → ask which), clusters by name, group/name or id.
 */
import type { ClusterInfo, RegistryInfo } from '../domain/azure-model';
import { closestNames } from '../domain/closest-names';
import { UserFacingError } from '../domain/errors';
import type { ClusterRef, RegistryRef } from '../domain/names';
import { describeClusterRef } from '../domain/names';
import type { AzureResourceReader } from '../domain/ports';

/** Looks resources up through ARM; never builds URLs from user text. */
export class ResourceResolver {
  constructor(
    private readonly azure: AzureResourceReader,
    private readonly subscriptionIds: readonly string[],
  ) {}

  private checkSubscription(subscriptionId: string): void {
    if (!this.subscriptionIds.some((s) => s.toLowerCase() === subscriptionId.toLowerCase())) {
      throw new UserFacingError(
        'subscription.notAllowed',
        `Subscription ${subscriptionId} is not one acrbot manages; use a resource in ${this.subscriptionIds.join(', ')} or ask the platform team to add the subscription to ACRBOT_SUBSCRIPTION_IDS.`,
      );
    }
  }

  /** Finds a cluster; unknown names get the closest names the bot can see. */
  async resolveCluster(ref: ClusterRef): Promise<ClusterInfo> {
    const listAll = () => this.listEverywhere('clusters', (s) => this.azure.listClusters(s));
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
    if (ref.kind === 'id') this.checkSubscription(ref.subscriptionId);
    const where = ref.kind === 'id' ? [ref.subscriptionId] : this.subscriptionIds;
    const read = await this.readEverywhere(where, (s) => this.azure.getCluster(s, ref.resourceGroup, ref.name));
    if (read.found.length) return this.onlyCluster(ref, read.found);
    if (ref.kind === 'id' && read.refused.length) throw this.unreadableResource('cluster', clusterId(ref), read.cause);
    // Only for suggestions: a subscription whose list is refused simply offers none.
    const { all } = await listAll();
    throw this.notFound(
      'cluster',
      describeClusterRef(ref),
      all.map((c) => `${c.resourceGroup}/${c.name}`),
      read.refused,
    );
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

  /** Finds a registry by name across all allowed subscriptions, or by id. */
  async resolveRegistry(ref: RegistryRef): Promise<RegistryInfo> {
    if (ref.kind === 'id') {
      this.checkSubscription(ref.subscriptionId);
      const read = await this.readEverywhere([ref.subscriptionId], (s) =>
        this.azure.getRegistry(s, ref.resourceGroup, ref.name),
      );
      if (read.found.length) return read.found[0];
      if (read.refused.length) throw this.unreadableResource('registry', registryId(ref), read.cause);
      const { all } = await this.listIn([ref.subscriptionId], (s) => this.azure.listRegistries(s));
      throw this.notFound(
        'registry',
        ref.name,
        all.map((r) => r.name),
      );
    }
    const { all, unreadable } = await this.listEverywhere('registries', (s) => this.azure.listRegistries(s));
    const matches = all.filter((r) => r.name.toLowerCase() === ref.name.toLowerCase());
    if (matches.length === 0 && unreadable) throw unreadable;
    if (matches.length === 0)
      throw this.notFound(
        'registry',
        ref.name,
        all.map((r) => r.name),
      );
    if (matches.length > 1) {
      throw new UserFacingError(
        'registry.ambiguous',
        `There are ${matches.length} registries named ${ref.name} in the subscriptions acrbot manages; repeat the command with the full resource id of the one you mean:`,
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
    const { all, refused, cause } = await this.listIn(this.subscriptionIds, list);
    if (refused.length === 0) return { all };
    return {
      all,
      unreadable: new UserFacingError(
        'subscription.unreadable',
        `acrbot may not list the ${what} of ${cannotLookIn(refused)}.`,
        { cause },
      ),
    };
  }

  /** Lists in each subscription; 403 and 404 (refused, or the subscription is gone) count as "could not look there". */
  private async listIn<T>(
    subscriptionIds: readonly string[],
    list: (subscriptionId: string) => Promise<T[]>,
  ): Promise<{ all: T[]; refused: string[]; cause?: unknown }> {
    const { values, refused, cause } = await inEach(subscriptionIds, list, [403, 404]);
    return { all: values.flat(), refused, cause };
  }

  /**
   * One point read (GET by group and name) in each subscription. Real ARM answers 403
   * AuthorizationFailed for a resource in a subscription acrbot may not read, whether or not it
   * exists there: that subscription is "could not look there", not "not found" and not a
   * failure of the whole lookup. A 404 is already "none" (the reader's `unlessNotFound`).
   */
  private async readEverywhere<T>(
    subscriptionIds: readonly string[],
    read: (subscriptionId: string) => Promise<T | undefined>,
  ): Promise<{ found: T[]; refused: string[]; cause?: unknown }> {
    const { values, refused, cause } = await inEach(subscriptionIds, read, [403]);
    return { found: values.filter((v): v is T => v !== undefined), refused, cause };
  }

  /** An explicit resource id acrbot may not read (403): it cannot tell whether it exists. */
  private unreadableResource(kind: 'cluster' | 'registry', id: string, cause: unknown): UserFacingError {
    const code = (cause as { code?: unknown } | undefined)?.code;
    return new UserFacingError(
      `${kind}.unreadable`,
      `acrbot may not read ${kind} ${id}${typeof code === 'string' ? ` (Azure answered ${code})` : ''}, so it cannot tell whether it exists; give acrbot's identity the Reader role on it (docs/deploy.md), then try again.`,
      { cause },
    );
  }

  /**
   * "Not found", with the closest names. `refused`: subscriptions acrbot could not look in (403),
   * named so that "not found" is said only about the others.
   */
  private notFound(
    kind: 'cluster' | 'registry',
    name: string,
    candidates: string[],
    refused: readonly string[] = [],
  ): UserFacingError {
    const close = closestNames(name, candidates);
    const suggestion = close.length ? ` Did you mean ${close.join(', ')}?` : '';
    if (refused.length === 0)
      return new UserFacingError(
        `${kind}.notFound`,
        `No ${kind} named ${name} was found in the subscriptions acrbot can see.${suggestion}`,
        close,
      );
    const lookedIn = this.subscriptionIds.filter((s) => !refused.some((r) => r.toLowerCase() === s.toLowerCase()));
    const where = lookedIn.length ? ` in ${plural(lookedIn, 'subscription')}. acrbot` : ': acrbot';
    return new UserFacingError(
      `${kind}.notFound`,
      `No ${kind} ${name} was found${where} may not read the ${kind === 'cluster' ? 'clusters' : 'registries'} of ${cannotLookIn(refused)}.${suggestion}`,
      close,
    );
  }
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
 * `call` in every subscription, settled one by one: a failure whose status is in `refusals` is
 * that subscription's "could not look there" (the last such error is kept as the cause); any
 * other failure is thrown, after every call has ended.
 */
async function inEach<T>(
  subscriptionIds: readonly string[],
  call: (subscriptionId: string) => Promise<T>,
  refusals: readonly number[],
): Promise<{ values: T[]; refused: string[]; cause?: unknown }> {
  const results = await Promise.allSettled(subscriptionIds.map((s) => call(s)));
  const values: T[] = [];
  const refused: string[] = [];
  let cause: unknown;
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return void values.push(result.value);
    const status = (result.reason as { statusCode?: unknown } | undefined)?.statusCode;
    if (typeof status !== 'number' || !refusals.includes(status)) throw result.reason;
    refused.push(subscriptionIds[i]);
    cause = result.reason;
  });
  return { values, refused, cause };
}

function clusterId(ref: Extract<ClusterRef, { kind: 'id' }>): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${ref.name}`;
}

function registryId(ref: Extract<RegistryRef, { kind: 'id' }>): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${ref.name}`;
}
