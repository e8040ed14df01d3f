/** Words and dates as the tab shows them. */
import { describePause, GOES_ON_WHILE_PAUSED } from '../../src/domain/access-pause';
import { describeDurationMs, describeTimeLeft, shortDuration } from '../../src/domain/access-term';
import { EXTEND_DAYS, movesEndEnough } from '../../src/domain/extension-terms';
import { NOT_LISTED_YET_LABEL } from '../../src/domain/listing-lag';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import {
  BEING_REVOKED_LABEL,
  CANNOT_BE_CHECKED_LABEL,
  CLUSTER_GONE_LABEL,
  DRIFT_LABEL,
} from '../../src/domain/live-drift';
import { liveBadgeKind } from '../../src/domain/live-badge';
import type { History, Me, PullState, Row } from './types';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * State labels (colour is never the only cue). A drifted row reads as the cards badge it
 * (src/domain/live-drift.ts): "Removed outside acrbot", unless its badge says otherwise
 * ({@link shownState}).
 */
export const STATE_LABEL: Record<PullState, string> = {
  revoking: BEING_REVOKED_LABEL,
  active: 'Active',
  expiring: 'Expiring soon',
  expired: 'Expired',
  revoked: 'Revoked',
  drifted: DRIFT_LABEL.removed,
  pending: 'Pending',
  failed: 'Failed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  // A granted extension: it moved its original's end (extensionFact says to when).
  extended: 'Extended',
  closed: 'Expired without a decision',
};

/**
 * The label of a `closed` extension acrbot closed because the access it extends ended or drifted
 * first (`closedWithItsAccess`), maybe days before its deadline: "Closed", as its card, `status`'s
 * list and the audit channel's card label it (stateLabelOf in src/views/request-view.ts), since
 * "Expired" would say its approvers ran out of time. Its drawer says why ({@link extensionFact}).
 */
export const CLOSED_WITH_ITS_ACCESS_LABEL = 'Closed';

/**
 * A state's badge: its label and class. Drifted rows that are all a grant made moments ago and
 * only missing from Azure's listing (`notListedYet`, src/domain/listing-lag.ts) read as the
 * access card reads them, "Not in Azure's listing yet", in the warning colours of Expiring soon,
 * not Drifted's: nothing was removed. The state itself stays drifted (for actions; the State
 * filter offers what the badge says, {@link shownState}). Closed rows that are all extensions
 * closed with the access they extend (`closedWithItsAccess`) read
 * {@link CLOSED_WITH_ITS_ACCESS_LABEL}, as their cards do.
 */
export function stateBadge(
  state: PullState,
  notListedYet = false,
  closedWithItsAccess = false,
): { label: string; className: string } {
  if (state === 'drifted' && notListedYet)
    return { label: NOT_LISTED_YET_LABEL, className: 'state-drifted not-listed-yet' };
  if (state === 'closed' && closedWithItsAccess)
    return { label: CLOSED_WITH_ITS_ACCESS_LABEL, className: 'state-closed' };
  return { label: STATE_LABEL[state], className: `state-${state}` };
}

/**
 * What a row is shown as: its state, but what its badge says where that differs from its state's
 * label, so that the State filter offers what the badges say ({@link shownState}): a drifted row
 * whose role assignment is intact (`noLongerPulls`), that cannot be checked (`cannotBeChecked`)
 * or that is only missing from a listing that may lag (`notListedYet`), and a live grant whose
 * cluster is gone (`clusterGone`).
 */
export type ShownState = PullState | 'noLongerPulls' | 'cannotBeChecked' | 'notListedYet' | 'clusterGone';

/** {@link ShownState}'s labels (its badge's words). */
export const SHOWN_LABEL: Record<ShownState, string> = {
  ...STATE_LABEL,
  noLongerPulls: DRIFT_LABEL.noLongerPulls,
  cannotBeChecked: CANNOT_BE_CHECKED_LABEL,
  notListedYet: NOT_LISTED_YET_LABEL,
  clusterGone: CLUSTER_GONE_LABEL,
};

/**
 * What a row is shown as ({@link ShownState}): its badge's, and its State filter's value. A grant
 * whose cluster is gone ({@link clusterGoneOf}) is "Cluster gone", never "Active"; a drifted row
 * is what `driftBadge` (the cards' rule, src/domain/live-drift.ts) or `notListedYet` says;
 * anything else its state.
 */
export function shownState(row: Pick<Row, 'state' | 'clusterGoneAt' | 'notListedYet' | 'driftBadge'>): ShownState {
  // In the cards' order (src/domain/live-badge.ts): the row's state already says a revocation under
  // way, a drift or an end passed (src/tab/tab-rows.ts), each over its cluster gone.
  const kind = liveBadgeKind({
    beingRevoked: row.state === 'revoking',
    drift: row.state === 'drifted',
    expired: row.state === 'expired',
    clusterGone: clusterGoneOf(row) !== undefined,
  });
  if (kind === 'clusterGone') return 'clusterGone';
  if (kind !== 'drift') return row.state;
  if (row.notListedYet) return 'notListedYet';
  if (row.driftBadge === 'noLongerPulls') return 'noLongerPulls';
  return row.driftBadge === 'unverified' ? 'cannotBeChecked' : 'drifted';
}

