/**
 * Which of a pending request's two nudges goes out when both are owed at once: after a long
 * pause of new access (both came due during it and waited), after an outage of every instance,
 * or when the reminder's job kept failing until the escalation was due. Approvers get one nudge,
 * not a reminder and an escalation in the same minute.
 *
 * The escalation goes and the reminder is used up unsent, rather than the two being spaced:
 * the escalation is the stronger nudge and the only one reaching the escalation channel and
 * groups, so it must not wait; and it is posted where the reminder is, in the rule's channel,
 * mentioning the rule's named approvers (bot/approver-nudge-posts.ts, nudgeApprovers), so a reminder
 * after it would tell the same people the same thing again, and one before it would be noise.
 * Spacing would only delay the escalation or send the weaker nudge after the stronger one.
 * (Groups are named in the text, not mentioned: the escalation names the rule's approvers, users
 * and groups, as the reminder does, and `escalateTo.groups` beside them: views/nudge-view.ts.)
 */
import type { AccessRequest } from '../domain/request';

/**
 * Whether the request's reminder is no longer worth sending on its own: its escalation is due
 * (by the rule the request was created under) or was claimed already. Read from the request
 * and the clock, not from which job ran first, so the reminder and the escalation, run by two
 * instances at once (each under its own job's lease), agree on it.
 */
export function escalationSupersedesReminder(request: AccessRequest, now: Date): boolean {
  const binding = request.policy;
  if (!binding) return false;
  if (binding.escalatedAt) return true;
  const escalateAfterMs = binding.rule?.escalateAfterMs;
  return escalateAfterMs !== undefined && now.getTime() >= Date.parse(request.createdAt) + escalateAfterMs;
}

/**
 * What the `approval.escalated` entry says of the reminder: when the rule has one and it was not
 * posted, that this escalation took its place (the trail then has no `approval.reminded`, and
 * says why), so nobody reads the escalation as coming after a reminder that was never posted.
 * `reminderPosted` is whether the trail has the `approval.reminded` entry (written only after the
 * post), not whether the request is marked reminded: a run that marked the reminder and stopped
 * before posting leaves the mark, and the reminder re-run then is used up by this escalation.
 */
export function reminderNote(request: AccessRequest, reminderPosted: boolean): string {
  const remindAfterMs = request.policy?.rule?.remindAfterMs;
  if (remindAfterMs === undefined || reminderPosted) return '';
  return `; the reminder due after ${Math.round(remindAfterMs / 60_000)} min was not posted: this escalation came due before it went out, and mentions the same approvers in the rule's channel`;
}
