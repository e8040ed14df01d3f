/**
 * What `pending` adds, where approvers alone read, about what waits but nobody can decide as the
 * approval policy stands: an owed break-glass review whose rule now leaves it to nobody, or to
 * its requester alone (nobodyReviewsWhy, as the daily report and the tab's drawer say it), and a
 * pending request whose rule leaves fewer approvers than its quorum besides its requester
 * (quorumOutOfReach), or that no rule covers. The approvers' own list never shows these: nobody's
 * `isApproverOf` holds for them. Pure, from the policy in memory: a rule with groups is not judged
 * (who is in them is read at each click), and no directory read is made, so a named approver who
 * left the directory is not seen here. The message is text, not a card: its names (cluster,
 * registry, rule ids from the policy file) are made inert and HTML-escaped as a nudge's are
 * (message-text-inert.ts), so none shows as a link, an image or a mention.
 */
import { nobodyReviewsWhy } from '../domain/decided-rule';
import { awaitingReview, type PolicyRule, quorumOutOfReach } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { ofTenant } from '../domain/tenant-boundary';
import { counted } from '../domain/text';
import { inertMessageText } from './message-text-inert';

/** Requests named at most; the rest are counted. */
export const NOBODY_DECIDES_SHOWN = 10;

/**
 * One line per request of `tenantId` among `waiting` (owed reviews and pending requests as
 * `pending` read them) that nobody can decide under the rule `ruleOf` answers (RequestService.ruleOf),
 * under a heading; undefined when there is none. Plain text, for one chat message.
 */
export function nobodyDecidesText(
  waiting: readonly AccessRequest[],
  ruleOf: (request: AccessRequest) => PolicyRule | undefined,
  tenantId: string,
): string | undefined {
  const lines = waiting.flatMap((request) => {
    if (!ofTenant(request, tenantId)) return [];
    const why = nobodyDecidesWhy(request, ruleOf(request));
    // The whole line, not each name: nobodyReviewsWhy writes the rule id in by itself, and the
    // words around the names hold nothing inertMessageText changes.
    return why ? [inertMessageText(`- ${request.id}: ${why}.`)] : [];
  });
  if (lines.length === 0) return undefined;
  const more = lines.length - NOBODY_DECIDES_SHOWN;
  return [
    `${counted(lines.length, 'request waits', 'requests wait')} that nobody can decide as the approval policy stands:`,
    ...lines.slice(0, NOBODY_DECIDES_SHOWN),
    ...(more > 0 ? [`- and ${more} more.`] : []),
  ].join('\n');
}

/** Why nobody can decide `request` under `rule`, or undefined when someone may (or it cannot be told). */
function nobodyDecidesWhy(request: AccessRequest, rule: PolicyRule | undefined): string | undefined {
  const pair = `${request.plan.cluster.name} → ${request.plan.registry.name}`;
  if (awaitingReview(request)) {
    const why = nobodyReviewsWhy(rule, request.requester, pair);
    return why && `its break-glass review is owed. ${why}`;
  }
  if (request.state !== 'pending') return undefined;
  // A pending request keeps the rule it was made under (G18): mending the policy does not reach it.
  if (!rule) return `no rule of the approval policy covers ${pair}, so nobody can approve it and it expires unanswered`;
  if (!quorumOutOfReach(rule, request.requester)) return undefined;
  return `rule ${rule.id}, which it was made under, names fewer approvers besides its requester than it needs, so nobody can approve it and it expires unanswered`;
}
