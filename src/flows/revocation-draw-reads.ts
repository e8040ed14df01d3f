/**
 * The reads of one revoke card's draw (`revoke CLUSTER REGISTRY`, `revoke registry NAME`), made
 * once and shared by the previews of its requests, and a listing served from a wider one already
 * made in the same draw when that one holds its answer exactly (docs/performance.md, rounds
 * forty-two and forty-four). Nothing is kept past the draw: each card and each click's redraw
 * check reads anew.
 */
import type { ListOrder, RequestStore } from '../domain/ports';
import type { AccessRequest, RequestState } from '../domain/request';
import type { LifecycleDeps } from './access-lifecycle-deps';

/**
 * One listing of a pair's (`clusterId` set) or a registry's requests, as made: its arguments
 * and what it returned. A card's active read returns its own with its requests (`ActiveRead`,
 * revocation-preview.ts), and the handler hands it to their previews (`previewTogether`).
 */
export interface Listing {
  registryId: string;
  clusterId?: string;
  states: readonly RequestState[];
  limit: number;
  order: ListOrder;
  found: readonly AccessRequest[];
}

/**
 * `deps` whose reads that the previews of many requests repeat are made once and shared, for one
 * draw: each request's preview lists its pair's requests (its extensions, a secret's holders),
 * its registry's (who holds and who made its role assignment), reads the originals it extends,
 * and reads the registry and the identity's assignments there (what else lets it pull). Requests
 * of one pair or registry ask the same, so a 200-request card made 200 registry listings, 400
 * pair listings and 400 ARM reads (round forty-two). A listing is answered from `listed` (the
 * card's active read) or one made before in this draw when that one holds the answer exactly
 * ({@link servedBy}): the active read of a registry's succeeded requests answers who holds each
 * assignment and each pair's extensions, so a 200-request registry card reads them once, not
 * three times (round forty-four). One draw's reads, never kept past it.
 */
export function readingOnce(deps: LifecycleDeps, listed: readonly Listing[] = []): LifecycleDeps {
  const { store, settings } = deps;
  const { pullReads, registryReads } = settings;
  const made: Listing[] = [...listed];
  /** A listing served from one made already, else read (once per distinct arguments) and kept for the next. */
  const listing = (read: (asked: Omit<Listing, 'found'>) => Promise<AccessRequest[]>) => {
    const readOnce = once((asked: Omit<Listing, 'found'>) =>
      read(asked).then((found) => {
        made.push({ ...asked, found });
        return found;
      }),
    );
    return (asked: Omit<Listing, 'found'>): Promise<AccessRequest[]> => {
      for (const wider of made) {
        const served = servedBy(wider, asked);
        if (served) return Promise.resolve(served);
      }
      return readOnce(asked);
    };
  };
  const byRegistry = listing(({ registryId, states, limit, order }) =>
    store.listByRegistry(registryId, [...states], limit, order),
  );
  const byTarget = listing(({ clusterId, registryId, states, limit }) =>
    store.listByTarget(clusterId!, registryId, [...states], limit),
  );
  const byStore: Partial<RequestStore> = {
    get: once(store.get.bind(store)),
    // The stores' defaults (RequestStore): 100, oldest first.
    listByTarget: (clusterId, registryId, states, limit = 100) =>
      byTarget({ clusterId, registryId, states, limit, order: 'oldestFirst' }),
    listByRegistry: (registryId, states, limit = 100, order = 'oldestFirst') =>
      byRegistry({ registryId, states, limit, order }),
  };
  return {
    ...deps,
    // Every other method of the store as it is (bound to it: a store may keep private state).
    store: new Proxy(store, {
      get: (target, key) =>
        key in byStore ? byStore[key as keyof typeof byStore] : bound(Reflect.get(target, key), target),
    }),
    settings: {
      ...settings,
      ...(pullReads && {
        pullReads: {
          listAssignedToAt: once(pullReads.listAssignedToAt.bind(pullReads)),
          // Judged through a cache of role definitions kept per reads object (outside-pull.ts),
          // so one per draw here: a role is read once per card, not once per process.
          getRoleDefinition: once(pullReads.getRoleDefinition.bind(pullReads)),
        },
      }),
      ...(registryReads && { registryReads: { getRegistry: once(registryReads.getRegistry.bind(registryReads)) } }),
    },
  };
}

/**
 * What the listing `asked` would return, taken from `wider` (made in the same draw) when it holds
 * that exactly; undefined otherwise (then it is read). Same registry, same order, and the states
 * asked among `wider`'s, and either:
 * - `wider` came back below its cap, so it holds every request of its states there: those of the
 *   states (and pair) asked, cut at `asked.limit` in the same order (a pair's from a registry's
 *   only when below that cap: the two listings' orders are not compared);
 * - or the same listing of the same states with a cap at least as high: its first `asked.limit`.
 * Cut at its cap, an answer served has that many, so its caller says "or more" as it would of
 * the read (a holder's listing at 1000 of a registry's 1,500 active requests, for one).
 */
export function servedBy(wider: Listing, asked: Omit<Listing, 'found'>): AccessRequest[] | undefined {
  const same = (a: string | undefined, b: string | undefined) => a?.toLowerCase() === b?.toLowerCase();
  if (!same(wider.registryId, asked.registryId) || wider.order !== asked.order) return undefined;
  if (wider.clusterId !== undefined && !same(wider.clusterId, asked.clusterId)) return undefined;
  if (!asked.states.every((s) => wider.states.includes(s))) return undefined;
  const whole = wider.found.length < wider.limit;
  const alike = wider.clusterId !== undefined || asked.clusterId === undefined;
  if (!whole) {
    const sameStates = wider.states.every((s) => asked.states.includes(s));
    return alike && sameStates && asked.limit <= wider.limit ? wider.found.slice(0, asked.limit) : undefined;
  }
  const theirs = wider.found.filter(
    (r) =>
      asked.states.includes(r.state) && (asked.clusterId === undefined || same(r.plan.cluster.id, asked.clusterId)),
  );
  if (alike) return theirs.slice(0, Math.max(0, asked.limit));
  return theirs.length < asked.limit ? theirs : undefined;
}

/** `read`, asked once per distinct arguments and its promise shared (a failure too: one read failed). */
function once<A extends unknown[], R>(read: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const made = new Map<string, Promise<R>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let pending = made.get(key);
    if (!pending) made.set(key, (pending = read(...args)));
    return pending;
  };
}

/** A method read off `target`, bound to it; anything else as it is. */
function bound(value: unknown, target: object): unknown {
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}
