/**
 * What the tab shows, as plain JSON rows built from acrbot's records (pure; no I/O). Fields are
 * copied one by one — never spread from a stored record — so nothing the tab does not need
 * (and never a secret) can reach the browser.
 */
import {
  acrbotNamedText,
  ACRBOT_NAMED_TEXT,
  type AccessMatrix,
  type AccessState,
  accessEnd,
  type AcrbotRequestRef,
  credentialEnd,
  gaveAccess,
  type PullPath,
  requestAccessState,
  type RoleAssignmentOrigin,
} from '../domain/access-inventory';
import { describeDurationMs } from '../domain/access-term';
import type { AuditEntry } from '../domain/audit-chain';
import { closedWithItsAccess } from '../domain/closed-extension';
import { liveClusterGoneAt } from '../domain/cluster-gone';
import { clusterGoneSinceWords } from '../domain/cluster-gone-words';
import { reviewJudgesUseOnly } from '../domain/break-glass-review';
import { NOT_LISTED_YET_WORDS, notListedYetPath } from '../domain/listing-lag';
import { liveBadgeKind } from '../domain/live-badge';
import { driftKind, liveDriftKind } from '../domain/live-drift';
import { outsideGrantText } from '../domain/outside-grant';
import { pendingExtensionEffect } from '../domain/pending-extension';
import { nobodyReviewsWhy } from '../domain/decided-rule';
import { awaitingReview, countedApprovals, describeRequirement, type PolicyRule } from '../domain/policy';
import { notListedYetText } from '../domain/pull-diagnosis';
import { describeStateSentence, isBeingRevoked, type AccessRequest } from '../domain/request';
import { otherTenantFailedText } from '../views/other-tenant-error';
import { DRIFT_NOT_FOUND, DRIFT_UNVERIFIED, recordedDriftText } from './drift-text';
import { historyEntries, type HistoryReader } from './history-entries';
import type { PullHow, PullState, TabBreakGlass, TabHistory, TabPerson, TabRow } from './tab-wire';

/** The states of access that still pulls (revoking: until the revocation finishes). */
export const LIVE_PULL_STATES: readonly PullState[] = ['active', 'expiring', 'drifted', 'revoking'];

const person = (a: { objectId: string; name: string }): TabPerson => ({ objectId: a.objectId, name: a.name });

/**
 * The state of a request as the tab colours it: for requests that gave access, the inventory's
 * access state (active, expiring, expired, revoked, drifted); otherwise where the request stands.
 */
export function pullState(request: AccessRequest, now: Date): PullState {
  const access = gaveAccess(request) ? requestAccessState(request, now) : undefined;
  // Still pulls, but ending: not "active" (the retry finishes it whatever its end says), nor a
  // drift it ends (live-badge.ts's order). A drift mark wins over an end passed (requestAccessState).
  if (liveBadgeKind({ beingRevoked: isBeingRevoked(request), drift: access === 'drifted' }) === 'beingRevoked')
    return 'revoking';
  if (access) return access;
  // An extension that did its work moved its original's end: granted, as chat says, never the
  // "closed" of a request nobody answered. One that ended with its original was revoked with it.
  if (request.extendsRequestId && request.state === 'succeeded') return 'extended';
  if (request.extendsRequestId && request.state === 'revoked') return 'revoked';
  switch (request.state) {
    case 'pending':
    case 'approved':
    case 'executing':
      return 'pending';
    case 'failed':
      return 'failed';
    case 'rejected':
      return 'rejected';
    case 'cancelled':
      return 'cancelled';
    default:
      // Expired without a decision.
      return 'closed';
  }
}

/** The term a request asks for, in words; undefined for one from before time-boxing. */
function termAsked(request: AccessRequest): string | undefined {
  if (request.access?.permanent) return 'permanent';
  return request.access?.durationMs ? describeDurationMs(request.access.durationMs) : undefined;
}

/** Whether a request's end is its pull secret's credential expiry rather than its term's. */
function endsWithCredential(request: AccessRequest): boolean {
  const end = accessEnd(request);
  return end !== undefined && end === credentialEnd(request) && end !== request.access?.expiresAt;
}

