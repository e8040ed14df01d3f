/**
 * The approval policy (G18): which rule applies to a request, who may approve it, how many
 * approvals it needs, where its card goes, how long access may last, auto-approval and
 * break-glass. Pure: the file is parsed in `config/policy-file.ts`, group membership is looked
 * up by the caller and passed in.
 */
import type { Plan } from './plan';
import type { AccessRequest, AccessTerm, Actor, Approval } from './request';
import { reviewedUseOnly } from './break-glass-review';
import { namedOthers, otherApprovers } from './approver-reach';
import { globMatches } from './glob';

/** Conditions of a rule; every field given must fit (AND), a list fits when one entry fits (OR). */
export interface RuleMatch {
  /** Globs on the cluster name. */
  cluster?: string[];
  /** Globs on the registry name. */
  registry?: string[];
  /** Globs on the registry's resource group (the resource access is granted on). */
  resourceGroup?: string[];
  /** Globs on the registry's subscription id. */
  subscription?: string[];
  /** Globs on the cluster's resource group. */
  clusterResourceGroup?: string[];
  /** Globs on the cluster's subscription id. */
  clusterSubscription?: string[];
  /** Globs on the Kubernetes namespace (secret flow; a grant has none and never fits). */
  namespace?: string[];
  /** Globs on the flow: `grant` or `secret`. */
  flow?: string[];
  /** Globs on the kind: `roleAssignment` for a grant, `token` or `sp` for a secret. */
  kind?: string[];
  /** Exact tag values on the cluster (tag names case-insensitive, values exact). */
  clusterTags?: Record<string, string>;
  /** Exact tag values on the registry. */
  registryTags?: Record<string, string>;
}

/**
 * The `ruleId` of break-glass decisions in requests and audit entries. No policy rule may have
 * it (the policy file refuses it), so an entry with this id always means break-glass.
 */
export const BREAK_GLASS_RULE_ID = 'break-glass';

/**
 * Every value a request's `flow` and `kind` can have (see {@link factsOf}). A pattern of the
 * policy that fits none of them can never fit a request: the policy file refuses it, as it
 * refuses a misspelt field, or a typo would send those requests on to a later rule.
 */
export const MATCH_VALUES = {
  flow: ['grant', 'secret'],
  kind: ['roleAssignment', 'token', 'sp'],
} as const satisfies Record<'flow' | 'kind', readonly string[]>;

/** Who may approve under a rule. */
export interface ApproverSet {
  /** Entra object ids of people. */
  users: string[];
  /** Entra group object ids; transitive members approve (checked at decision time, G5). */
  groups: string[];
  /** How cards name them ("Platform Approvers"); defaults to "the approvers of rule <id>". */
  name?: string;
}

/** One rule of the policy. Durations are in ms. */
export interface PolicyRule {
  id: string;
  match: RuleMatch;
  approvers: ApproverSet;
  /** Distinct approvers other than the requester. */
  approvalsRequired: number;
  /** Teams channel (conversation id) the approval card goes to. */
  channel?: string;
  /** Longest access this rule grants. */
  maxDurationMs?: number;
  approverJustification: 'required' | 'optional';
  remindAfterMs?: number;
  escalateAfterMs?: number;
  /** Who an escalation also goes to; `name` says who they are (`groups` are ids). */
  escalateTo?: { channel?: string; groups: string[]; name?: string };
  /** Executes without a human decision, for at most `maxDurationMs`. */
  autoApprove?: { maxDurationMs: number };
}

/** The emergency path: members of these groups execute at once, reviewed afterwards. */
export interface BreakGlassPolicy {
  groups: string[];
  maxDurationMs: number;
  /** Where the loud card goes (besides the audit channel). */
  channel?: string;
  /**
   * How long a member whose break-glass grant was rejected in review may not use break-glass
   * again, on any pair, counted from the rejection (break-glass-cooldown.ts); 0: never refused so.
   * Absent (a policy not read from a file), {@link DEFAULT_BREAK_GLASS_COOLDOWN_MS}.
   */
  cooldownAfterRejectionMs?: number;
}

/** `breakGlass.cooldownAfterRejection` when the policy does not say: a day. */
export const DEFAULT_BREAK_GLASS_COOLDOWN_MS = 24 * 3_600_000;

/** A loaded policy. */
export interface Policy {
  version: 1;
  rules: PolicyRule[];
  breakGlass?: BreakGlassPolicy;
  /** sha256 (hex) of the file, or of the environment settings the default rule was built from. */
  hash: string;
  /** Where it came from, for the `policy` command and logs. */
  source: 'file' | 'environment';
}

