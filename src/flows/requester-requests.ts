/**
 * A requester's own requests as chat lists them (`status` without an id, the open ones on
 * `access`): read through the store's by-requester index, as the tab's "Your requests" reads
 * them (RequestStore.listByRequester), never everyone's filtered; of the reader's tenant only
 * (tenant-boundary.ts).
 */
import type { RequestStore } from '../domain/ports';
import { REQUEST_STATES, type AccessRequest, type RequestState } from '../domain/request';
import type { RequesterRequests } from '../domain/requester-requests';
import { ofTenant } from '../domain/tenant-boundary';

/** Most requests `status` without an id lists: the newest, of every state. */
export const MY_REQUESTS_SHOWN = 10;

/**
 * Most of a requester's newest requests (of every tenant) read to find their newest of one tenant:
 * an object id is one tenant's, so in practice all are the reader's; a guest's home tenant may
 * hold a few more.
 */
const NEWEST_SCAN = 50;

/** Most open requests `access` alone lists; the rest are counted ("…and N more — see the My access tab"). */
export const OPEN_REQUESTS_SHOWN = 5;

/** States of a request not yet granted or ended: waiting for approval, approved, being applied. */
export const OPEN_STATES: readonly RequestState[] = ['pending', 'approved', 'executing'];

/**
 * Most open requests of one requester read: the per-user pending cap (G16) bounds the pending
 * ones and approved or executing ones pass quickly, so in practice all of them.
 */
const OPEN_SCAN = 200;

/** Newest first by creation, each once (a request that moved state between a store's reads of two states is in both). */
function newestFirstOnce(requests: readonly AccessRequest[]): AccessRequest[] {
  const seen = new Map<string, AccessRequest>();
  for (const r of requests) seen.set(r.id, r);
  return [...seen.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * The newest `shown` requests of `requesterId` in `tenantId`, every state, newest first. `more`
 * counts those of the read past them (the tab lists them all).
 */
export function newestRequestsOf(
  store: Pick<RequestStore, 'listByRequester'>,
  requesterId: string,
  tenantId: string,
  shown = MY_REQUESTS_SHOWN,
): Promise<RequesterRequests> {
  return newestOfTenant(store, requesterId, tenantId, REQUEST_STATES, Math.max(NEWEST_SCAN, shown + 1), shown);
}

/**
 * The open requests (pending, approved, being applied; extensions among them) of `requesterId`
 * in `tenantId`, newest first, at most `shown`; `more` counts the rest.
 */
export function openRequestsOf(
  store: Pick<RequestStore, 'listByRequester'>,
  requesterId: string,
  tenantId: string,
  shown: number,
): Promise<RequesterRequests> {
  return newestOfTenant(store, requesterId, tenantId, OPEN_STATES, OPEN_SCAN, shown);
}

/** One newest-first read of `states` (at most `scan`), narrowed to `tenantId` and cut at `shown`. */
async function newestOfTenant(
  store: Pick<RequestStore, 'listByRequester'>,
  requesterId: string,
  tenantId: string,
  states: readonly RequestState[],
  scan: number,
  shown: number,
): Promise<RequesterRequests> {
  const read = await store.listByRequester(requesterId, [...states], scan, 'newestFirst');
  const theirs = newestFirstOnce(read.filter((r) => ofTenant(r, tenantId)));
  return {
    requests: theirs.slice(0, shown),
    more: Math.max(0, theirs.length - shown),
    boundReached: read.length >= scan,
  };
}
