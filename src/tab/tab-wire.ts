/**
 * The tab API's JSON, as the server sends it and the page reads it: the one definition both
 * compile against (web/src/types.ts names these), so a field renamed or dropped on one side
 * fails the other's type check instead of showing an empty cell. Types only: nothing here runs,
 * and nothing of the server is bundled into the page.
 */
import type { DriftKind } from '../domain/live-drift';
import type { RequestState } from '../domain/request';

/**
 * How a cluster pulls from a registry. `acrbot-named-role`: a role assignment under the name
 * acrbot gives its grants that no record in this store refers to (a store switched or
 * restored, or made again after acrbot's grant there ended: `endedRequestIds`): a hint, never
 * proof, so it is shown, and acted on, as `outside-role` is.
 */
export type PullHow = 'acrbot-role' | 'acrbot-named-role' | 'outside-role' | 'pull-secret';

/** The state of one way of pulling, as the matrix colours it. */
export type PullState =
  | 'pending'
  | 'revoking'
  | 'active'
  | 'expiring'
  | 'expired'
  | 'revoked'
  | 'drifted'
  | 'failed'
  | 'rejected'
  | 'cancelled'
  /** An extension that did its work: it moved its original's end (the original carries the access). */
  | 'extended'
  /** Expired without a decision (or closed with the access it extends: `closedWithItsAccess`). */
  | 'closed';

/** A person, as shown. */
export interface TabPerson {
  objectId: string;
  name: string;
}

