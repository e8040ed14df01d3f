/**
 * The "Before" fact of a request's card: what people decided against its pair recently
 * (`decidedBefore`, found when it was filed), for those who decide it now: drawn on the
 * approvers' copy only (planFacts' `approvers`), never the requester's card, `status` or an outcome.
 */
import { formatUtc } from '../domain/access-term';
import type { DecidedBefore } from '../domain/decided-before';
import { awaitingReview } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { inertText } from './inert-text';

/**
 * "R-1 rejected by Alex on 2026-11-30 10:00 UTC: "not this week"; R-2's access revoked by Bo on
 * …: "incident"". Names and text are user text (Teams display names, comments): made inert here,
 * the text cut when recorded. Only while someone decides the request (pending, or a break-glass
 * grant awaiting its review): once decided it has done its work. Undefined otherwise, and when
 * none was recorded (requests filed before it was, among them).
 */
export function decidedBeforeLine(request: AccessRequest): string | undefined {
  const decided = request.decidedBefore ?? [];
  if (decided.length === 0) return undefined;
  if (request.state !== 'pending' && !awaitingReview(request)) return undefined;
  return decided.map(oneDecision).join('; ');
}

function oneDecision(d: DecidedBefore): string {
  const kind = d.secretNamespace === undefined ? '' : ` (pull secret in ${d.secretNamespace})`;
  const what = d.how === 'rejected' ? `${d.requestId}${kind} rejected` : `${d.requestId}'s access${kind} revoked`;
  const why = d.text ? `: "${inertText(d.text)}"` : '';
  return `${what} by ${inertText(d.by.name)} on ${formatUtc(d.at)}${why}`;
}
