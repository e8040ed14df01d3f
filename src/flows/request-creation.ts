/**
 * Filing a request: bound to the first policy rule that fits it (G18), its term checked against
 * that rule and the deployment's limits, refused while new access is paused, past the pending
 * cap (G16), when nobody could approve it or when it comes from another tenant than acrbot's own
 * (own-tenant.ts); auto-approved when its rule says so; break-glass
 * approved at once for a member of its groups, with a review owed. Every refusal, and the
 * request itself, is audited before anything is stored.
 */
import { notePauseRefusal } from './pause-waiters';
import {
  factsFor,
  factsOf,
  hasApprovers,
  hasOtherApprover,
  BREAK_GLASS_RULE_ID,
  quorumOutOfReach,
  selectRule,
  termUnderRule,
  type Policy,
  type PolicyProvider,
  type PolicyRule,
} from '../domain/policy';
import { enoughOtherApprovers, namedOthers } from '../domain/approver-reach';
import {
  isOtherTenant,
  OTHER_TENANT_REFUSAL_ACTION,
  OTHER_TENANT_REFUSAL_CODE,
  otherTenantRefusal,
} from '../domain/own-tenant';
import { readApproverGroups, readNamedApprovers } from './approver-groups-read';
import { UserFacingError } from '../domain/errors';
import { newRequestId } from '../domain/identifiers';
import { describeDurationMs, formatUtc, shortDuration, termRefusal } from '../domain/access-term';
import { extensionRangeUnder, extensionTermToOffer } from '../domain/extension-terms';
import type { GrantPlan, Plan } from '../domain/plan';
import type { Clock, DirectoryPort, RequestStore } from '../domain/ports';
import type {
  AccessRequest,
  AccessTerm,
  ActingContext,
  Actor,
  DriftedBefore,
  PolicyBinding,
  PullsThrough,
} from '../domain/request';
import type { ExtendedAccess } from '../domain/request';
import { decisionDeadline, extendedAccessOf } from '../domain/extension-deadline';
import { transition } from '../domain/request';
import { breakGlassNotExtended } from '../domain/break-glass-review';
import { cooldownMsOf, cooldownRefusal } from '../domain/break-glass-cooldown';
import { readBreakGlassCooldown, readRunningBreakGlass, runningBreakGlassRefusal } from './break-glass-cooldown';
import { typedNames, typedPair } from '../domain/typed-names';
import type { Logger } from '../observability/logger';
import type { FlowSettings } from './settings';
import { type PauseReader, pausedRefusal } from './access-pause';
import { driftedOnPair, pendingCapMessage, pendingTwins, twinMessage } from './request-gate';
import { decidedOnPair } from './decided-before';
import { type RequestAudit, ruleActor, targetsOf } from './request-audit';
import {
  type JobScheduling,
  scheduleExpiry,
  scheduleNudges,
  scheduleReview,
  scheduleAnnouncement,
  pendingRequestJobIds,
} from './request-jobs';
import type { ApproverAuthority } from './approver-authority';
import { approvedEntry } from './decision-entry-net';
import { createdDetail, createdTargets } from '../domain/audit-request-words';

/** Hours an approver has to review a break-glass grant. */
export const BREAK_GLASS_REVIEW_MS = 24 * 3_600_000;

/**
 * The refusal of a grant whose identity other clusters pull with (`plan.sharedWith`, found when
 * planned) when the policy does not select one rule for all of them: the assignment gives each of
 * them pull, so approvers of one cluster's rule (or an auto-approving rule) would grant another's,
 * which its own rule may keep for other approvers or refuse. A cluster no rule covers differs from
 * every rule. Also refused when more clusters share it than the plan records: their rules are
 * unknown. And, not for break-glass, when an auto-approving rule that names no approvers would
 * grant it while some subscriptions could not be looked in (`unchecked`): a cluster there may
 * share the identity under another rule, and with nobody to ask, nobody would read the card saying
 * so ({@link withoutAutoApproval} sends it to approvers when the rule names some). Undefined when
 * every recorded cluster selects `rule` (then it applies as for one cluster).
 */