/**
 * A break-glass run as the cards tell it: started by its requester without approval, and where
 * its review stands, in the card's own words (describeRequirement). A review is owed only while
 * `awaitingReview` says so: never for a run that failed, which granted nothing.
 */
function breakGlassOf(request: AccessRequest): TabBreakGlass | undefined {
  const d = request.decision;
  if (!request.policy?.breakGlass || !d?.approved) return undefined;
  const review = request.policy.review;
  const owed = review !== undefined && awaitingReview(request);
  return {
    by: person(d.by),
    at: d.at,
    approval: describeRequirement(request) ?? 'break-glass',
    ...(owed && { reviewDueAt: review.dueAt, ...(reviewJudgesUseOnly(request) && { reviewJudgesUseOnly: true }) }),
    ...(review?.outcome && review.reason && { reviewReason: review.reason }),
  };
}

/**
 * Why an extension closed with the access it extends (`closedWithItsAccess`) closed: `status`'s
 * words and its card's ("Closed without a decision: the access it extends (R-…) ended", "… was
 * removed or changed outside acrbot, or no longer serves", or, its cluster read gone, "cluster
 * aks-prod of the access it extends (R-…) no longer exists"), one sentence for every surface.
 */
function closedWhy(request: AccessRequest): string {
  return describeStateSentence(request);
}

/**
 * Why nobody can review `request`'s owed break-glass review under `rule` (the rule whose approvers
 * review it now, RequestService.ruleOf), as the daily report of it says (breakGlassCard in
 * src/views/policy-view.ts): its rule names only its requester, who may not review it; or no rule
 * of the policy in force covers its pair and the policy names none of its rule's approvers, or
 * only its requester ({@link nobodyReviewsWhy}). Undefined when someone may or no review is owed.
 * Ids are policy-file text, shown by the page as text.
 */
export function nobodyReviewsText(request: AccessRequest, rule: PolicyRule | undefined): string | undefined {
  const review = request.policy?.breakGlass ? request.policy.review : undefined;
  if (!review || !awaitingReview(request)) return undefined;
  return nobodyReviewsWhy(rule, request.requester, `${request.plan.cluster.name} → ${request.plan.registry.name}`);
}

/**
 * Where a pending request's quorum stands, as its card's Approval line counts it
 * (describeRequirement): distinct approvals so far, of those its rule needs. Only while it waits
 * under a rule needing more than one approval: one approval decides alone, and a break-glass run
 * or an auto-approved request waits for none.
 */
function approvalsSoFar(request: AccessRequest): TabRow['approvalsSoFar'] {
  const binding = request.policy;
  if (request.state !== 'pending' || !binding?.rule || binding.breakGlass || binding.autoApproved) return undefined;
  const required = binding.approvalsRequired;
  return required > 1 ? { count: countedApprovals(request).length, required } : undefined;
}

/**
 * When the drift check read `request`'s cluster gone, while the grant it made is in place
 * ({@link liveClusterGoneAt}, the cards' rule): a drifted one says its drift instead, and one
 * being revoked or ended says how it ends. Undefined otherwise, and for an extension (its
 * original's row carries the access).
 */
function clusterGoneSince(request: AccessRequest): string | undefined {
  // Without `now`: past its end the drawer's note stays (the row's state, Expired, gates the badge).
  return gaveAccess(request) ? liveClusterGoneAt(request) : undefined;
}

