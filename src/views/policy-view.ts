/** Cards of the approval policy: `policy CLUSTER REGISTRY`, the break-glass alert. */
import { describeAccess, describeDurationMs, formatUtc, formatUtcUp } from '../domain/access-term';
import { cooldownMsOf, type BreakGlassCooldown } from '../domain/break-glass-cooldown';
import type { SecretCredentialKind } from '../domain/plan';
import { approversName, type BreakGlassPolicy, hasApprovers, type Policy, type PolicyRule } from '../domain/policy';
import { oneRuleForAll, type PairRules, SECRET_KINDS, type SecretRules } from '../domain/policy-overview';
import { isBeingRevoked, type AccessRequest } from '../domain/request';
import { reviewJudgesUseOnly } from '../domain/break-glass-review';
import { OTHER_TENANT_POLICY_OUTCOME, otherTenantRefusal } from '../domain/own-tenant';
import { isUncovered, nobodyReviewsWhy } from '../domain/decided-rule';
import type { AdaptiveCardJson } from './card-templates';
import { messageCard } from './message-view';
import { inertText } from './inert-text';
import { errorText, type Fact, planFacts } from './request-view';
import { pairText, requestInTitle } from './request-in-title';
import { sharingWords } from './sharing-clusters';

/**
 * How cards name a rule's approvers. The name is written in the policy file (as are channel ids
 * and namespace globs, which the file checks only loosely): text that reaches every reader of
 * the card, so it is made inert like user text (no live link, image or mention).
 */
function approversText(rule: PolicyRule): string {
  return inertText(approversName(rule));
}

/** A policy's durations in words, as the request cards write them ("30 days", "4 hours"). */
function duration(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : describeDurationMs(ms);
}

/**
 * The facts that describe a rule, in the order people ask about them. `deploymentMaxAccessMs`:
 * ACRBOT_MAX_ACCESS_DURATION, the longest access of a rule that sets no maxDuration of its own.
 */
export function ruleFacts(rule: PolicyRule, deploymentMaxAccessMs?: number): Fact[] {
  const facts: Fact[] = [{ label: 'Rule', value: rule.id }];
  if (rule.autoApprove) {
    facts.push({
      label: 'Approval',
      value: `automatic (no human needed), for at most ${duration(rule.autoApprove.maxDurationMs)}`,
    });
  } else {
    facts.push({
      label: 'Needs',
      value: `${rule.approvalsRequired === 1 ? '1 approval' : `${rule.approvalsRequired} approvals from different people`} from ${approversText(rule)}; the requester never counts`,
    });
    facts.push(...approverFacts(rule));
    facts.push({
      label: 'Approver justification',
      value: rule.approverJustification === 'required' ? 'required' : 'optional',
    });
  }
  if (rule.channel) facts.push({ label: 'Card goes to', value: inertText(rule.channel) });
  if (rule.maxDurationMs !== undefined) facts.push({ label: 'Longest access', value: duration(rule.maxDurationMs)! });
  // No maxDuration of its own: the deployment's limit still applies, and a card that left it out
  // would read as no limit at all. (An auto-approving rule's own "at most" above is its limit.)
  else if (deploymentMaxAccessMs !== undefined && !rule.autoApprove)
    facts.push({ label: 'Longest access', value: `${duration(deploymentMaxAccessMs)}, the deployment's limit` });
  if (rule.remindAfterMs !== undefined)
    facts.push({ label: 'Reminder', value: `approvers are reminded after ${duration(rule.remindAfterMs)}` });
  if (rule.escalateAfterMs !== undefined)
    facts.push({
      label: 'Escalation',
      value: `after ${duration(rule.escalateAfterMs)} to ${escalationAudience(rule)}`,
    });
  return facts;
}

/** Where an escalation goes: its channel and groups, after the name the policy gives them. */
function escalationAudience(rule: PolicyRule): string {
  const where = [rule.escalateTo?.channel, ...(rule.escalateTo?.groups ?? [])].filter(Boolean).join(', ');
  const name = rule.escalateTo?.name;
  return inertText(name ? `${name} (${where})` : where);
}

