/**
 * A grant whose role assignment was removed or changed outside acrbot, or no longer serves (the
 * cluster's identity or the registry's mode changed; `access.driftDetectedAt` and `driftReason`,
 * set by src/flows/drift-detector.ts) still reads as `succeeded` until its end, but nothing
 * acrbot made grants pull any more, and acrbot never re-creates it (docs/access-inventory.md,
 * "Drift"). Extending it would move an end and say "Extended" while the cluster cannot pull, so
 * every way to extend refuses it with this one sentence: the typed `extend`, a reminder's or the
 * tab's Extend, and an extension approved before the drift was seen, when it runs; and an
 * expiry reminder offers no Extend, saying why in the same words. Pure.
 */
import { formatUtc } from './access-term';
import { driftNotDone } from './drift-reason';
import { UserFacingError } from './errors';
import type { AccessRequest } from './request';
import { typedPair } from './typed-names';

/** The refusal's code (audited as the outcome of `extend.refused`, like every extension refusal). */
export const EXTEND_DRIFTED = 'extend.drifted';

/** The refusal of an extension of `request` when its access drifted; undefined otherwise. */
export function driftedExtensionRefusal(request: AccessRequest): UserFacingError | undefined {
  const happened = whatHappened(request);
  if (!happened) return undefined;
  const { cluster, registry } = request.plan;
  return new UserFacingError(
    EXTEND_DRIFTED,
    `${happened}, so extending ${request.id} would not let ${cluster.name} pull from ${registry.name}; nothing was extended. Ask ${askAgain(request)}`,
  );
}

/**
 * What an expiry reminder of `request` says instead of offering Extend when its access drifted
 * (the Extend would be refused above), in one sentence of the refusal's words; undefined
 * otherwise. The reminder still goes: the end comes all the same, and the requester who did not
 * notice the removal learns what to do.
 */
export function driftedReminderNote(request: AccessRequest): string | undefined {
  const happened = whatHappened(request);
  if (!happened) return undefined;
  const { cluster, registry } = request.plan;
  return `${happened}, so ${request.id} no longer lets ${cluster.name} pull from ${registry.name} and cannot be extended: to keep pulling, ask ${askAgain(request)}`;
}

/**
 * What happened, and what acrbot leaves undone (no full stop), by the drift's reason
 * (drift-reason.ts): the assignment removed or changed, or intact and no longer serving.
 */
function whatHappened(request: AccessRequest): string | undefined {
  const seen = request.access?.driftDetectedAt;
  if (!seen) return undefined;
  const reason = request.access?.driftReason;
  const noted = `(seen ${formatUtc(seen)})`;
  switch (reason) {
    case 'identityChanged':
      return `${request.id}'s role assignment is still there, but ${request.plan.cluster.name} pulls as another identity now ${noted}, and ${driftNotDone(reason, 'does')}`;
    case 'modeChanged':
      return `${request.id}'s role assignment is still there, but ${request.plan.registry.name}'s role assignment mode changed and ignores its role ${noted}, and ${driftNotDone(reason, 'does')}`;
    default:
      return `The role assignment of ${request.id} was removed or changed outside acrbot ${noted}, and ${driftNotDone(reason, 'does')}`;
  }
}

/** Where {@link askAgain} starts in the refusal, after "Ask". */
const ASK_AGAIN = ' Ask for the access again with "';

/** What to do instead, after "ask": a new grant, decided like any other. */
function askAgain(request: AccessRequest): string {
  return `${ASK_AGAIN.slice(' Ask '.length)}@acrbot grant ${typedPair(request.plan)} REASON…"; an approver decides, as for any grant.`;
}

/**
 * The refusal's `message` (stored as a failed extension's error) without its closing "Ask for the
 * access again with …": the failed card then names the new request once, with the extension's
 * term (`--for 2d`), where the refusal's command has none. A message without it (stored before
 * the refusal named a command) comes back as it is.
 */
export function withoutAskAgain(message: string): string {
  const at = message.indexOf(ASK_AGAIN);
  return at < 0 ? message : message.slice(0, at);
}