/**
 * A shown state as the State filter offers it, for `rows`: its {@link SHOWN_LABEL}, but closed
 * rows that are all extensions closed with the access they extend read as their badges do, and a
 * mix says both (the filter keeps them together: one state).
 */
export function stateFilterLabel(
  state: ShownState,
  rows: readonly Pick<Row, 'state' | 'closedWithItsAccess'>[],
): string {
  if (state !== 'closed') return SHOWN_LABEL[state];
  const closed = rows.filter((r) => r.state === 'closed');
  const withAccess = closed.filter((r) => r.closedWithItsAccess).length;
  if (withAccess === 0) return STATE_LABEL.closed;
  return withAccess === closed.length ? CLOSED_WITH_ITS_ACCESS_LABEL : `${STATE_LABEL.closed}, or closed`;
}

/** The badge of a {@link ShownState}: its label and class (the drift badges in Drifted's colours but for warnings). */
export function shownBadge(state: ShownState, closedWithItsAccess = false): { label: string; className: string } {
  switch (state) {
    case 'notListedYet':
      return stateBadge('drifted', true);
    case 'clusterGone':
      return CLUSTER_GONE_BADGE;
    case 'noLongerPulls':
      return { label: SHOWN_LABEL.noLongerPulls, className: 'state-drifted no-longer-pulls' };
    case 'cannotBeChecked':
      // A warning, as `access` colours it: nothing was seen removed.
      return { label: SHOWN_LABEL.cannotBeChecked, className: 'state-drifted cannot-be-checked' };
    default:
      return stateBadge(state, false, closedWithItsAccess);
  }
}

/**
 * What a row's badge adds while an approver owes the review of its break-glass run
 * (`breakGlass.reviewDueAt`): its drawer's words ("its review is owed", "Review due"), so a run
 * nobody approved yet never reads plain "Active" in a list.
 */
export const REVIEW_OWED_WORDS = 'review owed';

/**
 * The badge of a grant whose cluster is gone ({@link clusterGoneOf}): it gives nothing, so never
 * "Active" or "Expiring soon"; in Drifted's colours, which mark access that does not serve.
 */
export const CLUSTER_GONE_BADGE = { label: SHOWN_LABEL.clusterGone, className: 'state-drifted cluster-gone' } as const;

/**
 * When the drift check read a live grant's cluster gone (`clusterGoneAt`, src/domain/cluster-gone.ts);
 * undefined for any other row, and for one whose state says how it ends (being revoked, ended).
 */
export function clusterGoneOf(row: Pick<Row, 'state' | 'clusterGoneAt'>): string | undefined {
  return row.state === 'active' || row.state === 'expiring' ? row.clusterGoneAt : undefined;
}

/**
 * {@link clusterGoneOf} as a list line, in the drawer's Notes' words: "Cluster gone since
 * 2026-12-05 08:00 UTC: this grant gives nothing", as a drifted row's says why ({@link driftLine}).
 */
export function clusterGoneLine(row: Pick<Row, 'state' | 'clusterGoneAt'>): string | undefined {
  const at = clusterGoneOf(row);
  return at ? `Cluster gone since ${shortTime(at)}: this grant gives nothing` : undefined;
}

/**
 * {@link shownBadge} of one row's {@link shownState} ({@link CLUSTER_GONE_BADGE} for a grant whose
 * cluster is gone, a drift's as the cards badge it); a break-glass run whose review is owed says
 * so after its state ("Active, review owed", "Revoked, review owed" for one whose use is still to
 * be reviewed: {@link REVIEW_OWED_WORDS}), in its state's colours, marked `review-owed`.
 */
export function rowBadge(
  row: Pick<Row, 'state' | 'notListedYet' | 'closedWithItsAccess' | 'breakGlass' | 'clusterGoneAt' | 'driftBadge'>,
): {
  label: string;
  className: string;
} {
  const badge = shownBadge(shownState(row), Boolean(row.closedWithItsAccess));
  if (!row.breakGlass?.reviewDueAt) return badge;
  return { label: `${badge.label}, ${REVIEW_OWED_WORDS}`, className: `${badge.className} review-owed` };
}

/** States of a way that still pulls (as the API's LIVE_PULL_STATES). */
export const LIVE_STATES: readonly PullState[] = ['active', 'expiring', 'drifted', 'revoking'];

/** Which state a cell shows when several ways of pulling meet: the one that needs attention first. */
export const STATE_RANK: PullState[] = [
  'drifted',
  'revoking',
  'expiring',
  'active',
  'pending',
  'expired',
  'failed',
  'revoked',
  'rejected',
  'cancelled',
  'extended',
  'closed',
];

/**
 * The shown states in the order the State filter offers them and a cell picks its badge by: what
 * needs attention first ({@link STATE_RANK}, with each drift badge where drifted is, the
 * worst first, and a gone cluster's grant after active ones: a cell with one that pulls reads so).
 */
