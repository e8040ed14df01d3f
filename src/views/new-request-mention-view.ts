/**
 * The message that @mentions a new request's named approvers beside its approvers' card
 * (bot/approver-mention-posts.ts): the card itself mentions nobody, and a channel's new post
 * raises no banner or feed item under Teams' usual settings, while a mention notifies the person
 * mentioned at once. The same people and the same mentions as a reminder's
 * (views/nudge-view.ts, approverMentions): the rule's named approvers still waited on (not the
 * requester, nor one whose approval already counts, nor one the directory finds unable to sign
 * in), by display name. Groups cannot be mentioned and are not named here: their members see the
 * card as before. A text message, so the request's words are HTML-escaped as well as made inert
 * ({@link inertMessageText}): the `<at>` tags are the only markup it carries.
 */
import type { NudgeSignIns } from '../domain/nudge-group';
import type { PolicyRule } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { inertMessageText } from './message-text-inert';
import { approverMentions, type NudgeMessage } from './nudge-view';
import { requestInTitle } from './request-in-title';

/**
 * `<at>Alex Kim</at>, <at>Sam Lee</at>: request R-… (aks-prod → contosoacr) waits for your decision.`;
 * for a break-glass grant, which runs at once, its review once it has run. Undefined when nobody is left to mention
 * (no named approver, or none still waited on who can sign in): then nothing is sent. `signIns`:
 * what the directory read gave (without it, everyone still waited on, by number: "approver 1").
 */
export function newRequestMentionMessage(
  request: AccessRequest,
  rule: PolicyRule,
  signIns?: NudgeSignIns,
): NudgeMessage | undefined {
  const entities = approverMentions(request, rule, signIns);
  if (entities.length === 0) return undefined;
  const who = entities.map((m) => m.text).join(', ');
  // requestInTitle is made inert for a card; a text message is HTML and markdown too.
  const what = inertMessageText(requestInTitle(request));
  const text = request.policy?.breakGlass
    ? // Sent as its card goes out, before its run has finished (or failed, when no review is owed):
      // said in the present, not "ran".
      `${who}: break-glass request ${what} runs without approval; review it once it has run.`
    : `${who}: request ${what} waits for your decision.`;
  return { text, entities };
}
