/**
 * Requests from creation to decision: stores them with conditional writes, applies the
 * approval policy, and records every step and refusal in the audit log. A decision is audited
 * by the winner of its conditional write only, right after it, and undone if that entry cannot
 * be written (G8, G11).
 */
import { accessExpiryJobId, carriesRevoke } from './access-jobs';
import { checkDecision, isJustification, type RefusalReason } from '../domain/approval-policy';
import {
  awaitingReview,
  countedApprovals,
  factsOf,
  hasApprovers,
  hasOtherApprover,
  isFailedBreakGlass,
  BREAK_GLASS_RULE_ID,
  isNamedApprover,
  nextApprovalStep,
  quorumOutOfReach,
  selectRule,
  termUnderRule,
  type Policy,
  type PolicyProvider,
  type PolicyRule,
  type RequestFacts,
} from '../domain/policy';
import { policyFromEnvironment } from '../config/policy-file';
import { enoughOtherApprovers, namedOthers } from '../domain/approver-reach';
import { ApproverGroupsCache } from './approver-groups-cache';
import { type ApproverReach, readApproverGroups, readApproverReach, readNamedApprovers } from './approver-groups-read';
import type { AuditEvent } from '../domain/audit-chain';
import { isUserFacing, UserFacingError } from '../domain/errors';
import { newRequestId } from '../domain/identifiers';
import { describeDurationMs, formatUtc, parseAccessDuration, shortDuration, termRefusal } from '../domain/access-term';
import type { Plan } from '../domain/plan';
import type { AuditLog, Clock, DirectoryPort, RequestStore, ScheduledJob } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, AccessTerm, ActingContext, Actor, PolicyBinding, RequestEvent } from '../domain/request';
import { describeState, isBeingGranted, isBeingRevoked, isExpired, transition } from '../domain/request';
import { breakGlassNotExtended, describeBreakGlassRun, reviewJudgesUseOnly } from '../domain/break-glass-review';
import { cooldownMsOf, cooldownRefusal, type BreakGlassCooldown } from '../domain/break-glass-cooldown';
import { readBreakGlassCooldown } from './break-glass-cooldown';
import { approvedEntryKey } from './decision-entry-net';
import { looksLikeSecret, REASON_LIMITS, singleLine } from '../domain/text';
import { isServedTenant, ofTenant } from '../domain/tenant-boundary';
import { decidedRule, decidedRuleApprovers } from '../domain/decided-rule';
import type { Logger } from '../observability/logger';
import type { RequestNotifier } from './notifier';
import type { JobSpec } from './scheduler';
import { KeyedSerialiser } from '../domain/keyed-serialiser';
import type { FlowSettings } from './settings';
import { type PauseReader, pausedRefusal } from './access-pause';
import { extendedAccessGone } from './access-lease';
import { undoUnaudited, updateUndoingUnseen } from './unaudited-undo';
import { pendingCapMessage } from './request-gate';
import {
  DecisionNet,
  finishStoredReview,
  reviewEntryKey,
  type ReviewNetPorts,
  reviewRevokeKey,
} from './review-reject-net';
import {
  listPending,
  listReviewsOwed,
  scanReviewsOwed,
  WAITING_SCAN_LIMIT,
  type WaitingRequests,
} from './waiting-for-approvers';

/** The result of an approve or reject click. */
export type DecisionResult =
  | { kind: 'decided'; request: AccessRequest }
  /** An approval towards a quorum was recorded; the request is still pending (G18). */
  | { kind: 'recorded'; request: AccessRequest }
  /**
   * A break-glass grant was reviewed: kept, or rejected (and revoked). `accessEnded`: its access
   * had ended (revoked) or was ending (being revoked), so the review only judged the use and a
   * rejection revoked nothing.
   */
  | { kind: 'reviewed'; request: AccessRequest; outcome: 'accepted' | 'rejected'; accessEnded: boolean }
  | {
      kind: 'refused';
      request: AccessRequest;
      reason: RefusalReason | 'stale' | 'twice' | 'inProgress' | 'paused' | 'notActive';
      message: string;
    };

/** The identity decisions made by a rule (auto-approval) are recorded under. */
export function ruleActor(ruleId: string): Actor {
  return { objectId: 'acrbot', name: `rule ${ruleId}` };
}

/** Hours an approver has to review a break-glass grant. */
export const BREAK_GLASS_REVIEW_MS = 24 * 3_600_000;

/**
 * Most open requests of one requester read to find an open extension: far above the per-user
 * pending cap, so in practice all of them.
 */
const OPEN_REQUESTS_SCAN_LIMIT = 500;

/**
 * A requester's extensions waiting for approval or being applied (an extension's requester is its
 * original's): one read of their open requests through the by-requester index. The open-extension
 * check and the tab's rows both ask this.
 */
export async function openExtensionsBy(
  store: Pick<RequestStore, 'listByRequester'>,
  requesterId: string,
): Promise<AccessRequest[]> {
  const open = await store.listByRequester(requesterId, ['pending', 'approved', 'executing'], OPEN_REQUESTS_SCAN_LIMIT);
  return open.filter((r) => r.extendsRequestId);
}

/**
 * Times one click is decided against the current version when the conditional write loses to a
 * change that left the request pending (a concurrent approval, a reminder's mark).
 */
const MAX_DECISION_ATTEMPTS = 5;

/** Most earlier approvals whose authors are looked up again at a click (the policy file's quorum limit). */
const MAX_QUORUM_RECHECKS = 10;

/** The answer to a Reject without a readable reason, and the card's hint before it is sent. */
export const REJECTION_NEEDS_REASON =
  'Type the reason for rejecting in the comment box (a few words the requester can read), then press Reject again.';

/** The answer for a request that is not there, or not the reader's to see (another tenant's). */
export function requestNotFound(id: string): UserFacingError {
  return new UserFacingError(
    'request.notFound',
    `There is no request ${id}; check the id on the plan card (it looks like R-7K2M9QXA).`,
  );
}

function targetsOf(plan: Plan): string[] {
  return [plan.cluster.id, plan.registry.id];
}

/** An audit detail with "in place of rule …" added when another rule decided (reviewAuthority). */
function withInPlaceOf(detail: string | undefined, inPlaceOf: string | undefined): string | undefined {
  if (!inPlaceOf || detail?.includes(inPlaceOf)) return detail;
  return detail ? `${detail} (${inPlaceOf})` : inPlaceOf;
}

/**
 * "Request R-… is already rejected by Alex", for a click that came too late. A break-glass
 * request ran because its requester used break-glass, not because they approved it: it says
 * "ran as break-glass by" them, and what its review found (`describeBreakGlassRun`).
 */
function alreadyDecided(request: AccessRequest, verb: 'is' | 'was' = 'is'): string {
  const ran = describeBreakGlassRun(request);
  return ran ? `Request ${request.id} ${ran}` : `Request ${request.id} ${verb} already ${describeState(request)}`;
}

/** The job that expires a pending request when no one decided it in time. */
function expiryJobOf(request: AccessRequest): JobSpec {
  return {
    id: requestExpiryJobId(request.id),
    kind: 'request.expire',
    dueAt: new Date(request.expiresAt),
    requestId: request.id,
  };
}

/** The part of the scheduler the request service uses. */
export interface JobScheduling {
  schedule(job: JobSpec): Promise<void>;
  cancel(id: string): Promise<void>;
  /** The job with this id, if still scheduled. */
  get(id: string): Promise<ScheduledJob | undefined>;
  /**
   * Writes the job only while none with its id is stored; false, with nothing written, when one
   * is (`Scheduler.scheduleIfAbsent`). The lost-end net's write: a job written since it looked
   * (a confirmed revoke, with who and why) must stay.
   */
  scheduleIfAbsent(job: JobSpec): Promise<boolean>;
  /** Runs a due job at once under its lease (optional: without it the next sweep runs it). */
  runNow?(id: string): Promise<boolean>;
  /** Moves a running job to `dueAt` unless it was written since it was read (see `Scheduler.moveIfUnchanged`). */
  moveIfUnchanged?(job: ScheduledJob, dueAt: Date): Promise<boolean>;
  /**
   * Jobs whose id starts with `prefix`, at most `limit`, in id order (ScheduleStore.withIdPrefix);
   * optional: without it, reviews owed are read by state.
   */
  withIdPrefix?(prefix: string, limit: number): Promise<ScheduledJob[]>;
}