export function sharedIdentityRefusal(
  policy: Policy,
  plan: GrantPlan,
  rule: PolicyRule | undefined,
  breakGlass = false,
): string | undefined {
  const shared = plan.sharedWith;
  if (!shared) return undefined;
  if (!breakGlass && rule?.autoApprove && !hasApprovers(rule) && shared.unchecked.length > 0)
    return uncheckedRefusal(plan, rule, shared.unchecked);
  if (shared.clusters.length === 0 && shared.more === 0) return undefined;
  const others = shared.clusters.map((c) => ({ c, rule: selectRule(policy, factsFor(c, plan.registry)) }));
  const differing = others.filter((o) => o.rule?.id !== rule?.id);
  if (differing.length === 0 && shared.more === 0) return undefined;
  const ruleName = (r: PolicyRule | undefined) => (r ? `rule ${r.id}` : 'no rule');
  const where = (c: { name: string; resourceGroup: string; subscriptionId: string }) =>
    `${c.name} (resource group ${c.resourceGroup}, subscription ${c.subscriptionId})`;
  const parts = differing.slice(0, 10).map((o) => `${where(o.c)} under ${ruleName(o.rule)}`);
  if (differing.length > 10) parts.push(`${differing.length - 10} more clusters under other rules`);
  if (shared.more > 0)
    parts.push(
      `${shared.more} more clusters whose rules acrbot did not check (a plan records ${shared.clusters.length})`,
    );
  const app = plan.identity.appId ? ` (app ${plan.identity.appId})` : '';
  // Break-glass is refused too: its grant is reviewed by one rule's approvers, who may not
  // decide on another rule's clusters either, so the requester is told so in those words.
  const why = breakGlass
    ? `nothing was granted, break-glass included, since a break-glass grant is reviewed by one rule's approvers and no rule's approvers may grant another rule's clusters`
    : `nothing was requested, since no rule's approvers may grant another rule's clusters`;
  return `Cluster ${plan.cluster.name} pulls with identity ${plan.identity.objectId}${app}, which is also the pull identity of ${parts.join('; ')}. A role assignment to it on registry ${plan.registry.name} gives every one of them pull, so acrbot grants it only when the approval policy puts all of them under one rule, and ${plan.cluster.name} falls under ${ruleName(rule)}: ${why}. Use a pull secret instead (@acrbot secret ${typedPair(plan)} --namespace NAMESPACE REASON…), or give ${plan.cluster.name} a kubelet identity of its own (az aks update --assign-kubelet-identity).`;
}

/** The subscriptions a sentence names (at most 5, the rest counted): an operator looks them up. */
function subscriptionsNamed(ids: readonly string[]): string {
  const named = ids.slice(0, 5).join(', ');
  const rest = ids.length - 5;
  return `subscription${ids.length === 1 ? '' : 's'} ${named}${rest > 0 ? ` and ${rest} more` : ''}`;
}

/** {@link sharedIdentityRefusal}'s words for an auto-approving rule with nobody to ask. */
function uncheckedRefusal(
  plan: GrantPlan,
  rule: PolicyRule,
  unchecked: readonly string[],
  nobody = `Rule ${rule.id} names no approvers to ask instead`,
): string {
  return `Cluster ${plan.cluster.name} falls under rule ${rule.id}, which approves by itself, but acrbot could not list the clusters of ${subscriptionsNamed(unchecked)}, so it cannot tell whether a cluster there pulls with the same identity (${plan.identity.objectId}) and would get pull on ${plan.registry.name} too, under a rule that needs approvers. ${nobody}, so nothing was requested. Try again later (a listing can fail for a moment); if it keeps failing, ask the platform team to give acrbot Reader on ${unchecked.length === 1 ? 'that subscription' : 'those subscriptions'}.`;
}

/**
 * The rule a grant is decided under when `rule` approves by itself but some subscriptions could
 * not be looked in for clusters sharing its identity (`sharedWith.unchecked`): the same rule
 * without auto-approval, needing one approval from its approvers, since a cluster there may share
 * the identity under another rule and an automatic grant has nobody to read the card row saying
 * sharing could not be checked. `rule` itself otherwise. One naming no approvers is refused first
 * ({@link sharedIdentityRefusal}); break-glass is not decided by a rule and is not asked.
 */
export function withoutAutoApproval(plan: GrantPlan, rule: PolicyRule): PolicyRule {
  if (!rule.autoApprove || !plan.sharedWith?.unchecked.length) return rule;
  return { ...rule, autoApprove: undefined, approvalsRequired: Math.max(1, rule.approvalsRequired) };
}

