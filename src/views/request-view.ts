/** View models for request cards: what every copy (requester's, approvers') shows. */
import type { ApproveRefusal } from '../domain/approve-refused';
import {
  describeStateSentence,
  isBeingGranted,
  isBeingRevoked,
  type AccessRequest,
  type Outcome,
  type RequestState,
} from '../domain/request';
import { describeAccess, endedWithoutAccess } from '../domain/access-term';
import { credentialEnd } from '../domain/access-inventory';
import { accessEnd } from '../domain/access-end';
import { GONE_CODES, NEW_REQUEST_CODES, RECHECK_SUBSCRIPTION_UNSERVED, recheckGone } from '../domain/new-request-codes';
import { closedWithItsAccess } from '../domain/closed-extension';
import { liveClusterGoneAt } from '../domain/cluster-gone';
import { pullsThroughWords } from '../domain/pulls-through';
import { BEING_REVOKED_LABEL } from '../domain/live-drift';
import { liveBadge } from '../domain/live-badge';
import { clusterGoneWords } from '../domain/cluster-gone-words';
import { EXTEND_DRIFTED, withoutAskAgain } from '../domain/drifted-access';
import { deploymentSnippet } from '../domain/manifest-snippet';
import type { GrantPlan, PlannedRegistry, SecretPlan } from '../domain/plan';
import { awaitingReview, countedApprovals, describeRequirement, type PolicyRule } from '../domain/policy';
import { nobodyReviewsWhy } from '../domain/decided-rule';
import { applicationDisplayNameFor, tokenNameFor } from '../domain/secret-credential';
import { scrubSecrets } from '../domain/secret-text';
import { askAgainCommand } from './ask-again-command';
import { otherTenantFailedText } from './other-tenant-error';
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../domain/other-tenant-words';
import { heldSecretNote } from './secret-held-note';
import { defaultNamespaceNote } from './default-namespace-note';
import { liveClusterGoneBadge } from './cluster-gone-badge';
import { clusterStoppedFacts } from './cluster-stopped-fact';
import { driftAccessWords, liveDriftBadge } from './drift-badge';
import type { AdaptiveCardJson } from './card-templates';
import { renderCard } from './card-templates';
import { pairText, requestInTitle } from './request-in-title';
import { commandNames } from './command-names';
import { groupName } from './group-name';
import { decidedBeforeLine } from './decided-before-line';
import { inertText } from './inert-text';
import { createdLabel, planOperationLines } from './plan-operations';
import { decideByValue, pendingExtensionFacts } from './extension-facts';
import { sharingWords } from './sharing-clusters';
import { tint } from './tint';

/**
 * What the Identity row adds when other clusters pull with the same identity (found when planned):
 * the assignment is the identity's, so approving gives them pull too; and the subscriptions
 * where that could not be looked for. Nothing for an identity no other cluster was found to use.
 */
function sharedIdentityWords(plan: GrantPlan): string {
  if (!plan.sharedWith) return '';
  const { clusters, them, unchecked } = sharingWords(plan.sharedWith);
  let words = '';
  if (clusters)
    words += `. Also the pull identity of ${inertText(clusters)}: approving gives ${them} pull on ${plan.registry.name} too`;
  if (unchecked)
    words += `. Whether other clusters pull with it could not be checked in ${unchecked} (acrbot could not list their clusters)`;
  return words;
}

/** A label/value row. */
export interface Fact {
  label: string;
  value: string;
}

/**
 * Labels of a request's states, as its card and the audit channel's card show them; the access
 * inventory's states have their own table (access-view.ts).
 */
export const STATE_LABEL: Record<RequestState, { label: string; color: string }> = {
  pending: { label: 'Pending approval', color: 'Warning' },
  approved: { label: 'Approved', color: 'Good' },
  executing: { label: 'Executing…', color: 'Accent' },
  succeeded: { label: 'Granted', color: 'Good' },
  failed: { label: 'Failed', color: 'Attention' },
  rejected: { label: 'Rejected', color: 'Attention' },
  expired: { label: 'Expired', color: 'Default' },
  cancelled: { label: 'Cancelled', color: 'Default' },
  revoked: { label: 'Revoked', color: 'Default' },
};

/**
 * The label of `request`'s state on its card, in `status`'s list and on the audit channel's card:
 * {@link STATE_LABEL}'s, but "Closed" for an extension acrbot closed because the access it extends
 * ended or drifted ({@link closedWithItsAccess}, the tab's rule too), maybe days before its
 * deadline: "Expired" would say its approvers ran out of time; for a live grant that gives
 * nothing, as `access` badges it ("Granted" would say it pulls): "Removed outside acrbot" or "No
 * longer gives pull" when drift-marked ({@link liveDriftBadge}), "Cluster gone" when the drift
 * check read its cluster gone ({@link liveClusterGoneBadge}; with `now`, until its end passes);
 * "Being revoked" while a revocation is under way; with `now`, "Expired" for access past its end
 * whose end job has not run yet ({@link pastItsEnd}). Which of those wins is live-badge.ts's rule.
 */
export function stateLabelOf(request: AccessRequest, now?: Date): { label: string; color: string } {
  if (closedWithItsAccess(request)) return { label: 'Closed', color: 'Default' };
  // In live-badge.ts's order, as on `access` and in the tab: a revocation under way outranks what
  // it ends (a drift mark, a cluster gone), since "Granted" would say it keeps pulling; past its
  // end reads Expired over a cluster gone.
  return liveBadge(
    {
      beingRevoked: isBeingRevoked(request) ? BEING_REVOKED_BADGE : undefined,
      drift: liveDriftBadge(request),
      expired: pastItsEnd(request, now) ? STATE_LABEL.expired : undefined,
      clusterGone: liveClusterGoneBadge(request, now),
    },
    STATE_LABEL[request.state],
  );
}

/** The badge of a request whose revocation is under way: it still pulls until the revocation finishes. */
const BEING_REVOKED_BADGE = { label: BEING_REVOKED_LABEL, color: 'Warning' };

/**
 * True when `request`'s access is still `succeeded` but past its end at `now` (accessEnd): its
 * end job (the next sweep, a failing attempt's backoff) has not run yet; or a pull secret whose
 * credential expired before its term's end, for which no end job comes then (its term's end, or
 * none when permanent) and which stays extendable. `access` and the tab read both "Expired"
 * (requestAccessState, acrbot-request-ref.ts), and "Granted" would say it still pulls. Once the
 * end job has run the card and `status`'s list say "Revoked" (its Term "Expired and revoked at
 * …") where `access` and the tab keep "Expired". Never an extension: its original carries the
 * access (the tab reads it "extended"). False without `now`: a card drawn without a time (the
 * copies acrbot posts and updates, the audit channel's card) keeps its state's label.
 */
