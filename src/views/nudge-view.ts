/**
 * The text of an approval nudge (CardMessenger.nudgeApprovers): a reminder in the rule's channel,
 * or an escalation there and in the escalation channel. Mentions are Teams `mention` entities
 * whose `<at>…</at>` text appears in the message; only people are mentioned (a group cannot be),
 * groups are named in the text. Teams renders a bot's text message as HTML too, so the user and
 * policy-file text in it is HTML-escaped as well as made inert ({@link inertMessageText}): those
 * `<at>` tags are the only markup it carries.
 */
import { describeDurationMs } from '../domain/access-term';
import { approversName, type PolicyRule } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
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

/** The rule's named approvers as mentions (the reminder's and the escalation's alike). */
function approverMentions(rule: PolicyRule): MentionEntity[] {
  return rule.approvers.users.map((id, i) => ({
    type: 'mention',
    text: `<at>approver ${i + 1}</at>`,
    mentioned: { id, name: `approver ${i + 1}` },
  }));
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
 * The reminder: mentions the rule's named approvers and names its approver groups, in the
 * rule's channel.
 */
export function reminderMessage(request: AccessRequest, rule: PolicyRule): NudgeMessage {
  const entities = approverMentions(rule);
  const groups = rule.approvers.groups;
  const text =
    `${waitingLine(request, 'Reminder')} ` +
    `${entities.map((m) => m.text).join(' ')}${groups.length ? ` Members of ${inertMessageText(groups.join(', '))}, please decide.` : ''}`.trim();
  return { text, entities };
}

/**
 * The escalation: names who was asked (the rule's approvers: its named users mentioned, its
 * groups named) and who is told now (`escalateTo`). When a reminder and the escalation came due
 * together (a long pause, an outage) the escalation goes alone (flows/approval-nudge-order.ts),
 * so it is the only nudge the approvers get; and it is read in the escalation channel by people
 * who never saw the approval card and must learn who was supposed to decide. The same text goes
 * to every channel it is posted in. The approvers' name and the group ids come from the policy
 * file, which reaches every reader: made inert like user text (no live link, image or mention).
 */
export function escalationMessage(request: AccessRequest, rule: PolicyRule): NudgeMessage {
  const entities = approverMentions(rule);
  const askedWho = entities.map((m) => m.text);
  if (rule.approvers.groups.length) askedWho.push(`members of ${inertMessageText(rule.approvers.groups.join(', '))}`);
  const asked = `${inertMessageText(approversName(rule))}${askedWho.length ? ` (${askedWho.join(', ')})` : ''}`;
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
    `${waitingLine(request, 'Escalation')}${after} Asked: ${asked}` +
    `${also.length ? `; now also: ${also.join(' and ')}` : ''}. Please decide.`;
  return { text, entities };
}