export const SHOWN_RANK: readonly ShownState[] = STATE_RANK.flatMap((s): ShownState[] =>
  s === 'drifted'
    ? ['drifted', 'cannotBeChecked', 'noLongerPulls', 'notListedYet']
    : s === 'active'
      ? ['active', 'clusterGone']
      : [s],
);

/**
 * What an extension did, or which extensions moved a request's end, as a drawer fact: a granted
 * extension "Extended R-… until <end>"; one acrbot closed with the access it extends
 * (`closedWithItsAccess`), why, in `status`'s words (`closedWhy`: that access ended, or drifted);
 * an original "Extended by R-…". Undefined for others.
 */
export function extensionFact(row: Row): [label: string, value: string | undefined] {
  if (row.state === 'extended' && row.extendsRequestId)
    return [
      'Outcome',
      `Extended ${row.extendsRequestId}${row.extendedUntil ? ` until ${shortTime(row.extendedUntil)}` : ''}`,
    ];
  if (row.state === 'closed' && row.closedWithItsAccess && row.closedWhy) return ['Outcome', row.closedWhy];
  return ['Extended by', row.extendedBy?.length ? row.extendedBy.join(', ') : undefined];
}

/**
 * A role assignment under the name acrbot gives its grants that no record of this store refers
 * to, in the chat's words (ACRBOT_NAMED_TEXT in src/domain/acrbot-named.ts, which the page
 * does not bundle: it imports node:crypto). A hint only: the page offers nothing on it.
 */
export const ACRBOT_NAMED_WORDS =
  'named as acrbot names its grants, but this store has no record of it (a store switched or restored?); acrbot will not change it — see operations.md';

/**
 * How a row of how `acrbot-named-role` names its assignment, in the chat's words (acrbotNamedText
 * in src/domain/acrbot-named.ts, not bundled for the reason above): when it sits at the id of
 * acrbot grants of the caller's that ended before Azure made it (`endedRequestIds`, the one that
 * ended last last, and `createdOn`), made again since, naming that grant (the store does record
 * it: no store was switched or restored); else {@link ACRBOT_NAMED_WORDS}.
 */
export function acrbotNamedWords(row: Pick<Row, 'endedRequestIds' | 'createdOn'>): string {
  const ended = row.endedRequestIds ?? [];
  if (!ended.length || !row.createdOn) return ACRBOT_NAMED_WORDS;
  const earlier = ended.length - 1;
  const more = earlier ? ` (and ${earlier} earlier one${earlier === 1 ? '' : 's'})` : '';
  return `made again under acrbot's name after acrbot's grant ${ended[ended.length - 1]}${more} ended (Azure dates it ${shortTime(row.createdOn)}); not acrbot's — acrbot will not change it`;
}

/** A row of how `acrbot-named-role` made again after acrbot's grant there ended ({@link acrbotNamedWords}). */
function madeAgain(row: Row): boolean {
  return row.how === 'acrbot-named-role' && Boolean(row.endedRequestIds?.length && row.createdOn);
}

/** A row whose role no acrbot record holds, whatever its name: no request, approval or audit entry. */
function unrecordedRole(row: Row): boolean {
  return row.how === 'outside-role' || row.how === 'acrbot-named-role';
}

/**
 * What a pending request's "how" adds: it waits for approval, is approved or is being applied, and
 * nothing of it is in place, in the words the access card's open requests say it ("Asked for and
 * not granted yet", src/views/my-requests-view.ts).
 */
export const NOT_GRANTED_YET = 'not granted yet';

/**
 * Short words for how a cluster pulls, or, for a pending request, would pull: "Role (acrbot), not
 * granted yet" ({@link NOT_GRANTED_YET}), never as if the role were in place.
 */
export function howShort(row: Row): string {
  const how = howWords(row);
  return row.state === 'pending' && row.requestId ? `${how}, ${NOT_GRANTED_YET}` : how;
}

/** {@link howShort}'s words for how a row's access pulls, whatever its state. */
function howWords(row: Row): string {
  if (row.how === 'acrbot-role') return 'Role (acrbot)';
  if (row.how === 'outside-role') return 'Role (outside acrbot)';
  if (madeAgain(row)) return "Role (acrbot's name, made after its grant ended)";
  if (row.how === 'acrbot-named-role') return "Role (acrbot's name, no record)";
  return 'Pull secret';
}

/**
 * Who asked for a row's access, as a list line shows it. A role assignment acrbot made only for
 * another tenant's request comes without its requester (that tenant's data), and it was not
 * granted outside acrbot.
 */
export function askedBy(row: Row): string {
  if (row.requester) return row.requester.name;
  if (madeAgain(row)) return "not acrbot's: made after its grant ended";
  if (row.how === 'acrbot-named-role') return 'no record in this store';
  return row.how === 'acrbot-role' ? 'another tenant' : 'outside acrbot';
}

/** What a row is, in a few words: how it pulls, or, for an extension, which request it extends. */
export function whatShort(row: Row): string {
  return row.extendsRequestId ? `Extension of ${row.extendsRequestId}` : howShort(row);
}

