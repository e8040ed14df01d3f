/**
 * Cards of the pause of new access (`cards/pause.json`): its state, the answer to `pause`, the
 * confirmation before `resume` and its answer. Who paused it and why are user text: neutralised.
 */
import { GOES_ON_WHILE_PAUSED } from '../domain/access-pause';
import { formatUtc } from '../domain/access-term';
import type { AccessPause, PauseOutcome } from '../domain/ports';
import type { Actor } from '../domain/request';
import { type AdaptiveCardJson, renderCard } from './card-templates';
import { inertText } from './inert-text';
import type { Fact } from './request-view';
import { resumeReasonData } from './resume-reason';
import { tint } from './tint';

/**
 * The data a Resume button carries: which pause it lifts, and the reason typed with `resume`
 * with who typed it (resume-reason.ts).
 */
export interface ResumeAction {
  since: string;
  by: string;
  reason: string;
}

function pauseCard(input: {
  title: string;
  text: string;
  color: 'Attention' | 'Good' | 'Default' | 'Warning';
  pause?: AccessPause;
  /** Show the reason (approvers and auditors): in an incident it may name the person under suspicion. */
  withReason?: boolean;
  actions?: Array<ResumeAction & { title: string; verb: string }>;
  sandbox: boolean;
}): AdaptiveCardJson {
  const facts: Fact[] = input.pause
    ? [
        { label: 'Paused since', value: formatUtc(input.pause.since) },
        { label: 'By', value: inertText(input.pause.by.name) },
        ...(input.withReason ? [{ label: 'Reason', value: inertText(input.pause.reason) }] : []),
        // When its reason was corrected, and by whom (its author: only the approver who paused
        // amends it, access-pause.ts), kept beside "By", which stays the one who paused.
        ...(input.pause.amended
          ? [
              {
                label: 'Reason amended',
                value: `${formatUtc(input.pause.amended.at)} by ${inertText(input.pause.amended.by.name)}`,
              },
            ]
          : []),
      ]
    : [];
  return renderCard('pause', {
    sandbox: input.sandbox,
    title: input.title,
    text: input.text,
    titleStyle: tint(input.color),
    facts,
    hasFacts: facts.length > 0,
    actions: input.actions ?? [],
  });
}

const STOPPED = 'Nothing can be requested or approved until an approver types "@acrbot resume".';
const PENDING_STAY = 'Pending requests stay pending; approvers can reject them ("@acrbot pending" lists them).';

/** The answer to `pause` alone: whether new access is paused (the reason for approvers only). */
export function pauseStateCard(
  pause: AccessPause | undefined,
  withReason: boolean,
  sandbox: boolean,
): AdaptiveCardJson {
  if (!pause)
    return pauseCard({
      title: 'New access is open',
      text: 'Requests can be made and approved. In an incident an approver can stop all new access at once with "@acrbot pause REASON…".',
      color: 'Default',
      sandbox,
    });
  return pauseCard({
    title: 'New access is paused',
    text: `${STOPPED} ${GOES_ON_WHILE_PAUSED}`,
    color: 'Attention',
    pause,
    withReason,
    sandbox,
  });
}

/**
 * The answer to `pause REASON…` (an approver's): paused now, its reason amended (a pause was in
 * force with another reason), or already paused with this reason. `withReason` where only
 * approvers read it (their chat with acrbot, the approvers' channels).
 */
export function pausedCard(result: PauseOutcome, withReason: boolean, sandbox: boolean): AdaptiveCardJson {
  if (result.amendedFrom !== undefined)
    return pauseCard({
      title: 'Reason of the pause amended',
      text: withReason
        ? `The pause stays in force as it was, since the same time and by the same approver; only its reason changed, from "${inertText(result.amendedFrom)}" to the one below. ${STOPPED}`
        : `The pause stays in force as it was, since the same time and by the same approver; only its reason changed. ${STOPPED}`,
      color: 'Attention',
      pause: result.pause,
      withReason,
      sandbox,
    });
  return pauseCard({
    title: result.applied ? 'New access paused' : 'New access was already paused',
    text: result.applied
      ? `${STOPPED} ${GOES_ON_WHILE_PAUSED} ${PENDING_STAY}`
      : 'Nothing was changed; this pause stays in force until an approver types "@acrbot resume".',
    color: 'Attention',
    pause: result.pause,
    withReason,
    sandbox,
  });
}

