/**
 * Access that has ended, apart from access that is there now. `access CLUSTER` and `access
 * REGISTRY` answer "who can pull right now, and how?" first, and list what ended (revoked,
 * expired, removed outside acrbot) under a heading of its own: read under pressure, a revoked
 * grant among the clusters that pull reads as one that still does.
 */
import { cellOf } from './access-cell';
import type { AccessCell, PullPath } from './inventory-rows';
import { notListedYetPath } from './listing-lag';

/**
 * Whether `path` is a way of pulling that ended: an acrbot grant whose role assignment is no
 * longer in Azure (revoked, expired, drifted), or an acrbot pull secret revoked, expired or
 * drifted. Never a role assignment Azure lists (it is there, whatever its records say: one whose
 * acrbot access ran out still pulls until acrbot removes it), a grant acrbot cannot check
 * (`unverified`: it may still pull), nor a grant made moments ago that Azure's listing does not
 * show yet (listing-lag.ts).
 */
export function hasEnded(path: PullPath): boolean {
  if (path.kind === 'roleAssignment') return false;
  if (path.state !== 'revoked' && path.state !== 'expired' && path.state !== 'drifted') return false;
  return !notListedYetPath(path);
}

/**
 * `cell` split in two: `current`, its ways of pulling that are there now, judged again on their
 * own (cellOf), and `ended`, those that ended ({@link hasEnded}), judged on their own and with
 * nothing of the registry's network (it says nothing of access that is gone): it never pulls.
 * Either is absent when it has no path.
 */
export function splitEnded(cell: AccessCell): { current?: AccessCell; ended?: AccessCell } {
  const ended = cell.paths.filter(hasEnded);
  if (!ended.length) return { current: cell };
  const current = cell.paths.filter((p) => !hasEnded(p));
  const {
    unreachable: _u,
    anonymousPull: _a,
    networkCondition: _c,
    adminUser: _m,
    ...gone
  } = cellOf(cell.cluster, cell.registry, ended);
  return {
    ...(current.length && { current: cellOf(cell.cluster, cell.registry, current) }),
    ended: { ...gone, canPull: false },
  };
}

/**
 * When `path` ended, as its record holds it: the revocation's instant, the drift's, or the expiry
 * (its credential's, when that came first). Undefined for a way that has not ended, or a record
 * older than the field.
 */
export function endedAt(path: PullPath): string | undefined {
  if (path.kind === 'roleAssignment') return undefined;
  const r = path.request;
  switch (path.state) {
    case 'revoked':
      return r.revokedAt;
    case 'drifted':
      return r.driftDetectedAt;
    case 'expired':
      return r.credentialExpiresAt ?? r.expiresAt;
    default:
      return undefined;
  }
}

/**
 * `paths` newest end first ({@link endedAt}; one with no date last): ended access only
 * accumulates, and the reader wants what ended lately, not what ended a year ago.
 */
export function newestEndFirst<P extends PullPath>(paths: readonly P[]): P[] {
  return [...paths].sort((a, b) => (endedAt(b) ?? '').localeCompare(endedAt(a) ?? ''));
}