/** The row of one request. */
export function requestRow(request: AccessRequest, now: Date): TabRow {
  const plan = request.plan;
  const how: PullHow = plan.kind === 'grant' ? 'acrbot-role' : 'pull-secret';
  const howText =
    plan.kind === 'grant'
      ? `${plan.role.name} role on the registry by acrbot`
      : `pull secret ${plan.secretName} in ${plan.namespace} (${plan.credentialKind === 'token' ? 'ACR token' : 'service principal'})`;
  // A break-glass run's only "approval" is its requester's, made so it ran at once: nobody approved it.
  const breakGlass = breakGlassOf(request);
  const approvers = breakGlass ? [] : (request.approvals ?? []).map((a) => person(a.by));
  if (approvers.length === 0 && request.decision?.approved && !breakGlass) approvers.push(person(request.decision.by));
  const state = pullState(request, now);
  const effect = pendingExtensionEffect(request);
  const quorum = approvalsSoFar(request);
  const goneAt = clusterGoneSince(request);
  const driftBadge = liveDriftKind(request);
  // Which overlay its badge shows (live-badge.ts), from its state and its cluster gone: the page
  // draws the one the row carries (web/src/format.ts shownState).
  const shows = liveBadgeKind({
    beingRevoked: state === 'revoking',
    drift: state === 'drifted',
    expired: state === 'expired',
    clusterGone: goneAt !== undefined,
  });
  return {
    key: request.id,
    requestId: request.id,
    kind: plan.kind,
    how,
    howText,
    requestState: request.state,
    state,
    cluster: { id: plan.cluster.id, name: plan.cluster.name, subscriptionId: plan.cluster.subscriptionId },
    registry: { id: plan.registry.id, name: plan.registry.name, loginServer: plan.registry.loginServer },
    requester: person(request.requester),
    reason: request.reason,
    createdAt: request.createdAt,
    expiresAt: gaveAccess(request) ? accessEnd(request) : undefined,
    ...(gaveAccess(request) &&
      endsWithCredential(request) && {
        credentialEnds: true,
        ...(!request.access?.permanent && request.access?.expiresAt && { termEndsAt: request.access.expiresAt }),
      }),
    ...(isBeingRevoked(request) && { revokingSince: request.access.revokingSince }),
    ...(state === 'drifted' &&
      request.access?.driftDetectedAt && {
        driftReason: recordedDriftText(request.access.driftReason),
      }),
    // The cards' badge (live-drift.ts): never while a revocation is under way (`revoking` then).
    ...(shows === 'drift' && driftBadge && { driftBadge }),
    ...(request.state === 'revoked' && request.access?.revokedAt && { endedAt: request.access.revokedAt }),
    // Its cluster deleted (drift-detector.ts): the drawer's Notes say it gives nothing, as its card
    // does, and its badge and list line say so too (web/src/format.ts clusterGoneLine).
    ...(goneAt && {
      notes: [clusterGoneSinceWords(plan.cluster.name, goneAt)],
      // Past its end and waiting for the end job, it reads Expired: that says it gives nothing.
      ...(shows === 'clusterGone' && { clusterGoneAt: goneAt }),
    }),
    ...(request.extendsRequestId && { extendsRequestId: request.extendsRequestId }),
    // The card's "Closed" rule, shared, and why in `status`'s words: the page cannot read the request.
    ...(closedWithItsAccess(request) && { closedWithItsAccess: true as const, closedWhy: closedWhy(request) }),
    ...(effect && {
      extendsEndsAt: effect.endsAt,
      ...(effect.wouldEnd && { wouldEnd: effect.wouldEnd }),
      ...(effect.extendedBefore && { extendedBefore: effect.extendedBefore }),
    }),
    ...(state === 'extended' && request.access?.expiresAt && { extendedUntil: request.access.expiresAt }),
    ...(request.access?.extendedBy?.length && { extendedBy: [...request.access.extendedBy] }),
    ...(request.state === 'pending' && termAsked(request) && { termAsked: termAsked(request) }),
    ...(request.state === 'pending' && { decideBy: request.expiresAt }),
    ...(quorum && { approvalsSoFar: quorum }),
    decidedBy: request.decision && !breakGlass ? person(request.decision.by) : undefined,
    approvers,
    ...(breakGlass && { breakGlass }),
  };
}

/** Entries whose `correlationIds` are a cluster's `Audit-Id`s, not Azure request ids. */
const CLUSTER_ACTIONS: ReadonlySet<string> = new Set(['access.revoke.secret', 'access.revoke.serviceAccount']);

