/**
 * Access requests and their state machine. A request is a record in the request store, not
 * dialog state; every transition is a conditional write on `version` (G8).
 */
import { UserFacingError } from './errors';
import type { DecidedBefore } from './decided-before';
import type { DriftReason } from './drift-reason';
import { originalLostAtExpiry } from './extension-deadline';
import type { Plan } from './plan';
import type { BoundRule } from './policy';

/** Request states. */
export type RequestState =
  | 'pending'
  | 'approved'
  | 'executing'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  /** Withdrawn by the requester before a decision. */
  | 'cancelled'
  /** Access that was granted has ended (expired and revoked, or revoked by someone). */
  | 'revoked';

/** Someone acting in Teams: identity always from `from.aadObjectId` (G3). */
export interface Actor {
  objectId: string;
  name: string;
}

/** acrbot itself, as the actor of what it does on its own (an end, a drift, a resumed run). */
export const ACRBOT_ACTOR: Actor = { objectId: 'acrbot', name: 'acrbot' };

/** Who is acting, in which tenant. */
export interface ActingContext {
  actor: Actor;
  tenantId: string;
}

/** What happened when the plan ran. */
export interface Outcome {
  summary: string;
  /** `x-ms-request-id`s (and Kubernetes request ids) of the writes. */
  azureRequestIds: string[];
  /** True when Azure already had the access (RoleAssignmentExists). */
  alreadyPresent?: boolean;
  /** Role assignment id, token id or application id created. */
  createdIds?: string[];
  /** Plain sentence with the fix, when failed. */
  error?: string;
  errorCode?: string;
  /**
   * Credential clean-up status for the secret flow (G14). `pending`: a failed run's credential is
   * still to delete; its clean-up job tries again. `refused`: a clean-up (that one, or on a
   * succeeded rotation the deletion of the replaced credential `retirement` names) was refused
   * because the stored reference is not one the request's own records vouch for (G15). It is
   * audited once, the outcome's text says an operator must find and delete the credential, and
   * nothing retries it: the start's sweep and the clean-up job skip it, as acrbot's records
   * cannot change to vouch for it later.
   */
  cleanup?: 'deleted' | 'pending' | 'refused' | 'none';
  /**
   * What to delete if clean-up is pending, or what a refused one named (kept for the operator);
   * see secret-credential.ts. Never a secret.
   */
  credentialRef?: string;
  /** Secret flow: what happened in the cluster. */
  secret?: {
    action: 'created' | 'replaced';
    /** This run added the secret to the plan's service account (it was not listed there). */
    serviceAccountPatched: boolean;
    /**
     * The service accounts whose `imagePullSecrets` entry for this secret object acrbot added:
     * by this run, or by the acrbot requests whose object (same uid) this one replaced. The
     * revocation that deletes the secret removes these entries, and no other (G15).
     */
    serviceAccounts?: string[];
    /**
     * What acrbot knows of each service account it linked the secret to, by name: the account's
     * `metadata.uid` when it was linked (the revocation takes the entry out of that object only:
     * one made again under the name holds someone else's entries, G15), and `unknown` for a link
     * whose patch got no clear answer (not in {@link serviceAccounts}: the entry may be there,
     * and the revocation takes it out if it is). Absent on outcomes recorded before it was kept.
     */
    serviceAccountLinks?: Record<string, { uid?: string; unknown?: boolean }>;
  };
  /**
   * Secret flow: the credential of the request whose secret this one replaced, which the run could
   * not delete (the replaced request and nothing else: its credential is rebuilt from that
   * request's records when the deletion is retried, G15). Kept on a succeeded outcome until the
   * request's clean-up job deleted it (credential-cleanup.ts), which then says so in `summary`.
   */
  retirement?: { requestId: string };
  /**
   * Secret flow: the request whose secret this run replaced, and what the run did with that
   * request's credential: `deleted`; `pending` (left to the request's clean-up job, `retirement`);
   * `none` (acrbot's records named none of that request's to delete, or it is this run's own);
   * `left` (the token under its name is not the one acrbot made, as Azure dates it: left in place
   * for an operator, audited `credential.cleanup` `notOurs`; older releases read it as not known).
   * Absent when it replaced none, and on outcomes stored before it was recorded (their `summary`
   * said "The credential it replaced was deleted." when it was).
   */
  retired?: { requestId: string; credential: 'deleted' | 'pending' | 'none' | 'left' };
}

