/**
 * Words and identity of the operators' pause of new access (docs/operations.md), shared by the
 * flow's refusals, the chat cards and the tab's banner so that they say the same thing.
 */
import { formatUtc } from './access-term';
import type { AccessPause, PauseIdentity } from './ports';

/** What goes on while new access is paused. */
export const GOES_ON_WHILE_PAUSED = 'Revocations, scheduled ends, rejections and break-glass reviews go on.';

/** True when `a` is the pause `b` names (the same moment, the same author). */
export function samePause(a: PauseIdentity, b: PauseIdentity): boolean {
  return a.since === b.since && a.by.objectId.toLowerCase() === b.by.objectId.toLowerCase();
}

/** What anyone may be told of a pause: since when and who paused it, never why. */
export type PauseAsTold = Pick<AccessPause, 'since'> & { by: Pick<AccessPause['by'], 'name'> };

function pausedSinceBy(pause: PauseAsTold): string {
  return `New access is paused since ${formatUtc(pause.since)} by ${pause.by.name}`;
}

/**
 * "New access is paused since … by …", with its reason only for `withReason` (approvers and
 * auditors): in an incident the reason may name the person under suspicion. User text: cards and
 * the tab neutralise it.
 */
export function describePause(pause: PauseAsTold & Pick<AccessPause, 'reason'>, withReason: boolean): string {
  return `${pausedSinceBy(pause)}${withReason ? `: "${pause.reason}"` : ''}.`;
}

/**
 * What a reminder before access ends says instead of offering Extend while new access is paused:
 * an extension is a new request, and every one is refused until an approver resumes new access
 * (RequestService.assertOpen). Without the reason: a reminder goes to the requester, who may be
 * the one the pause is about. `by.name` is user text: the card neutralises it.
 */
export function extensionsPaused(pause: PauseAsTold): string {
  return `${pausedSinceBy(pause)}, so nothing can be requested or extended until an approver resumes it.`;
}
