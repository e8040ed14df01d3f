/**
 * Reads of requests as every part of the request service answers them: a request that is not
 * there is "not found" (another tenant's is answered so too, and audited: tenant-refusal.ts); a
 * requester's open extensions.
 */
import { UserFacingError } from '../domain/errors';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { ofTenant } from '../domain/tenant-boundary';

/** The answer for a request that is not there, or not the reader's to see (another tenant's). */
export function requestNotFound(id: string): UserFacingError {
  return new UserFacingError(
    'request.notFound',
    // The help card's example id is typed as it is by people who have no id yet: `status` alone lists theirs.
    `There is no request ${id}; check the id on the plan card (it looks like R-7K2M9QXA), or type "@acrbot status" alone to list your requests.`,
  );
}

/** Reads a request or says it does not exist. */
export async function readRequest(store: Pick<RequestStore, 'get'>, id: string): Promise<AccessRequest> {
  const request = await store.get(id.toUpperCase());
  if (!request) throw requestNotFound(id);
  return request;
}

/**
 * Most open requests of one requester read to find an open extension: far above the per-user
 * pending cap, so in practice all of them.
 */
const OPEN_REQUESTS_SCAN_LIMIT = 500;

/**
 * A requester's extensions waiting for approval or being applied (an extension's requester is its
 * original's): one read of their open requests through the by-requester index. The open-extension
 * check and the tab's rows both ask this.
 */
export async function openExtensionsBy(
  store: Pick<RequestStore, 'listByRequester'>,
  requesterId: string,
): Promise<AccessRequest[]> {
  const open = await store.listByRequester(requesterId, ['pending', 'approved', 'executing'], OPEN_REQUESTS_SCAN_LIMIT);
  return open.filter((r) => r.extendsRequestId);
}

/**
 * Extensions of `original` still open (pending, approved or executing), oldest first: only an
 * extension's own requester files it (the requester of the original), so read through that
 * user's open requests ({@link openExtensionsBy}) and kept when they extend `original`.
 */
export async function openExtensionsOf(
  store: Pick<RequestStore, 'listByRequester'>,
  original: Pick<AccessRequest, 'id' | 'requester'>,
): Promise<AccessRequest[]> {
  return (await openExtensionsBy(store, original.requester.objectId)).filter((r) => r.extendsRequestId === original.id);
}
