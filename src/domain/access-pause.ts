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

/**
 * "New access is paused since … by …", with its reason only for `withReason` (approvers and
 * auditors): in an incident the reason may name the person under suspicion. User text: cards and
 * the tab neutralise it.
 */
export function describePause(
  pause: Pick<AccessPause, 'since' | 'reason'> & { by: Pick<AccessPause['by'], 'name'> },
  withReason: boolean,
): string {
  return `New access is paused since ${formatUtc(pause.since)} by ${pause.by.name}${withReason ? `: "${pause.reason}"` : ''}.`;
}