/**
 * The history of one request as `reader` may read it; audit entries are the request's own
 * (already chained and bounded), listed as {@link historyEntries} says. A requester (`own`) is
 * told who approved and when, not each approver's comment: their card quotes the decision's
 * comment only (request-view.ts), which `decision` carries. `reviewers`: the rule whose approvers
 * review an owed break-glass review now (RequestService.ruleOf), for its row to say when nobody
 * can ({@link nobodyReviewsText}); pure, from the policy in memory, no directory read.
 * `readerOfOtherTenant`: the reader is of another tenant than acrbot's own (own-tenant.ts
 * `isOtherTenant`), refused any request, so a failed run's stored error is given as chat's
 * `status R-…` gives it them ({@link outcomeFor}).
 */
export function requestHistory(
  request: AccessRequest,
  entries: readonly AuditEntry[],
  now: Date,
  reader: HistoryReader = 'all',
  reviewers?: PolicyRule,
  readerOfOtherTenant = false,
): TabHistory {
  const audit = historyEntries(request, entries, reader);
  const ids = new Set<string>(request.outcome?.azureRequestIds ?? []);
  // Azure's (ARM's, Graph's) ids only: a pull secret's entries carry the cluster API server's
  // Audit-Id, found in the cluster's audit log, not in Azure's Activity Log the line points to.
  for (const e of audit) if (!CLUSTER_ACTIONS.has(e.action)) for (const c of e.correlationIds ?? []) ids.add(c);
  const row = requestRow(request, now);
  // An owed review nobody can do as the policy stands: said where the review is, as the daily report says it.
  const nobody = nobodyReviewsText(request, reviewers);
  if (nobody && row.breakGlass) row.breakGlass = { ...row.breakGlass, nobodyReviews: nobody };
  // A break-glass run's decision and approval are its requester's own: the row says who started
  // it and where its review stands, never that they approved it.
  const decided = row.breakGlass ? undefined : request.decision;
  return {
    row,
    decision: decided
      ? {
          by: person(decided.by),
          at: decided.at,
          approved: decided.approved,
          reason: decided.reason,
        }
      : undefined,
    approvals: row.breakGlass
      ? []
      : (request.approvals ?? []).map((a) => ({
          by: person(a.by),
          at: a.at,
          ...(reader === 'all' && { reason: a.reason }),
        })),
    outcome: outcomeFor(request, readerOfOtherTenant),
    ended:
      request.state === 'revoked' && request.access?.revokedAt
        ? {
            at: request.access.revokedAt,
            by: request.access.revokedBy ? person(request.access.revokedBy) : undefined,
            reason: request.access.revokeReason,
          }
        : undefined,
    azureRequestIds: [...ids],
    audit: audit.map((e) => ({
      seq: e.seq,
      ts: e.ts,
      actor: person(e.actor),
      action: e.action,
      outcome: e.outcome,
      detail: e.detail,
      correlationIds: [...(e.correlationIds ?? [])],
    })),
  };
}

/**
 * A request's outcome as the drawer shows it (its error, else its summary). To a reader of another
 * tenant than acrbot's own the error is not given as stored: it may name a `grant`, `secret` or
 * `extend` command to ask again ("Meanwhile a pull secret ("@acrbot secret …") …", a drift's
 * "Ask for the access again with "@acrbot grant …""), each refused to them when made. They get
 * it as chat's `status R-…` card gives it to them (other-tenant-error.ts): without the sentences
 * naming such a command, then why asking again would be refused and the way on. Filtered here,
 * not in the page: the words they would be refused never reach their browser.
 */
function outcomeFor(request: AccessRequest, readerOfOtherTenant: boolean): TabHistory['outcome'] {
  const outcome = request.outcome;
  if (!outcome) return undefined;
  const error =
    outcome.error !== undefined && readerOfOtherTenant ? otherTenantFailedText(outcome.error) : outcome.error;
  return { summary: outcome.summary, error };
}

const SCOPE_WORDS = {
  registry: 'on the registry',
  resourceGroup: 'on its resource group',
  subscription: 'on its subscription',
  managementGroup: 'on a management group',
} as const;