function pastItsEnd(request: AccessRequest, now: Date | undefined): boolean {
  if (!now || request.state !== 'succeeded' || request.extendsRequestId) return false;
  const end = accessEnd(request);
  return end !== undefined && Date.parse(end) <= now.getTime();
}

/**
 * Error text shown in a card (an outcome's error, a refusal, a problem to report): it may quote
 * what Azure, Graph, a cluster or a library answered, so secrets inside it are scrubbed (G12),
 * then it is neutralised like user text. Scrubbed first: {@link inertText} breaks up the
 * `https://` a URL's user information is found by.
 */
export function errorText(text: string): string {
  return inertText(scrubSecrets(text));
}

/**
 * The credential of a secret request, by the name it has (or will have) in Azure/Entra. Each
 * extension rotates a credential named after itself into the secret (the one before is
 * deleted): the live one is the last extension's.
 */
function credentialLabel(request: AccessRequest): string {
  const plan = request.plan as SecretPlan;
  const owner = request.access?.extendedBy?.at(-1) ?? request.id;
  return plan.credentialKind === 'token'
    ? `ACR token ${tokenNameFor(owner)}`
    : `service principal ${applicationDisplayNameFor(plan.credentialName, owner)}`;
}

/**
 * When the credential in a request's secret stops working: its plan's, until an extension
 * rotated a new one into the secret (the original's plan then names a deleted credential).
 */
function credentialExpiry(request: AccessRequest): string {
  const end = credentialEnd(request);
  if (!end) return 'not recorded (an extension rotated the credential)';
  // Side by side with a later (or no) access end, the date alone reads as a detail: pulls with
  // the secret stop then (capped by the deployment's longest credential lifetime).
  return `${shortTime(end)}${endsBeforeAccess(request, end) ? ', before the access ends: nothing renews it, and pulls with the secret stop then' : ''}`;
}

/** True when a credential expiring at `end` stops working while its request's access still runs. */
function endsBeforeAccess(request: AccessRequest, end: string): boolean {
  const term = request.access;
  // A request that ended without its access has no access for the credential to end before.
  if (!term || term.revokedAt || endedWithoutAccess(request.state)) return false;
  if (term.permanent) return true;
  // Before it is granted, the term's earliest possible end: from the moment it was asked for.
  const accessEnd = term.expiresAt
    ? Date.parse(term.expiresAt)
    : term.durationMs
      ? Date.parse(request.createdAt) + term.durationMs
      : undefined;
  return accessEnd !== undefined && Date.parse(end) < accessEnd;
}

function shortTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Who approved, for the outcome card: the requester's separate "approved" news is skipped when
 * the outcome follows within seconds (CardMessenger), so the outcome says it. Undefined for
 * auto-approved and break-glass requests (their Approval line on the request card says why).
 */
function approvedBy(request: AccessRequest): string | undefined {
  const d = request.decision;
  if (!d?.approved || request.policy?.autoApproved || request.policy?.breakGlass) return undefined;
  return `${deciders(request)} at ${shortTime(d.at)}`;
}

/**
 * Who decided a request, as cards name them: every approval that counted when a quorum approved
 * it (one per person: two approvers may share a display name), else whoever decided. Teams
 * display names are chosen by their owners: user text like any other.
 */
export function deciders(request: AccessRequest): string {
  const d = request.decision;
  const counted = d?.approved ? countedApprovals(request) : [];
  const names = counted.length ? counted.map((a) => a.by.name) : d ? [d.by.name] : [];
  return names.map(inertText).join(', ');
}

/** Whose copy of a request card the facts are drawn for. */
export interface PlanFactsFor {
  /**
   * The approvers' copy (drawn with Approve/Reject, {@link RequestCardOptions.showActions}): only
   * it says what people decided against the pair before ("Before"). Their rejection comments and
   * revocation reasons are for the approvers' places, not the requester's card, `status` or
   * wherever the requester asked (a team channel).
   */
  approvers?: boolean;
  /**
   * When it is drawn, for a grant whose cluster is gone (liveClusterGoneAt): past its end it
   * reads as every grant waiting for its end job does, as the tab and `access` read it. Absent:
   * drawn at an event, its end not read.
   */
  now?: Date;
}

/**
 * What the registry lets pull whatever roles say, as planned (anonymous pull, its admin user), in
 * `check`'s words: an approver must not approve access that adds nothing without knowing it.
 * None on plans stored before they were recorded. Shared by the request card and the outcome card.
 */
function registrySettingFacts(registry: PlannedRegistry): Fact[] {
  const said = [registry.anonymousPull, registry.adminUser].filter(Boolean);
  return said.length ? [{ label: 'Registry settings', value: `When this was requested: ${said.join(' ')}` }] : [];
}

/**
 * How long access lasts (G17), on the plan, approval and outcome cards: "Term", as on the
 * lifecycle cards (their "Access" is the pair). Drift replaces it with what became of the access;
 * so does its cluster deleted (the drift check read it gone: its kubelet identity went with it),
 * only while the grant is live (`now`: liveClusterGoneAt): revoking keeps the mark, and then the
 * Term says how it ended. Its badge says "Cluster gone" then too (requestCard).
 */
function termFact(request: AccessRequest, now: Date | undefined): Fact {
  const clusterGoneAt = liveClusterGoneAt(request, now);
  if (request.access?.driftDetectedAt)
    return { label: 'Access', value: driftAccessWords(request.access.driftReason, request.access.driftDetectedAt) };
  if (clusterGoneAt)
    return { label: 'Access', value: inertText(clusterGoneWords(request.plan.cluster.name, clusterGoneAt)) };
  return { label: 'Term', value: inertText(describeAccess(request)) };
}

/**
 * "Already pulls": the grants of others that held this grant's role assignment when it was filed
 * (pulls-through.ts), or, on a pull secret, what already let its cluster's kubelet pull (the
 * pair's live grants, an assignment outside acrbot), while it waits for a decision (or a break-glass grant for its review): later
 * they may have ended, and the card would tell of a pull that is gone.
 */
