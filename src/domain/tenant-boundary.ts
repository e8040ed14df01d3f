/**
 * The tenant boundary (G2). One acrbot serves the tenants in ACRBOT_ALLOWED_TENANTS from one
 * store, and every request records the tenant it was made in. People see and act on their own
 * tenant's requests only, in chat as in the tab: another tenant's request reads as one that does
 * not exist, a decision on it is refused, and a way of pulling acrbot made for it is shown as the
 * Azure fact it is, without the request. Pure; the flows and handlers apply it.
 */
import { type AccessCell, cellOf, type PullPath } from './access-inventory';

/** Tenant ids are GUIDs; Teams and Entra may print them in either case. */
export function sameTenant(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The request was made in `tenantId`. */
export function ofTenant(request: { tenantId: string }, tenantId: string): boolean {
  return sameTenant(request.tenantId, tenantId);
}

/** `tenantId` is one this deployment serves now (ACRBOT_ALLOWED_TENANTS). */
export function isServedTenant(tenantId: string, served: readonly string[]): boolean {
  return served.some((t) => sameTenant(t, tenantId));
}

/**
 * `tenantId` is outside `servedTenantIds` (ACRBOT_ALLOWED_TENANTS as the flow was given it): its
 * people no longer reach acrbot, so nothing of theirs is decided, reviewed or extended. No list,
 * or an empty one, draws no boundary (flows run without config); configuration always names one,
 * and with none every turn is refused before a flow runs (turn-identity.ts).
 */
export function tenantNotServed(tenantId: string, servedTenantIds: readonly string[] | undefined): boolean {
  return servedTenantIds !== undefined && servedTenantIds.length > 0 && !isServedTenant(tenantId, servedTenantIds);
}

/**
 * The inventory's cells as someone who may see only the requests `shows` accepts (their
 * tenant's) sees them, as the tab's matrix shows them (tab-rows.ts `matrixRows`): a pull secret
 * or ended grant of a hidden request is left out; a role assignment keeps only the requests
 * shown, and one acrbot made only for hidden requests stays a way of pulling ("by acrbot",
 * active) with no request id, requester, approver or end. Cells left with no way are left out,
 * and a cell that changed is judged again from what is left. With nothing hidden (one tenant),
 * the cells are returned as they are.
 */
export function cellsShown(cells: readonly AccessCell[], shows: (requestId: string) => boolean): AccessCell[] {
  const out: AccessCell[] = [];
  for (const cell of cells) {
    let changed = false;
    const paths: PullPath[] = [];
    for (const path of cell.paths) {
      const shown = pathShown(path, shows);
      if (shown !== path) changed = true;
      if (shown) paths.push(shown);
    }
    if (!changed) out.push(cell);
    else if (paths.length) out.push(cellOf(cell.cluster, cell.registry, paths));
  }
  return out;
}

/** One way of pulling as {@link cellsShown} shows it: itself, narrowed, or undefined (left out). */
function pathShown(path: PullPath, shows: (requestId: string) => boolean): PullPath | undefined {
  if (path.kind !== 'roleAssignment') return shows(path.request.requestId) ? path : undefined;
  const requests = path.requests.filter((r) => shows(r.requestId));
  const shared = (path.sharedRequests ?? []).filter((r) => shows(r.requestId));
  // The ended ones are only counted on cards, but a count of another tenant's would tell how much
  // access that tenant held: only the reader's own are counted.
  const ended = (path.endedRequestIds ?? []).filter(shows);
  if (
    requests.length === path.requests.length &&
    shared.length === (path.sharedRequests?.length ?? 0) &&
    ended.length === (path.endedRequestIds?.length ?? 0)
  )
    return path;
  const { sharedRequests: _hidden, endedRequestIds: _ended, ...rest } = path;
  const narrowed = {
    ...rest,
    requests,
    ...(shared.length && { sharedRequests: shared }),
    ...(ended.length && { endedRequestIds: ended }),
  };
  // Every request behind it is hidden, but the assignment is in Azure and pulls: active, as the
  // tab shows it (its own state would tell when another tenant's access ends).
  return requests.length || shared.length ? narrowed : { ...narrowed, state: 'active' };
}

/**
 * How a request of another tenant is named where it must be named at all (a revocation that
 * keeps a role assignment another tenant's grant holds): no id, and no count, which would tell
 * how much access that tenant holds.
 */
export const ANOTHER_TENANTS_REQUEST = 'a request of another tenant';

/** `requests` of `tenantId` (`own`) and of any other tenant (`elsewhere`), each in the order given. */
export function byTenant<T extends { tenantId: string }>(
  requests: readonly T[],
  tenantId: string,
): { own: T[]; elsewhere: T[] } {
  const own: T[] = [];
  const elsewhere: T[] = [];
  for (const r of requests) (ofTenant(r, tenantId) ? own : elsewhere).push(r);
  return { own, elsewhere };
}

/**
 * Which request ids someone of `tenantId` may see among `requests` (the requests an inventory
 * read, each carrying its tenant): the `shows` of {@link cellsShown}. An id not among them is
 * not shown.
 */
export function showsTenant(
  requests: readonly { id: string; tenantId: string }[],
  tenantId: string,
): (requestId: string) => boolean {
  const shown = new Set(requests.filter((r) => ofTenant(r, tenantId)).map((r) => r.id));
  return (requestId) => shown.has(requestId);
}