/** An access request. */
export interface AccessRequest {
  id: string;
  /** Increments on every transition; cards carry it and stale clicks are told so. */
  version: number;
  state: RequestState;
  tenantId: string;
  requester: Actor;
  reason: string;
  plan: Plan;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  decision?: { by: Actor; at: string; approved: boolean; reason?: string };
  /**
   * Why its requester withdrew it, when they said (`cancel R-… REASON…`): shown beside
   * "Cancelled" on every copy of its card (the approvers' who were asked to decide it, the
   * requester's own). Absent without a reason, and on requests cancelled before reasons were kept.
   */
  cancelReason?: string;
  outcome?: Outcome;
  /** Where the request was made (conversation id), for replies. */
  origin: { conversationId: string; conversationType: string };
  sandbox: boolean;
  /** Teams activity id of the message that created it (redelivery, G16). */
  sourceActivityId?: string;
  /**
   * The access lifecycle (G17). Absent on requests made before time-boxing: they have no expiry
   * and the sweeper never revokes them.
   */
  access?: AccessTerm;
  /** For an extension request: the request whose access it extends. */
  extendsRequestId?: string;
  /**
   * For an extension: its original's access as found when the extension was filed, so its
   * approvers see how much longer approving keeps the access (its term counts from approval),
   * and so it stops waiting when that access ends (its `expiresAt` is then no later). Absent on
   * other requests, on extensions of access without an end, and on extensions filed before it
   * was recorded (their cards show only "Extends").
   */
  extendsAccess?: ExtendedAccess;
  /**
   * For an extension that expired without a decision: the access it extends had ended, or was
   * being revoked, when it expired (the close of pending extensions at that end, or its own
   * expiry finding it so). `extend` of that original is refused, so its requester is sent to a
   * new request instead (extension-deadline.ts, `closedWithOriginal`). Absent otherwise, and on
   * extensions expired before it was recorded.
   */
  originalEnded?: true;
  /**
   * For an extension that expired without a decision: the access it extends still ran but no
   * longer gave pull (drift: its role assignment removed or changed outside acrbot, or no longer
   * serving) when it expired. `extend` of that original is refused (drifted-access.ts), so its
   * requester is sent to a new grant instead (extension-deadline.ts, `originalLostAtExpiry`).
   */
  originalDrifted?: true;
  /**
   * For an extension that expired without a decision: when the drift check read the cluster of
   * the access it extends gone (that access's `access.clusterGoneAt`), which closed it (the drift
   * detector closes an original's pending extensions as it writes the note: approving one is
   * refused, approval.refused.clusterGone). Its requester is told why in the note's words
   * (cluster-gone.ts), never that approvers ran out of time (extension-deadline.ts,
   * `originalLostAtExpiry`).
   */
  originalClusterGoneAt?: string;
  /**
   * For an extension that expired without a decision at a wait cut to its original's end
   * (extension-deadline.ts): the access it extends still held as it expired, another extension
   * having moved that end since it was filed. `extend` of that original still works, so its
   * requester is asked again with it (extension-deadline.ts, `closedWithOriginal`).
   */
  originalWentOn?: true;
  /** The policy rule this request was created under (kept while pending, G18). */
  policy?: PolicyBinding;
  /** Every approval so far (quorum); `decision` holds the deciding one. */
  approvals?: Approval[];
  /**
   * Approvals a later click dropped from `approvals` as no longer counting (G5), stored with the
   * write that dropped them, so their `approval.discounted` entry can be written late when its
   * process stopped before it (approval-entry-net.ts). Absent on requests that never dropped one
   * and on those dropped before it was recorded.
   */
  discountedApprovals?: DiscountedApproval[];
  /**
   * What acrbot created for this request, recorded before/when created (G15): the only source
   * for replacing, revoking or cleaning up. Never a secret.
   */
  created?: CreatedObject[];
  /**
   * A run that stopped without finishing and is resumed (the executor's `RunInterrupted`): set
   * when it first stopped, kept while it waits, dropped when the request reaches a final state.
   * Every card says so, once; later resumes that stop the same way change nothing.
   */
  waiting?: RunWaiting;
  /**
   * A grant's earlier grants of the same pair (cluster, registry and identity) whose access was
   * removed or changed outside acrbot (drift `deleted` or `changed`) while they still ran, as
   * found when this request was filed (newest drift first, at most
   * {@link DRIFTED_BEFORE_RECORDED}): the registry's owners may have removed it on purpose, and
   * approving this one puts the access back, so its approvers are told. Absent when none was
   * found, on extensions, and on requests filed before it was recorded.
   */
  driftedBefore?: DriftedBefore[];
  /**
   * The pair's (cluster and registry, any kind, any namespace) earlier requests an approver
   * rejected, and its access a person revoked, within 30 days before this request was filed
   * (newest first, at most 3; domain/decided-before.ts): one rejection rejects a request, and
   * asking again makes another, so its approvers are told. Absent when none was found, on
   * extensions, and on requests filed before it was recorded (their cards show none).
   */
  decidedBefore?: DecidedBefore[];
  /**
   * A grant filed on acrbot's existing role assignment for its pair (overlap, G17): the live
   * acrbot grants of other requesters that already gave its cluster pull through it, or were being
   * granted it, when this request was filed (the longest first, at most
   * {@link PULLS_THROUGH_RECORDED}; pulls-through.ts). Approving keeps that one assignment until
   * this request's end too, so its approvers are told the cluster already pulls and until when.
   * On a pull secret: what already let its cluster's kubelet identity pull from the registry
   * when it was filed (the pair's live acrbot grants, then an assignment outside acrbot), so its
   * approvers see the secret is redundant for that kubelet (secret-planner.ts).
   * Absent when none held it, on extensions, and on requests filed before it was recorded (their
   * cards show none).
   */
  pullsThrough?: PullsThrough[];
}