/** A list line's "how · who asked"; for a role granted outside acrbot its "how" already says so. */
export function howAndWho(row: Row): string {
  return unrecordedRole(row) ? howShort(row) : `${howShort(row)} · ${askedBy(row)}`;
}

/**
 * Why a row reads drifted, in the server's few neutral words (src/tab/drift-text.ts); undefined
 * for any other state. Plain text: the page shows it as a text node, as every string (dom.ts).
 */
export function driftReasonOf(row: Row): string | undefined {
  return row.state === 'drifted' ? row.driftReason : undefined;
}

/**
 * {@link driftReasonOf} as a list line, after its badge's words ("Removed outside acrbot: role
 * assignment deleted outside acrbot", "No longer gives pull: the cluster pulls as another
 * identity now; …", as the cards badge it); for a grant not in Azure's listing yet, its words
 * alone ("Not in Azure's listing of role assignments yet: …"): it is not drifted, whatever its
 * state's name.
 */
export function driftLine(row: Row): string | undefined {
  const why = driftReasonOf(row);
  if (!why) return undefined;
  return row.notListedYet ? `${why[0]!.toUpperCase()}${why.slice(1)}` : `${SHOWN_LABEL[shownState(row)]}: ${why}`;
}

/** {@link driftReasonOf} as the drawer's fact: "Why", beside the badge that says what ({@link driftLine}). */
export function driftFact(row: Row): [label: string, value: string | undefined] {
  return ['Why', driftReasonOf(row)];
}

/** The requester filter's value for a row: the requester's object id, or who stands in for one. */
export function askedByKey(row: Row): string {
  return (
    row.requester?.objectId ??
    (row.how === 'acrbot-role'
      ? 'another-tenant'
      : madeAgain(row)
        ? 'made-again'
        : row.how === 'acrbot-named-role'
          ? 'no-record'
          : 'outside')
  );
}

/** Why a row without a request id has no request history to show. */
export function noHistoryNote(row: Row): string {
  // Made again: the ended grant's own request and trail are in the store, but not this assignment's.
  // Its How fact already says what it is ({@link acrbotNamedWords}): the note says where to look.
  if (madeAgain(row))
    return `No request, approval or audit entry of this assignment is in this store (those of the ended grant are that grant's own). To find who made it, look in the Azure Activity Log of the registry's subscription around ${shortTime(row.createdOn)}.`;
  if (row.how === 'acrbot-named-role')
    return `A role assignment ${ACRBOT_NAMED_WORDS}. No request, approval or audit entry of it is in this store.`;
  return row.how === 'acrbot-role'
    ? "Granted by acrbot for another tenant's request: its request, approvals and audit entries are shown to that tenant only."
    : 'Granted outside acrbot: no request, approval or audit entry exists.';
}

/**
 * A person's name as it stands in a sentence of the tab, isolated (U+2068 FIRST STRONG ISOLATE …
 * U+2069 POP DIRECTIONAL ISOLATE): a right-to-left name ("محمد العتيبي") must not take the
 * numbers after it into its run, which would lay out "(2026-12-03 14:00 UTC)" as "(14:00
 * 03-12-2026 UTC)", read as 12 March in New York, nor the words before or after it. The API drops
 * every bidi control from what it sends (src/tab/bidi-text.ts), so the pair added here is the
 * only one and always balanced.
 */
export function isolated(name: string): string {
  return `\u2068${name}\u2069`;
}

/** `2026-12-07 14:00 UTC`. */
export function shortTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}

/** The banner while new access is paused (the server refuses Extend meanwhile; revocations go on). */
export function pausedBanner(paused: NonNullable<Me['paused']>): string {
  // The API sends the reason only to approvers and auditors; the sentence is chat's own.
  // Its name isolated: a right-to-left one must not take the reason's numbers into its run.
  const pause = { since: paused.since, by: { name: isolated(paused.by) }, reason: paused.reason ?? '' };
  return `${describePause(pause, paused.reason !== undefined)} Nothing can be requested, extended or approved until an approver resumes it. ${GOES_ON_WHILE_PAUSED}`;
}

/** The banner when the server could not read whether new access is paused. */
export function pauseUnreadableBanner(unreadable: NonNullable<Me['pauseUnreadable']>): string {
  return `Whether new access is paused could not be read just now, so Extend may be refused; the rest of this page is current. If it stays, give the platform team reference ${unreadable.correlationId}.`;
}

/**
 * "in 3 days", "in 36 hours", "2 hours ago". A time ahead is what is left before an end, never
 * overstated: {@link describeTimeLeft}, the rule the reminder cards in chat use too. A time past is
 * rounded to the nearest unit.
 */