function pullsThroughFacts(request: AccessRequest): Fact[] {
  const deciding = request.state === 'pending' || awaitingReview(request);
  const words = deciding ? pullsThroughWords(request) : undefined;
  return words ? [{ label: 'Already pulls', value: inertText(words) }] : [];
}

/**
 * The facts of a request's plan, in the order a reviewer reads them. Without `forWhom.approvers`
 * they are those every copy may show.
 */
export function planFacts(request: AccessRequest, forWhom: PlanFactsFor = {}): Fact[] {
  const plan = request.plan;
  const common: Fact[] = [
    { label: 'Request', value: request.id },
    { label: 'Requested by', value: inertText(request.requester.name) },
    { label: 'Requested', value: shortTime(request.createdAt) },
    // Why, and for how long, before the Azure detail: what an approver decides on first, read on
    // a phone without scrolling past the ids. One order for every copy.
    { label: 'Reason', value: inertText(request.reason) },
    termFact(request, forWhom.now),
    // Overlap (G17): the cluster already pulls through acrbot's assignment, held by others' grants.
    ...pullsThroughFacts(request),
    // With its subscription: two clusters of one name and group in two subscriptions (dev and
    // prod) must not look the same to the approver.
    {
      label: 'Cluster',
      value: `${plan.cluster.name} (resource group ${groupName(plan.cluster.resourceGroup)}, subscription ${plan.cluster.subscriptionId})`,
    },
    { label: 'Registry', value: `${plan.registry.name} → ${plan.registry.loginServer}` },
    // Approved all the same, the access would pull nothing: the approver and requester see why.
    // Read when the plan was made, so said in the past: the registry may have been opened since.
    ...(plan.registry.unreachable
      ? [
          {
            label: 'Network',
            value: `When this was requested: ${plan.registry.unreachable} Until the cluster can reach the registry, this access pulls nothing.`,
          },
        ]
      : plan.registry.networkCondition
        ? [
            {
              // The network lets the cluster in only on a condition acrbot cannot see: approved,
              // the access pulls only if it holds (the outcome says so again).
              label: 'Network',
              value: `When this was requested: ${plan.registry.networkCondition} acrbot cannot check that, so this access pulls only if the cluster's network gets through.`,
            },
          ]
        : []),
    ...registrySettingFacts(plan.registry),
    ...clusterStoppedFacts(plan),
  ];
  if (plan.kind === 'grant') {
    common.push(
      {
        label: 'Identity',
        value: `${plan.identity.description}: ${plan.identity.objectId}${plan.identity.appId ? ` (app ${plan.identity.appId})` : ''}${sharedIdentityWords(plan)}`,
      },
      { label: 'Role', value: `${plan.role.name} (${plan.role.id})` },
      // Full ARM ids have no break opportunities and get clipped in a FactSet; name the scope instead.
      {
        label: 'Scope',
        value: `registry ${plan.registry.name} itself (resource group ${groupName(plan.registry.resourceGroup)}, subscription ${plan.registry.subscriptionId}), not the group or subscription`,
      },
    );
  } else {
    common.push(
      { label: 'Credential', value: credentialLabel(request) },
      // A service principal pulls through a role on the registry (AcrPull, or Repository Reader
      // on an ABAC-mode registry), which approvers see as they do a grant's.
      ...(plan.role
        ? [{ label: 'Role', value: `${plan.role.name} (${plan.role.id}) on registry ${plan.registry.name}` }]
        : []),
      // Secret, service account and repository names are the requester's (`--name www.evil.example`
      // is a valid Kubernetes name): shown to approvers as user text.
      {
        label: 'Pulls from',
        // The registry-wide scope map covers every repository, those pushed after approval too.
        value: plan.repositories.length
          ? inertText(plan.repositories.join(', '))
          : `all repositories of ${plan.registry.name}, including ones pushed later`,
      },
      { label: 'Credential expires', value: credentialExpiry(request) },
      {
        label: 'Secret',
        value: inertText(
          `${plan.namespace}/${plan.secretName}${plan.serviceAccount ? ` (added to service account ${plan.serviceAccount})` : ''}`,
        ),
      },
    );
    // What the cluster said of the target when planned (a namespace missing or going away, a
    // secret of that name the run would refuse): only while a decision is awaited, which it is for.
    if (plan.targetCheck && request.state === 'pending')
      common.push({ label: 'Check', value: inertText(plan.targetCheck) });
    // Written to `default` (no --namespace given, or the questions asked none): said before approval.
    const defaultNamespace = defaultNamespaceNote(request);
    if (defaultNamespace) common.push({ label: 'Namespace', value: defaultNamespace });
    // The requester's own live secret asked for again: they may have meant to extend it.
    const held = heldSecretNote(request);
    if (held) common.push({ label: 'Already held', value: held });
  }
  const requirement = describeRequirement(request);
  if (requirement) common.push({ label: 'Approval', value: inertText(requirement) });
  const drifted = driftedBeforeLine(request);
  if (drifted) common.push({ label: 'Drift', value: drifted });
  const decided = forWhom.approvers ? decidedBeforeLine(request) : undefined;
  if (decided) common.push({ label: 'Before', value: decided });
  if (request.extendsRequestId) common.push({ label: 'Extends', value: request.extendsRequestId });
  common.push(...pendingExtensionFacts(request));
  // When an undecided request expires, not when its access would end (that is the "Term" line).
  if (request.state === 'pending') common.push({ label: 'Decide by', value: decideByValue(request) });
  return common;
}

/**
 * The line telling a grant's deciders that this pair's access was taken away outside acrbot before
 * (`driftedBefore`, found when the request was filed), perhaps on purpose by the registry's
 * owners: only they can respect or override that. While it waits for a decision (or a break-glass
 * grant for its review); undefined otherwise, and when none was recorded.
 */
function driftedBeforeLine(request: AccessRequest): string | undefined {
  const drifted = request.driftedBefore ?? [];
  if (drifted.length === 0) return undefined;
  const deciding = request.state === 'pending' || awaitingReview(request);
  if (!deciding) return undefined;
  const how = (d: (typeof drifted)[number]) =>
    `${d.driftReason === 'changed' ? 'changed' : 'removed'} outside acrbot on ${shortTime(d.driftDetectedAt)}`;
  const [first] = drifted;
  const which =
    drifted.length === 1
      ? `This pair's grant ${first.requestId} was ${how(first)} (drift)`
      : `This pair's grants ${drifted.map((d) => `${d.requestId} (${how(d)})`).join(', ')} drifted`;
  const after = request.policy?.breakGlass
    ? 'this break-glass grant put the access back without approval'
    : 'approving puts the access back';
  return inertText(`${which}, perhaps on purpose by the registry's owners; ${after}.`);
}