/** One request (or one way a cluster pulls) as a row of the tab. */
export interface TabRow {
  /**
   * The row's own key, unique in the answer (the page keeps one row per key): the request id, or
   * for a way of pulling, its request's or its assignment's and cell's.
   */
  key: string;
  requestId?: string;
  kind: 'grant' | 'secret' | 'outside';
  how: PullHow;
  /** Words for `how`, e.g. "AcrPull role by acrbot" or "pull secret in payments". */
  howText: string;
  requestState?: RequestState;
  state: PullState;
  cluster: { id: string; name: string; subscriptionId: string };
  registry: { id: string; name: string; loginServer?: string };
  requester?: TabPerson;
  reason?: string;
  createdAt?: string;
  /** When the access ends (grant term or secret credential expiry). */
  expiresAt?: string;
  /**
   * `expiresAt` is a pull secret's credential expiry, before its term ends (or a permanent
   * one's): nothing renews it, and once passed pulls with the secret fail while the request
   * stays active (extending it rotates a new credential in).
   */
  credentialEnds?: boolean;
  /**
   * With `credentialEnds`: when the access term itself ends (absent when permanent). An
   * extension must end after it, whatever the credential's expiry (request-creation.ts).
   */
  termEndsAt?: string;
  /** Set once a revocation began deleting: the access is ending now, whatever `expiresAt` says. */
  revokingSince?: string;
  /** When acrbot ended the access (revoked, or revoked at its end). */
  endedAt?: string;
  /** Who approved (the deciding approver); the history lists every approval. Never a break-glass run's requester. */
  decidedBy?: { name: string; objectId?: string };
  /** Who approved it. Empty for a break-glass run: its requester ran it without approval ({@link breakGlass}). */
  approvers: TabPerson[];
  /** A break-glass run: started by its requester without approval, and where its review stands. */
  breakGlass?: TabBreakGlass;
  /** Role assignment facts for rows from Azure: scope level, via a group, ABAC condition, not honoured. */
  notes?: string[];
  /**
   * With how `acrbot-named-role` only: the caller's own acrbot grants (never another tenant's,
   * tenant-boundary.ts) that recorded this assignment's id but whose access ended before Azure
   * made it, the one that ended last last; the assignment was made again under acrbot's name
   * since (acrbotNamedText in src/domain/acrbot-named.ts). Absent when none of them is shown.
   */
  endedRequestIds?: string[];
  /** With `endedRequestIds`: when Azure made the assignment (its `createdOn`). */
  createdOn?: string;
  /**
   * With state `drifted`: why, in a few neutral words (src/tab/drift-text.ts), e.g. "role
   * assignment deleted outside acrbot". Plain text, shown as text.
   */
  driftReason?: string;
  /**
   * With state `drifted` (never while a revocation is under way: that is `revoking`): what its
   * badge says, by the cards' rule (src/domain/live-drift.ts): `removed` "Removed outside acrbot",
   * `noLongerPulls` "No longer gives pull" (its role assignment is still there), `unverified`
   * "Cannot be checked" (a live grant on a cluster whose pull identity acrbot cannot determine, as
   * `access` badges it). The page's State filter offers each as its own value. Absent on a row
   * only missing from a listing that may lag (`notListedYet`).
   */
  driftBadge?: DriftKind | 'unverified';
  /**
   * With state `drifted`, on a matrix row only: a grant made less than 15 minutes ago that Azure's
   * listing of role assignments does not show yet (src/domain/listing-lag.ts `notListedYetPath`), not
   * one removed: `driftReason` says so in `check`'s and the access card's words, and the page
   * labels it as they do (NOT_LISTED_YET_LABEL), a warning, and its State filter offers it so.
   * Still drifted for actions and the CSV's `state`.
   */
  notListedYet?: true;
  /**
   * On a request's row (My access) with state `active` or `expiring` only (never drifted, being
   * revoked or ended): when the drift check read its cluster gone (`access.clusterGoneAt`,
   * src/domain/cluster-gone.ts), so the grant gives nothing and cannot be extended. The page
   * badges it "Cluster gone" in Drifted's colours and says so in its list line, as it does a
   * drift (web/src/format.ts `shownState`); the state stays as its end says, for actions (Revoke
   * still ends it). The matrix's rows carry none: a deleted cluster is not in ARM's listing, so it
   * has no row there.
   */
  clusterGoneAt?: string;
  /**
   * On a live request's row: its requester is of another served tenant than acrbot's own
   * (ACRBOT_ALLOWED_TENANTS, src/domain/own-tenant.ts), a grant an earlier release made. Any
   * request of theirs is refused, extensions too, so `canExtend` is never set and the drawer says
   * why instead of offering Extend (or `extend` in chat), as their expiry reminder does.
   */
  otherTenant?: true;
  /** The user may extend / revoke it (decided by the API per caller). */
  canExtend?: boolean;
  canRevoke?: boolean;
  /**
   * With `canExtend`, in a request's history (the drawer) only: the shortest and longest term an
   * extension may run with, in ms (longer is refused or cut), by the rule that fits the tags now.
   */
  extendRange?: { minMs: number; maxMs: number };
  /** While it waits for a decision: the term asked for ("30 days", "permanent"). */
  termAsked?: string;
  /**
   * While it waits for a decision (request state `pending`): when it expires undecided, the
   * request card's "Decide by" (src/views/request-view.ts). Not when its access would end
   * (`expiresAt`, set only once access was given). It may have passed while the request still
   * reads pending, until the expiry job ends it: the tab then says it is too late to decide.
   */
  decideBy?: string;
  /**
   * While it waits for a decision (request state `pending`) under a rule needing more than one
   * approval: how many distinct approvals count so far (countedApprovals) and how many it needs,
   * the request card's "1 of 2 so far" (describeRequirement in src/domain/policy.ts). Shown by
   * its approvals row and its drawer alike (web/src/approval-text.ts `approvalsFact`).
   */
  approvalsSoFar?: { count: number; required: number };
  /** For an extension: the request whose access it extends. */
  extendsRequestId?: string;
  /**
   * With state `closed`: an extension acrbot closed without a decision because the access it
   * extends ended, was revoked or drifted, or its cluster was read gone, first
   * (src/domain/closed-extension.ts), maybe days before
   * its deadline. The page labels it "Closed", as its card, `status`'s list and the audit channel's
   * card do: not "Expired", which would say its approvers ran out of time.
   */
  closedWithItsAccess?: true;
  /**
   * With `closedWithItsAccess`: why, in `status`'s and its card's words (describeState in
   * src/domain/request.ts), e.g. "Closed without a decision: the access it extends (R-…) ended",
   * or "… was removed or changed outside acrbot, or no longer serves" when it drifted. Plain text,
   * shown as text: the drawer's "Outcome".
   */
  closedWhy?: string;
  /**
   * For a pending extension filed since this was recorded: its original's end as recorded when it
   * was filed, the request card's "Now ends" (src/domain/pending-extension.ts). With `wouldEnd` and
   * `extendedBefore`, shown by its drawer and, in short, its approvals row (web/src/approval-text.ts).
   */
  extendsEndsAt?: string;
  /**
   * With `extendsEndsAt`, when approving adds time: the card's "Would end" words, e.g. "at least
   * 1 hour later (7 days after approval)". Absent for a permanent one.
   */
  wouldEnd?: string;
  /** With `extendsEndsAt`, when extensions moved the original's end before: the card's "Extended before", e.g. "2 times". */
  extendedBefore?: string;
  /** For a granted extension (`extended`): the end it moved its original's access to. */
  extendedUntil?: string;
  /** For a request whose end extensions moved: those extensions, oldest first. */
  extendedBy?: string[];
  /** The caller's extension of it that waits for approval (or runs): no second one is offered. */
  extensionWaiting?: string;
  /**
   * The caller approves under this request's own rule (`isApproverOf`, never its requester), so
   * chat's `pending R-…` answers them, with Approve and Reject while it waits or its review is
   * owed; an approver of another rule only (the tab shows them everything) is refused there.
   * Set on the approvals rows of My access and on the drawer's row.
   */
  mayDecide?: true;
  /** With `extensionWaiting`, on the drawer's row: the caller approves under that extension's rule ({@link mayDecide}). */
  decidesExtension?: true;
}

/**
 * A break-glass request: its requester "approved" it only so it ran at once (chat says it "ran
 * without approval" and never names its requester as approver), and an approver reviews it
 * afterwards (domain/policy.ts).
 */