/** What {@link RequestCreation.create} is asked to file. */
export interface NewRequest {
  requester: Actor;
  tenantId: string;
  reason: string;
  plan: Plan;
  origin: AccessRequest['origin'];
  /**
   * Requested duration (the lifecycle): longer than the rule's maxDuration is refused, unless
   * it is the deployment's default term (`defaultTerm`: no `--for` given), which is cut to it.
   */
  access?: AccessTerm;
  /** True when `access` is the default term, not one the requester typed. */
  defaultTerm?: boolean;
  /** `--break-glass`: execute at once, reviewed afterwards. */
  breakGlass?: boolean;
  sourceActivityId?: string;
  /** For an extension: the request whose access it extends (G17). */
  extendsRequestId?: string;
  /**
   * The most requests the requester may have waiting (ACRBOT_MAX_PENDING_PER_USER), counted
   * again once this one is stored (see {@link RequestCreation.withdrawOverCap}); absent: not checked here.
   */
  pendingCap?: number;
  /**
   * Looks again, once stored, for another request of the requester's waiting for approval for
   * the same target (RequestGate.twinRefusal, which two creates at once can both pass), and
   * withdraws this one if there is ({@link RequestCreation.withdrawTwin}).
   */
  refuseTwins?: boolean;
  /**
   * A grant on acrbot's existing role assignment (overlap): the live grants of other requesters
   * that already hold it; a pull secret: what already let its cluster's kubelet pull (the pair's
   * live grants, an assignment outside acrbot). Recorded on the request for its card
   * ({@link AccessRequest.pullsThrough}).
   */
  pullsThrough?: PullsThrough[];
}

/** Files requests for the request service. */
export class RequestCreation {
  constructor(
    private readonly store: RequestStore,
    private readonly directory: DirectoryPort,
    private readonly clock: Clock,
    private readonly settings: FlowSettings,
    private readonly log: Logger,
    private readonly policies: PolicyProvider,
    private readonly auditing: RequestAudit,
    private readonly approvers: ApproverAuthority,
    private readonly jobs?: JobScheduling,
    private readonly pauses?: PauseReader,
  ) {}

