/**
 * Whether the access a new pull secret plan replaces is live and could be extended instead, by
 * acrbot's records: a requester asking again for the secret they hold is told so on the card
 * (request-view.ts), and may extend it rather than have a new request replace it. Replacing stays
 * allowed (docs/deploy.md): the new request may ask for other repositories, another credential
 * kind or service account, or a fresh credential.
 */
import { accessEnd } from '../domain/access-end';
import { driftedExtensionRefusal } from '../domain/drifted-access';
import type { HeldReplacedAccess } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import { termEndedBy } from './access-lease';

/**
 * The access `previous` (the request whose secret the plan replaces) belongs to, when at `now`
 * it holds the secret and `extend` would take it: its original (found in `listed`, the succeeded
 * requests on the same cluster and registry, when `previous` is an extension) is active, not
 * being revoked, with an end that has not passed (nor its credential's), not break-glass, not
 * drifted: the record half of `AccessActions.mayExtend`; the card makes the requester half.
 * Undefined otherwise.
 */
export function heldAccessOf(
  previous: AccessRequest,
  listed: readonly AccessRequest[],
  now: Date,
): HeldReplacedAccess | undefined {
  // An extension's write: its access is its original's, whose end `extend` moves.
  const original = previous.extendsRequestId ? listed.find((r) => r.id === previous.extendsRequestId) : previous;
  if (original?.state !== 'succeeded' || original.access?.revokingSince) return undefined;
  if (!original.access?.expiresAt || original.access.permanent || original.policy?.breakGlass) return undefined;
  if (termEndedBy(original, now) || driftedExtensionRefusal(original)) return undefined;
  const until = accessEnd(original) ?? original.access.expiresAt;
  // A credential that has expired holds nothing a pod can pull with: asking again is no surprise.
  if (Date.parse(until) <= now.getTime()) return undefined;
  return { requestId: original.id, requesterObjectId: original.requester.objectId, until };
}