/**
 * The confirmation before `resume`: the pause it lifts, with a button that names it, so a card
 * clicked after the pause changed lifts nothing. `typedBy`: who typed `resume REASON…`; the
 * button carries it with the reason, so another approver's click is not audited with it as
 * their own reason (resume-reason.ts).
 */
export function resumeConfirmCard(
  pause: AccessPause,
  reason: string | undefined,
  withReason: boolean,
  sandbox: boolean,
  typedBy?: Actor,
): AdaptiveCardJson {
  return pauseCard({
    title: 'Resume new access?',
    text: `Requests can be made and approved again as soon as you confirm${reason ? ` (reason: "${inertText(reason)}")` : ''}. It lifts this pause:`,
    color: 'Warning',
    pause,
    withReason,
    actions: [
      {
        title: 'Resume now',
        verb: 'resumeConfirm',
        since: pause.since,
        by: pause.by.objectId,
        reason: resumeReasonData(reason, typedBy),
      },
    ],
    sandbox,
  });
}

/** The answer to the Resume click: the pause lifted, or why nothing was. */
export function resumedCard(
  result: { lifted: AccessPause } | { lifted: undefined; inForce: AccessPause | undefined },
  withReason: boolean,
  sandbox: boolean,
): AdaptiveCardJson {
  if (result.lifted)
    return pauseCard({
      title: 'New access resumed',
      // A pause drops no approval: one given before it still counts (a second click is refused).
      text: 'Requests can be made and approved again: pending requests can be approved now, and approvals given before the pause still count. This pause was lifted:',
      color: 'Good',
      pause: result.lifted,
      withReason,
      sandbox,
    });
  if (result.inForce)
    return pauseCard({
      title: 'Nothing was resumed',
      text: 'The pause this card showed is no longer in force, and another one is: nothing was changed. Type "@acrbot resume" again to lift this one.',
      color: 'Attention',
      pause: result.inForce,
      withReason,
      sandbox,
    });
  return pauseCard({
    title: 'New access was not paused',
    text: 'Nothing was changed; requests can be made and approved.',
    color: 'Default',
    sandbox,
  });
}

/**
 * The answer to "pause …" typed while acrbot waited for an answer to its question: it may have
 * been that answer, so nothing is paused (stopping all new access by accident is not harmless).
 */
export function answerLikeCommandCard(sandbox: boolean): AdaptiveCardJson {
  return pauseCard({
    title: 'Nothing was paused',
    text: 'Your answer to acrbot\'s question started with "pause", the command that stops all new access. Nothing was paused, and the question-and-answer was stopped: type "@acrbot pause REASON…" again to pause new access, or start your request again.',
    color: 'Attention',
    sandbox,
  });
}

/**
 * The message to someone refused while new access was paused, in the conversation where they
 * were refused, once it is lifted: open again, and `command` (what they typed, user text:
 * neutralised) to ask again, when it was a request's command.
 */
export function reopenedCard(command: string | undefined, sandbox: boolean): AdaptiveCardJson {
  return pauseCard({
    title: 'New access is open again',
    text: command
      ? `The pause of new access that refused your request was lifted, and nothing was requested for you meanwhile. To ask again, type: "${inertText(command)}".`
      : 'The pause of new access that refused your request was lifted, and nothing was requested for you meanwhile. You can make your request again now.',
    color: 'Good',
    sandbox,
  });
}