  /**
   * Records and stores a new request bound to the first policy rule that fits it (G18). The
   * audit entry is written first. A rule with `autoApprove` returns the request already
   * approved (the caller starts the execution); break-glass likewise, after checking the
   * requester is in a break-glass group.
   */
  async create(input: NewRequest): Promise<AccessRequest> {
    const now = this.clock.now();
    const policy = this.policies.current();
    const targets = targetsOf(input.plan);
    const refuse = async (action: string, code: string, message: string): Promise<never> => {
      await this.auditing.record({
        actor: input.requester,
        tenantId: input.tenantId,
        action,
        targetIds: targets,
        outcome: 'refused',
        detail: message,
        policyHash: policy.hash,
      });
      throw new UserFacingError(code, message);
    };
    // Another tenant's requester is refused here, before the rule, break-glass included.
    await this.assertOpen({ actor: input.requester, tenantId: input.tenantId }, targets);
    const rule = selectRule(policy, factsOf(input.plan));
    // A grant's assignment is its identity's, whichever cluster named it: refused when a cluster
    // sharing that identity falls under another rule, before break-glass or any other check.
    const sharedRefusal =
      input.plan.kind === 'grant' ? sharedIdentityRefusal(policy, input.plan, rule, !!input.breakGlass) : undefined;
    if (sharedRefusal) return refuse('policy.refused.sharedIdentity', 'policy.sharedIdentity', sharedRefusal);
    // A term past the deployment's limits that accessTerm left to be checked here: break-glass
    // runs under its own maximum, not the rule's, so only the deployment's range applies to it.
    if (input.breakGlass) {
      const outside = input.access && termRefusal(input.access, this.settings.access);
      if (outside) throw new UserFacingError(outside.code, outside.message);
      return this.createBreakGlass(input, policy, rule, now, refuse);
    }
    const extended = input.extendsRequestId ? await this.store.get(input.extendsRequestId) : undefined;
    // An extension moves an end; "permanent" has none to move to: approved, it would change
    // nothing while saying the access was extended.
    if (extended && input.access?.permanent)
      return refuse(
        'extend.refused.permanent',
        'extend.permanent',
        `An extension moves the end of ${extended.id} to a later one, so it needs a term (--for 30d, say); for access without an end, ask for a new grant.`,
      );
    if (extended?.policy?.breakGlass)
      return refuse(
        'policy.refused.breakGlassExtension',
        'policy.breakGlassExtension',
        breakGlassNotExtended(extended.id),
      );
    if (!rule)
      return refuse(
        'policy.noRule',
        'policy.noRule',
        `No rule of the approval policy covers ${input.plan.cluster.name} → ${input.plan.registry.name}, so nobody could approve it. Ask the platform team to add a rule ("@acrbot policy ${typedPair(input.plan)}" shows what applies).`,
      );
    // The requester who typed no --for never asked for the deployment's default: it is cut to
    // the rule's maximum instead of refused.
    const { asked, granted: access } = termUnderRule(input.access, rule, !!input.defaultTerm);
    // The deployment's limits cut by the rule's maxDuration, in one sentence that names the range
    // that applies. Past the rule's maximum is the rule's refusal (audited here); outside the
    // deployment's limits a validation failure, audited by the caller as when accessTerm refuses.
    const outside = asked && termRefusal(asked, this.settings.access, rule);
    if (outside?.code === 'policy.maxDuration') return refuse('policy.refused.duration', outside.code, outside.message);
    if (outside) throw new UserFacingError(outside.code, outside.message);
    // Sharing not checked everywhere: people decide what the rule would have approved by itself,
    // under its term (capped above as auto-approval caps it) and with its approvers.
    const decidedBy = input.plan.kind === 'grant' ? withoutAutoApproval(input.plan, rule) : rule;
    if (decidedBy !== rule)
      this.log.info(
        { ruleId: rule.id, unchecked: input.plan.kind === 'grant' ? input.plan.sharedWith?.unchecked : undefined },
        'not auto-approved: clusters sharing the identity could not be looked for everywhere; sent to approvers',
      );
    const reach = await this.approvers.approverReachIfRead(decidedBy, input.requester);
    const outOfReach = quorumOutOfReach(reach.rule, input.requester, reach.groupUsers, decidedBy);
    // Said as the unchecked sharing it comes from: the requester knows the rule as one that approves by itself.
    if (outOfReach && decidedBy !== rule && input.plan.kind === 'grant')
      return refuse(
        'policy.refused.sharedIdentity',
        'policy.sharedIdentity',
        uncheckedRefusal(
          input.plan,
          rule,
          input.plan.sharedWith?.unchecked ?? [],
          `Nobody but you could approve it under rule ${rule.id} instead`,
        ),
      );
    if (outOfReach) return refuse('policy.refused.quorum', 'policy.quorumOutOfReach', outOfReach);
    const auto = decidedBy.autoApprove;
    // An extension's term counts from when it is granted and only ever moves the end later: one
    // that would end at or before the current end could be approved and change nothing. Checked on
    // the term it would run with (an auto-approving rule caps it).
    const currentEnd = extended?.access?.expiresAt;
    const termMs = access?.permanent ? undefined : access?.durationMs;
    if (currentEnd && termMs !== undefined && now.getTime() + termMs <= Date.parse(currentEnd))
      return refuse(
        'extend.refused.notLater',
        'extend.notLater',
        `Request ${input.extendsRequestId} already runs until ${formatUtc(currentEnd)}. An extension's term counts from when it is granted, so ${input.defaultTerm ? `without --for the default term, ${describeDurationMs(termMs)},` : describeDurationMs(termMs)}${rule.autoApprove && termMs !== asked?.durationMs ? ` (rule ${rule.id} grants at most that)` : ''} would end before that and change nothing; ${this.longerTermHint(rule, currentEnd, now)}.`,
      );
    const binding: PolicyBinding = {
      ruleId: rule.id,
      policyHash: policy.hash,
      approvalsRequired: decidedBy.approvalsRequired,
      rule: decidedBy,
      ...(auto && { autoApproved: true }),
    };
    // An extension records its original's end and extensions so far (its card shows how much
    // longer approving keeps the access), and waits for a decision no longer than that end.
    const extendsAccess = extendedAccessOf(extended);
    const request = await this.withDecidedBefore(
      this.newRequest({ ...input, extendsAccess }, now, binding, access, await this.driftedBefore(input)),
      now,
    );
    await this.recordCreated(request, asked);
    if (!auto) {
      // Its jobs first: a create that fails may have been stored all the same (a store that lost
      // the answer and could not read the row back), and a request stored without them would
      // never expire (G6). Jobs of a request that was not stored find nothing and do nothing.
      await scheduleExpiry(this.jobs, request);
      await scheduleNudges(this.jobs, request);
      // Its approvers' card, posted by the caller after this returns: kept here too, in case the
      // process stops before it does (approval-announce.ts).
      await scheduleAnnouncement(this.jobs, request);
      await this.store.create(request);
      if (input.pendingCap !== undefined) await this.withdrawOverCap(request, input.pendingCap);
      if (input.refuseTwins && !request.extendsRequestId) await this.withdrawTwin(request, input.pendingCap);
      return request;
    }
    // Auto-approval is a decision by the rule: audited as one before the request exists approved.
    const approved = transition(request, {
      type: 'approve',
      by: ruleActor(rule.id),
      at: now,
      reason: `auto-approved by rule ${rule.id}`,
    });
    await this.auditing.record(
      approvedEntry(
        request,
        ruleActor(rule.id),
        `auto-approved by rule ${rule.id} for at most ${shortDuration(access!.durationMs!)}`,
      ),
    );
    await this.store.create(approved);
    return approved;
  }