/** What a rule is matched against, taken from a request's plan. */
export interface RequestFacts {
  cluster: string;
  registry: string;
  resourceGroup: string;
  subscription: string;
  clusterResourceGroup: string;
  clusterSubscription: string;
  namespace?: string;
  flow: string;
  kind: string;
  clusterTags: Record<string, string>;
  registryTags: Record<string, string>;
}

/** A cluster or registry as far as rules care. */
export interface MatchedResource {
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  tags?: Record<string, string>;
}

/** The facts of a cluster/registry pair for a flow (the `policy` command asks before any plan exists). */
export function factsFor(
  cluster: MatchedResource,
  registry: MatchedResource,
  flow: 'grant' | 'secret' = 'grant',
  kind = 'roleAssignment',
  namespace?: string,
): RequestFacts {
  return {
    cluster: cluster.name,
    registry: registry.name,
    resourceGroup: registry.resourceGroup,
    subscription: registry.subscriptionId,
    clusterResourceGroup: cluster.resourceGroup,
    clusterSubscription: cluster.subscriptionId,
    namespace,
    flow,
    kind,
    clusterTags: cluster.tags ?? {},
    registryTags: registry.tags ?? {},
  };
}

/** The facts of a plan. */
export function factsOf(plan: Plan): RequestFacts {
  return plan.kind === 'secret'
    ? factsFor(plan.cluster, plan.registry, 'secret', plan.credentialKind, plan.namespace)
    : factsFor(plan.cluster, plan.registry, 'grant', 'roleAssignment');
}

/** Case-insensitive glob: `*` any run of characters, `?` one character; everything else literal (glob.ts). */
export { globMatches };

function anyGlob(patterns: string[] | undefined, value: string | undefined): boolean {
  if (!patterns) return true;
  if (value === undefined) return false;
  return patterns.some((p) => globMatches(p, value));
}