/**
 * What the requester can do next with access that was just granted (or extended): ask to keep it
 * longer while it has an end, and end it themselves when it is no longer needed. The commands name
 * the request whose access it is (an extension's original, which the extension moved). A requester
 * of another tenant than acrbot's own (`otherTenant`: an earlier release's grant, or a run begun
 * before the rule) is offered neither `extend` nor `grant`, refused to them when made
 * (own-tenant.ts), but told why and the way on, as their expiry reminder is; `revoke` stays theirs.
 */
function nextSteps(request: AccessRequest, otherTenant = false): string {
  const id = request.extendsRequestId ?? request.id;
  const revoke = `Done with it sooner: "@acrbot revoke ${id} REASON…".`;
  const term = request.access;
  if (!term || term.permanent) return `When it is no longer needed: "@acrbot revoke ${id} REASON…".`;
  if (otherTenant) return `It ends by itself (see Term). ${OTHER_TENANT_NO_EXTEND_NOTE} ${revoke}`;
  // Break-glass access is never extended: a longer need goes through approval like any grant.
  if (request.policy?.breakGlass)
    return `It ends by itself (see Term) and cannot be extended: for longer, ask for a normal grant ("@acrbot grant ${commandNames(request.plan)} REASON…"). ${revoke}`;
  return `It ends by itself (see Term). To keep it longer: "@acrbot extend ${id} REASON…". ${revoke}`;
}

/**
 * The Clean-up fact of a secret request's outcome. A refused clean-up is never tried again
 * (credential-cleanup.ts): an operator must delete what the error names.
 */
const CLEANUP_FACTS: Record<Exclude<NonNullable<Outcome['cleanup']>, 'none'>, string> = {
  deleted: 'the credential was deleted again',
  pending: 'the credential is recorded for clean-up',
  refused: "refused: acrbot's records do not vouch for the credential; an operator must delete it",
};

/** What became of a decided request, after its decision's line (empty: nothing more to say). */
const AFTER_DECISION: Partial<Record<RequestState, string>> = {
  approved: '',
  executing: 'running now',
  succeeded: 'done',
  failed: 'it failed',
  rejected: '',
};

/**
 * Why nobody can give `request`'s owed break-glass review as the policy in force stands, under
 * `reviewers` (the rule whose approvers review it now, RequestService.ruleOf): the daily report's
 * and the tab's words ({@link nobodyReviewsWhy}), its pair made inert like user text. Undefined
 * when someone may, when no review is owed, or without `reviewers` (the card then says an approver
 * reviews it, as before the rule was known).
 */
export function nobodyReviewsOwed(request: AccessRequest, reviewers: PolicyRule | undefined): string | undefined {
  const review = request.policy?.breakGlass ? request.policy.review : undefined;
  if (!review || !awaitingReview(request)) return undefined;
  return nobodyReviewsWhy(reviewers, request.requester, pairText(request));
}

/**
 * "its review is owed by 12-01 10:00 UTC, but nobody can give it yet: Rule … until …", in place of
 * "an approver must review it by …" when {@link nobodyReviewsOwed} says nobody can (`nobody`).
 */
function reviewOwedByNobody(dueAt: string, nobody: string): string {
  return `its review is owed by ${shortTime(dueAt)}, but nobody can give it yet: ${nobody}`;
}

/**
 * The line under the state. `reviewers`: the rule whose approvers review an owed break-glass
 * review now ({@link RequestCardOptions.reviewers}); when nobody can, said so, not that an
 * approver must.
 */
function stateDetail(request: AccessRequest, reviewers?: PolicyRule): string {
  const nobody = nobodyReviewsOwed(request, reviewers);
  if (request.state === 'pending')
    return `Waiting for an approver (its requester cannot approve it). Its requester can withdraw it with "@acrbot cancel ${request.id}".`;
  if (request.state === 'revoked' && request.access?.revokedAt) {
    const why = request.access.revokeReason ? ` — "${inertText(request.access.revokeReason)}"` : '';
    const revoked = `${inertText(describeAccess(request))}${why}.`;
    // Revoked before its review: the review is still owed, and judges only the use.
    const review = request.policy?.review;
    if (!review || !awaitingReview(request)) return revoked;
    const owed = nobody
      ? `BREAK-GLASS: ran without approval; ${reviewOwedByNobody(review.dueAt, nobody)}.`
      : useReviewOwed(review.dueAt);
    return `${revoked} ${owed}`;
  }
  // A revocation began and has not finished (a step failed and is retried): the access is ending.
  if (isBeingRevoked(request))
    return `Being revoked since ${shortTime(request.access.revokingSince)}: what acrbot created is being deleted, and a step that failed is retried until it is done.`;
  const review = request.policy?.breakGlass ? request.policy.review : undefined;
  if (review && !review.outcome && isBeingGranted(request))
    return nobody
      ? `BREAK-GLASS: being granted without approval; ${reviewOwedByNobody(review.dueAt, nobody)}.`
      : `BREAK-GLASS: being granted without approval. Once it is in place, an approver must review it by ${shortTime(review.dueAt)}.`;
  if (review && awaitingReview(request))
    return nobody
      ? `BREAK-GLASS: ran without approval; ${reviewOwedByNobody(review.dueAt, nobody)}. Its requester can still revoke their own access.`
      : `BREAK-GLASS: ran without approval. An approver must review it by ${shortTime(review.dueAt)}: Approve keeps it, Reject revokes it at once.`;
  const d = request.decision;
  const after = AFTER_DECISION[request.state];
  // A break-glass request was "approved" by its requester, to run at once: never "Approved by"
  // them. Its review, once made, is the decision an approver made.
  if (d?.approved && request.policy?.breakGlass && after !== undefined) {
    const reviewed = request.policy.review;
    const by = reviewed?.by ? ` by ${inertText(reviewed.by.name)}` : '';
    const at = reviewed?.at ? ` at ${shortTime(reviewed.at)}` : '';
    const why = reviewed?.reason ? ` — "${inertText(reviewed.reason)}"` : '';
    const ran = `Break-glass: ran without approval at ${shortTime(d.at)}`;
    if (request.state === 'succeeded' && reviewed?.outcome)
      return `${ran}; ${reviewed.outcome === 'accepted' ? 'kept' : 'rejected'}${by}${at}${why}.`;
    // A failed one left no access to keep or revoke, so it owes no review (policy.ts,
    // awaitingReview); one reviewed before that rule says what the review found of the use.
    if (request.state === 'failed')
      return `${ran}; it failed${
        reviewed?.outcome
          ? `; its use was ${reviewed.outcome}${by}${at}${why}`
          : reviewed
            ? ' and granted nothing, so there is nothing to keep or revoke and no review is owed'
            : ''
      }.`;
    if (request.state === 'succeeded') return `${ran}; done.`;
    return `Break-glass: running without approval since ${shortTime(d.at)}.`;
  }
  if (d && after !== undefined) {
    // The time and the comment belong to the decision, then what became of it ("…; it failed"):
    // "but it failed at 10:00 — "ok"" read as if the approver's comment were the failure.
    const why = d.reason ? ` — "${inertText(d.reason)}"` : '';
    const decided = `${d.approved ? 'Approved' : 'Rejected'} by ${deciders(request)} at ${shortTime(d.at)}${why}`;
    return `${decided}${after ? `; ${after}` : ''}.`;
  }
  // The requester's own words on why they withdrew it (`cancel R-… REASON…`), as a revoke's.
  const cancelled =
    request.state === 'cancelled' && request.cancelReason ? ` — "${inertText(request.cancelReason)}"` : '';
  return `${inertText(describeStateSentence(request))}${cancelled}.`;
}