  /**
   * What to ask for instead of an extension's term that would end before the current end: the
   * term a reminder's Extend offers ({@link extensionTermToOffer}), or, when none would do, that
   * no term allowed ends later yet, or the longest allowed when it only just does.
   */
  private longerTermHint(rule: PolicyRule, currentEnd: string, now: Date): string {
    const limits = this.settings.access;
    if (!limits) return 'ask for a term that ends later';
    const range = extensionRangeUnder(limits, rule);
    const { maxMs } = range;
    const offer = extensionTermToOffer(limits.defaultMs, range, currentEnd, now.getTime());
    if (offer !== undefined) return `ask for a term that ends later, e.g. --for ${shortDuration(offer)}`;
    const longest = shortDuration(maxMs, 'down');
    return now.getTime() + maxMs > Date.parse(currentEnd)
      ? `ask for a term that ends later, at most ${longest} here`
      : `no term allowed here (at most ${longest}) ends later yet: ask again closer to the end`;
  }

  /**
   * The pending cap, held across instances (G16): the gate counts before planning, so two
   * requests of one user at once can both pass it. Counted again after the create, a user over
   * the cap has `request` withdrawn (a conditional write, audited as the refusal it is) and is
   * told the gate's sentence; nothing was sent to approvers yet (the caller announces after).
   * Each create withdraws only its own request: another's may already be announced, and which
   * of two racing creates was first cannot be told, so under a race both may be refused.
   */
  private async withdrawOverCap(request: AccessRequest, max: number): Promise<void> {
    const requesterId = request.requester.objectId;
    if ((await this.store.countByRequester(requesterId, ['pending'], max + 1)) <= max) return;
    // Read before it is withdrawn, so without it: the sentence names the others waiting.
    const shown = Math.min(max, 10);
    const others = (await this.store.listByRequester(requesterId, ['pending'], shown + 1))
      .filter((r) => r.id !== request.id)
      .slice(0, shown);
    await this.withdraw(request, 'limits.pending', 'request.refused.pending', pendingCapMessage(max, others));
  }

  /**
   * The twin check held across instances, as the pending cap is: the handler refuses a request
   * whose twin is already waiting before it is made (RequestGate.twinRefusal), but two made at
   * once (a form sent twice, two instances) both pass that. Looked at again once stored, `request`
   * is withdrawn, with the door's sentence, when a twin of it made before it is waiting. "Before"
   * is one order every instance agrees on ({@link RequestCreation.madeBefore}), so of twins that
   * see each other exactly the first stays: withdrawing on any twin would withdraw both, each
   * refusal naming the other as waiting when neither is. The first never withdraws, so one always
   * stays; two stay only when the later one looked before the earlier was stored (its creation
   * held between its audit entry and its write for the whole of the other's create), which is the
   * door's behaviour before this look. Reads the waiting requests {@link pendingTwins} reads (a
   * secret's: at most `max` + 1, the cap or 50 without one), and audit entries only for a twin made
   * in the same millisecond.
   */
  private async withdrawTwin(request: AccessRequest, max = 50): Promise<void> {
    for (const twin of await pendingTwins(this.store, request.requester.objectId, request.plan, max + 1, request.id))
      if (await this.madeBefore(twin, request))
        return this.withdraw(request, 'limits.duplicate', 'request.refused.duplicate', twinMessage(twin));
  }

  /**
   * Whether `a` was made before `b`: by `createdAt`, and within one millisecond (creates take
   * less than that) by their `request.created` entries' place in the audit chain, which every
   * instance appends to in one order before it stores the request; by id when an entry is not read.
   */
  private async madeBefore(a: AccessRequest, b: AccessRequest): Promise<boolean> {
    const at = Date.parse(a.createdAt) - Date.parse(b.createdAt);
    if (at !== 0) return at < 0;
    const [seqA, seqB] = await Promise.all([this.auditing.createdSeq(a.id), this.auditing.createdSeq(b.id)]);
    return seqA !== undefined && seqB !== undefined ? seqA < seqB : a.id < b.id;
  }