/** The most grants a request records as already giving its pull ({@link AccessRequest.pullsThrough}). */
export const PULLS_THROUGH_RECORDED = 3;

/**
 * A live acrbot grant that held a new grant's role assignment when the new one was filed (or, for
 * a pull secret, one on its pair, or an assignment outside acrbot: `roleAssignmentId`). One of
 * another tenant's is recorded without its id, requester or end (tenant-boundary.ts: named only
 * as another tenant's request).
 */
export interface PullsThrough {
  /** Its id; absent for another tenant's. */
  requestId?: string;
  /** Its requester's display name (user text); absent for another tenant's. */
  requester?: string;
  /** When its access ends (accessEnd); absent when it has none, is being granted, or is another tenant's. */
  until?: string;
  /** Approved or running then: it holds the assignment once its run succeeds. */
  granting?: boolean;
  /**
   * A pull secret's only: a role assignment that let the kubelet identity pull, that no acrbot
   * record of the pair holds and that is not named as acrbot names its grants (made outside
   * acrbot, e.g. `az aks update --attach-acr`), by its ARM id; no request id, requester or end
   * then (flows/secret-already-pulls.ts).
   */
  roleAssignmentId?: string;
}

/** An extension's original access when the extension was filed ({@link AccessRequest.extendsAccess}). */
export interface ExtendedAccess {
  /** The original's `access.expiresAt` then: when its access would end without the extension. */
  endsAt: string;
  /** How many extensions had moved that end already (the original's `access.extendedBy`). */
  extendedTimes: number;
}