/** Who the rule names as approvers (users, then groups), under `label` (`Approvers`). */
function approverFacts(rule: PolicyRule, label = 'Approvers'): Fact[] {
  const facts: Fact[] = [];
  if (rule.approvers.users.length) facts.push({ label, value: rule.approvers.users.join(', ') });
  if (rule.approvers.groups.length)
    facts.push({ label: `${label.replace(/s$/, '')} groups`, value: `members of ${rule.approvers.groups.join(', ')}` });
  return facts;
}

/**
 * `policy CLUSTER REGISTRY`: which rule applies and who can approve, before anyone asks. `rule`
 * is the grant's; `secret`, the rules of the pair's pull secrets: when they are not all that
 * rule, each flow (and credential kind, and namespace, where they differ) is listed under its
 * own heading, so nobody reads a grant's approvers as a secret's.
 */
export function policyCard(input: {
  cluster: string;
  registry: string;
  policy: Policy;
  rule: PolicyRule | undefined;
  secret?: PairRules['secret'];
  sandbox: boolean;
  /** ACRBOT_MAX_ACCESS_DURATION: shown as the longest access of a rule without a maxDuration. */
  deploymentMaxAccessMs?: number;
  /**
   * The last reload that refused the policy file on disk (PolicySource.refusal()): the card says
   * the file there is not the policy shown, which otherwise only the log would.
   */
  refusedReload?: { at: string; reason: string };
  /** The reader's own break-glass cooldown after a rejected review, if they are in one now. */
  cooldown?: BreakGlassCooldown;
}): AdaptiveCardJson {
  const { policy, rule, secret, deploymentMaxAccessMs: maxMs } = input;
  const split = secret !== undefined && !oneRuleForAll({ grant: rule, secret });
  const facts: Fact[] = split ? flowFacts(rule, secret, maxMs) : rule ? ruleFacts(rule, maxMs) : [];
  if (policy.breakGlass) facts.push(...breakGlassFacts(policy.breakGlass, rule, split, input.cooldown));
  facts.push({
    label: 'Policy',
    value: `${policy.source === 'file' ? 'policy file' : 'environment settings'}, sha256 ${policy.hash.slice(0, 12)}…`,
  });
  const applies = split
    ? 'Grants and pull secrets of this pair fall under different rules; each is listed below (the first rule whose match fits applies).'
    : rule
      ? `Rule ${rule.id} applies (the first rule whose match fits).`
      : 'No rule fits this pair, so a request would be refused: nobody could approve it. Ask the platform team to add a rule.';
  return messageCard({
    title: `Approval policy for ${input.cluster} → ${input.registry}`,
    // A notice of its own, in the warning colour, above what applies: not read as part of it.
    ...(input.refusedReload && { warning: refusedText(input.refusedReload) }),
    text: applies,
    tone: split || rule ? 'info' : 'error',
    facts,
    sandbox: input.sandbox,
  });
}

/**
 * `policy CLUSTER REGISTRY` asked by a user of another allowed tenant than acrbot's own: every
 * request of theirs is refused when it is made (own-tenant.ts), so the pair's rule does not apply
 * to them and is not shown (its approvers are this tenant's people and groups, and an automatic
 * approval would read as one they could get). The creation refusal's words say why and what to do.
 */
export function otherTenantPolicyCard(tenantId: string, ownTenantId: string, sandbox: boolean): AdaptiveCardJson {
  return messageCard({
    title: 'Requests from your tenant are refused',
    text: otherTenantRefusal(tenantId, ownTenantId, OTHER_TENANT_POLICY_OUTCOME),
    tone: 'error',
    sandbox,
  });
}

/**
 * That the policy file on disk was refused, when acrbot read it, and why: what its first problem
 * says comes from the file (patterns, tag values, a draft's pasted token), so it is scrubbed of
 * secrets and made inert like an error quoting user text.
 */
function refusedText(refused: { at: string; reason: string }): string {
  const at = `${refused.at.slice(0, 16).replace('T', ' ')} UTC`;
  return (
    `Not in force: the policy file read at ${at} was refused (${errorText(refused.reason)}). ` +
    'The policy below is still the one in force; "npm run policy:check" lists every problem.'
  );
}

/**
 * What the card says of break-glass on this pair. Break-glass is for grants and reviewed by the
 * approvers of the grant's rule: where no rule fits, or it names nobody, `create` refuses it
 * (`breakglass.refused.noRule`, `.noReviewer`; request-creation.ts), so the card must not offer it.
 */