/**
 * One row per way of pulling (and per acrbot request behind it) in the inventory's matrix.
 *
 * `shows(requestId)` says whether the caller may see that acrbot request (its tenant): the
 * inventory reads Azure and the whole store, so it names every tenant's requests. A request the
 * caller may not see contributes nothing of its own: its pull secret or ended grant is left out,
 * and a role assignment made only for such requests is shown as the Azure fact it is ("by
 * acrbot", active) with no request id, requester, approver or end.
 *
 * A role assignment that acrbot made for another cluster pulling with the same identity is that
 * request's row in this cluster's cell too (G15): by acrbot, with the request and its end, and a
 * note naming the cluster it was granted for, never "granted outside acrbot" with no end. It
 * carries the request's id, so the API marks its Revoke and Extend by that request's own rules.
 */
export function matrixRows(matrix: AccessMatrix, shows: (requestId: string) => boolean = () => true): TabRow[] {
  const rows: TabRow[] = [];
  for (const cell of matrix.cells) {
    const base = {
      cluster: { id: cell.cluster.id, name: cell.cluster.name, subscriptionId: cell.cluster.subscriptionId },
      registry: { id: cell.registry.id, name: cell.registry.name, loginServer: cell.registry.loginServer },
      approvers: [] as TabPerson[],
    };
    // One assignment is a way of pulling in every cell it covers (a resource-group or subscription
    // scope, a group or an identity clusters share), and the page keeps one row per key.
    const place = `${cell.cluster.id.toLowerCase()}|${cell.registry.id.toLowerCase()}`;
    const admin = cell.adminUser;
    // What the registry's network says of every way in this cell, in `check`'s and `access`'s
    // words (registry-reach.ts): none pulls when nothing reaches the registry, and with
    // anonymous pull the cluster pulls whatever its rows say.
    const cellNotes = [
      ...(cell.unreachable ? [`does not pull: ${cell.unreachable}`] : []),
      // The network lets the cluster in only on a condition acrbot cannot see: its pull hangs on it.
      ...(cell.canPull && cell.networkCondition
        ? [`pulls only if the cluster's network gets through: ${cell.networkCondition}`]
        : []),
      ...(cell.anonymousPull ? [cell.anonymousPull] : []),
      // Its password pulls whatever the rows say: `check`'s sentence (registry-reach.ts).
      ...(admin ? [admin] : []),
    ];
    for (const listed of cell.paths) {
      const path = madeAgainShown(listed, shows);
      const refs = refsOf(path, place).filter(({ ref }) => !ref || shows(ref.requestId));
      if (refs.length === 0 && path.kind === 'roleAssignment') {
        // Every request behind it is hidden, but the assignment itself is in Azure and pulls.
        rows.push({
          ...base,
          key: `${path.assignmentId}|${place}`,
          kind: 'grant',
          how: 'acrbot-role',
          howText: pathText(path),
          state: 'active',
          notes: [...(pathNotes(path) ?? []), 'for a request of another tenant', ...cellNotes],
        });
        continue;
      }
      for (const { ref, key } of refs) {
        const notes = [
          ...(pathNotes(path) ?? []),
          ...(ref?.clusterName ? [sharedNote(ref.clusterName)] : []),
          ...cellNotes,
        ];
        // An ended grant's own state says what Azure shows now (drifted when it is gone but the
        // record is live); a revocation under way says how it ends, over a drift too (live-badge.ts,
        // as the cards and the request's own row say).
        const own: PullState = path.kind === 'endedGrant' ? tabState(path.state) : (ref?.state ?? tabState(path.state));
        const ending = liveBadgeKind({ beingRevoked: Boolean(ref?.revokingSince), drift: own === 'drifted' });
        const state: PullState = ending === 'beingRevoked' ? 'revoking' : own;
        const drift = state === 'drifted' ? driftText(path, ref) : undefined;
        // Granted moments ago and only missing from a listing that may lag: not "removed" (as `check` says).
        const unlisted = state === 'drifted' && notListedYetPath(path);
        const badge = state === 'drifted' && !unlisted ? driftBadgeOf(path, ref) : undefined;
        rows.push({
          ...base,
          key,
          requestId: ref?.requestId,
          kind: path.kind === 'pullSecret' ? 'secret' : ref ? 'grant' : 'outside',
          how: path.kind === 'pullSecret' ? 'pull-secret' : ref ? 'acrbot-role' : unrecordedHow(path),
          howText: ref?.clusterName ? `${pathText(path)} for cluster ${ref.clusterName}` : pathText(path),
          state,
          requester: ref ? { objectId: ref.requesterId, name: ref.requesterName } : undefined,
          expiresAt: ref?.expiresAt,
          ...(ref?.credentialExpiresAt && { credentialEnds: true }),
          ...(ref?.revokingSince && { revokingSince: ref.revokingSince }),
          ...(ref?.revokedAt && { endedAt: ref.revokedAt }),
          decidedBy: ref?.approvedBy ? { name: ref.approvedBy } : undefined,
          notes: notes.length ? notes : undefined,
          ...(drift && { driftReason: drift }),
          ...(unlisted && { notListedYet: true as const }),
          ...(badge && { driftBadge: badge }),
          ...(!ref && madeAgainFields(path)),
        });
      }
    }
  }
  return rows;
}

