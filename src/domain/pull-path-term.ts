/**
 * Whether a way of pulling works now and until when: by the terms of the acrbot requests behind
 * it, and, for an assignment whose access ended but that Azure still lists, who removes it.
 */
import type { AccessState, AcrbotRequestRef, PullPath, RoleAssignmentPath } from './inventory-rows';

/** The states of a way of pulling that works now. */
export const LIVE: readonly AccessState[] = ['active', 'expiring'];

/** A request whose access is live (active or expiring) as the inventory sees it. */
export function isLiveRef(ref: AcrbotRequestRef): boolean {
  return LIVE.includes(ref.state);
}

/**
 * A request whose term still runs: live, or drifted before its end. Behind a role assignment
 * still in Azure, either holds it until that end, when acrbot deletes it (holdersOf in
 * role-assignment-holders.ts counts every `succeeded` grant whose term runs as a holder, drifted
 * or not, as here), except a grant whose own assignment was removed or changed outside acrbot
 * and another grant made again since ({@link lostToRemake}): the join leaves that one out of the
 * assignment's requests before this is asked, as the lifecycle leaves it out of the holders.
 */
export function termRuns(ref: AcrbotRequestRef): boolean {
  return isLiveRef(ref) || (ref.state === 'drifted' && ref.termState !== undefined && LIVE.includes(ref.termState));
}

/** Where a request's term stands: its state, or a drifted one's {@link AcrbotRequestRef.termState}. */
export function termOf(ref: AcrbotRequestRef): AccessState {
  return ref.state === 'drifted' && ref.termState ? ref.termState : ref.state;
}

/** Every acrbot request behind a role assignment: this cluster's, then those of clusters sharing its identity. */
export function requestsBehind(path: RoleAssignmentPath): AcrbotRequestRef[] {
  return [...path.requests, ...(path.sharedRequests ?? [])];
}

/**
 * When an acrbot-only assignment's access ended, if it did and the assignment is still there:
 * none of its requests' terms runs and at least one ran out, drifted or not (the latest end is
 * returned). acrbot is removing it; until then it still gives pull. Undefined for any other
 * assignment.
 */
export function overdueEnd(path: RoleAssignmentPath): string | undefined {
  if (path.origin !== 'acrbot') return undefined;
  const refs = requestsBehind(path);
  if (refs.some(termRuns)) return undefined;
  const ends = refs.filter((r) => termOf(r) === 'expired' && r.expiresAt).map((r) => r.expiresAt!);
  return ends.length ? ends.sort()[ends.length - 1] : undefined;
}

/**
 * Who removes an acrbot assignment whose access ended ({@link overdueEnd}), undefined for any
 * other: `endJob` while one of its requests has not been revoked yet (its end job, or a
 * revocation under way, deletes it); `watch` when all were revoked and the latest within the
 * orphan watch's window (it deletes it at its next daily look, `until` the window's end); else
 * `nobody`: every revocation is done and nothing acrbot runs will delete it.
 */
export function overdueRemoval(
  path: RoleAssignmentPath,
): { by: 'endJob' } | { by: 'watch'; until: string } | { by: 'nobody' } | undefined {
  if (overdueEnd(path) === undefined) return undefined;
  const refs = requestsBehind(path);
  if (refs.some((r) => r.revokingSince || !r.revokedAt)) return { by: 'endJob' };
  const until = refs.flatMap((r) => (r.watchedUntil ? [r.watchedUntil] : [])).sort();
  return until.length ? { by: 'watch', until: until[until.length - 1] } : { by: 'nobody' };
}

/**
 * A way of pulling that gives pull now, network permitting: live, or an honoured assignment
 * acrbot has yet to remove.
 */
export function pullsNow(p: PullPath): boolean {
  if (p.kind === 'roleAssignment') return p.honoured && (LIVE.includes(p.state) || overdueEnd(p) !== undefined);
  return LIVE.includes(p.state);
}

/**
 * When a live path ends; undefined = no end. By default an assignment ends with the last term
 * among its requests' ({@link termRuns}: a drifted one's end deletes it too).
 */
export function pathEnd(path: PullPath, counts: (ref: AcrbotRequestRef) => boolean = termRuns): string | undefined {
  if (path.kind === 'roleAssignment') {
    if (path.origin !== 'acrbot') return undefined;
    const live = requestsBehind(path).filter(counts);
    if (live.length === 0 || live.some((r) => r.expiresAt === undefined)) return undefined;
    return live.map((r) => r.expiresAt!).sort()[live.length - 1];
  }
  return path.request.expiresAt;
}