/** The most earlier drifted grants a request records ({@link AccessRequest.driftedBefore}). */
export const DRIFTED_BEFORE_RECORDED = 3;

/** An earlier grant of a request's pair whose access was removed or changed outside acrbot. */
export interface DriftedBefore {
  requestId: string;
  /** Its `access.driftDetectedAt`. */
  driftDetectedAt: string;
  driftReason: Extract<DriftReason, 'deleted' | 'changed'>;
}

/** Why a run is waiting, for the cards (never a secret). */
export interface RunWaiting {
  /** When the run first stopped. */
  since: string;
  /** One sentence for people: what it waits for, and what acrbot does meanwhile. */
  reason: string;
  /** The correlation id of the run's log lines. */
  reference: string;
}

/** How long access lasts. */
export interface AccessTerm {
  /** Requested duration in ms; undefined with `permanent`. */
  durationMs?: number;
  permanent?: boolean;
  /** Set when the access is granted (outcome time + duration). */
  expiresAt?: string;
  revokedAt?: string;
  revokedBy?: Actor;
  revokeReason?: string;
  /**
   * Set by a revocation before its first delete, and kept: from then on the access is ending
   * whatever the outcome of this attempt, so an extension refuses it and a retry finishes it
   * even if the end was moved meanwhile (G17).
   */
  revokingSince?: string;
  /**
   * Set by a grant's revocation that met its registry gone from the recorded id, once it has
   * scheduled the watch over the role assignment Azure kept there (flows/orphan-watch.ts): the
   * watch's last day. The only record that a watch runs: a revoked grant without it (revoked
   * normally, kept for another holder, or revoked before it was recorded) is watched by nothing.
   */
  orphanWatchUntil?: string;
  /** Set when the access was removed or changed outside acrbot. */
  driftDetectedAt?: string;
  /** Why (set with `driftDetectedAt`; absent on requests marked before reasons were recorded). */
  driftReason?: DriftReason;
  /**
   * How many drift marks came off this grant (the cluster's identity or the registry's mode put
   * back, its assignment intact: drift-detector.ts); absent while none did. Each mark and each
   * clearing has its own audit entry, keyed by it (drift-entry-net.ts `driftEntryKey`).
   */
  driftCleared?: number;
  /**
   * Set when the drift check read the grant's cluster and ARM answered that it no longer exists
   * (never on a read that failed): not drift (nothing was changed on the assignment), but the
   * cluster's kubelet identity went with it, so the grant gives nothing until its end, when acrbot
   * deletes its recorded assignment as for any grant. Comes off when a sweep reads a cluster of
   * that name again (drift-detector.ts); the usual drift check then judges the grant.
   */
  clusterGoneAt?: string;
  /** How many {@link clusterGoneAt} notes came off (a cluster of that name read again); absent while none did. */
  clusterGoneCleared?: number;
  /** Extension requests that moved `expiresAt`. */
  extendedBy?: string[];
  /**
   * A pull secret's live credential expiry once an extension rotated it (the extension's
   * `plan.expiresAt`): the original's own `plan.expiresAt` then names a deleted credential.
   * Recorded with each moved end; absent on a secret never extended (its plan's expiry is the
   * credential's) and on one extended before acrbot recorded it (then unknown).
   */
  credentialExpiresAt?: string;
}