/**
 * A break-glass grant whose access ended before its review (reviewJudgesUseOnly): approvers
 * still review it, and Reject has nothing left to revoke.
 */
function useReviewOwed(dueAt: string): string {
  return `BREAK-GLASS: ran without approval. An approver must still review its use by ${shortTime(dueAt)}: Approve records that it was justified, Reject that it was not (its access already ended, so nothing is revoked).`;
}

/**
 * The approvers' way back from approving the wrong request: revoking it, once it has run (a revoke
 * while it runs is refused, access-actions.ts `notRevocable`: "Wait until its card says
 * "Granted""). Only for a request an approver approved: not an auto-approved one nor break-glass
 * (its review's Reject revokes it), not an extension (revoking it ends its original's access
 * too, more than the approval gave), and only while its access runs and is not being revoked.
 * Undefined otherwise.
 */
function wrongOneLine(request: AccessRequest, now: Date | undefined): string | undefined {
  const policy = request.policy;
  if (!request.decision?.approved || policy?.autoApproved || policy?.breakGlass || request.extendsRequestId)
    return undefined;
  const revoke = `"@acrbot revoke ${request.id} REASON…"`;
  if (request.state === 'approved' || request.state === 'executing')
    return inertText(`Approved the wrong one? Once it says Granted: ${revoke}.`);
  if (request.state !== 'succeeded' || isBeingRevoked(request) || pastItsEnd(request, now)) return undefined;
  return inertText(`Approved the wrong one? ${revoke}.`);
}

/** Options for a request card. */
export interface RequestCardOptions {
  /**
   * Approve/Reject buttons (approvers' copies while pending). Marks the approvers' copy: only it
   * says what people decided against the pair before ("Before", planFacts).
   */
  showActions: boolean;
  /** An extra line, e.g. why a click was refused. */
  notice?: string;
  noticeColor?: 'Attention' | 'Warning' | 'Good' | 'Default';
  /** The requester's Cancel button (their own view, while pending). */
  showCancel?: boolean;
  /**
   * When it is drawn, where a time is known (`status` of one request): a grant whose cluster is
   * gone reads past its end as every grant waiting for its end job does (liveClusterGoneAt), as
   * the tab and `access` read it. Absent: drawn at an event, its end not read.
   */
  now?: Date;
  /**
   * Entra object id of the approver this view is drawn for (their own view, CONTRACTS §7a). One
   * whose approval already counts towards a quorum gets Withdraw my approval and Reject without
   * Approve, and a line saying how many approvals are still awaited: a second Approve is only
   * refused (nextApprovalStep), a withdraw takes their approval back while the request is pending
   * (they may approve again), and a Reject from them still rejects (one rejection rejects, G18).
   * Only this view offers the withdraw: a copy drawn for nobody in particular cannot know whose.
   */
  viewerObjectId?: string;
  /**
   * Teams user ids (MRIs) whose clients fetch their own view with a Universal Actions `refresh`
   * (CONTRACTS §7a): the requester and the approvers. Everyone else sees the card as posted.
   */
  viewers?: readonly string[];
  /**
   * Why an Approve of this pending request would be refused now for its term ("asks for 30d, but
   * rule prod now grants at most 8h": RequestService.approveRefusedForTerm, the click's own rule),
   * after a reload shortened its rule or a restart lowered the deployment's maximum: the
   * approvers' copy says so under its state, as the reminders and escalations do
   * ({@link approveRefusedLine}), with its way on. Absent when it can be approved as it is.
   */
  approveRefused?: ApproveRefusal;
  /**
   * The rule whose approvers review an owed break-glass review now (RequestService.ruleOf). When
   * nobody can review it as the policy stands ({@link nobodyReviewsOwed}), the line under the state
   * says so and why, as the daily report and the tab do, not that an approver must. Absent: not
   * judged (the card says an approver reviews it).
   */
  reviewers?: PolicyRule;
}

/**
 * The approvers' card's line for a request whose Approve would be refused now (`r`, see
 * {@link RequestCardOptions.approveRefused}), in the words of the nudges' (nudge-view.ts
 * approveRefusedNote), its why neutralised as card text.
 */
export function approveRefusedLine(r: ApproveRefusal): string {
  return `Approve would be refused: it ${inertText(r.why)}; ${r.advice}.`;
}

/** Teams renders at most 60 per-user views of one card. */
export const MAX_CARD_VIEWERS = 60;

/** Sets `refresh.userIds` on a rendered request card (no-op without viewers or a refresh clause). */
export function withViewers(card: AdaptiveCardJson, viewers: readonly string[] | undefined): AdaptiveCardJson {
  const refresh = (card as { refresh?: Record<string, unknown> }).refresh;
  if (!refresh || !viewers?.length) return card;
  return { ...card, refresh: { ...refresh, userIds: [...new Set(viewers)].slice(0, MAX_CARD_VIEWERS) } };
}

