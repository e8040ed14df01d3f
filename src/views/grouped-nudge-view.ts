/**
 * The text of a grouped approval nudge: one reminder (or escalation) for several pending requests
 * due at once in one rule channel (flows/nudge-siblings.ts), instead of one post each mentioning
 * the same approvers. One line per request (id, cluster → registry, requester, how long it has
 * waited, approvals so far, and the command that shows it with its buttons), then who is asked:
 * each approver still waited on by any of them mentioned once, their groups named. As in
 * nudge-view.ts, user and policy-file text is made inert and HTML-escaped; the `<at>` tags are
 * the only markup. A single request's nudge is nudge-view.ts's message, unchanged.
 */
import { describeTimeLeft } from '../domain/access-term';
import { groupedMentionIds, type NudgeSignIns } from '../domain/nudge-group';
import { approversName } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { inertMessageText } from './message-text-inert';
import { approveRefusedNote, type MentionEntity, type NudgeMessage, quorumLostAfter } from './nudge-view';

/** Paragraphs: Teams shows a bot's text message as markdown, where a lone newline may run on. */
const BREAK = '\n\n';

/**
 * `R-… (aks-prod → contosoacr, from Riley), waiting 2 hours, 0 of 1 approvals: "@acrbot pending R-…"`,
 * then (`approveRefused`) that an Approve of it would be refused now, and (`signIns`) that named
 * approvers who can no longer sign in leave its quorum out of reach, on its own line's end.
 */
function requestLine(
  request: AccessRequest,
  now: Date,
  approveRefused: string | undefined,
  signIns: NudgeSignIns | undefined,
): string {
  const waited = describeTimeLeft(now.getTime() - Date.parse(request.createdAt));
  const so = request.approvals?.length ?? 0;
  const lost = request.policy?.rule ? quorumLostAfter(request, request.policy.rule, signIns).trim() : '';
  const notes = [...(approveRefused ? [approveRefusedNote(approveRefused)] : []), ...(lost ? [lost] : [])];
  return (
    `${request.id} (${inertMessageText(request.plan.cluster.name)} → ${inertMessageText(request.plan.registry.name)}, ` +
    `from ${inertMessageText(request.requester.name)}), waiting ${waited}, ` +
    `${so} of ${request.policy?.approvalsRequired ?? 1} approvals: "@acrbot pending ${request.id}"` +
    (notes.length ? `. ${notes.join(' ')}` : '')
  );
}

/** Distinct values in order met. */
function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/**
 * Who the requests wait on: the approvers' names their rules give, then the mentions and the
 * groups in brackets, each once across the requests ("Platform Approvers (<at>approver 1</at>,
 * members of 0b00…)").
 */
function askedOf(requests: readonly AccessRequest[], mentions: readonly MentionEntity[]): string {
  const rules = requests.flatMap((r) => (r.policy?.rule ? [r.policy.rule] : []));
  const names = distinct(rules.map((rule) => inertMessageText(approversName(rule))));
  const groups = distinct(rules.flatMap((rule) => rule.approvers.groups));
  const who = mentions.map((m) => m.text);
  if (groups.length) who.push(`members of ${inertMessageText(groups.join(', '))}`);
  return `${names.join(' and ')}${who.length ? ` (${who.join(', ')})` : ''}`;
}

/** Who an escalation tells besides those asked, each once across the requests' rules. */
function alsoTold(requests: readonly AccessRequest[]): string[] {
  const also: string[] = [];
  let channel = false;
  for (const request of requests) {
    const to = request.policy?.rule?.escalateTo;
    if (!to) continue;
    const members = to.groups.length ? `members of ${inertMessageText(to.groups.join(', '))}` : '';
    if (to.name) also.push(`${inertMessageText(to.name)}${members && ` (${members})`}`);
    else if (members) also.push(members);
    if (to.channel) channel = true;
  }
  const out = distinct(also);
  if (channel) out.push('the escalation channel');
  return out;
}

/**
 * The grouped reminder or escalation of `requests` (the one whose job posts it first, then the
 * others, oldest first), as of `now`. The same text goes to every channel it is posted in.
 * `approveRefused`: by request id, why an Approve of it would be refused now; said on that
 * request's line only (nudge-view.ts, approveRefusedNote). `signIns`: the named approvers the
 * directory finds unable to sign in, mentioned by none, said on a line whose quorum they lose.
 */
export function groupedNudgeMessage(
  requests: readonly AccessRequest[],
  kind: 'remind' | 'escalate',
  now: Date,
  approveRefused: ReadonlyMap<string, string> = new Map(),
  signIns?: NudgeSignIns,
): NudgeMessage {
  const entities: MentionEntity[] = groupedMentionIds(requests, signIns?.cannotSignIn).map((id, i) => ({
    type: 'mention',
    text: `<at>approver ${i + 1}</at>`,
    mentioned: { id, name: `approver ${i + 1}` },
  }));
  const head = `${kind === 'remind' ? 'Reminder' : 'Escalation'}: ${requests.length} requests are still waiting for a decision.`;
  const lines = requests.map((r) => requestLine(r, now, approveRefused.get(r.id), signIns));
  const asked = askedOf(requests, entities);
  const shows = `"@acrbot pending R-…" shows each with Approve and Reject`;
  const also = kind === 'escalate' ? alsoTold(requests) : [];
  const ask =
    kind === 'remind'
      ? `${asked}, please decide: ${shows}.`
      : also.length
        ? `Asked: ${asked}; now also: ${also.join(' and ')}. Those asked: please decide (${shows}). ` +
          'Those told now cannot approve or reject: please see that they are decided.'
        : `Asked: ${asked}. Please decide: ${shows}.`;
  return { text: [head, ...lines, ask].join(BREAK), entities };
}