/** The policy rule a request is bound to. */
export interface PolicyBinding {
  ruleId: string;
  policyHash: string;
  approvalsRequired: number;
  autoApproved?: boolean;
  breakGlass?: boolean;
  /**
   * The rule as it was when the request was created: who may approve, channel, reminders. A
   * pending request keeps it across policy reloads and restarts (G18).
   */
  rule?: BoundRule;
  /** Break-glass: the review an approver owes within 24 h. */
  review?: {
    dueAt: string;
    outcome?: 'accepted' | 'rejected';
    by?: Actor;
    at?: string;
    reason?: string;
    /**
     * The review was made once the access had ended (revoked before it): it judged only the use,
     * and revoked nothing. Kept so a grant kept or rejected while it held access still reads
     * "kept"/"rejected" after it ends.
     */
    useOnly?: boolean;
  };
  /** Reminder / escalation already sent (so the card shows it and nothing is sent twice). */
  remindedAt?: string;
  escalatedAt?: string;
  /**
   * Set with `remindedAt` when another pending request's reminder run claimed this one for its
   * grouped post (flows/nudge-siblings.ts): that request's id. This request's own job, finding the
   * mark and no entry, leaves it to that run for a few minutes before posting it itself. Absent
   * when its own job marked it (and on marks made before grouping).
   */
  remindedBy?: string;
  /** As {@link remindedBy}, for `escalatedAt`. */
  escalatedBy?: string;
}

/** One approver's approval. */
export interface Approval {
  by: Actor;
  at: string;
  reason?: string;
}

/**
 * One approval no longer counted: whose, when the click that dropped it was made (every approval
 * one click drops shares it, and one `approval.discounted` entry names them all), and why.
 */
export interface DiscountedApproval {
  by: Actor;
  at: string;
  /**
   * `notApprover`: its author was no longer an approver of the request's rule when looked up
   * again; `disabledOrGone`: the directory no longer finds its author's account enabled (disabled,
   * or deleted) when looked up again; `notRechecked`: it was past the most approvals a click looks
   * up again (never so under a quorum the policy file allows).
   */
  why: 'notApprover' | 'disabledOrGone' | 'notRechecked';
}

/** An Azure / Entra / Kubernetes object acrbot created for a request. */
export interface CreatedObject {
  kind:
    | 'roleAssignment'
    | 'acrToken'
    | 'scopeMap'
    | 'application'
    | 'servicePrincipal'
    /** A password acrbot added to its application: `id` = keyId. */
    | 'applicationPassword'
    | 'pullSecret'
    /**
     * Recorded just before the pull secret is written (`id` as for `pullSecret`): proof that a
     * secret found there labelled with this request may be this request's own interrupted write.
     * Never a reason to delete anything: the write may not have landed.
     */
    | 'pullSecretWriteStarted';
  /** Full resource id, Graph object id, or `cluster-id|namespace|name` for a pull secret. */
  id: string;
  /** Graph `uniqueName` / deterministic name used to create it idempotently. */
  name?: string;
  /** Kubernetes uid of a `pullSecret`, as the API server answered the write: the object revoke may delete. */
  uid?: string;
  /**
   * `pullSecret` and `pullSecretWriteStarted`: `sha256:` and the hex SHA-256 of the data acrbot
   * wrote (or was about to write) into the secret (`secretDataFingerprint`). Not the data: the
   * docker config holds a fresh random password, so the hash tells nothing of it; it proves only
   * that the secret still holds what acrbot wrote. A secret whose data no longer matches was taken
   * over by someone else (a GitOps sync, `kubectl apply`), and acrbot neither deletes nor
   * overwrites it (G15). Absent on records made before it was kept.
   */
  dataFingerprint?: string;
  /**
   * On a `pullSecretWriteStarted` record: the fingerprints of the request's earlier started writes,
   * carried forward, since a record replaces the one before it (RunContext.recordCreated) while an
   * earlier attempt's write may be the one that landed. At most {@link MAX_CARRIED_FINGERPRINTS}.
   */
  earlierDataFingerprints?: string[];
  /**
   * `pullSecretWriteStarted` only: the acrbot request whose secret object the write replaces, with
   * that request's service-account entries (acrbot's, from its records). A run resumed after the
   * write landed finds its own label on the secret and nothing else to say what it replaced; this
   * does (G13): the credential to retire and the entries that stay acrbot's.
   */
  replaces?: { requestId: string; serviceAccounts: string[] };
  /**
   * `pullSecretWriteStarted` only: the plan's service account, when its `imagePullSecrets` did not
   * name the secret as this request's write began (so the entry the write adds is acrbot's; kept
   * by a resumed run, which finds the entry there, G13, G15).
   */
  linksServiceAccount?: string;
  recordedAt: string;
}