export function relative(iso: string | undefined, now: number): string {
  if (!iso) return 'no end date';
  const ms = Date.parse(iso) - now;
  if (ms >= 0) return `in ${describeTimeLeft(ms)}`;
  const abs = -ms;
  const [n, unit] =
    abs >= DAY_MS
      ? [Math.round(abs / DAY_MS), 'day']
      : abs >= HOUR_MS
        ? [Math.round(abs / HOUR_MS), 'hour']
        : [Math.max(1, Math.round(abs / MINUTE_MS)), 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/**
 * When a row's access ends, as the drawer's fact: once a revocation began, since when (its end no
 * longer matters); access acrbot ended, when; else its end. No value when there is none to show.
 */
export function endFact(row: Row, now: number): [label: string, value: string | undefined] {
  if (row.revokingSince) return [BEING_REVOKED_LABEL, `since ${shortTime(row.revokingSince)}, until it is done`];
  if (row.endedAt) return ['Access ended', shortTime(row.endedAt)];
  // A pull secret's credential, capped in lifetime, ends before its term: nothing renews it, and
  // once it passed the request is still active (extending it rotates a new credential in). Not
  // once its term passed too: acrbot is revoking it, and no Extend is offered. Nor told to extend
  // or ask again when its requester is of another tenant than acrbot's own (`otherTenant`): both
  // are refused, and the drawer says what they can do instead ({@link otherTenantExtendNote}).
  if (credentialLapses(row, now))
    return Date.parse(row.expiresAt!) <= now
      ? [
          'Credential expired',
          `${shortTime(row.expiresAt!)}: pulls with the secret fail ${row.otherTenant ? 'from then' : 'until it is extended (a new credential) or asked for again'}`,
        ]
      : [
          'Credential expires',
          `${shortTime(row.expiresAt!)} (${relative(row.expiresAt!, now)}); nothing renews it${row.otherTenant ? '' : ': extend it before then'}`,
        ];
  // Past its end but not revoked yet (deferred, or the scheduler behind): it still pulls. The end
  // that passed is the term's (a pull secret's credential expired before it).
  const end = termEnd(row) ?? row.expiresAt;
  if (row.state === 'expired' && end) return ['Access ends', `${shortTime(end)} (passed; acrbot is revoking it)`];
  // Drifted: changed or removed outside acrbot (the badge says so); its end still applies.
  return ['Access ends', row.expiresAt ? `${shortTime(row.expiresAt)} (${relative(row.expiresAt, now)})` : undefined];
}

/**
 * Whether a row is a pull secret whose credential, capped in lifetime, ends (or ended) before its
 * access term, which runs on: the request stays active once the credential lapsed.
 */
function credentialLapses(row: Row, now: number): boolean {
  return Boolean(row.credentialEnds && row.expiresAt && !termOver(row, now));
}

/**
 * Whether a pull secret's access itself is over or ending, not only its credential: its term
 * passed, or its request no longer gives access. Its state cannot tell: a lapsed credential
 * alone already reads `expired` (the inventory's end is the credential's), while the request
 * stays active and keeps Extend.
 */
function termOver(row: Row, now: number): boolean {
  if (row.state === 'revoked' || (row.requestState !== undefined && row.requestState !== 'succeeded')) return true;
  const term = termEnd(row);
  return term !== undefined && Date.parse(term) <= now;
}

/** {@link endFact} as a list line ("Access ends 2026-12-04 00:00 UTC (in 3 days)"); undefined without a value. */
export function endText(row: Row, now: number): string | undefined {
  const [label, value] = endFact(row, now);
  return value ? `${label} ${value}` : undefined;
}

/**
 * The end an extension must outlast: the access term's. For a pull secret whose credential
 * expires before its term (`credentialEnds`), `expiresAt` is the credential's expiry and the
 * term's end is `termEndsAt` (absent when the secret is permanent: no end to extend). Undefined
 * when the access has no end (permanent), which the server never extends (`extend.noExpiry`).
 */
export function termEnd(row: Pick<Row, 'expiresAt' | 'credentialEnds' | 'termEndsAt'>): string | undefined {
  return row.credentialEnds ? row.termEndsAt : row.expiresAt;
}

/**
 * Whether a row's drawer tells its requester how to extend it in chat: their own live access
 * with an end that the tab does not offer to extend, unless a revocation began (an extension is
 * refused then). Permanent access has nothing to extend (chat refuses it too).
 */
export function extendInChatHint(row: Row, myObjectId: string): boolean {
  const live = LIVE_STATES.includes(row.state) && row.requestState === 'succeeded';
  return (
    live &&
    termEnd(row) !== undefined &&
    !row.revokingSince &&
    !row.extensionWaiting &&
    !row.canExtend &&
    // Break-glass access is never extended (the policy refuses it): nothing to suggest.
    !row.breakGlass &&
    // Nor is a requester's of another tenant than acrbot's own ({@link otherTenantExtendNote}).
    !row.otherTenant &&
    row.requester?.objectId === myObjectId
  );
}

/**
 * What a row's drawer says to its requester of another served tenant than acrbot's own, of live
 * access an earlier release granted them (`otherTenant`): no Extend is offered, in the tab or in
 * chat, since their extension is refused when it is made; the words their expiry reminder says
 * (src/domain/other-tenant-words.ts). So too for a pull secret whose credential lapsed while its
 * term runs on (its row reads expired, its request stays active): extending it or asking for it
 * again is refused alike. Undefined for anyone else's row, or one that gives no access.
 */
export function otherTenantExtendNote(row: Row, myObjectId: string, now: number): string | undefined {
  const live = (LIVE_STATES.includes(row.state) || credentialLapses(row, now)) && row.requestState === 'succeeded';
  if (!live || !row.otherTenant || row.requester?.objectId !== myObjectId) return undefined;
  return OTHER_TENANT_NO_EXTEND_NOTE;
}

/** A term as typed in chat (`7d`, `36h`) and as read (`7 days`, `36 hours`), as the server writes them. */
function termOf(ms: number): { value: string; words: string } {
  return { value: shortDuration(ms), words: describeDurationMs(ms) };
}

/**
 * The extension terms worth offering for access whose term ends at `expiresAt` ({@link termEnd}:
 * for a pull secret whose credential expires first, its term's end): within the limits the API
 * sent (`range`: the deployment's and the rule's; a longer term is refused or cut), with the
 * longest allowed added when it falls between the usual ones, and only those that end after the
 * current end (an extension's term counts from when it is granted; a shorter one is refused).
 */
export function extendTerms(
  expiresAt: string | undefined,
  now: number,
  range?: { minMs: number; maxMs: number },
): Array<{ value: string; label: string }> {
  const end = expiresAt ? Date.parse(expiresAt) : Number.NEGATIVE_INFINITY;
  const fits = (ms: number) => !range || (ms >= range.minMs && ms <= range.maxMs);
  const terms = EXTEND_DAYS.map((days) => days * DAY_MS).filter(fits);
  const longest = range && range.maxMs < Math.max(...EXTEND_DAYS) * DAY_MS ? range.maxMs : undefined;
  if (longest !== undefined && longest >= range!.minMs && !terms.includes(longest)) terms.push(longest);
  return terms
    .filter((ms) => movesEndEnough(ms, end, now))
    .map((ms) => {
      const { value, words } = termOf(ms);
      // With its time and zone: a date alone reads as the user's own day, which is another one
      // for much of the world (Sydney's morning is the day before in UTC).
      const until = shortTime(new Date(now + ms).toISOString());
      return { value, label: `${words}${ms === longest ? ', the longest allowed' : ''} (until about ${until})` };
    });
}

/**
 * The extension terms the drawer offers for a row ({@link extendTerms}): measured against the
 * term's end ({@link termEnd}), not a pull secret's credential expiry before it, so none of them
 * (and not the one preselected) ends on or before the term's end, which the server would refuse.
 */
export function offeredTerms(
  row: Pick<Row, 'expiresAt' | 'credentialEnds' | 'termEndsAt' | 'extendRange'>,
  now: number,
): Array<{ value: string; label: string }> {
  return extendTerms(termEnd(row), now, row.extendRange);
}

/**
 * Why the drawer offers no extension term although the row may be extended ({@link termEnd}). When the longest
 * term allowed would not end later at all, asking is refused until nearer the end (no chat
 * command); otherwise chat may ask for a term anyway (`chatTerm`: the one to suggest).
 */
export function noExtendTermNote(
  row: Pick<Row, 'expiresAt' | 'credentialEnds' | 'termEndsAt' | 'extendRange'>,
  now: number,
): { text: string; chat: boolean; chatTerm?: string } {
  // A pull secret's credential may expire before its term: the term's end is what an extension must outlast.
  const current = termEnd(row);
  const until = shortTime(current);
  const end = current ? Date.parse(current) : undefined;
  const max = row.extendRange?.maxMs;
  if (max !== undefined && end !== undefined) {
    const longest = `the longest term allowed, ${termOf(max).words} from when it is granted,`;
    if (now + max <= end)
      return {
        text: `It already runs until ${until}, and ${longest} would not end later; ask nearer its end.`,
        chat: false,
      };
    // How much later it would end, in whole hours (in minutes under an hour).
    const moved = now + max - end;
    const shown =
      moved >= HOUR_MS ? Math.round(moved / HOUR_MS) * HOUR_MS : Math.max(1, Math.round(moved / 60_000)) * 60_000;
    return {
      text: `It already runs until ${until}, and ${longest} would move its end by only ${termOf(shown).words}. To ask for it anyway, say in chat: `,
      chat: true,
      chatTerm: termOf(max).value,
    };
  }
  return {
    text: `It already runs until ${until}; the longest term offered here would not end later. To extend it further, say in chat: `,
    chat: true,
  };
}

/**
 * Who decided, as the drawer's facts: the approvers (each approval, or the deciding approver),
 * and who rejected it, under its own label: a rejection is not an approval. Approvals that did
 * not make a decision (a quorum still short, or one rejected, withdrawn or expired before it was
 * met) are "Approved so far" or "Had approved", as the cards say "1 of 2 had approved", never
 * "Approvers" as if the request had been approved.
 */
export function decisionFacts(hist: History): Array<[label: string, value: string | undefined]> {
  const by = (who: { by: { name: string }; at: string }) => `${isolated(who.by.name)} (${shortTime(who.at)})`;
  const decision = hist.decision;
  const approvals = hist.approvals.length ? hist.approvals.map(by).join(', ') : undefined;
  const approversLabel = decision?.approved
    ? 'Approvers'
    : hist.row.state === 'pending'
      ? 'Approved so far'
      : 'Had approved';
  return [
    [approversLabel, approvals ?? (decision?.approved ? by(decision) : undefined)],
    ['Rejected by', decision && !decision.approved ? by(decision) : undefined],
  ];
}

/**
 * The drawer's Approval line of a break-glass run whose review is owed but nobody can give as the
 * policy stands (`nobodyReviews`): the card's words ("… must review it") would contradict the
 * Reviewers line right below it, which says why and how to mend it.
 */
export const NOBODY_REVIEWS_APPROVAL =
  'break-glass: ran at once; its review is owed, but nobody can give it yet (see Reviewers)';

/**
 * A break-glass run, as the drawer's facts (its requester is never named as its approver, as in
 * chat): who started it, the card's Approval line for it (the
 * review owed, none owed for a run that failed, or the review's verdict; {@link NOBODY_REVIEWS_APPROVAL}
 * when nobody can give the review owed), and, while a review is
 * owed, by when and what Approve and Reject do, and when nobody can review it as the policy stands
 * (`nobodyReviews`, its drawer's history only), why and how to mend it, as its daily report says.
 * Nothing for any other request.
 */
export function breakGlassFacts(row: Row): Array<[label: string, value: string | undefined]> {
  const run = row.breakGlass;
  if (!run) return [];
  const due = run.reviewDueAt;
  return [
    ['Started as break-glass by', `${isolated(run.by.name)} (${shortTime(run.at)}), without approval`],
    // The card's line names the approvers who must review it: not so when nobody can (Reviewers says why).
    ['Approval', due && run.nobodyReviews ? NOBODY_REVIEWS_APPROVAL : run.approval],
    ['Review note', run.reviewReason],
    [
      'Review due',
      due &&
        `${shortTime(due)}: ${
          run.reviewJudgesUseOnly
            ? 'its access ended (or is ending), so the review judges only its use (Reject revokes nothing)'
            : // Still being granted: a review click is refused until the grant is in place.
              `${row.state === 'pending' ? 'once the grant is in place, ' : ''}Approve keeps it, Reject revokes it at once`
        }`,
    ],
    ['Reviewers', due && run.nobodyReviews],
  ];
}

/**
 * How a request's access ended, as the drawer's facts (its outcome still says what was granted):
 * who revoked it (acrbot at its end), and why.
 */
export function endedFacts(hist: History): Array<[label: string, value: string | undefined]> {
  const ended = hist.ended;
  if (!ended) return [];
  return [
    // When it ended is the row's "Access ended" line.
    ['Revoked by', ended.by?.name ?? 'acrbot, at its end'],
    ['Why', ended.reason],
  ];
}

/**
 * What the drawer's chat link types: for an approver under the row's own rule (`mayDecide`, from
 * the server) looking at someone else's pending request, or at a break-glass run whose review is
 * owed (never one that failed: it owes none), `pending R-…` (its card carries Approve and Reject;
 * `status` shows one without them); for its requester and its rule's approvers otherwise,
 * `status R-…`. An approver of another rule only, or an auditor, sees everything in the tab but
 * is refused both in chat (`pending`: "Approvers only"; `status`: "Not yours to see", as only
 * its requester and its rule's approvers see it): `audit R-…`, which chat serves every approver
 * and auditor (mayReadAudit), as the tab's "sees everything" reckons them (`me.roles`).
 */
export function chatCommandFor(row: Row, me: Me): string {
  const own = row.requester?.objectId === me.user.objectId;
  const open = row.state === 'pending' || Boolean(row.breakGlass?.reviewDueAt);
  if (open && row.mayDecide && !own) return `pending ${row.requestId}`;
  const readsAudit = me.roles.approver || me.roles.auditor;
  return `${own || row.mayDecide || !readsAudit ? 'status' : 'audit'} ${row.requestId}`;
}

/** The drawer's chat link's words: its audit trail for `audit R-…` ({@link chatCommandFor}), else the request. */
export function chatLinkText(row: Row, me: Me): string {
  return chatCommandFor(row, me).startsWith('audit ') ? 'Open its audit trail in chat' : 'Open the request in chat';
}

/**
 * The drawer's line about an extension of this access that is open: to its requester, why no
 * second one is offered; to an approver under the extension's rule (`decidesExtension`), where to
 * decide it; to anyone else, that its rule's approvers decide it (chat refuses them `pending`
 * and `status` of it).
 */
export function extensionWaitingNote(row: Row, me: Me): string | undefined {
  const open = row.extensionWaiting;
  if (!open) return undefined;
  const who = row.requester ? isolated(row.requester.name) : 'Its requester';
  return row.requester?.objectId === me.user.objectId
    ? `Its extension ${open} is waiting for an approver; another can be asked once that one is decided or cancelled.`
    : row.decidesExtension
      ? `${who} asked to extend it: ${open} waits for an approver's decision in chat ("pending ${open}" shows it with Approve and Reject).`
      : `${who} asked to extend it: ${open} waits for a decision by the approvers of its rule.`;
}

/**
 * A row's place in "Expiry (soonest first)": access being revoked is ending now, then by end, then
 * access without an end, and access that already ended last (its old end no longer counts).
 */
export function expiryKey(row: Row): string {
  if (row.revokingSince) return `0${row.revokingSince}`;
  if (row.endedAt || row.state === 'revoked') return `3${row.endedAt ?? ''}`;
  // Past its end, not revoked yet: ending now too.
  if (row.state === 'expired') return `0${row.expiresAt ?? ''}`;
  return row.expiresAt ? `1${row.expiresAt}` : '2';
}

/** Teams deep link to a chat with the bot, with `message` typed in (e.g. `status R-…`). */
export function chatLink(botAppId: string, message: string): string {
  const q = new URLSearchParams({ users: `28:${botAppId}`, message });
  return `https://teams.microsoft.com/l/chat/0/0?${q.toString()}`;
}

/**
 * An Azure resource id as compared: ARM ids are case-insensitive, and the API lists an axis entry
 * once whatever the case while each row keeps its own spelling.
 */
export function idKey(id: string): string {
  return id.toLowerCase();
}

/** Whether two resource ids name one place ({@link idKey}). */
export function sameId(a: string, b: string): boolean {
  return idKey(a) === idKey(b);
}

/** Display names of clusters and registries by {@link idKey}, told apart where names repeat ({@link axisLabels}). */
export interface PlaceLabels {
  clusters: ReadonlyMap<string, string>;
  registries: ReadonlyMap<string, string>;
}

/** A place's label from {@link axisLabels}, whatever the case of its id; else its name. */
export function labelOf(labels: ReadonlyMap<string, string>, place: { id: string; name: string }): string {
  return labels.get(idKey(place.id)) ?? place.name;
}

/**
 * Axis labels, by {@link idKey}: the name, and the login server (registries, unique per registry)
 * or resource group and subscription (clusters) when two places share a name (other resource
 * groups or subscriptions). Counted per id, so one place listed twice is not a repeat (nor one
 * whose id is spelt in another case).
 */
export function axisLabels(
  items: ReadonlyArray<{ id: string; name: string; loginServer?: string; subscriptionId?: string }>,
): Map<string, string> {
  const unique = [...new Map(items.map((i) => [idKey(i.id), i] as const)).values()];
  const count = new Map<string, number>();
  for (const i of unique) count.set(i.name, (count.get(i.name) ?? 0) + 1);
  return new Map(
    unique.map((i) => [
      idKey(i.id),
      (count.get(i.name) ?? 0) > 1 ? `${i.name} (${i.loginServer ?? placeOf(i)})` : i.name,
    ]),
  );
}

/** The resource group a resource id names, if it names one. */
function groupOf(id: string): string | undefined {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
}

/**
 * Where a cluster is, tersely, for an axis label: its resource group and the start of the
 * subscription id it carries (else its id). Not {@link placeWhere}'s words, nor its subscription
 * read from the id: labels already shown keep their form.
 */
function placeOf(item: { id: string; subscriptionId?: string }): string {
  const group = groupOf(item.id);
  const where = [group, item.subscriptionId?.slice(0, 8)].filter(Boolean).join(', ');
  return where || item.id;
}

/**
 * Where a cluster or registry is, in the request card's words (planFacts): "resource group rg-a,
 * subscription 1a2b3c4d…", its subscription cut to its first 8 characters (a row has little
 * room). Read from its id (a registry row carries no `subscriptionId`); empty when the id names
 * neither.
 */
export function placeWhere(place: { id: string; subscriptionId?: string }): string {
  const group = groupOf(place.id);
  const sub = place.subscriptionId || /^\/subscriptions\/([^/]+)/i.exec(place.id)?.[1];
  const short = sub && sub.length > 8 ? `${sub.slice(0, 8)}…` : sub;
  return [group && `resource group ${group}`, short && `subscription ${short}`].filter(Boolean).join(', ');
}

/** A place's name with {@link placeWhere} after it: "aks-prod (resource group rg-a, subscription 1a2b3c4d…)". */
export function placedName(place: { id: string; name: string; subscriptionId?: string }): string {
  const where = placeWhere(place);
  return where ? `${place.name} (${where})` : place.name;
}

/**
 * A row's title with both places always placed ({@link placedName}), whatever else is listed: for
 * an approver deciding on it, who must not take a cluster in one subscription for its namesake in
 * another (the request card names them so).
 */
export function placedRowTitle(row: Row): string {
  return `${placedName(row.cluster)} → ${placedName(row.registry)}`;
}

/** {@link PlaceLabels} of the places the rows name (where no axis lists them, as in My access). */
export function placeLabelsOf(rows: readonly Row[]): PlaceLabels {
  return { clusters: axisLabels(rows.map((r) => r.cluster)), registries: axisLabels(rows.map((r) => r.registry)) };
}

/** A row's title, "cluster → registry", with same-named places told apart. */
export function rowTitle(row: Row, labels: PlaceLabels): string {
  return `${labelOf(labels.clusters, row.cluster)} → ${labelOf(labels.registries, row.registry)}`;
}