export interface TabBreakGlass {
  /** Who started it (its requester) and when. */
  by: TabPerson;
  at: string;
  /**
   * The request card's Approval line (describeRequirement): a review owed, none owed (a run that
   * failed granted nothing), or the review's verdict ("kept", or "its use accepted" once the
   * access had ended).
   */
  approval: string;
  /** While an approver still owes its review (awaitingReview; never for a failed run): by when. */
  reviewDueAt?: string;
  /** With `reviewDueAt`: its access ended already, so the review judges only the use and revokes nothing. */
  reviewJudgesUseOnly?: boolean;
  /**
   * With `reviewDueAt`, in a request's history (the drawer) only: nobody can review it as the
   * policy in force stands (src/domain/decided-rule.ts `nobodyReviews`: its rule names only its
   * requester, or no rule covers the pair and the policy names none of its rule's approvers but
   * them), in the daily report's words, with how to mend it. Judged from the policy alone: an
   * approver disabled or deleted in the directory is not looked up (the nudges read Graph for that).
   * The page then shows its own Approval line, not `approval` ("… must review it" would contradict it).
   */
  nobodyReviews?: string;
  /** The reviewer's comment, once reviewed. */
  reviewReason?: string;
}

/** A request's history for the cell drawer. */
export interface TabHistory {
  row: TabRow;
  /** The approvers' decision; absent for a break-glass run (its requester's, see `row.breakGlass`). */
  decision?: { by: TabPerson; at: string; approved: boolean; reason?: string };
  /** Each approval; empty for a break-glass run. Its comment for approvers and auditors only. */
  approvals: Array<{ by: TabPerson; at: string; reason?: string }>;
  outcome?: { summary: string; error?: string };
  /** How its access ended: who revoked it and why (no one named: acrbot, at its end). */
  ended?: { at: string; by?: TabPerson; reason?: string };
  azureRequestIds: string[];
  /** The request's trail, of its tenant only; for a requester, cut to what their cards tell (history-entries.ts). */
  audit: Array<{
    seq: number;
    ts: string;
    actor: TabPerson;
    action: string;
    outcome: string;
    detail?: string;
    correlationIds: string[];
  }>;
}

/**
 * What the drawer's Revoke would delete and keep (`GET /api/tab/requests/:id/revoke-preview`):
 * chat's `revoke R-…` card in text (flows/revocation-preview.ts, tab/revoke-preview.ts), and the
 * fingerprint the confirming POST sends back. Also the `preview` of a 409 `revoke.changed`.
 */
export interface TabRevokePreview {
  /** The request the revoke ends: the one asked, or the original an extension asked belongs to. */
  requestId: string;
  /** Said first when the id asked is an extension: revoking ends its original's access. */
  extensionNote?: string;
  /** Each step, in chat's words: "Delete …", or "Keep …: why". */
  lines: string[];
  /** revocationFingerprint of the request and its steps (domain/revocation-fingerprint.ts). */
  fingerprint: string;
}

/** A cluster as an axis of the matrix. */
export type TabCluster = TabRow['cluster'];

/** A registry as an axis of the matrix. */
export type TabRegistry = TabRow['registry'];

/** `GET /api/tab/me`: who the caller is, what they see and may do. */
export interface TabMe {
  user: TabPerson & { tenantId: string };
  roles: { approver: boolean; auditor: boolean };
  sees: 'all' | 'own';
  actions: { extend: boolean; revoke: boolean };
  /** The operators' pause of new access in force (null when open); its reason for approvers and auditors only. */
  paused: { since: string; by: string; reason?: string } | null;
  /** The pause could not be read for this answer (the server logged why under this id). */
  pauseUnreadable?: { correlationId: string };
  botAppId: string;
  now: string;
}

/** `GET /api/tab/my-access`: the caller's requests, their live access, approvals asked of them. */
export interface TabMyAccess {
  requests: TabRow[];
  grants: TabRow[];
  /**
   * What waits for the caller as an approver of its rule, never their own: break-glass runs whose
   * review they owe first (`breakGlass.reviewDueAt` set), oldest first, then pending requests,
   * the one whose time to decide runs out first (`decideBy`) first.
   */
  approvals: TabRow[];
  /**
   * More requests wait for approvers (or reviews) than one read takes (WAITING_SCAN_LIMIT): only
   * the oldest were read, so some asked of the caller may be missing from `approvals`.
   */
  waitingBoundReached?: true;
}

/** The whole matrix, as the page assembles it from its pages. */
export interface TabMatrix {
  clusters: TabCluster[];
  registries: TabRegistry[];
  rows: TabRow[];
  /** Clusters whose pulling identity could not be determined (they are not in the matrix). */
  unresolvedClusters: Array<{ name: string; problem: string }>;
  /** acrbot read its records only in part: what may be missing (first page only). */
  incomplete?: string;
  /** The snapshot's name: a digest of what the whole answer shows, not a time (compare for equality only). */
  generatedAt: string;
}

/**
 * `GET /api/tab/matrix?offset=&limit=`: one page. The axes, the unresolved clusters and
 * `incomplete` come with the first page only (later pages carry empty axes).
 */
export interface TabMatrixPage extends TabMatrix {
  /** Rows of the whole matrix. */
  total: number;
  offset: number;
  /** Where the next page starts, while more follow. */
  nextOffset?: number;
}
