/**
 * A grant whose role assignment was removed or changed outside acrbot (`access.driftDetectedAt`,
 * set by src/flows/drift-detector.ts) still reads as `succeeded` until its end, but nothing
 * acrbot made grants pull any more, and acrbot never re-creates it (docs/access-inventory.md,
 * "Drift"). Extending it would move an end and say "Extended" while the cluster cannot pull, so
 * every way to extend refuses it with this one sentence: the typed `extend`, a reminder's or the
 * tab's Extend, and an extension approved before the drift was seen, when it runs. Pure.
 */
import { formatUtc } from './access-term';
import { UserFacingError } from './errors';
import type { AccessRequest } from './request';

/** The refusal's code (audited as the outcome of `extend.refused`, like every extension refusal). */
export const EXTEND_DRIFTED = 'extend.drifted';

/** The refusal of an extension of `request` when its access drifted; undefined otherwise. */
export function driftedExtensionRefusal(request: AccessRequest): UserFacingError | undefined {
  const seen = request.access?.driftDetectedAt;
  if (!seen) return undefined;
  const { cluster, registry } = request.plan;
  return new UserFacingError(
    EXTEND_DRIFTED,
    `The role assignment of ${request.id} was removed or changed outside acrbot (seen ${formatUtc(seen)}), and acrbot does not re-create it, so extending ${request.id} would not let ${cluster.name} pull from ${registry.name}; nothing was extended. Ask for the access again with "@acrbot grant ${cluster.name} ${registry.name} REASON…"; an approver decides, as for any grant.`,
  );
}
