/**
 * Why the tab marks a row drifted, in a few neutral words: what Azure shows, not who did it nor
 * what to think of it. The drawer shows it as its "Why" fact, the lists under the row (after its
 * badge's words, src/domain/live-drift.ts), the CSV export as `drift_reason`. The recorded reason
 * (domain/drift-reason.ts, set by the drift check) when there is one; otherwise what the
 * inventory saw: the assignment not found in Azure before the drift check recorded it, or a grant
 * it cannot check (shown as drifted, tab-rows.ts); within the listing-lag grace, `check`'s "not
 * in Azure's listing … yet" instead (tab-rows.ts).
 * Fixed texts only: nothing from Azure or a user goes into them.
 */
import type { DriftReason } from '../domain/drift-reason';

/** Each recorded reason's words (a new reason must be worded here: the record is exhaustive). */
const RECORDED: Readonly<Record<DriftReason, string>> = {
  deleted: 'role assignment deleted outside acrbot',
  changed: 'role assignment changed outside acrbot (its role, its principal or a condition)',
  identityChanged: 'the cluster pulls as another identity now; the role assignment is unchanged',
  modeChanged: "the registry's role assignment mode changed and ignores this role",
};

/** A drift recorded before reasons were (`driftDetectedAt` without `driftReason`). */
const RECORDED_WITHOUT_REASON = 'role assignment removed or changed outside acrbot';

/** The inventory found no assignment for a live grant the drift check has not recorded yet. */
export const DRIFT_NOT_FOUND = 'role assignment not found in Azure; acrbot did not remove it';

/**
 * A live grant the inventory cannot check (`unverified`; its note says why). Only why: its badge,
 * "Cannot be checked", goes before it in the list line ("Cannot be checked: the cluster's pull
 * identity is unknown", web/src/format.ts driftLine), so "not checked" here would say it twice.
 */
export const DRIFT_UNVERIFIED = "the cluster's pull identity is unknown";

/** The words for a drift the drift check recorded, by its reason (absent: recorded before reasons were). */
export function recordedDriftText(reason: DriftReason | undefined): string {
  return reason ? RECORDED[reason] : RECORDED_WITHOUT_REASON;
}
