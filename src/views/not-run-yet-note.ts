/**
 * The sentence `revoke CLUSTER REGISTRY` adds about the pair's requests that have not run yet
 * (pending, approved and not started, or being granted now), and `revoke registry NAME` about
 * the registry's from every cluster: the revoke leaves them alone, and
 * each would grant the pair again, so whoever revokes in an incident is told which they are and
 * what ends each. Nothing is done to them here: rejecting is an approver's decision on each
 * request, and one approved or being granted is revoked by its id once it has run.
 */
import type { AccessRequest } from '../domain/request';
import { inertText } from './inert-text';
import { shortenForCard } from './message-view';

/** Most waiting requests the sentence names; the rest are counted. */
const WAITING_NAMED = 10;
/** Characters of a requester's name shown. */
const NAME_SHOWN = 60;

/** How each state not run yet is said beside its request's id. */
const STATE_WORDS: Partial<Record<AccessRequest['state'], string>> = {
  pending: 'waiting for approval',
  approved: 'approved, not run yet',
  executing: 'being granted now',
};

/**
 * `Not revoked, not run yet: R-… (requester, waiting for approval), …. Reject a pending one
 * ("@acrbot pending R-…" offers Reject) or ask its requester to cancel it; revoke an approved one,
 * or one being granted now, with "@acrbot revoke R-…" once it has run.`, with only the clauses
 * for the kinds listed, or undefined when there are none. `possiblyMore`: the read was cut at its
 * cap, so the list may not be all (said so, not counted). Requesters' names are user text: inert.
 */
export function notRunYetNote(waiting: readonly AccessRequest[], possiblyMore: boolean): string | undefined {
  if (waiting.length === 0) return undefined;
  const named = waiting.slice(0, WAITING_NAMED).map((r) => {
    const state = STATE_WORDS[r.state] ?? 'not run yet';
    return `${r.id} (${shortenForCard(inertText(r.requester.name), NAME_SHOWN)}, ${state})`;
  });
  const more = waiting.length - named.length;
  const tail = possiblyMore
    ? more > 0
      ? ` and at least ${more} more`
      : ' and possibly more'
    : more > 0
      ? ` and ${more} more`
      : '';
  const pending = waiting.find((r) => r.state === 'pending');
  const approved = waiting.find((r) => r.state === 'approved');
  const granting = waiting.find((r) => r.state === 'executing');
  const toRevoke = approved ?? granting;
  const which =
    approved && granting
      ? 'an approved one, or one being granted now,'
      : approved
        ? 'an approved one'
        : 'one being granted now';
  const what = [
    pending && `reject a pending one ("@acrbot pending ${pending.id}" offers Reject) or ask its requester to cancel it`,
    toRevoke && `revoke ${which} with "@acrbot revoke ${toRevoke.id}" once it has run`,
  ].filter(Boolean) as string[];
  const todo = what.join('; ');
  return `Not revoked, not run yet: ${named.join(', ')}${tail}. ${todo.charAt(0).toUpperCase()}${todo.slice(1)}.`;
}
