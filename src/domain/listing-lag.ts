/**
 * ARM's listing of role assignments lags the PUT that made one: the PUT is checked against ARM's
 * own copy, while a listing may be answered by a replica that does not show the new assignment
 * yet (grant-runner.ts reads again before it trusts a listing after RoleAssignmentExists). So a
 * listing that lacks a grant made a few minutes ago is no proof that it was removed outside
 * acrbot: drift `deleted` waits out {@link LISTING_LAG_GRACE_MS} after the grant. Pure.
 */
import type { AcrbotRequestRef, EndedGrantPath, PullPath } from './inventory-rows';
import type { AccessRequest } from './request';

/**
 * How long after a grant succeeded a listing that lacks its role assignment is not taken for
 * its removal (drift `deleted`). ARM's listings usually catch up within seconds to a couple of
 * minutes; 15 leaves room for a slow replica and is still one default drift interval
 * (ACRBOT_DRIFT_INTERVAL), so a grant really removed at once is marked by the sweep after next.
 */
export const LISTING_LAG_GRACE_MS = 15 * 60_000;

/**
 * The state label of a grant {@link notListedYetPath} says Azure's listing does not show yet, where
 * a drifted one reads "Removed outside acrbot": one definition for the access cards and the tab
 * (whose page bundles this file: keep its imports types only). A warning, never an error colour.
 */
export const NOT_LISTED_YET_LABEL = "Not in Azure's listing yet";

/** {@link NOT_LISTED_YET_LABEL} inside a sentence (the tab's row titles): the same words, lower case first. */
export const NOT_LISTED_YET_WORDS = "not in Azure's listing yet";

/**
 * When `request`'s access was granted, at the latest: the start of its term (its end less its
 * duration, which an extension moves together) when it has one, else its last change, which
 * comes no earlier than the grant (a later change only makes the grace last longer).
 */
export function grantedBy(request: AccessRequest): Date {
  const term = request.access;
  if (term?.expiresAt && term.durationMs && !term.permanent) {
    const start = Date.parse(term.expiresAt) - term.durationMs;
    if (Number.isFinite(start)) return new Date(start);
  }
  return new Date(request.updatedAt);
}

/**
 * Whether Azure's listing may still not show `request`'s new role assignment at `now`: it was
 * granted less than {@link LISTING_LAG_GRACE_MS} ago. Only its absence waits: an assignment that
 * is listed but changed, or a cluster or registry read by name that changed, is a fact.
 */
export function listingMayLag(request: AccessRequest, now: Date): boolean {
  return now.getTime() - grantedBy(request).getTime() < LISTING_LAG_GRACE_MS;
}

/**
 * Whether `path` is a grant that `access`, `check` or the tab finds missing from Azure's listing
 * (drift `deleted` seen now, not recorded) while that listing may still not show it: its
 * request's reference carries {@link AcrbotRequestRef.grantedAt}, set only less than
 * {@link LISTING_LAG_GRACE_MS} after the grant (acrbot-request-ref.ts). The drift check does not
 * mark it, and none of them says it was removed: they say it is not listed yet (pull-diagnosis.ts
 * `notListedYetText`). From the grant, not the approval: a break-glass grant has no approver, and
 * a run may start long after its approval.
 *
 * The access cards' and the tab's one test, and `check`'s. `access CLUSTER` and `check` build
 * their cells with the drift seen while reading Azure (inventory-cells.ts `driftedRef`), so the
 * request reads drifted; `access REGISTRY` and the tab's matrix build them without it
 * (flows/access-inventory.ts), so there the request may still read live: an ended grant that
 * reads drifted while its request lives is one whose assignment Azure does not list, and is
 * judged as its drift `deleted` would be, except while it is being revoked (`driftedRef` leaves
 * such a request as it is, and `check` does not call it unlisted).
 */
export function notListedYetPath(
  path: PullPath,
): path is EndedGrantPath & { request: AcrbotRequestRef & { grantedAt: string } } {
  if (path.kind !== 'endedGrant' || path.state !== 'drifted') return false;
  const ref = path.request;
  const missing = ref.state === 'drifted' ? ref.driftReason === 'deleted' : !ref.revokingSince;
  return missing && !ref.driftDetectedAt && !!ref.grantedAt;
}