function breakGlassFacts(
  bg: BreakGlassPolicy,
  rule: PolicyRule | undefined,
  split: boolean,
  cooldown: BreakGlassCooldown | undefined,
): Fact[] {
  const label = 'Break-glass';
  const grants = split ? ' for grants' : '';
  if (!rule)
    return [
      {
        label,
        value: `not available${grants} on this pair: no rule fits its grants, so nobody could review a break-glass grant`,
      },
    ];
  if (!hasApprovers(rule))
    return [
      {
        label,
        value: `not available${grants} on this pair: rule ${rule.id} names no approvers, so nobody could review a break-glass grant`,
      },
    ];
  const cooldownMs = cooldownMsOf(bg);
  const afterRejection = cooldownMs > 0 ? `; after a rejected review, not again for ${duration(cooldownMs)}` : '';
  return [
    {
      label,
      value: `members of ${bg.groups.join(', ')} may use --break-glass${split ? ' on grants' : ''} for at most ${duration(bg.maxDurationMs)}, reviewed within 24 hours by ${approversText(rule)}${afterRejection}`,
    },
    // An auto-approving rule lists nobody above, yet its approvers are who review break-glass.
    ...(rule.autoApprove ? approverFacts(rule, 'Break-glass reviewers') : []),
    // Said before they try: otherwise the first they hear of it is the refusal of --break-glass.
    ...(cooldown ? [{ label: 'Your break-glass', value: cooldownText(cooldown) }] : []),
  ];
}

/** The reader's own cooldown: until when, and which review's rejection, by whom, started it. */
function cooldownText(cooldown: BreakGlassCooldown): string {
  const by = cooldown.rejectedBy ? ` by ${inertText(cooldown.rejectedBy.name)}` : '';
  return `not available to you until ${formatUtcUp(cooldown.until)}: the review of your break-glass request ${cooldown.requestId} was rejected${by} at ${formatUtc(cooldown.rejectedAt)}`;
}

/** How a heading names a rule, or that none fits. */
function ruleHeading(rule: PolicyRule | undefined, shown: Set<PolicyRule>): string {
  if (!rule) return 'no rule fits: such a request would be refused (nobody could approve it)';
  return shown.has(rule) ? `rule ${rule.id}, as above` : `rule ${rule.id}`;
}

/**
 * One heading per flow, credential kind and namespace condition, each followed by its rule's
 * facts the first time that rule is named (later headings refer back to it).
 */
function flowFacts(grant: PolicyRule | undefined, secret: PairRules['secret'], maxMs: number | undefined): Fact[] {
  const facts: Fact[] = [];
  const shown = new Set<PolicyRule>();
  const section = (label: string, rule: PolicyRule | undefined) => {
    facts.push({ label, value: ruleHeading(rule, shown) });
    // Its facts without their first, "Rule": the heading names it.
    if (rule && !shown.has(rule)) facts.push(...ruleFacts(rule, maxMs).slice(1));
    if (rule) shown.add(rule);
  };
  section('Grants', grant);
  const kinds = sameSecretRules(secret.token, secret.sp)
    ? [['Pull secrets', secret.token] as const]
    : SECRET_KINDS.map((kind) => [`Pull secrets (${KIND_NAMES[kind]})`, secret[kind]] as const);
  // Each namespace rule named for the first time brings all its facts: a policy with a rule per
  // team's namespace would make a card Teams refuses. The first ones are listed, the rest counted.
  let namespaceSections = 0;
  for (const [label, rules] of kinds) {
    const shownHere = rules.byNamespace.slice(0, Math.max(0, POLICY_CARD_MAX_NAMESPACE_RULES - namespaceSections));
    namespaceSections += shownHere.length;
    for (const { namespaces, rule } of shownHere)
      section(`${label} in namespace ${inertText(namespaces.join(', '))}`, rule);
    const more = rules.byNamespace.length - shownHere.length;
    if (more > 0)
      facts.push({
        label: `${label} in ${more} more namespace pattern${more === 1 ? '' : 's'}`,
        value: 'their rules are not listed here; the policy file names them',
      });
    section(rules.byNamespace.length ? `${label} in other namespaces` : label, rules.otherwise);
  }
  return facts;
}

/** Most namespace-scoped pull-secret rules the policy card lists (across credential kinds). */
const POLICY_CARD_MAX_NAMESPACE_RULES = 8;

