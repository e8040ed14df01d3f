/**
 * What a new grant on acrbot's existing role assignment records of the grants already holding it
 * (overlap, G17: {@link AccessRequest.pullsThrough}), and the words its card says them in. Pure.
 */
import { accessEnd } from './access-end';
import { formatUtc } from './access-term';
import { type AccessRequest, PULLS_THROUGH_RECORDED, type PullsThrough } from './request';
import { ofTenant } from './tenant-boundary';

/**
 * The grants a new grant of `tenantId` records as already giving its pull: the live `holders` of
 * the assignment, then those being granted it (`granting`), the one that keeps it longest first
 * (no end before an end), at most {@link PULLS_THROUGH_RECORDED}. Another tenant's is kept
 * without its id, requester or end (tenant-boundary.ts).
 */
export function pullsThroughOf(
  holders: readonly AccessRequest[],
  granting: readonly AccessRequest[],
  tenantId: string,
): PullsThrough[] {
  const one = (r: AccessRequest, isGranting: boolean): PullsThrough => {
    if (!ofTenant(r, tenantId)) return isGranting ? { granting: true } : {};
    const until = isGranting ? undefined : accessEnd(r);
    return {
      requestId: r.id,
      requester: r.requester.name,
      ...(until && { until }),
      ...(isGranting && { granting: true }),
    };
  };
  const endOf = (p: PullsThrough) => (p.until ? Date.parse(p.until) : Number.POSITIVE_INFINITY);
  const held = holders
    .map((r) => one(r, false))
    // Another tenant's end is not recorded: first, as one that may keep it longest.
    .sort((a, b) => endOf(b) - endOf(a));
  return [...held, ...granting.map((r) => one(r, true))].slice(0, PULLS_THROUGH_RECORDED);
}

/**
 * The "Already pulls" line of a grant's card: through which grants its cluster pulled when it was
 * filed, until when, and that approving keeps that same role assignment until this request's end
 * too (so ending those grants alone no longer stops the pull). Undefined when none was recorded.
 * Requester names are user text: the caller makes the line inert.
 */
export function pullsThroughWords(request: Pick<AccessRequest, 'pullsThrough'>): string | undefined {
  const through = request.pullsThrough ?? [];
  if (through.length === 0) return undefined;
  const each = through.map((p) => {
    const who = p.requestId ? `${p.requestId} (${p.requester ?? 'someone'}'s grant)` : 'a request of another tenant';
    if (p.granting) return `${who}, being granted`;
    return p.until ? `${who}, until ${formatUtc(p.until)}` : p.requestId ? `${who}, with no end` : who;
  });
  const ids = through.filter((p) => p.requestId).map((p) => p.requestId);
  const alone = ids.length ? `, so revoking ${ids.join(' or ')} alone no longer stops the pull` : '';
  return `When this was requested: through ${each.join('; ')}. Approving keeps that same role assignment until this request's end too${alone}.`;
}
