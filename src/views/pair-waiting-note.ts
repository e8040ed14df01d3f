/**
 * The sentence `revoke CLUSTER REGISTRY` adds about the pair's requests that have not run yet
 * (pending, or approved and not started): the revoke leaves them alone, and one approved later
 * grants the pair again, so whoever revokes in an incident is told which to reject. Nothing is
 * rejected for them: rejecting is an approver's decision on each request.
 */
import type { AccessRequest } from '../domain/request';
import { inertText } from './inert-text';
import { shortenForCard } from './message-view';

/** Most waiting requests the sentence names; the rest are counted. */
export const WAITING_NAMED = 10;
/** Characters of a requester's name shown. */
const NAME_SHOWN = 60;

/**
 * "Not revoked, as they have not run: R-… (requester, waiting for approval), …" and what can be
 * done about each kind, or undefined when there are none. Requesters' names are user text: inert.
 */
export function pairWaitingNote(waiting: readonly AccessRequest[]): string | undefined {
  if (waiting.length === 0) return undefined;
  const named = waiting.slice(0, WAITING_NAMED).map((r) => {
    const state = r.state === 'pending' ? 'waiting for approval' : 'approved, not run yet';
    return `${r.id} (${shortenForCard(inertText(r.requester.name), NAME_SHOWN)}, ${state})`;
  });
  const more = waiting.length - named.length;
  const list = `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const one = waiting.length === 1;
  const pending = waiting.find((r) => r.state === 'pending');
  const approved = waiting.some((r) => r.state !== 'pending');
  const what = [
    pending &&
      `a pending one can still be approved: an approver can reject it ("@acrbot pending ${pending.id}" offers Reject), or its requester cancel it ("@acrbot cancel ${pending.id}")`,
    approved && 'an approved one grants the pair when it runs: revoke it by its id then',
  ].filter(Boolean);
  return `Not revoked, as ${one ? 'it has' : 'they have'} not run yet: ${list} on this pair; ${what.join('; ')}.`;
}