/** How cards name a secret's credential kind. */
const KIND_NAMES: Record<SecretCredentialKind, string> = { token: 'ACR token', sp: 'service principal' };

function sameSecretRules(a: SecretRules, b: SecretRules): boolean {
  return (
    a.otherwise === b.otherwise &&
    a.byNamespace.length === b.byNamespace.length &&
    a.byNamespace.every((n, i) => n.rule === b.byNamespace[i].rule)
  );
}

/**
 * What the daily report says "@acrbot pending R-…" offers approvers. Its access may have ended
 * (revoked) or be ending since it ran: the review then only judges the use, and Reject revokes
 * nothing (break-glass-reviews.ts, reviewNow); while it is being revoked the card has no buttons.
 */
function reviewChoices(request: AccessRequest): string {
  if (!reviewJudgesUseOnly(request)) return 'shows it with Approve (keep it) and Reject (revoke it at once)';
  if (isBeingRevoked(request))
    return 'shows it once its access, being revoked now, is gone: Approve records that its use was justified, Reject that it was not (nothing more is revoked)';
  return 'shows it with Approve (its use was justified) and Reject (records that the use was not justified; its access has already ended, so nothing is revoked)';
}

/**
 * The loud card posted when break-glass is used (break-glass channel and audit channel), and the
 * daily report of one still unreviewed. Both titles name the pair and the request, short
 * (request-in-title.ts): the title is what a notification shows. The alert's facts place the
 * cluster and registry; the report names what was granted (its role too): a reviewer must not
 * need a second command to learn it.
 * `reviewers`: the rule whose approvers review it now (RequestService.ruleOf). The alert says
 * when nobody can review it (a reload since it ran, {@link reviewAsked}); when no rule of the
 * policy in force covers its pair (decidedRule kept the rule as it was, isUncovered), the
 * report says so, who reviews it then (nobody, when the policy names none of the rule's
 * approvers any more: leftToNobody), and that a rule for the pair should be added; when its rule
 * names only its requester (namesOnlyRequester), that nobody can review it until an approver is
 * added to that rule.
 */
export function breakGlassCard(
  request: AccessRequest,
  kind: 'used' | 'unreviewed',
  reviewers?: PolicyRule,
): AdaptiveCardJson {
  const review = request.policy?.review;
  // The requester's Teams display name is user text, shown to every approver.
  const requester = inertText(request.requester.name);
  return messageCard({
    title:
      kind === 'used'
        ? `BREAK-GLASS used: ${requestInTitle(request)} by ${requester}`
        : `BREAK-GLASS still unreviewed: ${requestInTitle(request)}`,
    text:
      kind === 'used'
        ? `Request ${request.id} ran without approval. ${reviewAsked(request, reviewers)}`
        : `Request ${request.id} (${requester}) was not reviewed by ${review?.dueAt.slice(0, 16).replace('T', ' ')} UTC. ${reviewOwed(request, reviewers)}`,
    tone: 'error',
    facts: [
      { label: 'Request', value: request.id },
      { label: 'By', value: requester },
      // Where, with the cluster's resource group and subscription (a cluster of one name in
      // another subscription must not be taken for it): the alert's title names only the pair.
      ...(kind === 'used' ? placedPair(request) : [{ label: 'Granted', value: grantedText(request) }]),
      { label: 'Reason', value: inertText(request.reason) },
      // The request card's "Term" in its words: until when, and for how long.
      { label: 'Term', value: inertText(describeAccess(request)) },
      ...sharedIdentityFacts(request),
    ],
    sandbox: request.sandbox,
  });
}

/**
 * What the alert of a break-glass use asks of the approvers: to review it by when, and where; or,
 * when nobody can as the policy stands under `reviewers` (a reload since it ran), that said
 * ({@link nobodyToReview}).
 */
function reviewAsked(request: AccessRequest, reviewers: PolicyRule | undefined): string {
  const due = `${request.policy?.review?.dueAt.slice(0, 16).replace('T', ' ')} UTC`;
  const nobody = nobodyToReview(request, reviewers);
  if (nobody) return `Its review is owed by ${due}, but nobody can give it yet. ${nobody}`;
  return `An approver must review it by ${due}, on its request card or with "@acrbot pending ${request.id}": Approve keeps it, Reject revokes it at once.`;
}