/**
 * The lifecycle's revocation as a break-glass review asks for it (`AccessLifecycle.revokeSoon`):
 * `options.idempotencyKey` keys its `access.revoke.requested`, one per review.
 */
export type BreakGlassRevocation = (
  request: AccessRequest,
  by: Actor,
  reason: string,
  options?: { idempotencyKey?: string },
) => Promise<void>;

/** The `breakglass.review` job of a break-glass request (reported again daily until reviewed). */
export function breakGlassReviewJobId(requestId: string): string {
  return `breakglass.review:${requestId}`;
}

/** The reminder and escalation jobs of a pending request. */
export function approvalNudgeJobIds(requestId: string): { remind: string; escalate: string } {
  return { remind: `approval.remind:${requestId}`, escalate: `approval.escalate:${requestId}` };
}

/** The `request.expire` job of a pending request. */
export function requestExpiryJobId(requestId: string): string {
  return `request.expire:${requestId}`;
}

/** Creates, decides, lists and expires requests. */
export class RequestService {
  /** Decisions on one request in this process run one after another, so a double click's loser sees the winner before auditing anything. Across processes the conditional write decides. */
  private readonly perRequest = new KeyedSerialiser();

  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly directory: DirectoryPort,
    private readonly clock: Clock,
    private readonly settings: FlowSettings,
    private readonly notifier: RequestNotifier,
    private readonly log: Logger,
    /** Persisted schedule for the approval window's end (G6); absent in flows run without one. */
    private readonly jobs?: JobScheduling,
    /** The approval policy (G18); without one, the single rule built from the environment. */
    policies?: PolicyProvider,
    /** The operators' pause of new access, read before filing or approving; absent: never paused. */
    private readonly pauses?: PauseReader,
  ) {
    const fallback = policies ? undefined : policyFromEnvironment(settings);
    this.policies = policies ?? { current: () => fallback! };
  }

  private readonly policies: PolicyProvider;

  /** The policy in force now (new requests are bound to it; pending ones keep their rule). */
  currentPolicy(): Policy {
    return this.policies.current();
  }

  /**
   * The break-glass cooldown `member` is in now after a rejected review (`policy` shows it), or
   * undefined: none, or the policy has no break-glass. Read as `--break-glass` reads it.
   */
  async breakGlassCooldownOf(member: Actor): Promise<BreakGlassCooldown | undefined> {
    const bg = this.policies.current().breakGlass;
    return bg ? readBreakGlassCooldown(this.store, member, cooldownMsOf(bg), this.clock.now(), this.log) : undefined;
  }

  /**
   * Audits something acrbot refused before any request was involved (a turn from the wrong
   * tenant, bad card data, a validation failure, a reader who may not read). The refusal
   * stands whether or not the entry could be written, so a failed write is logged, not thrown.
   */
  async recordRefusal(event: Omit<AuditEvent, 'targetIds'> & { targetIds?: string[] }): Promise<void> {
    try {
      await this.audit.append({ ...event, targetIds: event.targetIds ?? [] });
    } catch (err) {
      this.log.error({ err, action: event.action }, 'refusal could not be audited');
    }
  }

  /**
   * Records and stores a new request bound to the first policy rule that fits it (G18). The
   * audit entry is written first. A rule with `autoApprove` returns the request already
   * approved (the caller starts the execution); break-glass likewise, after checking the
   * requester is in a break-glass group.
   */
  async create(input: {
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
     * again once this one is stored (see {@link withdrawOverCap}); absent: not checked here.
     */
    pendingCap?: number;
  }): Promise<AccessRequest> {
    const now = this.clock.now();
    const policy = this.policies.current();
    const targets = targetsOf(input.plan);
    const refuse = async (action: string, code: string, message: string): Promise<never> => {
      await this.record({
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
    await this.assertOpen({ actor: input.requester, tenantId: input.tenantId }, targets);
    const rule = selectRule(policy, factsOf(input.plan));
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
        `No rule of the approval policy covers ${input.plan.cluster.name} → ${input.plan.registry.name}, so nobody could approve it. Ask the platform team to add a rule ("@acrbot policy ${input.plan.cluster.name} ${input.plan.registry.name}" shows what applies).`,
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
    const reach = await this.approverReachIfRead(rule, input.requester);
    const outOfReach = quorumOutOfReach(reach.rule, input.requester, reach.groupUsers);
    if (outOfReach) return refuse('policy.refused.quorum', 'policy.quorumOutOfReach', outOfReach);
    const auto = rule.autoApprove;
    // An extension's term counts from when it is granted and only ever moves the end later: one
    // that would end at or before the current end could be approved and change nothing. Checked on
    // the term it would run with (an auto-approving rule caps it).
    const currentEnd = extended?.access?.expiresAt;
    const termMs = access?.permanent ? undefined : access?.durationMs;
    if (currentEnd && termMs !== undefined && now.getTime() + termMs <= Date.parse(currentEnd))
      return refuse(
        'extend.refused.notLater',
        'extend.notLater',
        `Request ${input.extendsRequestId} already runs until ${formatUtc(currentEnd)}. An extension's term counts from when it is granted, so ${describeDurationMs(termMs)}${auto && termMs !== asked?.durationMs ? ` (rule ${rule.id} grants at most that)` : ''} would end before that and change nothing; ask for a term that ends later.`,
      );
    const binding: PolicyBinding = {
      ruleId: rule.id,
      policyHash: policy.hash,
      approvalsRequired: rule.approvalsRequired,
      rule,
      ...(auto && { autoApproved: true }),
    };
    const request = this.newRequest(input, now, binding, access);
    await this.recordCreated(request);
    if (!auto) {
      // Its jobs first: a create that fails may have been stored all the same (a store that lost
      // the answer and could not read the row back), and a request stored without them would
      // never expire (G6). Jobs of a request that was not stored find nothing and do nothing.
      await this.scheduleExpiry(request);
      await this.scheduleNudges(request);
      await this.store.create(request);
      if (input.pendingCap !== undefined) await this.withdrawOverCap(request, input.pendingCap);
      return request;
    }
    // Auto-approval is a decision by the rule: audited as one before the request exists approved.
    const approved = transition(request, {
      type: 'approve',
      by: ruleActor(rule.id),
      at: now,
      reason: `auto-approved by rule ${rule.id}`,
    });
    await this.record({
      actor: ruleActor(rule.id),
      tenantId: input.tenantId,
      action: 'request.approved',
      requestId: request.id,
      targetIds: targets,
      outcome: 'approved',
      detail: `auto-approved by rule ${rule.id} for at most ${shortDuration(access!.durationMs!)}`,
      ruleId: rule.id,
      policyHash: policy.hash,
    });
    await this.store.create(approved);
    return approved;
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
    const withdrawn = transition(request, { type: 'cancel', by: request.requester, at: this.clock.now() });
    // Conditional on the version just created; nobody else knows the request, so a conflict is a fault.
    await this.updateUndoingUnseen(request, withdrawn);
    const others = await this.store.listByRequester(requesterId, ['pending'], Math.min(max, 10));
    const message = pendingCapMessage(max, others);
    await this.recordOrUndo(request, withdrawn, {
      actor: request.requester,
      tenantId: request.tenantId,
      action: 'request.refused.pending',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: message,
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
    });
    const nudges = approvalNudgeJobIds(request.id);
    for (const id of [requestExpiryJobId(request.id), nudges.remind, nudges.escalate]) await this.jobs?.cancel(id);
    throw new UserFacingError('limits.pending', message);
  }

  /**
   * Refuses while the operators' pause of new access is in force: a `UserFacingError` with code
   * `access.paused`, audited as `request.refused.paused`. The refusal names who paused and since
   * when, not why: the requester may be the one the pause is about.
   * Read from the store every time, not cached: a pause made on another instance holds here at
   * once. `create` asks it for every request; chat also asks before a question-and-answer, so
   * nobody answers questions for a request that would be refused.
   */
  async assertOpen(acting: ActingContext, targetIds: string[] = []): Promise<void> {
    const paused = await this.pauses?.current();
    if (!paused) return;
    const message = pausedRefusal(paused, 'Nothing was requested.', false);
    await this.recordRefusal({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'request.refused.paused',
      targetIds,
      outcome: 'refused',
      detail: message,
    });
    throw new UserFacingError('access.paused', message);
  }

  /** The `request.created` entry, written before the request is stored (a request exists only once audited). */
  private async recordCreated(request: AccessRequest): Promise<void> {
    await this.record({
      actor: request.requester,
      tenantId: request.tenantId,
      action: 'request.created',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'pending',
      detail: request.reason,
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
    },
    now: Date,
    policy: PolicyBinding,
    access: AccessTerm | undefined,
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
      expiresAt: new Date(now.getTime() + this.settings.approvalTtlMs).toISOString(),
      origin: input.origin,
      sandbox: this.settings.sandbox,
      policy,
      ...(access && { access }),
      ...(input.sourceActivityId && { sourceActivityId: input.sourceActivityId }),
      ...(input.extendsRequestId && { extendsRequestId: input.extendsRequestId }),
    };
  }

  /**
   * The access term for a typed `--for` (default when absent), checked against the configured
   * limits before anything is asked or read: no rule allows a term outside them. Throws a
   * `validation.duration` error that names the rules allowing less than the deployment, since
   * which of them covers the request is known only once it is planned ({@link create} checks
   * the term against that rule then, naming its range). Undefined when time-boxing is not
   * configured.
   */
  accessTerm(text: string | undefined): AccessTerm | undefined {
    const limits = this.settings.access;
    if (!limits) return undefined;
    const shorter = this.policies
      .current()
      .rules.filter((rule) => rule.maxDurationMs !== undefined && rule.maxDurationMs < limits.maxMs);
    return parseAccessDuration(text, limits, { rangeHint: rulesAllowingLess(shorter) });
  }

  /**
   * The terms an extension of `original` may ask for and run with, by the same limits
   * {@link create} applies: the deployment's minimum and maximum, and the current rule's
   * maxDuration (longer is refused) and auto-approval cap (longer is cut). For offering terms (the
   * tab); {@link create} decides again. Undefined without time-boxing, or when no rule covers it.
   */
  extensionTermRange(original: AccessRequest): { minMs: number; maxMs: number } | undefined {
    const limits = this.settings.access;
    const rule = selectRule(this.policies.current(), factsOf(original.plan));
    if (!limits || !rule) return undefined;
    const caps = [limits.maxMs, rule.maxDurationMs, rule.autoApprove?.maxDurationMs];
    return { minMs: limits.minMs, maxMs: Math.min(...caps.filter((ms): ms is number => ms !== undefined)) };
  }

  /**
   * {@link credentialLifetimeMs} for the term a request with these facts would run with under the
   * policy in force (see `termUnderRule`): a default term cut to the rule's maximum, or a term an
   * auto-approving rule caps, makes a shorter-lived credential. Without a rule, the term as asked
   * (such a request is refused anyway).
   */
  credentialLifetimeUnderPolicy(
    facts: RequestFacts,
    term: AccessTerm | undefined,
    defaultTerm: boolean,
  ): number | undefined {
    const rule = selectRule(this.policies.current(), facts);
    return this.credentialLifetimeMs(rule ? termUnderRule(term, rule, defaultTerm).granted : term);
  }

  /** How long the credential of a secret must live to outlast its access term (approval wait included). */
  credentialLifetimeMs(term: AccessTerm | undefined): number | undefined {
    if (!term) return undefined;
    if (term.permanent || !term.durationMs) return Number.MAX_SAFE_INTEGER;
    return term.durationMs + this.settings.approvalTtlMs;
  }

  /**
   * Break-glass: a member of a break-glass group gets the access at once, for at most the
   * policy's break-glass maxDuration, and an approver of the rule that would have applied must
   * review it within 24 h. Not while the member is in the cooldown after a rejected review.
   */
  private async createBreakGlass(
    input: Parameters<RequestService['create']>[0],
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
    if (!(await this.inAnyGroup(input.requester, bg.groups)))
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
        cooldownRefusal(cooldown, { cluster: input.plan.cluster.name, registry: input.plan.registry.name }),
      );
    // The approvers of the rule that would have applied review it; another rule's approvers
    // never do, so without a fitting rule (or one nobody could review under) there is no
    // break-glass: a grant nobody may review would be reported unreviewed forever.
    if (!rule)
      return refuse(
        'breakglass.refused.noRule',
        'breakglass.noRule',
        `No rule of the approval policy covers ${input.plan.cluster.name} → ${input.plan.registry.name}, so nobody could review a break-glass grant on it. Ask the platform team to add a rule ("@acrbot policy ${input.plan.cluster.name} ${input.plan.registry.name}" shows what applies).`,
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
    const request = this.newRequest(input, now, binding, { durationMs });
    const targets = targetsOf(input.plan);
    // The review job exists before the request does: an approved break-glass request is executed
    // by any instance's resume pass, so storing it first and failing to schedule (or dying in
    // between) would grant access nobody is ever asked to review. A job whose request was never
    // stored finds nothing and does nothing.
    await this.scheduleReview(request);
    await this.recordCreated(request);
    const approved = transition(request, {
      type: 'approve',
      by: input.requester,
      at: now,
      reason: `break-glass: ${input.reason}`,
    });
    await this.record({
      actor: input.requester,
      tenantId: input.tenantId,
      action: 'request.approved',
      requestId: request.id,
      targetIds: targets,
      outcome: 'approved',
      detail: `break-glass for at most ${shortDuration(durationMs)}, review due ${binding.review!.dueAt}`,
      ruleId: BREAK_GLASS_RULE_ID,
      policyHash: policy.hash,
    });
    await this.store.create(approved);
    return approved;
  }

  /** Schedules the `breakglass.review` job of a break-glass request at its review's due time (idempotent). */
  private async scheduleReview(request: AccessRequest): Promise<void> {
    if (!this.jobs || !request.policy?.review) return;
    await this.jobs.schedule({
      id: breakGlassReviewJobId(request.id),
      kind: 'breakglass.review',
      dueAt: new Date(request.policy.review.dueAt),
      requestId: request.id,
    });
  }

  /**
   * Schedules the review job of every break-glass grant whose review is owed but which has no
   * job (one stored before reviews were scheduled first, or whose job was lost), so it is
   * reported until reviewed; run at start. A review already overdue is reported at the next
   * sweep. Returns how many were scheduled. Read by state as {@link scanReviewsOwed} reads (live
   * grants, then ended ones, each up to WAITING_SCAN_LIMIT), not from the jobs it looks for: the
   * list of reviews owed reads those jobs, so this pass is what keeps it whole.
   */
  async scheduleReviewsForUnreviewed(hasJob: (jobId: string) => Promise<boolean>): Promise<number> {
    if (!this.jobs) return 0;
    const { requests, boundReached } = await scanReviewsOwed(this.store);
    // Not silent: a review owed past the bound gets no job from this start.
    if (boundReached)
      this.log.warn(
        { limit: WAITING_SCAN_LIMIT },
        "the start's break-glass review sweep read only the first requests of each state it reads (live oldest first, ended newest first): a review owed among the others without a job is not scheduled by this start",
      );
    let scheduled = 0;
    for (const request of requests) {
      // An existing job keeps its time: the daily report of an overdue review is not moved.
      if (await hasJob(breakGlassReviewJobId(request.id))) continue;
      await this.scheduleReview(request);
      scheduled++;
    }
    return scheduled;
  }

  /** Schedules the rule's reminder and escalation of a pending request (idempotent; they no-op once decided). */
  async scheduleNudges(request: AccessRequest): Promise<void> {
    const rule = request.policy?.rule;
    if (!this.jobs || request.state !== 'pending' || !rule) return;
    const ids = approvalNudgeJobIds(request.id);
    const created = Date.parse(request.createdAt);
    const nudges = [
      { id: ids.remind, kind: 'approval.remind', afterMs: rule.remindAfterMs },
      { id: ids.escalate, kind: 'approval.escalate', afterMs: rule.escalateAfterMs },
    ] as const;
    for (const { id, kind, afterMs } of nudges)
      if (afterMs !== undefined)
        await this.jobs.schedule({ id, kind, dueAt: new Date(created + afterMs), requestId: request.id });
  }

  /** Schedules the `request.expire` job of a pending request (idempotent). */
  async scheduleExpiry(request: AccessRequest): Promise<void> {
    if (!this.jobs || request.state !== 'pending') return;
    await this.jobs.schedule(expiryJobOf(request));
  }

  /**
   * Schedules expiry for pending requests made before the schedule existed (or whose job was
   * lost); idempotent, run at start. A job already there is left as it is: rewritten, it would
   * lose its failure count, so an instance restarting in a loop would never see a failing
   * expiry reported.
   */
  async scheduleExpiryForPending(): Promise<number> {
    const pending = await this.store.listByState(['pending'], 1000);
    for (const request of pending) await this.jobs?.scheduleIfAbsent(expiryJobOf(request));
    return pending.length;
  }

  /** Reads a request or says it does not exist. */
  async get(id: string): Promise<AccessRequest> {
    const request = await this.store.get(id.toUpperCase());
    if (!request) throw requestNotFound(id);
    return request;
  }

  /**
   * Reads a request for someone of `tenantId` (the tenant boundary, tenant-boundary.ts): another
   * tenant's answers exactly as one that does not exist, as the tab answers 404.
   */
  async getInTenant(id: string, tenantId: string): Promise<AccessRequest> {
    const request = await this.store.get(id.toUpperCase());
    if (!request || !ofTenant(request, tenantId)) throw requestNotFound(id);
    return request;
  }

  /**
   * Extensions of `original` still open (pending, approved or executing), oldest first, read from
   * the store so every instance sees the same: only an extension's own requester files it (the
   * requester of the original), so this reads that user's open requests through the by-requester
   * index (the per-user cap bounds the pending ones; approved and executing ones pass quickly)
   * and keeps those that extend `original`.
   */
  async openExtensionsOf(original: AccessRequest): Promise<AccessRequest[]> {
    return (await openExtensionsBy(this.store, original.requester.objectId)).filter(
      (r) => r.extendsRequestId === original.id,
    );
  }

  /**
   * Every pending request, oldest first, up to WAITING_SCAN_LIMIT (`boundReached` says when
   * more were there): uncapped, since each approver's list is narrowed from it afterwards.
   */
  async pending(): Promise<WaitingRequests> {
    return listPending(this.store);
  }

  /**
   * Break-glass grants whose review is still owed (they wait for an approver too), oldest first,
   * up to WAITING_SCAN_LIMIT, as {@link pending}: read from their review jobs, so the cost follows
   * the reviews owed, not every grant that ever ended; by state where the schedule cannot list them.
   */
  async awaitingReview(): Promise<WaitingRequests> {
    const jobs = this.jobs;
    const reviewJobs = jobs?.withIdPrefix
      ? (limit: number) => jobs.withIdPrefix!(breakGlassReviewJobId(''), limit)
      : undefined;
    return listReviewsOwed(this.store, reviewJobs);
  }

  /**
   * THE question "may this person approve this request": named in the rule the request is bound
   * to ({@link ruleOf}), or a transitive member of one of its groups (asked in Graph now, not
   * cached, G5). The requester never is (G4). Requests made before policies use the rule that
   * fits them now. Given the actor's `tenantId`, nobody approves another tenant's request (the
   * tenant boundary; the tab and the pending lists ask of their own tenant's requests only).
   */
  async isApproverOf(actor: Actor, request: AccessRequest, tenantId?: string): Promise<boolean> {
    if (actor.objectId.toLowerCase() === request.requester.objectId.toLowerCase()) return false;
    if (tenantId !== undefined && !ofTenant(request, tenantId)) return false;
    const rule = this.ruleOf(request);
    if (!rule) return false;
    return isNamedApprover(rule, actor) || this.inAnyGroup(actor, rule.approvers.groups);
  }

  /**
   * The rule a request is bound to (or, for requests made before policies, the one that fits
   * now). A pending request keeps its snapshot (G18; its expiry bounds that). A decided one — a
   * break-glass grant owing its review, access someone may revoke — has no such bound, so its
   * rule's approvers are the current policy's ({@link decidedRule}): someone a reload removed
   * from the rule no longer reviews or revokes under it, and a rule removed or renamed passes
   * them to the current rule that fits the request.
   */
  ruleOf(request: AccessRequest): PolicyRule | undefined {
    const bound = request.policy?.rule;
    if (!bound) return selectRule(this.policies.current(), factsOf(request.plan));
    return request.state === 'pending' ? bound : decidedRule(bound, this.policies.current(), factsOf(request.plan));
  }

  /** An approver under any rule of the current policy (who may list pending requests). */
  async isApprover(actor: Actor): Promise<boolean> {
    const rules = this.policies.current().rules;
    if (rules.some((r) => isNamedApprover(r, actor))) return true;
    return this.inAnyGroup(actor, [...new Set(rules.flatMap((r) => r.approvers.groups.map((g) => g.toLowerCase())))]);
  }

  /** Approver reads reused across requests (made on first use; see approverReachIfRead). */
  private groupReads?: ApproverGroupsCache;

  /**
   * `rule`'s named users the directory finds enabled and the members of its approver groups as
   * far as its quorum needs them (readApproverReach), for {@link quorumOutOfReach}; the rule as
   * written, unread, for one that approves by itself. A normal request is not refused for a
   * directory failure (throttled, `GroupMember.Read.All` missing, Graph down): the read only
   * spares its requester a request nobody could approve, while who may approve is asked again at
   * every click (G5), so passing it over lets nobody in. The request then waits as it did before
   * approvers were read; the warning tells the operators.
   *
   * Reads made for earlier requests are reused for a few minutes (approver-groups-cache.ts), so a
   * rule does not cost Graph queries before every card. A request they would refuse is judged
   * again on fresh reads: someone added to a group (or enabled) since must not be refused (the
   * refusal tells them to have approvers added). Break-glass does not use them (createBreakGlass).
   */
  private async approverReachIfRead(rule: PolicyRule, requester: Actor): Promise<ApproverReach> {
    if (rule.autoApprove) return { rule };
    const needed = Math.max(1, rule.approvalsRequired);
    this.groupReads ??= new ApproverGroupsCache(this.directory, this.clock);
    const reused = this.groupReads.session();
    const reach = await readApproverReach(reused, rule, requester, needed, this.log);
    if (!reused.fromCache || !quorumOutOfReach(reach.rule, requester, reach.groupUsers)) return reach;
    return readApproverReach(this.groupReads.session({ fresh: true }), rule, requester, needed, this.log);
  }

  private async inAnyGroup(actor: Actor, groups: readonly string[]): Promise<boolean> {
    for (const group of groups) if (await this.directory.isMemberOfGroup(actor.objectId, group)) return true;
    return false;
  }

  /**
   * Why an extension cannot be approved because of its original (being revoked, no longer active,
   * or its term passed while its end job has yet to run: another grant's revocation may already
   * have deleted the role assignment they share, see termEndedBy); undefined for a request that
   * extends nothing or an original still active.
   */
  private async endedOriginal(request: AccessRequest): Promise<string | undefined> {
    // Read now, not when the click began: the checks before it may have taken a while.
    const gone = await extendedAccessGone(this.store, request, this.clock.now());
    if (!gone) return undefined;
    const closes = `so its extension ${request.id} cannot be approved; it closes without a decision. Nothing was changed; ask for a new request if the access is still needed.`;
    if (gone.why === 'ended') return `The access of ${gone.original.id} ended at ${formatUtc(gone.endedAt)}, ${closes}`;
    const why =
      gone.why === 'revoking'
        ? 'is being revoked'
        : gone.why === 'drifted'
          ? 'no longer gives its cluster pull (its role assignment was removed or changed outside acrbot, or no longer serves)'
          : 'no longer has active access';
    return `Request ${request.extendsRequestId} ${why}, ${closes}`;
  }

  /** Approvers and auditors may read the audit log. */
  async mayReadAudit(actor: Actor): Promise<boolean> {
    if (this.settings.auditorIds.some((a) => a.toLowerCase() === actor.objectId.toLowerCase())) return true;
    return this.isApprover(actor);
  }

  /**
   * An approve or reject click. Identity is the caller's `aadObjectId`; the request is
   * re-read from the store, whatever the card data says (G3). Exactly one decision wins (G8).
   */
  async decide(input: {
    requestId: string;
    acting: ActingContext;
    approve: boolean;
    reason?: string;
    /** The tenants served now (ACRBOT_ALLOWED_TENANTS): a request of another is decided by nobody. */
    servedTenantIds?: readonly string[];
  }): Promise<DecisionResult> {
    return this.perRequest.run(input.requestId.toUpperCase(), () => this.decideNow(input));
  }

  private async decideNow(
    input: {
      requestId: string;
      acting: ActingContext;
      approve: boolean;
      reason?: string;
      servedTenantIds?: readonly string[];
    },
    attempt = 1,
  ): Promise<DecisionResult> {
    const request = await this.get(input.requestId);
    const { actor, tenantId } = input.acting;
    const now = this.clock.now();
    // The tenant boundary before anything else: what the request's state or the comment are is
    // not said to someone whose tenant may not decide it.
    const across = await this.acrossTenants(request, input.acting, input.servedTenantIds);
    if (across) return across;
    // Cleaned before anything is judged: a comment of invisible characters is no comment.
    const reason = singleLine(input.reason ?? '') || undefined;
    if (reason && reason.length > REASON_LIMITS.max) {
      // Refused, not cut: the approver would not know what was kept.
      await this.recordRefusal({
        actor,
        tenantId,
        action: 'validation.failed',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'validation.tooLong',
        detail: `comment of ${reason.length} characters; the limit is ${REASON_LIMITS.max}`,
      });
      throw new UserFacingError(
        'validation.reason',
        `The comment is ${reason.length} characters long; keep it under ${REASON_LIMITS.max} and click again. Nothing was changed.`,
      );
    }
    if (reason && looksLikeSecret(reason)) {
      // Audited like every refusal (G11), without the comment: it looks like a credential.
      await this.recordRefusal({
        actor,
        tenantId,
        action: 'validation.failed',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'validation.secret',
      });
      throw new UserFacingError(
        'validation.secret',
        'The comment looks like it contains a credential (a token, key or password); remove it and click again. Never paste secrets in chat.',
      );
    }
    // A break-glass run that failed granted nothing: no review is owed (policy.ts, awaitingReview).
    // A click from a card drawn before it failed is refused and audited, and changes nothing:
    // recorded as a review, its Reject would promise a revocation of access that never existed.
    if (isFailedBreakGlass(request)) {
      const message = `Break-glass request ${request.id} failed: nothing was granted, so there is nothing to keep or revoke and no review is owed. Nothing was changed.`;
      await this.recordRefusal({
        actor,
        tenantId,
        action: 'breakglass.review.refused.failed',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: 'the break-glass run failed; nothing was granted, so no review is owed',
        ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
      });
      return { kind: 'refused', request, reason: 'stale', message };
    }
    // Approve/Reject on a break-glass card is its review: keep it, or revoke it at once (once
    // its access ended: whether the use was justified).
    if (awaitingReview(request)) return this.reviewNow(request, input.acting, input.approve, reason);
    // Reviewed already, by a click whose process stopped before the entry or the revocation
    // (review-reject-net.ts): this click finishes it, whoever clicks; it decides nothing new.
    // Not a review stored moments ago: its click may still be on it (CLICK_GRACE_MS).
    const finished = await this.finishReviewAtClick(request, input.acting);
    if (finished) return finished;
    if (request.state !== 'pending') {
      // A click on a request decided already (a late approver, a forwarded card) is refused and
      // audited, as one that loses the race is.
      await this.recordRefusal({
        actor,
        tenantId,
        action: 'approval.refused.stale',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: describeBreakGlassRun(request) ?? `already ${describeState(request)}`,
        ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
      });
      return { kind: 'refused', request, reason: 'stale', message: `${alreadyDecided(request)}; nothing was changed.` };
    }
    const rule = this.ruleOf(request);
    const binding = this.bindingOf(request, rule);
    const verdict = checkDecision(request, {
      actor,
      now,
      approving: input.approve,
      justification: reason,
      actorIsApprover: await this.isApproverOf(actor, request),
      approverJustificationRequired: rule?.approverJustification === 'required',
    });
    // `auditDetail`: what the request's history keeps when it must say less than the clicking
    // approver is told (its requester reads that history in the tab).
    const refused = async (
      r: RefusalReason | 'twice' | 'paused' | 'notActive',
      message: string,
      auditDetail = message,
    ): Promise<DecisionResult> => {
      await this.record({
        actor,
        tenantId,
        action: `approval.refused.${r}`,
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: auditDetail,
        ruleId: binding.ruleId,
        policyHash: binding.policyHash,
      });
      if (r === 'expired') await this.expire(request, this.clock.now());
      return { kind: 'refused', request: (await this.store.get(request.id)) ?? request, reason: r, message };
    };
    if (!verdict.allowed) return refused(verdict.reason, verdict.message);
    // A rejection is the approver's decision on someone's request: it always says why (G7), by
    // the rule an approval's justification follows. The card asks first; this holds for any caller.
    if (!input.approve && !isJustification(reason)) return refused('justification', REJECTION_NEEDS_REASON);
    const required = Math.max(1, binding.approvalsRequired);
    // Someone whose approval already counts is told so before any pause or ended original: "approve
    // it again after the pause" would promise a click that is then refused as a second approval.
    // Their approval is never one the quorum re-check below drops: they are an approver now
    // (checked above) and the counted approvals of a pending request are fewer than the quorum.
    const again = input.approve ? nextApprovalStep(request, required, { actor, approving: true, at: now }) : undefined;
    if (again?.kind === 'refused') return refused(again.reason, again.message);
    // A pause stops approvals too (a pending request would otherwise become access); rejecting still works.
    const paused = input.approve ? await this.pauses?.current() : undefined;
    if (paused) {
      const stays = `Request ${request.id} stays pending; approve it again after the pause, or reject it.`;
      // The approver is told why; the request's history (which its requester reads) is not: the
      // reason is in the `access.paused` entry.
      return refused('paused', pausedRefusal(paused, stays, true), pausedRefusal(paused, stays, false));
    }
    // An extension of access that is being revoked or has ended would only fail when it runs
    // (extend.notActive): refused here, left pending for the revocation to close.
    const ended = input.approve ? await this.endedOriginal(request) : undefined;
    if (ended) return refused('notActive', ended);
    // G5 holds for every approval the quorum counts, not only this click's: an earlier approver
    // who has since left the rule's approvers no longer counts. A rejection needs no quorum.
    const { current, discounted } = input.approve
      ? await this.withoutFormerApprovers(request, required)
      : { current: request, discounted: [] };
    const step = nextApprovalStep(current, required, {
      actor,
      approving: input.approve,
      at: now,
      reason,
    });
    if (step.kind === 'refused') return refused(step.reason, step.message);
    // Expiry again, just before the write: the lookups above (Graph, each retried for up to a
    // minute on 429), the pause and the original's reads take time, and a click made before the
    // expiry must not land after it (G6). Only the clock has moved since the first check, so the
    // only refusal left to it is expiry, with the same message and audit entry.
    const late = checkDecision(current, {
      actor,
      now: this.clock.now(),
      approving: input.approve,
      justification: reason,
      actorIsApprover: true,
      approverJustificationRequired: false,
    });
    if (!late.allowed) return refused(late.reason, late.message);
    const event: RequestEvent =
      step.kind === 'rejected'
        ? { type: 'reject', by: actor, at: now, reason }
        : { type: step.kind === 'approved' ? 'approve' : 'recordApproval', by: actor, at: now, reason };
    const next = { ...transition(current, event), ...(request.policy ? {} : { policy: binding }) };
    // The conditional write picks the winner first; only the winner records the decision, so a
    // race leaves exactly one decision entry (G8).
    try {
      await this.updateUndoingUnseen(request, next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Another approval towards the quorum or a reminder's mark moved the request: while it is
      // still pending this click is as valid as before, so it is decided again on the current
      // version. Only a request decided meanwhile (or endless contention) makes it stale.
      const latest = await this.get(request.id);
      if (latest.state === 'pending' && attempt < MAX_DECISION_ATTEMPTS) return this.decideNow(input, attempt + 1);
      return this.lostRace(request, input.acting);
    }
    if (discounted.length > 0)
      await this.recordOrUndo(request, next, {
        actor: ruleActor(binding.ruleId),
        tenantId,
        action: 'approval.discounted',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'discounted',
        detail: `not counted, no longer approvers of rule ${binding.rule?.id ?? binding.ruleId}: ${discounted.map((a) => `${a.name} (${a.objectId})`).join(', ')}`,
        ruleId: binding.ruleId,
        policyHash: binding.policyHash,
      });
    const action =
      step.kind === 'rejected'
        ? 'request.rejected'
        : step.kind === 'approved'
          ? 'request.approved'
          : 'approval.recorded';
    // G11: the executor is only started by the caller after this returns, so an undone decision never runs.
    await this.recordOrUndo(request, next, {
      actor,
      tenantId,
      action,
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: step.kind === 'recorded' ? `${step.approvals.length} of ${step.required}` : next.state,
      detail: reason,
      ruleId: binding.ruleId,
      policyHash: binding.policyHash,
      // The resume sweep writes this entry under the same key when this process stopped before
      // it (decision-entry-net.ts): a slow append landing after that one adds nothing (G8).
      ...(action === 'request.approved' &&
        next.decision && { idempotencyKey: approvedEntryKey(request.id, next.decision) }),
    });
    if (step.kind === 'recorded') {
      // Every copy shows "1 of 2 so far"; the click is answered with the same.
      void this.notifier.requestChanged(next);
      return { kind: 'recorded', request: next };
    }
    // The click is answered without waiting for the other copies: an approval's copies are
    // updated by the executor's first step ("executing") anyway, a rejection's right after.
    if (!input.approve) void this.notifier.requestChanged(next);
    // The request.expire job stays: at its time it finds the request decided and does nothing.
    return { kind: 'decided', request: next };
  }

  /**
   * A decision across the tenant boundary (tenant-boundary.ts), refused and audited
   * (`approval.refused.tenant`), nothing changed: on another tenant's request, as to someone who
   * is no approver of it (the tab shows it to nobody of another tenant), or on one of a tenant
   * this deployment no longer serves (`served`). Nobody of such a tenant reaches acrbot any more,
   * so its requests are decided by nobody, Reject and reviews included: a pending one closes when
   * its approval window ends. Undefined when the decision may go on (always, with one tenant).
   */
  private async acrossTenants(
    request: AccessRequest,
    acting: ActingContext,
    served: readonly string[] | undefined,
  ): Promise<DecisionResult | undefined> {
    const gone = served !== undefined && !isServedTenant(request.tenantId, served);
    if (!gone && ofTenant(request, acting.tenantId)) return undefined;
    const message = gone
      ? `Request ${request.id} was made in an organisation (tenant) this acrbot no longer serves, so it can no longer be approved, rejected or reviewed. Nothing was changed; a pending request closes when its approval window ends.`
      : `Only approvers in the organisation (tenant) request ${request.id} was made in can decide it. Nothing was changed.`;
    await this.record({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'approval.refused.tenant',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: gone
        ? `the request's tenant ${request.tenantId} is no longer served by this deployment (ACRBOT_ALLOWED_TENANTS)`
        : `the request is of tenant ${request.tenantId}, not of the deciding user's`,
      ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
    });
    return { kind: 'refused', request, reason: 'notApprover', message };
  }

  /**
   * Pending and live (succeeded) requests of tenants this deployment no longer serves (`served`:
   * ACRBOT_ALLOWED_TENANTS), from one read of each state bounded by WAITING_SCAN_LIMIT
   * (`boundReached`: more were there), for a line at start: they stay in the store, undecidable
   * and invisible (tenant-boundary.ts), until they expire or their access ends.
   */
  async notServedCounts(
    served: readonly string[],
  ): Promise<{ pending: number; active: number; boundReached: boolean }> {
    const [pending, active] = await Promise.all([
      this.store.listByState(['pending'], WAITING_SCAN_LIMIT),
      this.store.listByState(['succeeded'], WAITING_SCAN_LIMIT),
    ]);
    const gone = (list: AccessRequest[]) => list.filter((r) => !isServedTenant(r.tenantId, served)).length;
    return {
      pending: gone(pending),
      active: gone(active),
      boundReached: pending.length >= WAITING_SCAN_LIMIT || active.length >= WAITING_SCAN_LIMIT,
    };
  }

  /**
   * The request with only the earlier approvals whose authors are still approvers of its rule
   * (asked now, G5), and who was left out. One lookup per counted approval: fewer than the
   * quorum by construction (the approval reaching it decides), and never more than
   * {@link MAX_QUORUM_RECHECKS}; approvals past that bound are not counted either.
   */
  private async withoutFormerApprovers(
    request: AccessRequest,
    required: number,
  ): Promise<{ current: AccessRequest; discounted: Actor[] }> {
    const discounted: Actor[] = [];
    for (const [i, approval] of countedApprovals(request).entries())
      if (i >= Math.min(required, MAX_QUORUM_RECHECKS) || !(await this.isApproverOf(approval.by, request)))
        discounted.push(approval.by);
    if (discounted.length === 0) return { current: request, discounted };
    const gone = new Set(discounted.map((a) => a.objectId.toLowerCase()));
    const approvals = (request.approvals ?? []).filter((a) => !gone.has(a.by.objectId.toLowerCase()));
    return { current: { ...request, approvals }, discounted };
  }

  /**
   * `cancel R-…`: the requester withdraws their own pending request. Serialised with decisions
   * on the same request, conditional on the version read (a concurrent approval wins or loses
   * cleanly); audited as `request.cancelled`; its reminder, escalation and expiry jobs are
   * cancelled and every card copy updates. Anyone else is refused (audited, nothing changes).
   */
  async cancel(input: { requestId: string; acting: ActingContext }): Promise<AccessRequest> {
    return this.perRequest.run(input.requestId.toUpperCase(), () => this.cancelNow(input));
  }

  private async cancelNow(input: { requestId: string; acting: ActingContext }): Promise<AccessRequest> {
    const request = await this.get(input.requestId);
    const { actor, tenantId } = input.acting;
    const now = this.clock.now();
    let next: AccessRequest;
    try {
      next = transition(request, { type: 'cancel', by: actor, at: now });
    } catch (err) {
      if (isUserFacing(err))
        await this.record({
          actor,
          tenantId,
          action: `request.cancel.refused.${err.code === 'request.notRequester' ? 'notRequester' : 'notPending'}`,
          requestId: request.id,
          targetIds: targetsOf(request.plan),
          outcome: 'refused',
          detail: err.message,
        });
      throw err;
    }
    try {
      await this.updateUndoingUnseen(request, next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const winner = await this.get(request.id);
      throw new UserFacingError(
        'request.alreadyDecided',
        `Request ${request.id} was already ${describeState(winner)}; it was not cancelled.`,
      );
    }
    await this.recordOrUndo(request, next, {
      actor,
      tenantId,
      action: 'request.cancelled',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'cancelled',
    });
    const nudges = approvalNudgeJobIds(request.id);
    for (const id of [requestExpiryJobId(request.id), nudges.remind, nudges.escalate]) await this.jobs?.cancel(id);
    void this.notifier.requestChanged(next);
    return next;
  }

  /**
   * The review of a break-glass grant by an approver of the rule that would have applied (never
   * the requester). Reject revokes the access at once through the lifecycle's revocation; for a
   * grant whose access already ended (revoked by its user, or at its end) it only records that
   * the use was not justified (`reviewJudgesUseOnly`).
   */
  private async reviewNow(
    request: AccessRequest,
    acting: ActingContext,
    accept: boolean,
    reason: string | undefined,
  ): Promise<DecisionResult> {
    const { actor, tenantId } = acting;
    const now = this.clock.now();
    const binding = request.policy!;
    // Who may review, and whether keeping needs a justification, follow the current rule
    // (ruleOf: decidedRule), not the copy stored with the grant: decided requests follow the
    // current policy (docs/policy.md), so a reload making justification required holds at once.
    const rule = this.ruleOf(request);
    const targets = targetsOf(request.plan);
    // The review is judged under `rule` and the policy in force, not the grant's binding: the
    // trail names the rule that gave (or did not give) the reviewer the right.
    const under = this.reviewAuthority(rule, binding);
    const refuse = async (r: RefusalReason | 'inProgress', message: string): Promise<DecisionResult> => {
      await this.record({
        actor,
        tenantId,
        action: `breakglass.review.refused.${r}`,
        requestId: request.id,
        targetIds: targets,
        outcome: 'refused',
        detail: withInPlaceOf(message, under.inPlaceOf),
        ruleId: under.ruleId,
        policyHash: under.policyHash,
      });
      return { kind: 'refused', request, reason: r, message };
    };
    if (actor.objectId.toLowerCase() === request.requester.objectId.toLowerCase())
      return refuse('self', `You used break-glass for request ${request.id} yourself, so an approver must review it.`);
    if (!(await this.isApproverOf(actor, request)))
      return refuse(
        'notApprover',
        `Only ${decidedRuleApprovers(rule, binding.rule)} can review break-glass request ${request.id}.`,
      );
    // The executor holds the request from the approval on (its first write, approved →
    // executing, is conditional on the version stored at the approval) until the grant is done:
    // a review written in between would make its next write fail and leave the run half
    // recorded. The grant takes seconds; it is reviewed once it is in place. The review's own
    // write below is conditional on this read: a request moved since is read and checked again.
    if (isBeingGranted(request))
      return refuse(
        'inProgress',
        `Break-glass request ${request.id} is still being granted; review it in a few seconds, once its card shows the outcome.`,
      );
    // Likewise while it is being revoked: the review's write would make the revocation's last
    // write conflict and wait for its retry. Reviewed once it is revoked.
    if (isBeingRevoked(request))
      return refuse(
        'inProgress',
        `Break-glass request ${request.id} is being revoked; review it once its card shows it revoked.`,
      );
    // Rejecting revokes the grant at once (or, its access ended, judges the use): like any
    // rejection it says why (G7).
    if (!accept && !isJustification(reason)) return refuse('justification', REJECTION_NEEDS_REASON);
    // Keeping a grant is an approval after the fact: the rule's justification requirement holds (G7).
    if (accept && rule?.approverJustification === 'required' && !isJustification(reason))
      return refuse(
        'justification',
        `Keeping break-glass request ${request.id} needs a justification under rule ${rule.id}: type it in the card's comment box and approve again.`,
      );
    const outcome = accept ? ('accepted' as const) : ('rejected' as const);
    const next: AccessRequest = {
      ...request,
      version: request.version + 1,
      updatedAt: now.toISOString(),
      policy: {
        ...binding,
        review: {
          ...binding.review!,
          outcome,
          by: actor,
          at: now.toISOString(),
          reason,
          // Its access already ended: the review judges only the use (the cards say so for good).
          ...(reviewJudgesUseOnly(request) && { useOnly: true }),
        },
      },
    };
    try {
      await this.store.update(next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const current = await this.get(request.id);
      // Something else moved it meanwhile (a revocation, a clean-up; not another review):
      // review the current version, checked again from the top.
      if (awaitingReview(current)) return this.reviewNow(current, acting, accept, reason);
      return this.lostRace(request, acting);
    }
    await this.recordOrUndo(
      request,
      next,
      this.reviewEntry(next, tenantId, under),
      // Undone (not audited), the review is owed again: its job may have run meanwhile, found it
      // reviewed and been deleted, and the list of reviews owed and the daily report read the jobs.
      () => this.keepReviewJob(request),
    );
    await this.jobs?.cancel(breakGlassReviewJobId(request.id));
    // Access that ended before the review (revoked), or began ending since the review was
    // written (a revocation started elsewhere): the review judged the use. A revocation asked for
    // now would revoke nothing, or rename who ends it, while its audit entry said this review did.
    let latest = (await this.store.get(request.id)) ?? next;
    const accessEnded = reviewJudgesUseOnly(latest);
    if (!accept && !accessEnded) {
      await this.revokeBreakGlass(next, acting, reason);
      latest = (await this.store.get(request.id)) ?? next;
    }
    // Accepted, the request stays granted: its cards say reviewed, and no second outcome is sent.
    void this.notifier.requestChanged(latest, { markOnly: true });
    return { kind: 'reviewed', request: latest, outcome, accessEnded };
  }

  /**
   * The rule and policy a break-glass review is judged under, for its audit entry: `rule`
   * (ruleOf, the current rule that decides it) and the hash of the policy in force, with
   * `inPlaceOf` ("in place of rule prod") when that rule is not the one the grant was bound to.
   */
  private reviewAuthority(
    rule: PolicyRule | undefined,
    binding: PolicyBinding,
  ): { ruleId: string; policyHash: string; inPlaceOf?: string } {
    // A break-glass binding's ruleId is the marker "break-glass"; its rule is the one that
    // would have applied, whose approvers review it (without one, none is replaced).
    const bound = binding.rule?.id;
    const ruleId = rule?.id ?? bound ?? binding.ruleId;
    const policyHash = this.policies.current().hash;
    if (!bound || ruleId.toLowerCase() === bound.toLowerCase()) return { ruleId, policyHash };
    return { ruleId, policyHash, inPlaceOf: `in place of rule ${bound}` };
  }

  /**
   * The entry of the review stored on `reviewed`, keyed by it (reviewEntryKey): its click and a
   * follow-up after a crash (review-reject-net.ts) write it once between them. `under`: the
   * authority the click judged it under (default: as judged now).
   */
  private reviewEntry(
    reviewed: AccessRequest,
    tenantId: string,
    under = this.reviewAuthority(this.ruleOf(reviewed), reviewed.policy!),
  ): AuditEvent {
    const review = reviewed.policy!.review!;
    return {
      actor: review.by!,
      tenantId,
      action: `breakglass.review.${review.outcome!}`,
      requestId: reviewed.id,
      targetIds: targetsOf(reviewed.plan),
      outcome: review.outcome!,
      // A review of the use alone says so in the trail too: no revocation follows it.
      detail: withInPlaceOf(
        review.useOnly
          ? `use only, its access had already ended${review.reason ? `: ${review.reason}` : ''}`
          : review.reason,
        under.inPlaceOf,
      ),
      ruleId: under.ruleId,
      policyHash: under.policyHash,
      idempotencyKey: reviewEntryKey(reviewed),
    };
  }

  /** What the net for half-done decisions (review-reject-net.ts) reads and writes. */
  private reviewNetPorts(): ReviewNetPorts {
    return {
      store: this.store,
      audit: this.audit,
      jobs: this.jobs,
      clock: this.clock,
      log: this.log,
      reviewJobId: breakGlassReviewJobId,
      reviewEntry: (reviewed) => this.reviewEntry(reviewed, reviewed.tenantId),
      // As its click revokes: by the reviewer, for the reason they gave, under the review's key.
      revoke: (rejected) =>
        this.revokeBreakGlass(
          rejected,
          { actor: rejected.policy!.review!.by!, tenantId: rejected.tenantId },
          rejected.policy!.review!.reason,
        ),
    };
  }

  /**
   * A click on a break-glass request whose stored review was left half done (its process stopped
   * before the entry, or before the revocation): finishes it (finishStoredReview) and tells the
   * clicker so, with the click audited as a late one. Undefined when this click wrote nothing: the
   * review was finished, or is young enough for its own click to be finishing it still.
   */
  private async finishReviewAtClick(
    request: AccessRequest,
    acting: ActingContext,
  ): Promise<DecisionResult | undefined> {
    const done = await finishStoredReview(this.reviewNetPorts(), request);
    if (!done) return undefined;
    const what = [done.entryWritten && 'its audit entry written', done.revoked && "the grant's revocation started"]
      .filter(Boolean)
      .join(', ');
    await this.record({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'approval.refused.stale',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: `${describeBreakGlassRun(done.request)}; finished what that review left undone: ${what}`,
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
    });
    return {
      kind: 'refused',
      request: done.request,
      reason: 'stale',
      message: `${alreadyDecided(done.request)}. acrbot stopped before it finished that review; your click finished it (${what}).`,
    };
  }

  /**
   * The net for decisions a stopped process left half done (review-reject-net.ts): stored
   * break-glass reviews finished (entry, revocation of a rejected grant), plain rejections given
   * their missing entry. Run at start (not awaited: the start's stop awaits it) and with
   * `drift.check` (`atMostEveryMs`: at most that often on this instance). One pass at a time: a
   * call while one runs gets that one. Never throws: a failed pass is logged and the next one
   * tries again.
   */
  finishStoredDecisions(options: { atMostEveryMs?: number } = {}): Promise<void> {
    if (this.netRun) return this.netRun;
    const now = this.clock.now().getTime();
    if (options.atMostEveryMs !== undefined && now - (this.lastNetPass ?? -Infinity) < options.atMostEveryMs)
      return Promise.resolve();
    this.lastNetPass = now;
    const run = this.decisionNetPass().finally(() => (this.netRun = undefined));
    this.netRun = run;
    return run;
  }

  /** One pass of the net for {@link finishStoredDecisions}, its findings logged; never throws. */
  private async decisionNetPass(): Promise<void> {
    try {
      const pass = await (this.decisionNet ??= new DecisionNet(this.reviewNetPorts())).pass();
      // A request whose follow-up failed (logged), or whose review was left to a click that may
      // still be on it, is looked at again at the next drift check.
      if (pass.failed > 0 || pass.held.length > 0) this.lastNetPass = undefined;
      if (pass.reviews.length + pass.rejections.length > 0)
        this.log.warn(
          { reviews: pass.reviews, rejections: pass.rejections },
          'finished decisions a stopped process left half done (break-glass reviews audited or revoked, rejections audited)',
        );
    } catch (err) {
      this.lastNetPass = undefined;
      this.log.error(
        { err },
        'finishing a decision a stopped process left unaudited or unrevoked failed; the next start or drift check tries again',
      );
    }
  }

  /** When this instance's last pass of {@link finishStoredDecisions} began (its drift-time bound). */
  private lastNetPass?: number;

  /** The pass of {@link finishStoredDecisions} running now, if any. */
  private netRun?: Promise<void>;

  /** The net, made on first use (what it remembers between passes is this instance's). */
  private decisionNet?: DecisionNet;

  /**
   * Revokes a rejected break-glass grant at once, or records that this build cannot yet; false,
   * asking nothing, when a fresh read finds it revoked or being revoked, or its end job already
   * carrying a revoke (another instance's net, or its click, asked first). Its click and the net
   * (review-reject-net.ts) both call it: the entry is keyed by the review (reviewRevokeKey), so
   * two that pass the read at once still write one `access.revoke.requested`.
   */
  private async revokeBreakGlass(
    request: AccessRequest,
    acting: ActingContext,
    reason: string | undefined,
  ): Promise<boolean> {
    const current = await this.store.get(request.id);
    if (!current || current.state !== 'succeeded' || isBeingRevoked(current)) return false;
    if (carriesRevoke(await this.jobs?.get(accessExpiryJobId(request.id)))) return false;
    const idempotencyKey = reviewRevokeKey(current);
    if (this.revocation) {
      await this.revocation(current, acting.actor, `break-glass rejected in review: ${reason ?? ''}`.trim(), {
        idempotencyKey,
      });
      return true;
    }
    await this.record({
      actor: ruleActor(BREAK_GLASS_RULE_ID),
      tenantId: request.tenantId,
      action: 'breakglass.revoke.unavailable',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'manual',
      detail: 'no revocation is wired in this process: remove the access by hand',
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
      // Once per review: the net does not ask again for what this entry already told.
      idempotencyKey,
    });
    return true;
  }

  private revocation?: BreakGlassRevocation;

  /**
   * Wires the lifecycle's revocation (break-glass rejected in review revokes at once): its
   * `access.revoke.requested` is to carry `options.idempotencyKey` (`scheduleRevoke`'s).
   */
  useRevocation(revoke: BreakGlassRevocation): void {
    this.revocation = revoke;
  }

  /** The request's binding, or (requests made before policies) one made from the rule that fits now. */
  private bindingOf(request: AccessRequest, rule: PolicyRule | undefined): PolicyBinding {
    if (request.policy) return request.policy;
    const policy = this.policies.current();
    return {
      ruleId: rule?.id ?? 'none',
      policyHash: policy.hash,
      approvalsRequired: rule?.approvalsRequired ?? 1,
      rule,
    };
  }

  /** The loser of the conditional write: tells who won and records a refusal, never a second decision. */
  private async lostRace(request: AccessRequest, acting: ActingContext): Promise<DecisionResult> {
    const winner = await this.get(request.id);
    await this.record({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'approval.refused.stale',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: `lost the race: ${describeBreakGlassRun(winner) ?? describeState(winner)}`,
    });
    return {
      kind: 'refused',
      request: winner,
      reason: 'stale',
      message: `${alreadyDecided(winner, 'was')}; your click changed nothing.`,
    };
  }

  /**
   * Audits a transition already stored as `written`; if the entry cannot be made durable, puts
   * the request back as `before` and rethrows: a decision not in the audit trail must not stand
   * (G11).
   */
  private async recordOrUndo(
    before: AccessRequest,
    written: AccessRequest,
    event: AuditEvent,
    afterUndo?: () => Promise<void>,
  ): Promise<void> {
    try {
      await this.record(event);
    } catch (err) {
      await this.undo(before, written);
      // The audit failure is what the caller is told (and acts on); a failure of `afterUndo` is
      // logged here, where it ends.
      await afterUndo?.().catch((afterErr: unknown) =>
        this.log.error(
          { err: afterErr, requestId: before.id, action: event.action },
          'undone after its audit write failed, and what must follow the undo failed too',
        ),
      );
      throw err;
    }
  }

  /**
   * Schedules a break-glass request's review job again unless it is still there (its time kept):
   * for a review that was undone after its job may have been deleted. Only while the review is
   * owed: an undo that lost to the net's write (review-reject-net.ts) left it reviewed and audited.
   */
  private async keepReviewJob(request: AccessRequest): Promise<void> {
    if (!this.jobs || (await this.jobs.get(breakGlassReviewJobId(request.id)))) return;
    const current = await this.store.get(request.id);
    if (current && awaitingReview(current)) await this.scheduleReview(request);
  }

  /**
   * Restores `before` after `written` was stored but its audit entry could not be made durable.
   * Conditional on `written` still being current: if something moved the request meanwhile (an
   * executor elsewhere), that step wrote its own audit entry before acting.
   */
  private undo(before: AccessRequest, written: AccessRequest): Promise<void> {
    return undoUnaudited(this.store, this.clock, before, written);
  }

  /** {@link updateUndoingUnseen} on this service's store: the write of a transition audited after it. */
  private updateUndoingUnseen(before: AccessRequest, next: AccessRequest): Promise<void> {
    return updateUndoingUnseen({ store: this.store, clock: this.clock, log: this.log }, before, next);
  }

  /**
   * The `request.expire` job (G6): marks the request expired and updates its cards when it is
   * still pending and past its expiry; otherwise does nothing. Returns whether it expired it.
   */
  async expireIfDue(requestId: string): Promise<boolean> {
    const request = await this.store.get(requestId);
    const now = this.clock.now();
    if (!request || !isExpired(request, now)) return false;
    return this.expire(request, now);
  }

  private async expire(request: AccessRequest, now: Date): Promise<boolean> {
    const next = transition(request, { type: 'expire', at: now });
    // Audited by the winner of the conditional write only, like a decision: an approval that
    // lands first leaves no `request.expired` entry behind it in the chain.
    try {
      await this.updateUndoingUnseen(request, next);
    } catch (err) {
      if (err instanceof VersionConflictError) return false;
      throw err;
    }
    await this.recordOrUndo(request, next, {
      actor: { objectId: 'acrbot', name: 'acrbot' },
      tenantId: request.tenantId,
      action: 'request.expired',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'expired',
    });
    await this.jobs?.cancel(requestExpiryJobId(request.id));
    await this.notifier.requestChanged(next);
    return true;
  }

  /**
   * Appends the entry a change needs before it is made. A failed write becomes the user's
   * "nothing changed" answer; the storage error behind it is logged here, because turns do not
   * log user-facing errors and the operator needs its cause (and request id) to act.
   */
  private async record(event: AuditEvent): Promise<void> {
    try {
      await this.audit.append(event);
    } catch (err) {
      this.log.error({ err, requestId: event.requestId, action: event.action }, 'audit write failed; nothing changed');
      throw new UserFacingError(
        'audit.unavailable',
        "The audit log could not be written, so acrbot changed nothing; try again in a minute or ask the platform team to check the bot's storage.",
        { cause: err },
      );
    }
  }
}

/**
 * "Rule prod-short allows at most 8h." for the rules whose maxDuration is shorter than the
 * deployment's maximum (at most three named), so a refused `--for` can be retyped right once.
 * Undefined when there is none.
 */
function rulesAllowingLess(rules: readonly PolicyRule[]): string | undefined {
  const [only] = rules;
  if (!only) return undefined;
  if (rules.length === 1) return `Rule ${only.id} allows at most ${shortDuration(only.maxDurationMs!)}.`;
  const named = rules.slice(0, 3).map((r) => `${r.id} at most ${shortDuration(r.maxDurationMs!)}`);
  const more = rules.length > 3 ? ` and ${rules.length - 3} more` : '';
  return `Some rules allow less: ${named.join(', ')}${more}.`;
}