/**
 * `path` as a reader who sees only the requests `shows` accepts may read it: an assignment under
 * acrbot's name made again after acrbot's grants there ended names only the reader's own of
 * them (tenant-boundary.ts `cellsShown` narrows the same way), and, with none left, reads as any
 * assignment under acrbot's name with no record. Any other path is returned as it is.
 */
function madeAgainShown(path: PullPath, shows: (requestId: string) => boolean): PullPath {
  if (path.kind !== 'roleAssignment' || path.origin !== 'acrbotNamed' || !path.endedRequestIds) return path;
  const ended = path.endedRequestIds.filter(shows);
  if (ended.length === path.endedRequestIds.length) return path;
  const { endedRequestIds: _hidden, createdOn, ...rest } = path;
  return ended.length ? { ...rest, endedRequestIds: ended, createdOn } : rest;
}

/** The row fields the page words an assignment made again under acrbot's name by (web/src/format.ts). */
function madeAgainFields(path: PullPath): Pick<TabRow, 'endedRequestIds' | 'createdOn'> | undefined {
  if (path.kind !== 'roleAssignment' || path.origin !== 'acrbotNamed') return undefined;
  const { endedRequestIds, createdOn } = path;
  return endedRequestIds?.length && createdOn ? { endedRequestIds: [...endedRequestIds], createdOn } : undefined;
}

/**
 * The tab's state for a way of pulling. The tab has no state for "cannot be checked"
 * (`unverified`): it is shown as drifted — needs attention, still revocable, never active — and
 * its note says why.
 */
function tabState(state: AccessState): PullState {
  return state === 'unverified' ? 'drifted' : state;
}

/**
 * Why a matrix row reads drifted (drift-text.ts): the reason the drift check recorded on its
 * request, else what the inventory saw (no assignment for a live grant, or a grant it cannot
 * check); undefined for a role assignment with no recorded drift (Azure shows it as it is). A
 * grant Azure's listing lacks within the listing-lag grace is not "not found": it is not listed
 * yet, in `check`'s and the access card's words (pull-diagnosis.ts `notListedYetText`).
 */
function driftText(path: PullPath, ref: AcrbotRequestRef | undefined): string | undefined {
  if (ref?.driftDetectedAt) return recordedDriftText(ref.driftReason);
  if (path.kind !== 'endedGrant') return undefined;
  if (notListedYetPath(path)) return notListedYetText(path.request.grantedAt);
  return path.state === 'unverified' ? DRIFT_UNVERIFIED : DRIFT_NOT_FOUND;
}

/**
 * What a drifted matrix row is badged, as `access` badges it (live-drift.ts): by the drift the
 * drift check recorded on its request; a grant the inventory cannot check "Cannot be checked";
 * else (no assignment found for a live grant, not recorded yet) removed.
 */
function driftBadgeOf(path: PullPath, ref: AcrbotRequestRef | undefined): TabRow['driftBadge'] {
  if (ref?.driftDetectedAt) return driftKind(ref.driftReason);
  return path.kind === 'endedGrant' && path.state === 'unverified' ? 'unverified' : 'removed';
}

