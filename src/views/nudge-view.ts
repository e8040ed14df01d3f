/**
 * The text of an approval nudge (CardMessenger.nudgeApprovers): a reminder in the rule's channel,
 * or an escalation there and in the escalation channel. Mentions are Teams `mention` entities
 * whose `<at>…</at>` text (the person's display name, {@link mentionsOf}) appears in the message;
 * only people are mentioned (a group cannot be), groups are named in the text, after the name the
 * policy gives the approvers. Only those still waited on are mentioned: not the requester (who
 * cannot approve) nor an approver whose approval already counts. Teams renders a bot's text
 * message as HTML too, so the user and policy-file text in it, the names in the tags included, is
 * HTML-escaped as well as made inert ({@link inertMessageText}): those `<at>` tags are the only
 * markup it carries.
 */
import type { ApproveRefusal } from '../domain/approve-refused';
import { describeDurationMs } from '../domain/access-term';
import { type NudgeSignIns, quorumLostNote, quorumLostTo, waitedOnUsers } from '../domain/nudge-group';
import { approversName, type PolicyRule } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { displayName } from '../domain/text';
import { inertMessageText } from './message-text-inert';

/** A Teams mention of one person, by Entra object id (Teams accepts it in `mentioned.id`). */
export interface MentionEntity {
  type: 'mention';
  text: string;
  mentioned: { id: string; name: string };
}

/** A nudge's message: its text and the mentions its `<at>` tags stand for. */
export interface NudgeMessage {
  text: string;
  entities: MentionEntity[];
}

/**
 * Mentions of `ids` (Entra object ids), by display name: Teams shows the `<at>` text in the
 * notification, the activity feed and to a screen reader, so a name tells an approver they are the
 * one asked, where "approver 1" told nobody. `names`: what the directory gave (lower-cased ids,
 * {@link NudgeSignIns}), user text: cleaned as every display name ({@link displayName}: one line,
 * nothing invisible, at most 100 characters) and made inert ({@link inertMessageText}), so the
 * name cannot close the tag, open another, or carry a link or markdown. One with no name read, or
 * nothing visible in it, is "approver N" (its place in the list). The same text goes in the tag
 * and in `mentioned.name`, and each tag is unique in the message (a name met before, or
 * "approver 2" taken by someone so named, gets " (2)", " (3)"…): Teams pairs an entity with
 * the tag whose text equals its own, so two alike could put one person's mention on another.
 */