  /**
   * Withdraws `request`, just stored and not yet announced, refused by a per-user limit after all
   * (`code`, audited as `action` with `message`): a conditional write, its jobs cancelled
   * ({@link pendingRequestJobIds}), and `message` thrown to the requester as the door's refusal.
   */
  private async withdraw(request: AccessRequest, code: string, action: string, message: string): Promise<void> {
    const withdrawn = transition(request, { type: 'cancel', by: request.requester, at: this.clock.now() });
    // Conditional on the version just created; nobody else knows the request, so a conflict is a fault.
    await this.auditing.updateUndoingUnseen(request, withdrawn);
    await this.auditing.recordOrUndo(request, withdrawn, {
      actor: request.requester,
      tenantId: request.tenantId,
      action,
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: message,
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
    });
    for (const id of pendingRequestJobIds(request.id)) await this.jobs?.cancel(id);
    throw new UserFacingError(code, message);
  }

  /**
   * The first half of {@link assertOpen}: refuses someone of another tenant than acrbot's own,
   * audited as `request.refused.otherTenant` with code `request.otherTenant`. An extension asks it
   * before its original's own checks (AccessActions.createExtension), whose refusals would offer
   * them a command they are refused too, and the pause only after them, so that a pause never
   * records as waiting (pause-waiters.ts) someone whose extension is refused anyway.
   */
  async assertOwnTenant(acting: ActingContext, targetIds: string[] = []): Promise<void> {
    const own = this.settings.ownTenantId;
    if (!own || !isOtherTenant(acting.tenantId, own)) return;
    const message = otherTenantRefusal(acting.tenantId, own);
    await this.auditing.recordRefusal({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: OTHER_TENANT_REFUSAL_ACTION,
      targetIds,
      outcome: 'refused',
      detail: message,
    });
    throw new UserFacingError(OTHER_TENANT_REFUSAL_CODE, message);
  }

  /**
   * Refuses someone of another tenant than acrbot's own ({@link assertOwnTenant}, {@link isOtherTenant}: nobody in its
   * directory may decide their request, and an automatic or break-glass grant would put them on
   * this tenant's registries beyond its approvers' sight), audited as
   * `request.refused.otherTenant` with code `request.otherTenant`; then refuses while the
   * operators' pause of new access is in force: a `UserFacingError` with code
   * `access.paused`, audited as `request.refused.paused`. The refusal names who paused and since
   * when, not why: the requester may be the one the pause is about.
   * Read from the store every time, not cached: a pause made on another instance holds here at
   * once. `create` asks it for every request; chat also asks before a question-and-answer, so
   * nobody answers questions for a request that would be refused.
   */
  async assertOpen(acting: ActingContext, targetIds: string[] = []): Promise<void> {
    await this.assertOwnTenant(acting, targetIds);
    const paused = await this.pauses?.current();
    if (!paused) return;
    const message = pausedRefusal(paused, 'Nothing was requested.', false);
    await this.auditing.recordRefusal({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'request.refused.paused',
      targetIds,
      outcome: 'refused',
      detail: message,
    });
    notePauseRefusal();
    throw new UserFacingError('access.paused', message);
  }

  /**
   * The `request.created` entry, written before the request is stored (a request exists only once
   * audited). It says what kind of access is asked for and for how long (`asked`: the term the
   * requester asked for, when the rule cut it), and names every other cluster a grant gives pull
   * to (its identity's, `plan.sharedWith`) in its targets, so the trail says who could pull.
   */
  private async recordCreated(request: AccessRequest, asked?: AccessTerm): Promise<void> {
    await this.auditing.record({
      actor: request.requester,
      tenantId: request.tenantId,
      action: 'request.created',
      requestId: request.id,
      targetIds: createdTargets(request.plan),
      outcome: 'pending',
      detail: createdDetail(request, asked),
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
    });
  }

  private newRequest(
    input: {
      requester: Actor;
      tenantId: string;
      reason: string;
      plan: Plan;
      origin: AccessRequest['origin'];
      sourceActivityId?: string;
      extendsRequestId?: string;
      extendsAccess?: ExtendedAccess;
      pullsThrough?: PullsThrough[];
    },
    now: Date,
    policy: PolicyBinding,
    access: AccessTerm | undefined,
    driftedBefore: DriftedBefore[] = [],
  ): AccessRequest {
    return {
      id: newRequestId(),
      version: 1,
      state: 'pending',
      tenantId: input.tenantId,
      requester: input.requester,
      reason: input.reason,
      plan: input.plan,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: decisionDeadline(now, this.settings.approvalTtlMs, input.extendsAccess),
      origin: input.origin,
      sandbox: this.settings.sandbox,
      policy,
      ...(access && { access }),
      ...(input.sourceActivityId && { sourceActivityId: input.sourceActivityId }),
      ...(input.extendsRequestId && { extendsRequestId: input.extendsRequestId }),
      ...(input.extendsAccess && { extendsAccess: input.extendsAccess }),
      ...(driftedBefore.length > 0 && { driftedBefore }),
      // A grant that is no extension overlaps another requester's (an extension moves its own end);
      // a new pull secret's cluster may already pull without one (secret-planner.ts).
      ...(!input.extendsRequestId && (input.pullsThrough?.length ?? 0) > 0 && { pullsThrough: input.pullsThrough }),
    };
  }