/**
 * How many more approvals a pending request waits for, when `objectId` is one of the approvals
 * it counts already; undefined otherwise (they have not approved, or nothing is pending).
 */
function stillAwaitedAfter(request: AccessRequest, objectId: string | undefined): number | undefined {
  if (!objectId || request.state !== 'pending') return undefined;
  const id = objectId.toLowerCase();
  const counted = countedApprovals(request);
  if (!counted.some((a) => a.by.objectId.toLowerCase() === id)) return undefined;
  // At least one: the request is still pending, so the approval that decides it is yet to come.
  return Math.max(1, (request.policy?.approvalsRequired ?? 1) - counted.length);
}

/**
 * The line under "Pending approval" for an approver whose approval already counts, naming the
 * command that withdraws it too (`withdraw R-…`, for a copy whose button is out of reach).
 */
function approvedByViewer(awaited: number, requestId: string): string {
  const more = `${awaited} more approval${awaited === 1 ? '' : 's'}`;
  return `You approved; waiting for ${more} from someone else. You can withdraw your approval (or type "@acrbot withdraw ${requestId}"), or still reject it.`;
}

/** The request card for any state. */
export function requestCard(request: AccessRequest, options: RequestCardOptions): AdaptiveCardJson {
  // A live grant that gives nothing (drift-marked, its cluster gone) is badged so (stateLabelOf);
  // its Access line says why.
  const state = stateLabelOf(request, options.now);
  const plan = request.plan;
  // An extension says so first: its plan is its original's, and the title would read as a new grant.
  // A secret's names its registry before the secret's name (up to 253 characters): the title is
  // the notification's preview too (card-summary.ts, cut at 120) and must say what it pulls from.
  const title =
    plan.kind === 'grant'
      ? request.extendsRequestId
        ? `Extend ${request.extendsRequestId}: ${plan.role.name} for ${plan.cluster.name} on ${plan.registry.name}`
        : `Grant ${plan.role.name} to ${plan.cluster.name} on ${plan.registry.name}`
      : `${request.extendsRequestId ? `Extend ${request.extendsRequestId}: pull` : 'Pull'} secret for ${plan.registry.name} in ${plan.cluster.name} (${plan.namespace}/${inertText(plan.secretName)})`;
  // Outcomes may quote what Azure or a cluster answered (a secret's field managers, which anyone
  // who can write the namespace names): error text (scrubbed, neutralised like user text).
  const outcomeText = request.outcome?.error ?? (request.state === 'succeeded' ? request.outcome?.summary : undefined);
  const outcomeNotice = outcomeText === undefined ? undefined : errorText(outcomeText);
  // A run that stopped and is resumed says what it waits for, once (executor.ts), on every copy.
  const waiting =
    request.state === 'executing' && request.waiting
      ? inertText(
          `Waiting since ${shortTime(request.waiting.since)}: ${request.waiting.reason} Reference for the platform team: ${request.waiting.reference}.`,
        )
      : undefined;
  // A notice answers a click and may quote a refusal, which names who decided: error text.
  const notice = options.notice !== undefined ? errorText(options.notice) : (outcomeNotice ?? waiting);
  // A break-glass review only once the grant is in place: the run holds the request until then,
  // and a review click meanwhile could only be refused. A failed run owes none.
  const showActions =
    options.showActions &&
    (request.state === 'pending' || (awaitingReview(request) && !isBeingGranted(request) && !isBeingRevoked(request)));
  // Their approval counts already: Approve again would only be refused, Reject still decides.
  const awaited = showActions ? stillAwaitedAfter(request, options.viewerObjectId) : undefined;
  const noticeColor =
    options.noticeColor ??
    (request.state === 'failed' ? 'Attention' : waiting && notice === waiting ? 'Warning' : 'Default');
  const card = renderCard('request', {
    sandbox: request.sandbox,
    requestId: request.id,
    version: request.version,
    title,
    stateLabel: state.label,
    stateStyle: tint(state.color),
    stateDetail: [
      awaited === undefined ? stateDetail(request, options.reviewers) : approvedByViewer(awaited, request.id),
      // The approvers' copy of a request whose term Approve would refuse now says so before a click.
      showActions && request.state === 'pending' && options.approveRefused
        ? approveRefusedLine(options.approveRefused)
        : undefined,
      // Only the approvers' copy (asked for with the buttons): the requester's card and the audit
      // channel's never tell them how an approver undoes an approval.
      options.showActions ? wrongOneLine(request, options.now) : undefined,
    ]
      .filter(Boolean)
      .join(' '),
    // Asked for, not `showActions` as drawn: buttons hidden while a break-glass grant runs still
    // leave the approvers' copy; the "Before" line itself says when it has done its work.
    facts: planFacts(request, { approvers: options.showActions, now: options.now }),
    // A replaced secret's line names its earlier requester.
    operations: planOperationLines(request).map(inertText),
    showOperations: request.state === 'pending',
    showActions,
    showApprove: showActions && awaited === undefined,
    // Their own approval, taken back while it waits for its quorum (RequestDecisions.withdrawNow).
    showWithdraw: awaited !== undefined,
    // The rule bound to the request may ask approvers for a justification too (G7).
    commentHint:
      request.policy?.rule?.approverJustification === 'required' && awaited === undefined
        ? 'Comment (required to approve or reject)'
        : 'Comment (required to reject)',
    notice: notice ?? '',
    // A coloured notice is drawn on a background of its tint in the body's text colour (tint.ts).
    plainNotice: Boolean(notice) && tint(noticeColor) === 'default',
    tintedNotice: Boolean(notice) && tint(noticeColor) !== 'default',
    noticeStyle: tint(noticeColor),
    showCancel: Boolean(options.showCancel) && request.state === 'pending',
  });
  return withViewers(card, options.viewers);
}

/**
 * Whether the plan's service account names the secret as the run left it: added by this run or
 * by a request whose secret object it replaced (acrbot's entries). An entry someone else made
 * is not recorded, and a failed addition is not there: the snippet then names the secret in
 * the pod as well, which pulls either way.
 */
function serviceAccountHoldsSecret(plan: SecretPlan, outcome: Outcome | undefined): boolean {
  const sa = plan.serviceAccount;
  if (!sa || !outcome?.secret) return false;
  return outcome.secret.serviceAccountPatched || Boolean(outcome.secret.serviceAccounts?.includes(sa));
}