/** Events that move a request. */
export type RequestEvent =
  | { type: 'approve'; by: Actor; at: Date; reason?: string }
  /** One approval towards a quorum; the request stays pending (G18). */
  | { type: 'recordApproval'; by: Actor; at: Date; reason?: string }
  | { type: 'reject'; by: Actor; at: Date; reason?: string }
  /** The requester withdrew their own pending request (`cancel R-… REASON…`, the reason optional). */
  | { type: 'cancel'; by: Actor; at: Date; reason?: string }
  /**
   * `originalEnded`, `originalDrifted`, `originalWentOn`: an extension's, when the access it
   * extends ended or drifted, or went on past the end its wait was cut to
   * ({@link AccessRequest.originalEnded}, {@link AccessRequest.originalDrifted},
   * {@link AccessRequest.originalWentOn}).
   */
  | {
      type: 'expire';
      at: Date;
      originalEnded?: boolean;
      originalDrifted?: boolean;
      originalWentOn?: boolean;
      originalClusterGoneAt?: string;
    }
  | { type: 'start'; at: Date }
  | { type: 'succeed'; at: Date; outcome: Outcome }
  | { type: 'fail'; at: Date; outcome: Outcome }
  | { type: 'cleanedUp'; at: Date }
  /** A revocation is about to delete what the access consists of; the request stays granted until it is done. */
  | { type: 'beginRevoke'; at: Date }
  /** Granted access ended: expired (by acrbot) or revoked by someone (G17). */
  | { type: 'revoke'; at: Date; by: Actor; reason?: string }
  /** An approved extension moved the end of granted access. */
  | {
      type: 'extend';
      at: Date;
      expiresAt: string;
      durationMs: number;
      by: string;
      /** A secret's extension: when the credential it rotated into the secret expires. */
      credentialExpiresAt?: string;
    };

const ALLOWED: Record<RequestEvent['type'], RequestState[]> = {
  approve: ['pending'],
  recordApproval: ['pending'],
  reject: ['pending'],
  cancel: ['pending'],
  expire: ['pending'],
  start: ['approved', 'executing'],
  succeed: ['executing'],
  fail: ['approved', 'executing'],
  cleanedUp: ['failed'],
  beginRevoke: ['succeeded'],
  revoke: ['succeeded'],
  extend: ['succeeded'],
};

/** Final states: nothing moves a request out of them. */
export const FINAL_STATES: readonly RequestState[] = [
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'revoked',
];

/**
 * True while the executor owns the request's writes: from the approval (`approved`, its first
 * write not made yet) until it reaches a final state. Anything else written then moves the
 * version its next conditional write depends on, and the run stops half recorded.
 */
export function isBeingGranted(request: AccessRequest): boolean {
  return request.state === 'approved' || request.state === 'executing';
}

/**
 * Access whose revocation began (`beginRevoke`) and is not yet revoked: still there, ending; the
 * retry finishes it whatever its end says.
 */
export function isBeingRevoked(
  request: AccessRequest,
): request is AccessRequest & { access: AccessTerm & { revokingSince: string } } {
  return request.state === 'succeeded' && Boolean(request.access?.revokingSince);
}

/** Every state, in lifecycle order (the tab lists requests in all of them). */
export const REQUEST_STATES: readonly RequestState[] = ['pending', 'approved', 'executing', ...FINAL_STATES];

/**
 * Every state in rounds: no transition joins two states of one round, and every transition that
 * changes the state leads to a later round (request.test.ts checks both against the transition
 * table). A store that reads several states one query each (Azure Tables) reads a round's states
 * at once and the rounds one after another: a request that moves between two reads is found by
 * the later round, and never read in neither. The one move backwards is not a transition: a
 * decision whose audit entry could not be written is put back (`undoUnaudited`, approved or
 * expired → pending), and a list read in that moment may miss that request.
 */