  /**
   * A new grant's earlier grants of the pair whose access was removed or changed outside acrbot
   * ({@link driftedOnPair}: one indexed read of the pair's active grants), for its approvers' card
   * and its `request.created` entry. Read only once every refusal above has passed, so a refused
   * request costs no read; none for a pull secret or an extension (it moves an end and puts no
   * access back; a drifted original is refused extension, `extend.drifted`).
   */
  private async driftedBefore(input: NewRequest): Promise<DriftedBefore[]> {
    if (input.plan.kind !== 'grant' || input.extendsRequestId) return [];
    return driftedOnPair(this.store, input.plan);
  }

  /**
   * `request` with what people decided against its pair recently ({@link decidedOnPair}: one
   * indexed read of the pair's rejected and revoked requests), for its approvers' card and its
   * `request.created` entry. Read, as {@link driftedBefore}, once every refusal has passed; none
   * for an extension (it extends access already approved) nor for an auto-approved request
   * (nobody decides it).
   */
  private async withDecidedBefore(request: AccessRequest, now: Date): Promise<AccessRequest> {
    if (request.extendsRequestId || request.policy?.autoApproved) return request;
    const decidedBefore = await decidedOnPair(this.store, request.plan, request.tenantId, now);
    return decidedBefore.length > 0 ? { ...request, decidedBefore } : request;
  }

