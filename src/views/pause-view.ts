/** Cards of the pause of new access: its state, and the answers to `pause` and `resume`. */
import { formatUtc } from '../domain/access-term';
import type { AccessPause } from '../domain/ports';
import type { AdaptiveCardJson } from './card-templates';
import { messageCard } from './message-view';
import { type Fact, inertText } from './request-view';

/** The pause's facts; its author's name and reason are user text, so they are neutralised. */
function pauseFacts(pause: AccessPause): Fact[] {
  return [
    { label: 'Paused since', value: formatUtc(pause.since) },
    { label: 'By', value: inertText(pause.by.name) },
    { label: 'Reason', value: inertText(pause.reason) },
  ];
}

const WHAT_GOES_ON =
  'Revocations, scheduled ends, reminders and rejections go on; pending requests stay pending (approvers can reject them, "@acrbot pending" lists them).';

/** The answer to `pause` alone: whether new access is paused, and how to change it. */
export function pauseStateCard(pause: AccessPause | undefined, sandbox: boolean): AdaptiveCardJson {
  if (!pause)
    return messageCard({
      title: 'New access is open',
      text: 'Requests can be made and approved. In an incident an approver can stop all new access at once with "@acrbot pause REASON…".',
      sandbox,
    });
  return messageCard({
    title: 'New access is paused',
    text: `Nothing can be requested or approved until an approver types "@acrbot resume". ${WHAT_GOES_ON}`,
    tone: 'error',
    facts: pauseFacts(pause),
    sandbox,
  });
}

/** The answer to `pause REASON…`: paused now, or already paused by someone else. */
export function pausedCard(result: { applied: boolean; pause: AccessPause }, sandbox: boolean): AdaptiveCardJson {
  return messageCard({
    title: result.applied ? 'New access paused' : 'New access was already paused',
    text: result.applied
      ? `Nothing can be requested or approved until an approver types "@acrbot resume". ${WHAT_GOES_ON}`
      : 'Nothing was changed; the pause below stays in force until an approver types "@acrbot resume".',
    tone: 'error',
    facts: pauseFacts(result.pause),
    sandbox,
  });
}

/** The answer to `resume`: the pause that was lifted, or that there was none. */
export function resumedCard(lifted: AccessPause | undefined, sandbox: boolean): AdaptiveCardJson {
  if (!lifted)
    return messageCard({
      title: 'New access was not paused',
      text: 'Nothing was changed; requests can be made and approved.',
      sandbox,
    });
  return messageCard({
    title: 'New access resumed',
    text: 'Requests can be made and approved again, pending ones included. This pause was lifted:',
    tone: 'good',
    facts: pauseFacts(lifted),
    sandbox,
  });
}