export const STATE_ROUNDS: readonly (readonly RequestState[])[] = [
  ['pending'],
  ['approved', 'rejected', 'expired', 'cancelled'],
  ['executing'],
  ['succeeded', 'failed'],
  ['revoked'],
];

/** Sentence describing a state for people who lost a race or clicked an old card. */
export function describeState(request: AccessRequest): string {
  const by = request.decision ? ` by ${request.decision.by.name}` : '';
  // A break-glass request's decision is its requester's own: it ran without approval, and
  // "approved by" them would say someone approved it.
  const approved = request.policy?.breakGlass && request.decision?.approved ? 'started as break-glass' : 'approved';
  switch (request.state) {
    case 'pending':
      return 'waiting for approval';
    case 'approved':
      return `${approved}${by}`;
    case 'executing':
      return `${approved}${by}, running now`;
    case 'succeeded':
      return `${approved}${by} and done`;
    case 'failed':
      return `${approved}${by}, but it failed`;
    case 'rejected':
      return `rejected${by}`;
    case 'expired':
      return expiredWords(request);
    case 'cancelled':
      return 'cancelled by the requester';
    case 'revoked':
      return request.access?.revokedBy && request.access.revokedBy.objectId !== 'acrbot'
        ? `revoked by ${request.access.revokedBy.name}`
        : 'expired and revoked';
  }
}

/**
 * {@link describeState} as a sentence starts ("Rejected by Ann", "Closed without a decision: …"),
 * for the surfaces that show it on its own: the request card's status line and the tab's.
 */
export function describeStateSentence(request: AccessRequest): string {
  return describeState(request).replace(/^./, (c) => c.toUpperCase());
}

/**
 * What became of an expired request. An extension acrbot closed because the access it extends
 * ended, drifted or had its cluster read gone was closed when that was seen, maybe days before
 * its deadline: "expired" would say its approvers ran out of time.
 */
function expiredWords(request: AccessRequest): string {
  switch (originalLostAtExpiry(request)) {
    case 'drifted':
      return `closed without a decision: the access it extends (${request.extendsRequestId}) was removed or changed outside acrbot, or no longer serves`;
    case 'clusterGone':
      return `closed without a decision: cluster ${request.plan.cluster.name} of the access it extends (${request.extendsRequestId}) no longer exists`;
    case 'ended':
      return `closed without a decision: the access it extends (${request.extendsRequestId}) ended`;
    default:
      return 'expired without a decision';
  }
}

/**
 * The next version of a pending `request` once `by` takes back their own approval towards its
 * quorum (Withdraw my approval): every approval of theirs leaves `approvals`; it stays pending,
 * and they may approve it again. Not a {@link RequestEvent}: it decides nothing and moves no state.
 * Throws `request.alreadyDecided`, as {@link transition} does, when it is no longer pending.
 */
export function withoutApprovalOf(request: AccessRequest, by: Actor, at: Date): AccessRequest {
  if (request.state !== 'pending')
    throw new UserFacingError(
      'request.alreadyDecided',
      `Request ${request.id} is already ${describeState(request)}; nothing was changed.`,
    );
  const who = by.objectId.toLowerCase();
  return {
    ...request,
    version: request.version + 1,
    updatedAt: at.toISOString(),
    approvals: (request.approvals ?? []).filter((a) => a.by.objectId.toLowerCase() !== who),
  };
}

/**
 * Applies an event and returns the next version of the request. Throws a
 * {@link UserFacingError} (`request.alreadyDecided`) when the request is not in a state the
 * event applies to, naming who decided; a cancel by anyone but its requester throws
 * `request.notRequester` whatever its state.
 */