  /**
   * Break-glass: a member of a break-glass group gets the access at once, for at most the
   * policy's break-glass maxDuration, and an approver of the rule that would have applied must
   * review it within 24 h. Not while the member is in the cooldown after a rejected review, nor
   * while a break-glass grant of theirs still runs on the pair.
   */
  private async createBreakGlass(
    input: NewRequest,
    policy: Policy,
    rule: PolicyRule | undefined,
    now: Date,
    refuse: (action: string, code: string, message: string) => Promise<never>,
  ): Promise<AccessRequest> {
    const bg = policy.breakGlass;
    if (!bg)
      return refuse(
        'breakglass.refused',
        'breakglass.unavailable',
        'The approval policy has no break-glass section, so --break-glass cannot be used here; ask an approver instead.',
      );
    if (!(await this.approvers.inAnyGroup(input.requester, bg.groups)))
      return refuse(
        'breakglass.refused',
        'breakglass.notMember',
        'Only members of the break-glass groups can use --break-glass; run the command without it and an approver will decide.',
      );
    // A member whose break-glass grant was rejected in review waits out the cooldown, on every
    // pair: the rejection judged their use of break-glass. Read from the store, so a rejection
    // made on another instance counts; before the rule checks, which would only send them to ask
    // for a rule on a pair where they would be refused again.
    const cooldown = await readBreakGlassCooldown(this.store, input.requester, cooldownMsOf(bg), now, this.log);
    if (cooldown)
      return refuse(
        'breakglass.refused.cooldown',
        'breakglass.cooldown',
        cooldownRefusal(cooldown, typedNames(input.plan)),
      );
    // Nor while their own break-glass grant still runs on the pair: a second one would run past
    // its end for another maxDuration with nobody asked, again and again, where break-glass is
    // never extended. Another member's is theirs. A normal request keeps access past its end.
    const running =
      input.plan.kind === 'grant'
        ? await readRunningBreakGlass(this.store, input.requester, input.plan, now)
        : undefined;
    if (running && input.plan.kind === 'grant')
      return refuse(
        'breakglass.refused.running',
        'breakglass.running',
        runningBreakGlassRefusal(running, input.plan, typedNames(input.plan)),
      );
    // The approvers of the rule that would have applied review it; another rule's approvers
    // never do, so without a fitting rule (or one nobody could review under) there is no
    // break-glass: a grant nobody may review would be reported unreviewed forever.
    if (!rule)
      return refuse(
        'breakglass.refused.noRule',
        'breakglass.noRule',
        `No rule of the approval policy covers ${input.plan.cluster.name} → ${input.plan.registry.name}, so nobody could review a break-glass grant on it. Ask the platform team to add a rule ("@acrbot policy ${typedPair(input.plan)}" shows what applies).`,
      );
    // A policy file with breakGlass and such a rule is refused when it is loaded (policy-file.ts),
    // so this is a backstop for a policy that reached this service another way (any
    // PolicyProvider): the grant must not exist without someone named to review it. Neither
    // check sees group membership: the read below does, and who reviews is asked at review time
    // (G5).
    if (!hasApprovers(rule))
      return refuse(
        'breakglass.refused.noReviewer',
        'breakglass.noReviewer',
        `Rule ${rule.id} covers ${input.plan.cluster.name} → ${input.plan.registry.name} but names no approvers, so nobody could review a break-glass grant on it. Run the command without --break-glass, or ask the platform team to give the rule approvers.`,
      );
    // Nobody reviews their own break-glass grant: a rule whose only approver is the requester
    // would leave it unreviewed, reported every day, for ever.
    if (!hasOtherApprover(rule, input.requester))
      return refuse(
        'breakglass.refused.noReviewer',
        'breakglass.noReviewer',
        `Rule ${rule.id} names only you as its approver, and nobody reviews their own break-glass grant, so nobody could review it. Run the command without --break-glass, or ask the platform team to give the rule another approver.`,
      );
    // Nor does a group whose only member is the requester, nor a named approver whose account is
    // gone or disabled: the named users and the groups' members are read now (a few, see
    // readApproverGroups). Unlike a normal request's quorum (approverReachIfRead), a failed read
    // is not passed over: a grant that runs at once must not exist unless someone can review it,
    // and break-glass needs Graph already (the membership check above), so the failure reaches the
    // user as that one's would, logged with Graph's request ids, with nothing stored or granted.
    // Nor are earlier reads reused (approver-groups-cache.ts): a stale "someone else" would let a
    // grant run that nobody can review, a stale "only you" refuse an emergency; break-glass is
    // rare, so its few reads cost nothing worth that.
    const reachable = await readNamedApprovers(this.directory, rule, input.requester, 1, this.log);
    const groupUsers = await readApproverGroups(this.directory, reachable, input.requester, 1);
    if (groupUsers && !enoughOtherApprovers(reachable, input.requester, 1, groupUsers)) {
      // It names others, but the directory finds none of them enabled (deleted or disabled since).
      const namedGone = namedOthers(rule, input.requester).length > 0;
      const nobody =
        rule.approvers.groups.length === 0
          ? `Rule ${rule.id} names no other approver who can sign in (the others are disabled or gone from the directory)`
          : `The approver groups of rule ${rule.id} hold nobody but you${namedGone ? ', and no other approver it names can sign in' : rule.approvers.users.length > 0 ? ', and it names no other approver' : ''}`;
      return refuse(
        'breakglass.refused.noReviewer',
        'breakglass.noReviewer',
        `${nobody}, and nobody reviews their own break-glass grant, so nobody could review it. Run the command without --break-glass, or ask the platform team to add someone else to the rule's approvers.`,
      );
    }
    const durationMs = Math.min(input.access?.durationMs ?? bg.maxDurationMs, bg.maxDurationMs);
    const binding: PolicyBinding = {
      ruleId: BREAK_GLASS_RULE_ID,
      policyHash: policy.hash,
      approvalsRequired: 0,
      breakGlass: true,
      rule,
      review: { dueAt: new Date(now.getTime() + BREAK_GLASS_REVIEW_MS).toISOString() },
    };
    const request = await this.withDecidedBefore(
      this.newRequest(input, now, binding, { durationMs }, await this.driftedBefore(input)),
      now,
    );
    // The review job exists before the request does: an approved break-glass request is executed
    // by any instance's resume pass, so storing it first and failing to schedule (or dying in
    // between) would grant access nobody is ever asked to review. A job whose request was never
    // stored finds nothing and does nothing.
    await scheduleReview(this.jobs, request);
    // Its approvers' card (the review) and alert, likewise (approval-announce.ts).
    await scheduleAnnouncement(this.jobs, request);
    await this.recordCreated(request, input.access);
    const approved = transition(request, {
      type: 'approve',
      by: input.requester,
      at: now,
      reason: `break-glass: ${input.reason}`,
    });
    await this.auditing.record(
      approvedEntry(
        request,
        input.requester,
        `break-glass for at most ${shortDuration(durationMs)}, review due ${binding.review!.dueAt}`,
      ),
    );
    await this.store.create(approved);
    return approved;
  }
}