export function mentionsOf(ids: readonly string[], names?: ReadonlyMap<string, string>): MentionEntity[] {
  const taken = new Set<string>();
  return ids.map((id, i) => {
    const shown = inertMessageText(displayName(names?.get(id.toLowerCase()), `approver ${i + 1}`));
    let name = shown;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${shown} (${n})`;
    taken.add(name.toLowerCase());
    return { type: 'mention', text: `<at>${name}</at>`, mentioned: { id, name } };
  });
}

/**
 * The rule's named approvers still waited on (domain/nudge-group.ts, waitedOnUsers: the same ones
 * a grouped nudge mentions), as mentions (the reminder's and the escalation's alike): not the
 * requester, who cannot approve, nor those whose approval counts already (a second one from them
 * is refused), so nobody is called to a click that cannot count; nor those the directory found
 * unable to sign in when the nudge was made (`signIns`), whose read gave the others' names. The
 * mention of a new request's approvers is made of the same (views/new-request-mention-view.ts).
 */
export function approverMentions(request: AccessRequest, rule: PolicyRule, signIns?: NudgeSignIns): MentionEntity[] {
  return mentionsOf(waitedOnUsers(request, rule, signIns?.cannotSignIn), signIns?.names);
}

/**
 * Who a nudge waits on: the approvers' name from the policy, then its mentions and groups in
 * brackets ("Platform Approvers (<at>Alex Kim</at>, members of 0b00…)"). The name stays when
 * nobody is left to mention or name: the message still says whose decision it waits for.
 * `sentence`: it opens a sentence, so the default name ("the approvers of rule …") is capitalised
 * (a name the policy gives is shown as written).
 */
function waitedOn(rule: PolicyRule, mentions: readonly MentionEntity[], sentence = false): string {
  const who = mentions.map((m) => m.text);
  if (rule.approvers.groups.length) who.push(`members of ${inertMessageText(rule.approvers.groups.join(', '))}`);
  const name = approversName(rule);
  const shown = sentence && rule.approvers.name === undefined ? `${name[0].toUpperCase()}${name.slice(1)}` : name;
  return `${inertMessageText(shown)}${who.length ? ` (${who.join(', ')})` : ''}`;
}

/** `Reminder: request R-… (aks-prod → contosoacr, from Riley) is still waiting: 0 of 1 approvals.` */
function waitingLine(request: AccessRequest, label: string): string {
  const so = request.approvals?.length ?? 0;
  return (
    `${label}: request ${request.id} (${inertMessageText(request.plan.cluster.name)} → ${inertMessageText(request.plan.registry.name)}, ` +
    `from ${inertMessageText(request.requester.name)}) is still waiting: ${so} of ${request.policy?.approvalsRequired ?? 1} approvals.`
  );
}

/**
 * What a nudge says of a request whose Approve would be refused now (`r.why`: "asks for 30d, but
 * rule prod now grants at most 8h", domain/pending-term.ts, the Approve refusal's own words; then
 * `r.advice`, its way on): a reload lowered its rule's maxDuration, or a restart the deployment's
 * maximum, under it. The nudge still goes out, as Reject still decides it; its approvers are told
 * before they click.
 */
export function approveRefusedNote(r: ApproveRefusal): string {
  return `Approve would be refused: it ${inertMessageText(r.why)}; ${r.advice}.`;
}

/** The note that Approve would be refused, after a space, or nothing (`approveRefused` absent). */
function refusedAfter(approveRefused: ApproveRefusal | undefined): string {
  return approveRefused ? ` ${approveRefusedNote(approveRefused)}` : '';
}

/**
 * That the named approvers who can no longer sign in (`signIns`) leave the request's quorum out
 * of reach (domain/nudge-group.ts, quorumLostTo), after a space, or nothing. Their ids and the
 * rule's come from the policy file: made inert like user text.
 */
function quorumLostAfter(request: AccessRequest, rule: PolicyRule, signIns: NudgeSignIns | undefined): string {
  const lost = signIns && quorumLostTo(request, rule, signIns.cannotSignIn);
  return lost
    ? ` ${quorumLostNote(
        request.id,
        inertMessageText(rule.id),
        lost.map((id) => inertMessageText(id)),
      )}.`
    : '';
}

/**
 * Where to decide: a nudge is a message of its own, not under the approval card (an escalation
 * channel never had the card), so it names the command that brings the card with its buttons.
 */
function whereToDecide(request: AccessRequest): string {
  return `"@acrbot pending ${request.id}" shows it with Approve and Reject`;
}

/**
 * Nobody the nudge could ask: its quorum is lost to approvers who can no longer sign in
 * ({@link quorumLostAfter}), no named approver still waited on is mentioned and the rule names no
 * groups. "Please decide" would then ask no one who can act. (Approvers left out for another
 * reason, the requester or who approved already, keep the ask: the rule's name says whose it is.)
 */
function nobodyToAsk(
  request: AccessRequest,
  rule: PolicyRule,
  mentions: readonly MentionEntity[],
  signIns: NudgeSignIns | undefined,
): boolean {
  return (
    mentions.length === 0 &&
    rule.approvers.groups.length === 0 &&
    Boolean(signIns && quorumLostTo(request, rule, signIns.cannotSignIn))
  );
}

/** Who can act when nobody is left to ask: the platform team, by adding approvers. */
function nobodyLeft(rule: PolicyRule): string {
  return `Nobody left to ask can approve it: the platform team can, by adding approvers to rule ${inertMessageText(rule.id)}.`;
}

/**
 * The reminder, in the rule's channel: names the approvers as the policy calls them, mentions
 * those of its named users still waited on and names its approver groups. `approveRefused`: why
 * an Approve would be refused now ({@link approveRefusedNote}). `signIns`: the named approvers
 * the directory finds unable to sign in, left unmentioned, and said when the quorum is lost to them
 * ({@link quorumLostAfter}); and the others' display names, which their mentions show
 * ({@link mentionsOf}; without it, "approver 1", "approver 2"…).
 */
export function reminderMessage(
  request: AccessRequest,
  rule: PolicyRule,
  approveRefused?: ApproveRefusal,
  signIns?: NudgeSignIns,
): NudgeMessage {
  const entities = approverMentions(request, rule, signIns);
  const ask = nobodyToAsk(request, rule, entities, signIns)
    ? nobodyLeft(rule)
    : `${waitedOn(rule, entities, true)}, please decide: ${whereToDecide(request)}.`;
  const text = `${waitingLine(request, 'Reminder')}${refusedAfter(approveRefused)}${quorumLostAfter(request, rule, signIns)} ${ask}`;
  return { text, entities };
}

/**
 * The escalation's ask when others are told too: they are told so they can chase a decision,
 * not to make one (only the rule's approvers approve or reject, G5/G18), so "please decide"
 * alone would send them to a button that refuses them.
 */
function escalationAsk(request: AccessRequest): string {
  return `Those asked: please decide (${whereToDecide(request)}). Those told now cannot approve or reject: please see that it is decided.`;
}

/**
 * The escalation: names who was asked (the rule's approvers: its named users still waited on
 * mentioned, its groups named) and who is told now (`escalateTo`). When a reminder and the escalation came due
 * together (a long pause, an outage) the escalation goes alone (flows/approval-nudge-order.ts),
 * so it is the only nudge the approvers get; and it is read in the escalation channel by people
 * who never saw the approval card and must learn who was supposed to decide. The same text goes
 * to every channel it is posted in. The approvers' name and the group ids come from the policy
 * file, which reaches every reader: made inert like user text (no live link, image or mention).
 * `approveRefused`, `signIns`: as for {@link reminderMessage}.
 */
export function escalationMessage(
  request: AccessRequest,
  rule: PolicyRule,
  approveRefused?: ApproveRefusal,
  signIns?: NudgeSignIns,
): NudgeMessage {
  const entities = approverMentions(request, rule, signIns);
  const asked = waitedOn(rule, entities);
  const also: string[] = [];
  const escalationGroups = rule.escalateTo?.groups ?? [];
  const escalationName = rule.escalateTo?.name;
  const members = escalationGroups.length ? `members of ${inertMessageText(escalationGroups.join(', '))}` : '';
  if (escalationName) also.push(`${inertMessageText(escalationName)}${members && ` (${members})`}`);
  else if (members) also.push(members);
  if (rule.escalateTo?.channel) also.push('the escalation channel');
  const after =
    rule.escalateAfterMs === undefined ? '' : ` No decision after ${describeDurationMs(rule.escalateAfterMs)}.`;
  const text =
    `${waitingLine(request, 'Escalation')}${after}${refusedAfter(approveRefused)}${quorumLostAfter(request, rule, signIns)} Asked: ${asked}` +
    `${also.length ? `; now also: ${also.join(' and ')}` : ''}. ${also.length ? escalationAsk(request) : nobodyToAsk(request, rule, entities, signIns) ? nobodyLeft(rule) : `Please decide: ${whereToDecide(request)}.`}`;
  return { text, entities };
}