/**
 * Whether a failed secret run's outcome records a credential it made (deleted again, or left to
 * the clean-up job, or refused for clean-up): `cleanup` is set only when the run had one.
 */
function credentialToCleanUp(outcome: Outcome | undefined): boolean {
  return outcome?.cleanup !== undefined && outcome.cleanup !== 'none';
}

/**
 * A failed run's summary: the error and the way on, as an undecided request's news gives it: the
 * same access asked for again; an extension whose error sends its requester to a new request
 * (NEW_REQUEST_CODES: its original no longer holds the access, so `extend` of it is refused, or
 * the plan no longer fits Azure), as a new request, never as `extend`. A cluster or registry no
 * longer at its recorded id (GONE_CODES: deleted, or a registry moved to another resource group or
 * subscription; a cluster cannot be moved) leaves no way on there: asking again would fail the same way, and `extend` is
 * refused, so a new request, named bare (an id typed is the old one), once acrbot has Reader
 * where it is now (its error, not-at-recorded-id.ts, says so) or, if deleted, once it exists
 * again. One in a subscription no longer served (RECHECK_SUBSCRIPTION_UNSERVED) is refused alike
 * while it is not: asking again waits for the platform team to serve it again.
 */
function failedSummary(request: AccessRequest, otherTenant = false): string {
  const code = request.outcome?.errorCode;
  // A drift's refusal ends with a command to ask again (drifted-access.ts), without a term; the new
  // request's sentence below names one with the extension's: one command, not two to choose from.
  const stored = request.outcome?.error ?? 'The request failed.';
  const error = errorText(code === EXTEND_DRIFTED ? withoutAskAgain(stored) : stored);
  // Its requester of another tenant than acrbot's own would be refused any request (own-tenant.ts):
  // no command to ask again, whatever the error (its own `grant`/`secret`/`extend` sentences left
  // out, other-tenant-error.ts), but why and the way on.
  if (otherTenant) return errorText(otherTenantFailedText(stored));
  if (code && GONE_CODES.has(code)) {
    // By name: an id it was typed with is the one it is no longer at.
    const bare = { ...request, plan: { ...request.plan, typed: { cluster: 'name', registry: 'name' } as const } };
    // A cluster cannot be moved, so only one made again under its name (not-at-recorded-id.ts).
    if (code === recheckGone('cluster'))
      return `${error} Once it is created again, make a new request: "${askAgainCommand(bare)}".`;
    return `${error} Then, or once it is created again if it was deleted, make a new request: "${askAgainCommand(bare)}".`;
  }
  if (code === RECHECK_SUBSCRIPTION_UNSERVED)
    return `${error} Asking again cannot work while the subscription is no longer served by this deployment; if the platform team serves it again, ask again: "${askAgainCommand(request, { extension: true })}" (approved like a new request).`;
  if (request.extendsRequestId && code && NEW_REQUEST_CODES.has(code))
    return `${error} If you still need the access, make a new request: "${askAgainCommand(request)}".`;
  return `${error} Once fixed, ask again: "${askAgainCommand(request, { extension: true })}" (approved like a new request).`;
}

/**
 * The outcome card's title: what became of the request, then which request it is
 * ({@link requestInTitle}), as the reminders' and the requester's news name theirs. The title is
 * the notification's and the chat preview's text (card-summary.ts): two outcomes in one chat must
 * not read alike there. An extension applied names the access it extended (its original's id,
 * as before) and its pair; a failed one its own id, its facts saying what it extends. What became
 * of it comes first, as before: it is what a toast must say (and what tests and e2e match).
 */
function outcomeTitle(
  request: AccessRequest,
  { extended, unreachable }: { extended: boolean; unreachable: boolean },
): string {
  const plan = request.plan;
  if (request.state !== 'succeeded') return `The request failed: ${requestInTitle(request)}`;
  if (extended) return `Access of ${request.extendsRequestId} extended (${pairText(request)})`;
  const what = request.outcome?.alreadyPresent
    ? 'Access was already in place'
    : unreachable
      ? // "the cluster", not its name: the pair after it names it, and with the longest names
        // Azure allows the id still comes before a preview's cut.
        `${plan.kind === 'grant' ? 'Role granted' : 'Pull secret created'}, but the cluster cannot pull yet`
      : plan.kind === 'grant'
        ? 'Pull access granted'
        : 'Pull secret created';
  return `${what}: ${requestInTitle(request)}`;
}

/**
 * The outcome card sent to the requester when a request finishes. `reviewers`: as
 * {@link RequestCardOptions.reviewers}, for its break-glass line. `requesterOfOtherTenant`: its
 * requester is of another tenant than acrbot's own (own-tenant.ts `isOtherTenant`), refused any
 * request when made, so its next steps and a failure's way on offer no `extend`, `grant` or
 * `secret`, but say why and what to do instead.
 */
