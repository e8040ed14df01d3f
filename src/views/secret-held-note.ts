/**
 * The card line for a requester asking again for a pull secret they already hold (the plan
 * replaces their own live access's secret, secret-held-access.ts): the request still goes to the
 * approvers (replacing is allowed), and the line says how long the access lasts as it is and that
 * `extend` keeps it longer. The card is shared with the approvers, so it speaks of "the requester".
 */
import { formatUtc, shortDuration } from '../domain/access-term';
import type { AccessRequest } from '../domain/request';

/**
 * The line for `request` while it waits for a decision, when its plan replaces the secret of an
 * access its own requester holds (by the plan's record of it); undefined otherwise, and for an
 * extension (its plan is a copy of its original's).
 */
export function heldSecretNote(
  request: Pick<AccessRequest, 'plan' | 'state' | 'requester' | 'access' | 'extendsRequestId'>,
): string | undefined {
  const plan = request.plan;
  if (plan.kind !== 'secret' || request.state !== 'pending' || request.extendsRequestId) return undefined;
  const held = plan.replacesHeld;
  if (!held || held.requesterObjectId.toLowerCase() !== request.requester.objectId.toLowerCase()) return undefined;
  // The term this request asks for: an extension takes one (a permanent one it would refuse).
  const term =
    request.access?.durationMs && !request.access.permanent ? ` --for ${shortDuration(request.access.durationMs)}` : '';
  return `The requester already holds this secret through ${held.requestId}, until ${formatUtc(held.until)}; to keep it longer, they can cancel this request and ask "@acrbot extend ${held.requestId}${term} REASON…". Approved, this request replaces it with a new credential, and ${held.requestId} ends.`;
}