/**
 * Why nobody can review `request`'s owed review under `reviewers` ({@link nobodyReviewsWhy}), who
 * would then review it, and that its requester can still revoke their access; undefined when
 * someone may.
 */
function nobodyToReview(request: AccessRequest, reviewers: PolicyRule | undefined): string | undefined {
  const nobody = nobodyReviewsWhy(reviewers, request.requester, pairText(request));
  if (!nobody) return undefined;
  const then = isUncovered(reviewers) ? 'its approvers' : 'they';
  return `${nobody}: ${then} would then review it with "@acrbot pending ${request.id}".${requesterMayRevoke(request)}`;
}

/**
 * What the daily report of an owed review asks, and of whom: approvers, with "@acrbot pending
 * R-…"; when no rule of the policy in force covers the pair (isUncovered), that said, that those
 * of the approvers the rule had when it ran whom the policy still names review it under that rule
 * as it was, and that a rule for the pair should be added; and when the policy names none of them
 * (leftToNobody) or none but its requester, that nobody can review it until a rule for the pair
 * is added (no command to point at: it would refuse everyone), and that its requester can still
 * revoke their access; likewise when its rule names only its requester (namesOnlyRequester), who
 * never reviews their own, until an approver is added to that rule.
 */
function reviewOwed(request: AccessRequest, reviewers: PolicyRule | undefined): string {
  const pending = `"@acrbot pending ${request.id}" ${reviewChoices(request)}.`;
  const pair = pairText(request);
  // Its requester never reviews their own: a rule naming only them leaves nobody to ask.
  const nobody = nobodyToReview(request, reviewers);
  if (nobody) return nobody;
  if (!isUncovered(reviewers)) return `Approvers: ${pending}`;
  return `No rule of the approval policy in force covers ${pair}, so those of the approvers rule ${reviewers.id} had when it ran whom the policy still names review it under that rule as it was: ${pending} Add a rule for ${pair} to the approval policy so that its approvers review it.`;
}

/**
 * " Its requester can still revoke their own access.", while that access is there to revoke (not
 * ended, nor being revoked: reviewJudgesUseOnly); else nothing.
 */
function requesterMayRevoke(request: AccessRequest): string {
  return reviewJudgesUseOnly(request) ? '' : ` Its requester can still revoke their own access.`;
}

/**
 * The cluster and registry as the request card's "Cluster" and "Registry" facts name them, the
 * cluster with its resource group and subscription, the registry with its login server (planFacts).
 */
function placedPair(request: AccessRequest): Fact[] {
  return planFacts(request).filter((f) => f.label === 'Cluster' || f.label === 'Registry');
}

/**
 * What a break-glass request granted, "aks-prod → contosoacr (AcrPull)". The role's name is
 * Azure's (a custom role's is written by whoever defined it): made inert like user text.
 */
function grantedText(request: AccessRequest): string {
  const plan = request.plan;
  const what = plan.kind === 'grant' ? plan.role.name : `pull secret ${plan.secretName}`;
  return inertText(`${plan.cluster.name} → ${plan.registry.name} (${what})`);
}

/**
 * Who else pulls with a break-glass grant's identity (found when planned): the assignment is the
 * identity's, so those clusters got pull too, unapproved; and the subscriptions where that could
 * not be looked for, which break-glass does not wait on (a normal grant would go to approvers).
 * The reviewer judges the grant by this. Resource group names are user text (a look-alike one is
 * flagged, as on the request card); the whole row is made inert. Nothing when none was found.
 */
function sharedIdentityFacts(request: AccessRequest): Fact[] {
  const plan = request.plan;
  const shared = plan.kind === 'grant' ? plan.sharedWith : undefined;
  if (!shared || (!shared.clusters.length && !shared.unchecked.length)) return [];
  const { clusters, them, unchecked } = sharingWords(shared);
  const parts: string[] = [];
  if (clusters)
    parts.push(`also the pull identity of ${clusters}: the grant gives ${them} pull on ${plan.registry.name} too`);
  if (unchecked)
    parts.push(
      `whether other clusters pull with it could not be checked in ${unchecked} ` +
        `(acrbot could not list their clusters; break-glass went ahead)`,
    );
  return [{ label: 'Shared identity', value: inertText(parts.join('; ')) }];
}