export function outcomeCard(
  request: AccessRequest,
  reviewers?: PolicyRule,
  requesterOfOtherTenant = false,
): AdaptiveCardJson {
  const plan = request.plan;
  const ok = request.state === 'succeeded';
  const outcome = request.outcome;
  // An extension's card is titled with its original: its own id is labelled as the extension.
  const facts: Fact[] = request.extendsRequestId
    ? [
        { label: 'Extension', value: request.id },
        { label: 'Extends', value: request.extendsRequestId },
      ]
    : [{ label: 'Request', value: request.id }];
  const approvers = approvedBy(request);
  if (approvers) facts.push({ label: 'Approved by', value: approvers });
  // Nobody approved it: the holder should know that approvers review it, and what a Reject does.
  const review = request.policy?.breakGlass ? request.policy.review : undefined;
  const nobody = nobodyReviewsOwed(request, reviewers);
  if (ok && review && !review.outcome)
    facts.push({
      label: 'Break-glass',
      value: nobody
        ? `ran without approval; ${reviewOwedByNobody(review.dueAt, nobody)}`
        : `ran without approval; approvers review it by ${shortTime(review.dueAt)} (a Reject revokes it at once)`,
    });
  if (ok) facts.push({ label: 'Term', value: describeAccess(request) });
  if (plan.kind === 'grant')
    facts.push(
      { label: 'Role', value: `${plan.role.name} on ${plan.registry.name}` },
      { label: 'Identity', value: plan.identity.objectId },
    );
  else {
    facts.push(
      { label: 'Secret', value: inertText(`${plan.namespace}/${plan.secretName}`) },
      // A failed run names the credential only when it had one to clean up: one that stopped
      // before its credential step (a namespace gone, a refusal) never made the one its plan names.
      ...(ok || credentialToCleanUp(outcome) ? [{ label: 'Credential', value: credentialLabel(request) }] : []),
      ...(plan.role ? [{ label: 'Role', value: `${plan.role.name} on ${plan.registry.name}` }] : []),
    );
    // A failed run's credential was deleted again or is recorded for clean-up: it has no expiry to show.
    if (ok) facts.push({ label: 'Credential expires', value: credentialExpiry(request) });
  }
  // As the plan's card said it: the grant was made all the same, and nothing pulls with it until
  // the cluster is started.
  facts.push(...registrySettingFacts(plan.registry), ...clusterStoppedFacts(plan));
  if (outcome?.createdIds?.length)
    facts.push({ label: 'Created', value: outcome.createdIds.map((id) => createdLabel(request, id)).join(', ') });
  if (outcome?.azureRequestIds.length)
    facts.push({ label: 'Azure request ids', value: outcome.azureRequestIds.join(', ') });
  if (outcome?.cleanup && outcome.cleanup !== 'none')
    facts.push({ label: 'Clean-up', value: CLEANUP_FACTS[outcome.cleanup] });
  // An extension moved its original's end (a secret's was rotated into the same secret): nothing
  // new to reference from a manifest.
  const extended = ok && Boolean(request.extendsRequestId);
  const viaServiceAccount = plan.kind === 'secret' && serviceAccountHoldsSecret(plan, outcome);
  const snippet =
    ok && !extended
      ? deploymentSnippet({
          loginServer: plan.registry.loginServer,
          ...(plan.kind === 'secret' && {
            namespace: plan.namespace,
            serviceAccount: plan.serviceAccount,
            // The service account names the secret for its pods; without it (or when adding it
            // there failed) the pod must name it.
            ...(!viaServiceAccount && { imagePullSecret: plan.secretName }),
            // A token limited to some repositories pulls nothing else.
            ...(plan.repositories.length > 0 && { repository: plan.repositories[0] }),
          }),
        })
      : '';
  // Granted, but as planned no network reaches the registry: not a success to celebrate.
  const unreachable = ok && !extended ? plan.registry.unreachable : undefined;
  // The network lets the cluster in only on a condition acrbot cannot see (an allowed IP, a
  // private endpoint): the hint must not promise a pull (absent on plans stored before it was).
  const netCondition = plan.registry.unreachable ? undefined : plan.registry.networkCondition;
  const onlyIf = netCondition ? ", but only if the cluster's network reaches the registry" : '';
  return renderCard('outcome', {
    sandbox: request.sandbox,
    nextSteps: ok && !outcome?.alreadyPresent ? nextSteps(request, requesterOfOtherTenant) : '',
    title: outcomeTitle(request, { extended, unreachable: Boolean(unreachable) }),
    titleStyle: tint(ok ? (unreachable ? 'Warning' : 'Good') : 'Attention'),
    // Error text: an outcome may quote what Azure or a cluster answered (see requestCard).
    summary: ok ? errorText(outcome?.summary ?? '') : failedSummary(request, requesterOfOtherTenant),
    networkProblem: unreachable
      ? `When this was requested: ${unreachable} Ask the registry's owners to let the cluster in (public access, its outbound IP or subnet, or a private endpoint), then: "@acrbot check ${commandNames(plan)}".`
      : '',
    facts,
    hasSnippet: ok && !extended,
    snippetHint:
      (plan.kind === 'grant'
        ? plan.registry.unreachable
          ? `Once the cluster can reach the registry, pods in ${plan.cluster.name} pull from ${plan.registry.loginServer} with no imagePullSecrets.`
          : outcome?.alreadyPresent
            ? `Pods in ${plan.cluster.name} ${netCondition ? 'pull' : 'can pull'} from ${plan.registry.loginServer}${onlyIf}; no imagePullSecrets needed.`
            : // A new role assignment takes effect once Azure has replicated it (usually minutes, at
              // worst half an hour): a pull failing at once is not a failed grant. `check` reads
              // the assignment, so it shows it at once; it is the tool once that time has passed.
              `Pods in ${plan.cluster.name} ${netCondition ? 'pull' : 'can pull'} from ${plan.registry.loginServer} once Azure has applied the role (usually within minutes)${onlyIf}; no imagePullSecrets needed. If pulls still fail after 30 minutes: "@acrbot check ${commandNames(plan)}".`
        : viaServiceAccount
          ? // Kubernetes copies a service account's imagePullSecrets into a pod only when the pod is
            // created, and only into one that lists none of its own: pods already running never get it.
            inertText(
              `New pods in namespace ${plan.namespace} that run as service account ${plan.serviceAccount ?? ''} and list no imagePullSecrets of their own pull with the secret${onlyIf}. Restart existing pods (kubectl rollout restart deployment/NAME -n ${plan.namespace}); pods that list their own imagePullSecrets need ${plan.secretName} added.`,
            )
          : `Reference the secret from pods in namespace ${plan.namespace}${onlyIf ? `; they pull${onlyIf}` : ''}.`) +
      (netCondition ? ` When this was requested: ${netCondition}` : ''),
    snippet,
    // Clients without CodeBlock (Teams mobile, microsoft/AdaptiveCards#9072) fall back to one
    // monospace line per row; non-breaking spaces keep the YAML indentation. Those rows are
    // TextBlocks, markdown like any other (monospace is only their font): the secret, service
    // account and repository names in them are the requester's, and a `www.` name would become a
    // link, so the rows are made inert. The CodeBlock shows code.
    // So the rows are for reading, and the template's line above them says so and where to copy
    // from: copied, a non-breaking space is no YAML indentation (the text parses, silently, into
    // another structure) and a zero-width space would be in a name. Made copyable instead (JSON
    // or flow-style YAML, which need no indentation), the rows would read worse on the phone, where
    // the snippet is read, not applied (kubectl runs on a computer, where this card shows the
    // CodeBlock), and the inert names would still not copy as typed.
    snippetLines: snippet
      .split('\n')
      .map((line) => inertText(line.replace(/^ +/, (spaces) => '\u00a0'.repeat(spaces.length)))),
  });
}