export function transition(request: AccessRequest, event: RequestEvent): AccessRequest {
  // Only the requester withdraws (approvers reject, with a reason). Who first: anyone else is
  // told only that, not the request's state nor who decided it (`status` refuses them the request).
  if (event.type === 'cancel' && event.by.objectId.toLowerCase() !== request.requester.objectId.toLowerCase())
    throw new UserFacingError(
      'request.notRequester',
      `Only the person who made request ${request.id} can cancel it; nothing was changed.`,
    );
  if (!ALLOWED[event.type].includes(request.state)) {
    throw new UserFacingError(
      'request.alreadyDecided',
      `Request ${request.id} is already ${describeState(request)}; nothing was changed.`,
    );
  }
  const base = { ...request, version: request.version + 1, updatedAt: event.at.toISOString() };
  switch (event.type) {
    case 'approve':
      return {
        ...base,
        state: 'approved',
        decision: { by: event.by, at: event.at.toISOString(), approved: true, reason: event.reason },
        approvals: [...(request.approvals ?? []), { by: event.by, at: event.at.toISOString(), reason: event.reason }],
      };
    case 'recordApproval':
      return {
        ...base,
        approvals: [...(request.approvals ?? []), { by: event.by, at: event.at.toISOString(), reason: event.reason }],
      };
    case 'reject':
      return {
        ...base,
        state: 'rejected',
        decision: { by: event.by, at: event.at.toISOString(), approved: false, reason: event.reason },
      };
    case 'cancel':
      return { ...base, state: 'cancelled', ...(event.reason && { cancelReason: event.reason }) };
    case 'expire':
      return {
        ...base,
        state: 'expired',
        ...(event.originalEnded && { originalEnded: true as const }),
        ...(event.originalDrifted && { originalDrifted: true as const }),
        ...(event.originalWentOn && { originalWentOn: true as const }),
        ...(event.originalClusterGoneAt && { originalClusterGoneAt: event.originalClusterGoneAt }),
      };
    case 'start':
      return { ...base, state: 'executing' };
    case 'succeed':
      return {
        ...finished(base),
        state: 'succeeded',
        outcome: event.outcome,
        // The access term starts when access exists, not when it was asked for (G17).
        ...(request.access && !request.access.permanent && request.access.durationMs && !request.access.expiresAt
          ? {
              access: {
                ...request.access,
                expiresAt: new Date(event.at.getTime() + request.access.durationMs).toISOString(),
              },
            }
          : {}),
      };
    case 'fail':
      return { ...finished(base), state: 'failed', outcome: event.outcome };
    case 'cleanedUp':
      return { ...base, outcome: { ...request.outcome!, cleanup: 'deleted' } };
    case 'beginRevoke':
      return { ...base, access: { ...request.access, revokingSince: event.at.toISOString() } };
    case 'revoke':
      return {
        ...base,
        state: 'revoked',
        access: {
          ...request.access,
          revokedAt: event.at.toISOString(),
          // Nobody is named when acrbot itself revoked at the end (expiry); a person is.
          revokedBy: event.by.objectId === 'acrbot' ? undefined : event.by,
          revokeReason: event.reason,
        },
      };
    case 'extend':
      return {
        ...base,
        access: {
          ...request.access,
          expiresAt: event.expiresAt,
          durationMs: (request.access?.durationMs ?? 0) + event.durationMs,
          extendedBy: [...(request.access?.extendedBy ?? []), event.by],
          ...(event.credentialExpiresAt && { credentialExpiresAt: event.credentialExpiresAt }),
        },
      };
  }
}

/** A request reaching a final state: a run that waited waits no more. */
function finished(request: AccessRequest): AccessRequest {
  const { waiting: _waiting, ...rest } = request;
  return rest;
}

/** True when a pending request is past its expiry. */
export function isExpired(request: AccessRequest, now: Date): boolean {
  return request.state === 'pending' && now.getTime() >= Date.parse(request.expiresAt);
}
