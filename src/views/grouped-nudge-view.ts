/**
 * The text of a grouped approval nudge: one reminder (or escalation) for several pending requests
 * due at once in one rule channel (flows/nudge-siblings.ts), instead of one post each mentioning
 * the same approvers. One line per request (id, cluster → registry, requester, how long it has
 * waited, approvals so far, and the command that shows it with its buttons), then who is asked:
 * each approver still waited on by any of them mentioned once, by name (nudge-view.ts,
 * mentionsOf), their groups named. As in nudge-view.ts, user and policy-file text is made inert
 * and HTML-escaped; the `<at>` tags are the only markup. A single request's nudge is
 * nudge-view.ts's message, unchanged.
 */
import { describeTimeLeft } from '../domain/access-term';
import type { ApproveRefusal } from '../domain/approve-refused';
import { groupedMentionIds, groupedQuorumLostNote, type NudgeSignIns, quorumLostTo } from '../domain/nudge-group';
import { approversName } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { inertMessageText } from './message-text-inert';
import { approveRefusedNote, type MentionEntity, mentionsOf, type NudgeMessage } from './nudge-view';

/** Paragraphs: Teams shows a bot's text message as markdown, where a lone newline may run on. */
const BREAK = '\n\n';

/** The named approvers who can no longer sign in that leave a request's quorum out of reach, if any. */
function lostOf(request: AccessRequest, signIns: NudgeSignIns | undefined): string[] | undefined {
  const rule = request.policy?.rule;
  return rule && signIns ? quorumLostTo(request, rule, signIns.cannotSignIn) : undefined;
}

/**
 * `R-… (aks-prod → contosoacr, from Riley), waiting 2 hours, 0 of 1 approvals: "@acrbot pending R-…"`,
 * then (`approveRefused`) that an Approve of it would be refused now, and (`signIns`) that it
 * cannot be approved as things stand, its lost approvers said once per rule ({@link lostByRule}).
 */
function requestLine(
  request: AccessRequest,
  now: Date,
  approveRefused: ApproveRefusal | undefined,
  signIns: NudgeSignIns | undefined,
): string {
  const waited = describeTimeLeft(now.getTime() - Date.parse(request.createdAt));
  const so = request.approvals?.length ?? 0;
  const lost = lostOf(request, signIns) ? 'It cannot be approved as things stand.' : '';
  const notes = [...(approveRefused ? [approveRefusedNote(approveRefused)] : []), ...(lost ? [lost] : [])];
  return (
    `${request.id} (${inertMessageText(request.plan.cluster.name)} → ${inertMessageText(request.plan.registry.name)}, ` +
    `from ${inertMessageText(request.requester.name)}), waiting ${waited}, ` +
    `${so} of ${request.policy?.approvalsRequired ?? 1} approvals: "@acrbot pending ${request.id}"` +
    (notes.length ? `. ${notes.join(' ')}` : '')
  );
}

/**
 * Per rule whose quorum lost approvers left out of reach for some of `requests`: who was lost
 * (each once, in order met) and which requests, said once at the end rather than on every line.
 */
function lostByRule(requests: readonly AccessRequest[], signIns: NudgeSignIns | undefined): string[] {
  const byRule = new Map<string, { lost: Map<string, string>; ids: string[] }>();
  for (const request of requests) {
    const lost = lostOf(request, signIns);
    if (!lost) continue;
    const ruleId = request.policy!.rule!.id;
    const entry = byRule.get(ruleId) ?? { lost: new Map<string, string>(), ids: [] };
    for (const id of lost) if (!entry.lost.has(id.toLowerCase())) entry.lost.set(id.toLowerCase(), id);
    entry.ids.push(request.id);
    byRule.set(ruleId, entry);
  }
  return [...byRule].map(
    ([ruleId, { lost, ids }]) =>
      `${groupedQuorumLostNote(
        inertMessageText(ruleId),
        [...lost.values()].map((id) => inertMessageText(id)),
        ids,
      )}.`,
  );
}

/** Distinct values in order met. */
function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/**
 * Who the requests wait on: the approvers' names their rules give, then the mentions and the
 * groups in brackets, each once across the requests ("Platform Approvers (<at>Alex Kim</at>,
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
 * directory finds unable to sign in, mentioned by none, said on a line whose quorum they lose;
 * and the others' display names, which their mentions show.
 */
export function groupedNudgeMessage(
  requests: readonly AccessRequest[],
  kind: 'remind' | 'escalate',
  now: Date,
  approveRefused: ReadonlyMap<string, ApproveRefusal> = new Map(),
  signIns?: NudgeSignIns,
): NudgeMessage {
  const entities = mentionsOf(groupedMentionIds(requests, signIns?.cannotSignIn), signIns?.names);
  const head = `${kind === 'remind' ? 'Reminder' : 'Escalation'}: ${requests.length} requests are still waiting for a decision.`;
  const lines = requests.map((r) => requestLine(r, now, approveRefused.get(r.id), signIns));
  const asked = askedOf(requests, entities);
  const shows = `"@acrbot pending R-…" shows each with Approve and Reject`;
  const also = kind === 'escalate' ? alsoTold(requests) : [];
  const lost = lostByRule(requests, signIns);
  // Every request's quorum lost to approvers who can no longer sign in, nobody mentioned and no
  // group named: no one asked can act, so no "please decide"; the platform team can.
  const nobody =
    (kind === 'remind' || also.length === 0) &&
    entities.length === 0 &&
    requests.every((r) => lostOf(r, signIns) && r.policy!.rule!.approvers.groups.length === 0);
  const rules = distinct(requests.flatMap((r) => (r.policy?.rule ? [inertMessageText(r.policy.rule.id)] : [])));
  const ask = nobody
    ? `Nobody left to ask can approve them: the platform team can, by adding approvers to ${rules.length === 1 ? 'rule' : 'rules'} ${rules.join(', ')}.`
    : kind === 'remind'
      ? `${asked}, please decide: ${shows}.`
      : also.length
        ? `Asked: ${asked}; now also: ${also.join(' and ')}. Those asked: please decide (${shows}). ` +
          'Those told now cannot approve or reject: please see that they are decided.'
        : `Asked: ${asked}. Please decide: ${shows}.`;
  return { text: [head, ...lines, ...lost, ask].join(BREAK), entities };
}