/**
 * The requests behind a way of pulling, each with its row's key: unique in the whole matrix, as
 * a request is in its own pair's cell only, and an assignment without one is keyed by its cell too.
 * A grant for another cluster sharing this one's identity (`sharedRequests`) is also in that
 * cluster's cell, under its own key there, so here its key names this cell as well.
 */
function refsOf(path: PullPath, place: string): Array<{ ref?: AcrbotRequestRef; key: string }> {
  if (path.kind === 'roleAssignment') {
    const own = path.requests.map((ref) => ({ ref, key: `${ref.requestId}|${path.assignmentId}` }));
    const shared = (path.sharedRequests ?? []).map((ref) => ({
      ref,
      key: `${ref.requestId}|${path.assignmentId}|${place}`,
    }));
    if (own.length + shared.length === 0) return [{ key: `${path.assignmentId}|${place}` }];
    return [...own, ...shared];
  }
  return [{ ref: path.request, key: `${path.request.requestId}|${path.kind}` }];
}

/** How an assignment's origin reads after its role and scope. */
const ORIGIN_WORDS: Record<RoleAssignmentOrigin, string> = {
  acrbot: ' by acrbot',
  acrbotNamed: `, ${ACRBOT_NAMED_TEXT}`,
  outside: ', granted outside acrbot',
};

/**
 * The `how` of a role assignment without a request: named as acrbot names its grants but with
 * no record here (a hint only: nothing is offered on it, as on one made outside acrbot), else
 * outside acrbot.
 */
function unrecordedHow(path: PullPath): PullHow {
  return path.kind === 'roleAssignment' && path.origin === 'acrbotNamed' ? 'acrbot-named-role' : 'outside-role';
}

/**
 * How a role assignment's origin reads after its role and scope. One made outside acrbot says
 * when and by whom, as Azure's listing does (outside-grant.ts): the list, the drawer, the search
 * and the CSV's `detail` column all read it from `howText`.
 */
function originWords(path: Extract<PullPath, { kind: 'roleAssignment' }>): string {
  if (path.origin === 'acrbotNamed') return `, ${acrbotNamedText(path)}`;
  if (path.origin === 'outside') return `, ${outsideGrantText(path)}`;
  return ORIGIN_WORDS[path.origin];
}

function pathText(path: PullPath): string {
  switch (path.kind) {
    case 'roleAssignment':
      return `${path.roleName} role ${SCOPE_WORDS[path.scopeLevel]}${originWords(path)}`;
    case 'pullSecret':
      return `pull secret ${path.secretName} in ${path.namespace} (${path.credentialKind === 'token' ? 'ACR token' : 'service principal'})`;
    case 'endedGrant':
      // The access card's label, after a comma ("not in Azure's listing yet"): not removed.
      if (notListedYetPath(path)) return `${path.roleName} role by acrbot, ${NOT_LISTED_YET_WORDS}`;
      return path.state === 'drifted'
        ? `${path.roleName} role by acrbot, removed in Azure outside acrbot`
        : path.state === 'unverified'
          ? `${path.roleName} role by acrbot, not checked: the cluster's pull identity is unknown`
          : `${path.roleName} role by acrbot (ended)`;
  }
}

/**
 * Why a cluster pulls through a grant made for another one: they share the identity the role is
 * assigned to, and the assignment goes when that grant ends (its Revoke and Extend are that
 * request's, offered only to whoever may act on it; a grant of this cluster's own outlasts it).
 */
function sharedNote(clusterName: string): string {
  return `granted for cluster ${clusterName}, which pulls with the same identity: this cluster loses it when that grant ends`;
}

function pathNotes(path: PullPath): string[] | undefined {
  if (path.kind === 'endedGrant' && path.unverifiedBecause)
    return [`acrbot cannot tell whether it still gives pull: ${path.unverifiedBecause}`];
  if (path.kind !== 'roleAssignment') return undefined;
  const notes: string[] = [];
  if (path.viaGroupId) notes.push(`through group ${path.viaGroupId}`);
  if (path.conditional) notes.push('with an ABAC condition (some repositories only)');
  if (!path.honoured) notes.push("not honoured: the registry's role assignment mode ignores this role");
  return notes.length ? notes : undefined;
}