function tagsFit(wanted: Record<string, string> | undefined, actual: Record<string, string>): boolean {
  if (!wanted) return true;
  const byName = new Map(Object.entries(actual).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(wanted).every(([k, v]) => byName.get(k.toLowerCase()) === v);
}

/** True when every condition of `match` fits the facts. */
export function ruleMatches(match: RuleMatch, facts: RequestFacts): boolean {
  return (
    anyGlob(match.cluster, facts.cluster) &&
    anyGlob(match.registry, facts.registry) &&
    anyGlob(match.resourceGroup, facts.resourceGroup) &&
    anyGlob(match.subscription, facts.subscription) &&
    anyGlob(match.clusterResourceGroup, facts.clusterResourceGroup) &&
    anyGlob(match.clusterSubscription, facts.clusterSubscription) &&
    anyGlob(match.namespace, facts.namespace) &&
    anyGlob(match.flow, facts.flow) &&
    anyGlob(match.kind, facts.kind) &&
    tagsFit(match.clusterTags, facts.clusterTags) &&
    tagsFit(match.registryTags, facts.registryTags)
  );
}

/** The first rule whose match fits, or undefined (then nobody can approve: the request is refused). */
export function selectRule(policy: Policy, facts: RequestFacts): PolicyRule | undefined {
  return policy.rules.find((r) => ruleMatches(r.match, facts));
}

/** A rule's snapshot as bound to a request: a pending request keeps it whatever reloads happen. */
export type BoundRule = PolicyRule;

/** How cards name a rule's approvers. */
export function approversName(rule: PolicyRule): string {
  return rule.approvers.name ?? `the approvers of rule ${rule.id}`;
}

/** True when the actor is named in the rule or (looked up now by the caller) in one of its groups. */
export function isNamedApprover(rule: PolicyRule, actor: Actor): boolean {
  const id = actor.objectId.toLowerCase();
  return rule.approvers.users.some((u) => u.toLowerCase() === id);
}

/** True when the rule names someone who could approve under it (users or groups); an auto-approving rule may name nobody. */
export function hasApprovers(rule: PolicyRule): boolean {
  return rule.approvers.users.length + rule.approvers.groups.length > 0;
}

/**
 * Whether someone other than `requester` could approve or review under `rule` as far as the rule
 * itself says: a named user who is not them, or a group. Who is in the groups is read by the
 * caller ({@link otherApprovers}): a group holding only the requester is nobody else either.
 */
export function hasOtherApprover(rule: PolicyRule, requester: Actor): boolean {
  if (rule.approvers.groups.length > 0) return true;
  const self = requester.objectId.toLowerCase();
  return rule.approvers.users.some((u) => u.toLowerCase() !== self);
}

/**
 * Why a request by `requester` under `rule` could never be approved, or undefined when it could
 * (or that cannot be told): its approvers, the requester left out (nobody approves their own),
 * are fewer than its quorum. They are its named users and, for a rule with groups, the members
 * read from them (`groupUsers`, see {@link otherApprovers}); without those reads (the directory
 * could not be asked) a rule with groups is not judged. Such a request would only wait until it
 * expires. `asWritten`: the rule before its named users were cut to those the directory finds
 * enabled (`rule` is the cut one): the named approvers it lost are counted as disabled or gone,
 * so the refusal says people left rather than that the rule names nobody.
 */
export function quorumOutOfReach(
  rule: PolicyRule,
  requester: Actor,
  groupUsers?: readonly (readonly string[])[],
  asWritten?: PolicyRule,
): string | undefined {
  const grouped = rule.approvers.groups.length > 0;
  if (rule.autoApprove || (grouped && !groupUsers)) return undefined;
  const others = otherApprovers(rule, requester, groupUsers).size;
  const required = Math.max(1, rule.approvalsRequired);
  if (others >= required) return undefined;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const kept = new Set(namedOthers(rule, requester));
  const gone = asWritten ? namedOthers(asWritten, requester).filter((u) => !kept.has(u)).length : 0;
  // As break-glass's refusal says it (request-creation.ts): they are named, but cannot sign in.
  const goneWords =
    gone > 0
      ? ` (${plural(gone, 'named approver')} ${gone === 1 ? 'is' : 'are'} disabled or gone from the directory)`
      : '';
  const named = grouped
    ? `its approver groups and named approvers hold ${others === 0 ? 'nobody else' : `only ${others === 1 ? '1 other person' : `${others} other people`}`}${gone > 0 ? ' who can sign in' : ''}`
    : `names ${others === 0 ? 'nobody else' : `only ${plural(others, 'other approver')}`}${gone > 0 ? ' who can sign in' : ''}`;
  return `Rule ${rule.id} needs ${plural(required, 'approval')} from someone other than the requester and ${named}${goneWords}, so this request could never be approved; nothing was requested. Ask the platform team to add approvers to the rule${gone > 0 ? ' in place of those who left' : ''}.`;
}

/** Distinct approvals that count: never the requester's, one per person. */
export function countedApprovals(request: AccessRequest): Approval[] {
  const requester = request.requester.objectId.toLowerCase();
  const seen = new Set<string>();
  const out: Approval[] = [];
  for (const a of request.approvals ?? []) {
    const id = a.by.objectId.toLowerCase();
    if (id === requester || seen.has(id)) continue;
    seen.add(id);
    out.push(a);
  }
  return out;
}

/** Why an approval click is refused, beyond the base checks (self, expired, not an approver, justification). */
export type QuorumRefusal = 'twice';

/** The outcome of one approver's click under a rule. */
export type ApprovalStep =
  | { kind: 'refused'; reason: 'twice'; message: string }
  | { kind: 'recorded'; approvals: Approval[]; required: number }
  | { kind: 'approved'; approvals: Approval[]; required: number }
  | { kind: 'rejected' };

/**
 * The next step after `actor` approves (or rejects) a pending request, as a pure function of
 * the request (with its approvals so far) and the rule it is bound to. Call after the base
 * checks: one rejection rejects; an approval from someone who already approved is refused; the
 * request is approved when the distinct approvals reach `approvalsRequired`.
 */
export function nextApprovalStep(
  request: AccessRequest,
  required: number,
  click: { actor: Actor; approving: boolean; at: Date; reason?: string },
): ApprovalStep {
  if (!click.approving) return { kind: 'rejected' };
  const id = click.actor.objectId.toLowerCase();
  const so = countedApprovals(request);
  if (so.some((a) => a.by.objectId.toLowerCase() === id)) {
    return {
      kind: 'refused',
      reason: 'twice',
      message: `You already approved request ${request.id}; it needs ${required} different approvers, so someone else must approve it too.`,
    };
  }
  const approvals = [...so, { by: click.actor, at: click.at.toISOString(), reason: click.reason }];
  return approvals.length >= required
    ? { kind: 'approved', approvals, required }
    : { kind: 'recorded', approvals, required };
}

/** "needs 2 approvals from Platform Approvers; 1 of 2 so far: Alex" — for cards. */
export function describeRequirement(request: AccessRequest): string | undefined {
  const binding = request.policy;
  if (!binding?.rule) return undefined;
  if (binding.breakGlass) {
    const review = binding.review;
    const by = review?.by?.name ?? 'an approver';
    // Reviewed once its access had ended (or a failed run, reviewed before those owed none): the
    // review judged the use. One kept or rejected while it held access still reads so after.
    if (review?.outcome && (reviewedUseOnly(request) || request.state === 'failed'))
      return `break-glass, reviewed: its use ${review.outcome} by ${by}`;
    if (review?.outcome)
      return `break-glass, reviewed: ${review.outcome === 'accepted' ? 'kept' : 'rejected'} by ${by}`;
    // A failed run granted nothing: no review is owed ({@link awaitingReview}).
    if (isFailedBreakGlass(request)) return 'break-glass: ran at once and failed; nothing to review';
    return `break-glass: ran at once; ${approversName(binding.rule)} must review it`;
  }
  if (binding.autoApproved) return `auto-approved by rule ${binding.ruleId}`;
  const required = binding.approvalsRequired;
  const who = approversName(binding.rule);
  const needs = `Rule ${binding.ruleId}: needs ${required === 1 ? '1 approval' : `${required} approvals`} from ${who}`;
  const nudged = binding.escalatedAt ? '; escalated' : binding.remindedAt ? '; approvers reminded' : '';
  if (required <= 1) return `${needs}${nudged}`;
  const so = countedApprovals(request);
  const names = so.map((a) => a.by.name).join(', ');
  // Ended without enough approvals (rejected, withdrawn, or undecided in time): no progress is
  // owed any more, but who had approved is worth keeping.
  if (request.state === 'rejected' || request.state === 'cancelled' || request.state === 'expired')
    return so.length ? `${needs}; ${so.length} of ${required} had approved: ${names}` : needs;
  return `${needs}; ${so.length} of ${required} so far${names ? `: ${names}` : ''}${nudged}`;
}

/** The access duration a rule allows: the requested one, capped by the rule (and auto-approval's cap). */
export function cappedDurationMs(requestedMs: number | undefined, rule: PolicyRule, auto: boolean): number | undefined {
  const caps = [rule.maxDurationMs, auto ? rule.autoApprove?.maxDurationMs : undefined].filter(
    (v): v is number => v !== undefined,
  );
  if (caps.length === 0) return requestedMs;
  const cap = Math.min(...caps);
  return requestedMs === undefined ? cap : Math.min(requestedMs, cap);
}

/**
 * The term a request runs with under `rule`. `asked`: what the requester asked for, except that
 * a deployment default nobody typed (`defaultTerm`) is cut to the rule's maximum instead of
 * being refused; the rule's maximum is checked against it. `granted`: `asked` under
 * auto-approval's cap, which an auto-approving rule grants whatever was asked.
 */
export function termUnderRule(
  access: AccessTerm | undefined,
  rule: PolicyRule,
  defaultTerm: boolean,
): { asked: AccessTerm | undefined; granted: AccessTerm | undefined } {
  const asked =
    defaultTerm && access?.durationMs !== undefined
      ? { ...access, durationMs: cappedDurationMs(access.durationMs, rule, false) }
      : access;
  const auto = rule.autoApprove;
  const granted = auto
    ? {
        ...asked,
        durationMs: Math.min(asked?.durationMs ?? auto.maxDurationMs, auto.maxDurationMs),
        permanent: undefined,
      }
    : asked;
  return { asked, granted };
}

/** Where the policy in force comes from (the file, reloaded on SIGHUP or change; or the environment). */
export interface PolicyProvider {
  current(): Policy;
}

/**
 * A break-glass request whose review an approver still owes (its card keeps Approve/Reject for
 * approvers; the daily report names it). The review judges access that ran without approval:
 * Approve keeps it, Reject revokes it at once. A run that failed granted nothing (what it may
 * have made, acrbot deletes by itself), so there is nothing to keep or revoke and no review is
 * owed; its use stays on record (the `request.approved` entry under rule `break-glass`, the
 * failure, the alert posted when it was used). A grant revoked since still owes its review: its
 * access existed without approval; the review then judges only the use (Reject revokes nothing,
 * `reviewJudgesUseOnly`).
 */
export function awaitingReview(request: AccessRequest): boolean {
  return (
    Boolean(request.policy?.breakGlass && request.policy.review && !request.policy.review.outcome) &&
    !isFailedBreakGlass(request)
  );
}

/** A break-glass request whose run failed: it ran without approval and granted nothing. */
export function isFailedBreakGlass(request: AccessRequest): boolean {
  return Boolean(request.policy?.breakGlass) && request.state === 'failed';
}
