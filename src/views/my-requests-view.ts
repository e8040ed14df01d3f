/**
 * A requester's own requests in chat: `status` without an id (their newest, every state) and the
 * open ones `access` lists apart from the access they hold. Drawn with the access card's template
 * (cards/access.json: rows with a state badge). Names come from Teams, Azure and the requester
 * and are neutralised; nothing here is a secret (no reason, comment or outcome text is shown:
 * `status R-…` shows one request in full).
 */
import { liveClusterGoneAt } from '../domain/cluster-gone';
import { clusterGoneWords } from '../domain/cluster-gone-words';
import { OTHER_TENANT_ASK_INSTEAD } from '../domain/other-tenant-words';
import { describeState, type AccessRequest } from '../domain/request';
import type { RequesterRequests } from '../domain/requester-requests';
import { shortTime } from '../domain/pull-diagnosis';
import { counted } from '../domain/text';
import type { AdaptiveCardJson } from './card-templates';
import { renderCard } from './card-templates';
import { driftAccessWords, liveDriftBadge } from './drift-badge';
import { inertText } from './inert-text';
import { stateLabelOf } from './request-view';
import { tint } from './tint';

/** Read by flows/requester-requests.ts; one type, in domain/ (views may not import flows). */
export type { RequesterRequests } from '../domain/requester-requests';

/** One request as a row of the access template. */
export interface RequestRow {
  heading: string;
  subheading: string;
  stateLabel: string;
  stateStyle: string;
  lines: string[];
}

/** What a request asks for, in a word or two: an extension names the request it extends. */
function kindWords(request: AccessRequest): string {
  if (request.extendsRequestId) return `extension of ${request.extendsRequestId}`;
  return request.plan.kind === 'grant' ? 'grant' : 'pull secret';
}

/**
 * Why `request`, granted and in place, gives nothing, in its card's Access words (request-view.ts):
 * a drift mark, or its cluster read gone (src/domain/cluster-gone.ts). Its badge says so too
 * (stateLabelOf: "Removed outside acrbot", "No longer gives pull" or "Cluster gone", as `access`
 * badges it, never "Granted"), by the same rule: undefined while it serves, and once a revocation
 * began or it ended (its state says how it ends).
 */
function givesNothing(request: AccessRequest, now?: Date): string | undefined {
  const access = request.access;
  if (access?.driftDetectedAt && liveDriftBadge(request))
    return driftAccessWords(access.driftReason, access.driftDetectedAt);
  const goneAt = liveClusterGoneAt(request, now);
  return goneAt ? clusterGoneWords(request.plan.cluster.name, goneAt) : undefined;
}

/**
 * A request as a row: id, kind, cluster → registry; the role or the secret; its state's label
 * (as its card shows it: "Closed" for an extension closed with the access it extends; for a grant
 * that gives nothing, why: {@link givesNothing}; "Expired" for access past its end at `now`, its
 * end job not run yet, as `access` and the tab read it) and, in words, when it was asked for and decided
 * and by whom, and what became of its access when it gives nothing.
 */
export function requestRow(request: AccessRequest, now?: Date): RequestRow {
  const { plan } = request;
  const nothing = givesNothing(request, now);
  const state = stateLabelOf(request, now);
  const decided = request.decision ? `, decided ${shortTime(request.decision.at)}` : '';
  return {
    heading: inertText(`${request.id} · ${kindWords(request)}: ${plan.cluster.name} → ${plan.registry.name}`),
    subheading: inertText(
      plan.kind === 'grant'
        ? `${plan.role.name} for the cluster's pull identity`
        : `secret ${plan.namespace}/${plan.secretName}`,
    ),
    stateLabel: state.label,
    stateStyle: tint(state.color),
    // describeState names who decided: a Teams display name, user text.
    lines: [
      inertText(`Asked ${shortTime(request.createdAt)}${decided}: ${describeState(request)}`),
      // A cluster's name is Azure's: neutralised like every name here.
      ...(nothing ? [inertText(`${nothing[0]!.toUpperCase()}${nothing.slice(1)}`)] : []),
    ],
  };
}

/** The open-requests section of the access card, empty (every access card but `access` alone). */
export const NO_OPEN_SECTION = {
  openHeading: '',
  openSubheading: '',
  openRows: [] as RequestRow[],
  hasOpenRows: false,
  openMore: '',
};

/** The access template's open-requests section. */
export type OpenSection = typeof NO_OPEN_SECTION;

/** "…and N more — see the tab" after a cut list; empty when nothing was cut. */
function moreWords(list: RequesterRequests): string {
  if (list.more === 0 && !list.boundReached) return '';
  const n = list.boundReached ? 'more' : `${list.more} more`;
  return `…and ${n} open request${list.more === 1 && !list.boundReached ? '' : 's'} — see the My access tab.`;
}

/**
 * `access` alone: the requester's open requests (waiting for approval, approved, being applied;
 * extensions of their access among them), apart from the access they hold, so whoever asked sees
 * it waits. None: no section.
 */
export function openSection(open: RequesterRequests | undefined): OpenSection {
  if (!open || open.requests.length === 0) return NO_OPEN_SECTION;
  return {
    openHeading: 'Waiting: your open requests',
    openSubheading:
      'Asked for and not granted yet: waiting for approval, approved, or being applied. "@acrbot status R-…" shows one.',
    openRows: open.requests.map((r) => requestRow(r)),
    hasOpenRows: true,
    openMore: moreWords(open),
  };
}

/** How to ask for access, for someone who has asked for nothing. */
export const HOW_TO_ASK =
  'Ask for access with "@acrbot grant CLUSTER REGISTRY REASON…" (or a pull secret with "@acrbot secret CLUSTER REGISTRY --namespace NAMESPACE REASON…"); "@acrbot help" lists every command.';

/**
 * `status` without an id: the asker's newest requests of their organisation (tenant), every
 * state, newest first, with how to see one; none said plainly, with how to ask. As of when it was
 * read (`readAt`): a grant whose cluster is gone reads past its end as the tab and `access` read
 * it (liveClusterGoneAt). An asker of another tenant than acrbot's own (`askerOfOtherTenant`,
 * own-tenant.ts `isOtherTenant`), whose every request is refused when made, is told the way on
 * instead of a command to ask.
 */
export function myRequestsCard(
  mine: RequesterRequests,
  user: { name: string },
  sandbox: boolean,
  askerOfOtherTenant = false,
): AdaptiveCardJson {
  const rows = mine.requests.map((r) => requestRow(r, mine.readAt));
  const cut = mine.more > 0 || mine.boundReached;
  const notes = rows.length
    ? [
        '"@acrbot status R-…" shows one request in full.',
        ...(cut
          ? [
              `${mine.boundReached ? 'Older requests are' : `${counted(mine.more, 'older request')} ${mine.more === 1 ? 'is' : 'are'}`} not shown; the My access tab lists them all.`,
            ]
          : []),
      ]
    : [];
  return renderCard('access', {
    sandbox,
    title: 'Your requests',
    subtitle: `${cut ? `The ${rows.length} newest requests` : 'Requests'} by ${inertText(user.name)} in this organisation (tenant), newest first.`,
    rows,
    hasRows: rows.length > 0,
    ...NO_OPEN_SECTION,
    endedHeading: '',
    endedSubheading: '',
    endedRows: [],
    hasEndedRows: false,
    emptyText: `You have no requests in this organisation (tenant). ${askerOfOtherTenant ? OTHER_TENANT_ASK_INSTEAD : HOW_TO_ASK}`,
    notes,
    hasNotes: notes.length > 0,
  });
}
