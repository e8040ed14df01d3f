/**
 * Extend and revoke as people ask for them, from chat or from the tab (G3, G17): one place for
 * who may do it and for how an extension request is made. Chat and the tab call these methods;
 * neither re-implements the rules.
 *
 * - Revoke: only active access, by its requester or an approver of that request (the rule it is
 *   bound to), with a reason checked like a justification ({@link revokeReason}). An extension
 *   whose end its original took over is that original's access ({@link accessHolderOf}):
 *   revoking it revokes the original and its extensions, under the original's rule.
 * - Extend: only active access with an end, by its requester only, and one extension at a time
 *   (none while another extension of the same request is still open, whichever instance filed
 *   it; the check and the creation hold the lease `extend:<id>`); the extension is a new request (`extendsRequestId`) checked against the configured
 *   durations and the policy, and approved like any other (never by its requester). It counts
 *   against the requester's limits like a new request (G16, {@link ExtensionAdmission}): a user
 *   with many grants cannot post many approval cards at once by extending them all.
 */
import { isSubscriptionNotFound, UserFacingError } from '../domain/errors';
import { OTHER_TENANT_REFUSAL_CODE } from '../domain/own-tenant';
import { LeaseLostError, type AuditLog, type AzureResourceReader, type Clock, type LeaseStore } from '../domain/ports';
import { clusterStoppedWhenPlanned, type GrantPlan, plannedRegistry, type Plan } from '../domain/plan';
import { notRevokerMessage } from '../domain/decided-rule';
import { factsOf } from '../domain/policy';
import { describeState, isBeingRevoked, type AccessRequest, type ActingContext, type Actor } from '../domain/request';
import { ofTenant } from '../domain/tenant-boundary';
import { planOutsideSubscriptions, unservedClause } from '../domain/served-subscriptions';
import { targetsOf } from './request-audit';
import { requestNotFound } from './request-reads';
import { refusedOutsideTenant, type TenantAsk, type TenantRefusalServices } from './tenant-refusal';
import { formatUtc, isDefaultTerm } from '../domain/access-term';
import type { Logger } from '../observability/logger';
import { actionReason, checkReason, REASON_LIMITS } from '../domain/text';
import { type AccessLifecycle, revokeRunning } from './access-lifecycle';
import type { GrantPlanner } from './grant-planner';
import type { RequestGate } from './request-gate';
import type { RequestService } from './request-service';
import { azureAnswered, subscriptionGoneClause } from './azure-failure-text';
import { breakGlassNotExtended } from '../domain/break-glass-review';
import { clusterGoneExtensionRefusal } from '../domain/cluster-gone';
import { driftedExtensionRefusal } from '../domain/drifted-access';
import { notAtRecordedId } from '../domain/not-at-recorded-id';
import { stoppedClusterExtensionRefusal } from './secret-extension-way-on';
import { EXTEND_NOT_ACTIVE } from '../domain/new-request-codes';
import { askedOncePerApprovers } from './approver-question';
import { approvalPostedEntry } from './approval-posted-entry';
import { listedOrReadOnce } from './listed-or-read';
import { termEndedBy } from './access-lease';

/**
 * Implemented by the chat layer: announces an extension asked for outside a Teams turn (the
 * tab). The requester's copy goes where their original request's card is; the approvers' copy
 * to `channelId` (the rule's channel), else the configured approvals channel, else where the
 * original was approved.
 */
export interface ExtensionAnnouncer {
  announceExtension(
    extension: AccessRequest,
    original: AccessRequest,
    channelId: string | undefined,
  ): Promise<{ approvalPostedTo?: string }>;
}

/** How far {@link AccessActions} follows extensions of extensions to the access they belong to. */
const MAX_EXTENSION_HOPS = 10;

/** The refusal codes that mean "not yours to do" (the tab answers them with 403). */
export const NOT_ALLOWED_CODES: ReadonlySet<string> = new Set([
  'revoke.notAllowed',
  'extend.notRequester',
  OTHER_TENANT_REFUSAL_CODE,
]);

/**
 * The lease `extend:<request id>` held while an extension is checked and created, so two asked at
 * once (a double click, two instances) cannot both pass the check (ACRBOT_LEASE_TTL).
 */
export interface ExtensionLeases {
  leases: LeaseStore;
  /** This instance's id (lease owner). */
  owner: string;
  ttlMs: number;
  /** Where a failed release is reported (the lease then ends by its TTL). */
  log: Logger;
}

/**
 * The gate new requests pass (G16: per-user rate and pending caps), which an extension passes
 * too: it is a new request with its own approval card. Its refusals are answered as the gate's
 * refusals of new requests are; the chat and the tab (429) audit the first per user, limit and
 * window (flows/limit-audit.ts).
 */
export interface ExtensionAdmission {
  gate: Pick<RequestGate, 'admit'> & Partial<Pick<RequestGate, 'maxPendingPerUser'>>;
}

/** What an extension needs from the caller. */
export interface ExtensionInput {
  actor: Actor;
  tenantId: string;
  /** The request whose access is extended. */
  originalId: string;
  /** As typed (`--for 30d`, or the tab's choice); the default when absent. */
  duration: string | undefined;
  reason: string | undefined;
  /** Where it was asked (a chat conversation, or the tab). */
  origin: AccessRequest['origin'];
  /**
   * The Teams activity that asked (`conversation|activity id`, chat and card clicks): one Teams
   * delivers again makes no second extension (G16). None from the tab.
   */
  activityKey?: string;
  /**
   * The access end the asking card showed (a reminder's Extend): when the access now ends later,
   * it was extended since the card was drawn, and the click is refused rather than filing an
   * extension that would add only the days between (`extend.extendedSince`). None from chat and
   * the tab, which show the end as it is now.
   */
  drawnEnd?: string;
}

/** What {@link AccessActions.revocationAnswers} says of one request; neither when refused otherwise. */
export interface RevocationAnswer {
  /** What a revoke of it would end ({@link AccessActions.mayRevoke}), when this actor may revoke it now. */
  target?: AccessRequest;
  /** That same request, when this actor could revoke it but it is being revoked already. */
  running?: AccessRequest;
}

/** Extend and revoke, for chat and the tab. */
export class AccessActions {
  constructor(
    private readonly requests: Pick<
      RequestService,
      | 'get'
      | 'isApproverOf'
      | 'approverAccountEnabled'
      | 'ruleOf'
      | 'accessTerm'
      | 'credentialLifetimeUnderPolicy'
      | 'create'
      | 'openExtensionsOf'
      | 'extensionTermRange'
      | 'recordRefusal'
      // Another tenant's requester, or new access paused, refused before an extension's own
      // checks ({@link createExtension}).
      | 'assertOpen'
      | 'assertOwnTenant'
    >,
    private readonly lifecycle: Pick<AccessLifecycle, 'rotationPlan' | 'revokeSoon'>,
    private readonly audit: AuditLog,
    private readonly outside?: {
      announcer: ExtensionAnnouncer;
      /** Starts an auto-approved request in the background (the executor; logs its own failures). */
      execute(requestId: string): unknown;
    },
    private readonly extensionLeases?: ExtensionLeases,
    /**
     * Azure, to read the cluster's and registry's tags again for an extension: the policy
     * matches on them, and they may have changed since the original was planned (G18).
     */
    private readonly resources?: Pick<AzureResourceReader, 'getCluster' | 'getRegistry'>,
    /** The per-user limits; absent, extensions are not limited (unit tests of other rules). */
    private readonly admission?: ExtensionAdmission,
    /**
     * The time an original's term is judged at ({@link mayExtend}: one whose term has passed is
     * not offered Extend). Absent (unit tests of other rules), the term is not judged here;
     * approval still refuses such an extension (RequestService).
     */
    private readonly clock?: Clock,
    /**
     * The planner's look for the other clusters pulling with a grant's identity, asked again for
     * an extension ({@link withSharingNow}). Absent (unit tests of other rules), the original's
     * record is kept as it was.
     */
    private readonly sharing?: Pick<GrantPlanner, 'sharedIdentity'>,
    /**
     * Where a revoke or extend of another tenant's request is audited (tenant-refusal.ts: the
     * first per person, request and ask in its window, the rest logged). Absent (unit tests of
     * other rules), it is answered "not found" all the same, unaudited.
     */
    private readonly tenantRefusals?: Omit<TenantRefusalServices, 'requests'>,
    /**
     * The subscriptions served now (ACRBOT_SUBSCRIPTION_IDS): access in another is not extended
     * ({@link mayExtend}), as its approval would be refused. Absent: not checked.
     */
    private readonly servedSubscriptionIds?: readonly string[],
  ) {}

  /** Numbers this instance's extension attempts (lease owners). */
  private extensionCalls = 0;

  /**
   * THE revoke rule: only active access; by its requester, or an approver of this request. Returns
   * the request the revoke ends ({@link revokedWith}: an extension's original when the extension's
   * access is the original's). Throws when refused, and audits the refusal on that request
   * (`revoke.refused`, G11): every caller is an attempt (the preview, the click, the tab), while
   * the buttons ask {@link canRevoke}. Another tenant's request is not there for the actor
   * ({@link outsideTenant}): "not found", as the callers' own tenant reads answer it, audited as
   * they audit it ({@link refusedAcross}).
   */
  mayRevoke(acting: ActingContext, request: AccessRequest): Promise<AccessRequest> {
    return this.mayRevokeEach(acting)(request);
  }

  /**
   * {@link mayRevoke} for the requests of one action (a revoke click carrying a pair's or a
   * registry's ids): whether the actor approves is asked once per distinct set of approvers, not
   * once per request (a Graph read each, for group approvers).
   */
  mayRevokeEach(acting: ActingContext): (request: AccessRequest) => Promise<AccessRequest> {
    const approves = this.approverQuestion(acting.actor);
    // The revoker's own account, read once for the action: an approver disabled or deleted since
    // (an old card, a command) revokes nothing of others' (docs/policy.md). A read that fails
    // (Graph down) does not stop the revoke: it only takes access away (accountEnabledNow). The
    // buttons' questions (revocationAnswers) do not read it: they change nothing, and a read per
    // list costs.
    let enabled: Promise<boolean> | undefined;
    const accountEnabled = (request: AccessRequest) =>
      (enabled ??= this.requests.approverAccountEnabled(acting.actor, request.id));
    return async (request) => {
      if (outsideTenant(acting, request)) throw await this.refusedAcross(acting, 'revoke', request);
      const target = await this.revokedWith(request, (id) => this.found(id));
      if (outsideTenant(acting, target)) throw await this.refusedAcross(acting, 'revoke', target, request.id);
      const refusal =
        (await this.revokeRefusal(acting.actor, target, approves)) ??
        (isRequester(acting.actor, target) || (await accountEnabled(target))
          ? undefined
          : new UserFacingError(
              'revoke.disabledOrGone',
              `Your account is disabled or gone from the directory, so you can no longer revoke ${target.id} as an approver of its rule; nothing was changed.`,
            ));
      if (!refusal) return target;
      await this.auditRefusal(acting.actor, target, 'revoke.refused', refusal);
      throw refusal;
    };
  }

  /**
   * The "not found" of `request`, another tenant's, asked as `typedId`: audited by the one rule
   * for such refusals (tenant-refusal.ts) when wired, the same answer either way.
   */
  private async refusedAcross(
    acting: ActingContext,
    asked: TenantAsk,
    request: AccessRequest,
    typedId: string = request.id,
  ): Promise<UserFacingError> {
    if (!this.tenantRefusals) return requestNotFound(typedId);
    return refusedOutsideTenant({ ...this.tenantRefusals, requests: this.requests }, acting, asked, request, typedId);
  }

  /** Whether `actor` approves a request, asked once per distinct set of approvers. */
  private approverQuestion(actor: Actor): (request: AccessRequest) => Promise<boolean> {
    return askedOncePerApprovers(
      (request) => this.requests.ruleOf(request),
      (request) => this.requests.isApproverOf(actor, request),
    );
  }

  /**
   * The request a revoke of `request` ends: for active access, the one whose access it is
   * ({@link accessHolderOf}), so revoking an extension whose end its original took over revokes
   * the original and its extensions, as revoking the original does. Revoked alone, the extension
   * would delete what it shares (a secret and its credential) and say "revoked" while the
   * original's access ran on. Who may revoke is then decided on that original (its requester,
   * who is the extension's too: only the original's requester files extensions; or an approver
   * of the original's rule), so an extension bound to another rule never widens who may end the
   * access. A request that is not active is its own (refused as such).
   */
  private revokedWith(
    request: AccessRequest,
    get: (id: string) => Promise<AccessRequest | undefined>,
  ): Promise<AccessRequest> {
    if (request.state !== 'succeeded' || !request.extendsRequestId) return Promise.resolve(request);
    return accessHolderOf(request, get);
  }

  /**
   * The request with this id, or undefined when there is none: an extension's original that
   * cannot be found leaves the extension its own access (accessHolderOf), instead of a refusal
   * naming an id the user never typed.
   */
  private async found(id: string): Promise<AccessRequest | undefined> {
    try {
      return await this.requests.get(id);
    } catch (err) {
      if (err instanceof UserFacingError && err.code === 'request.notFound') return undefined;
      throw err;
    }
  }

  /**
   * Runs one of an extension's checks; its refusal (a UserFacingError: not allowed, or the cluster
   * or registry gone) is audited as `extend.refused` with its code before it is thrown on.
   */
  private async refusalAudited<T>(actor: Actor, original: AccessRequest, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (err) {
      if (err instanceof UserFacingError) await this.auditRefusal(actor, original, 'extend.refused', err);
      throw err;
    }
  }

  /** A refused revoke or extend in the audit trail: who, which request, the refusal's code. */
  private auditRefusal(actor: Actor, request: AccessRequest, action: string, refusal: UserFacingError): Promise<void> {
    return this.requests.recordRefusal({
      actor,
      tenantId: request.tenantId,
      action,
      requestId: request.id,
      targetIds: [request.plan.cluster.id, request.plan.registry.id],
      outcome: refusal.code,
    });
  }

  /** The revoke rule's refusal, if any; `approves` answers "is the actor an approver of this request". */
  private async revokeRefusal(
    actor: Actor,
    request: AccessRequest,
    approves: (request: AccessRequest) => Promise<boolean>,
  ): Promise<UserFacingError | undefined> {
    // Who first: someone who may not revoke it is told only that, not what state it is in
    // (`status` refuses them the request too).
    if (!isRequester(actor, request) && !(await approves(request))) {
      const reviewers = this.requests.ruleOf(request);
      // No rule of the policy in force covers the pair (decidedRule): said, with who may still
      // revoke it (maybe only its requester) and how to mend it, not as a plain "not an approver".
      const uncovered = notRevokerMessage(
        request.id,
        `${request.plan.cluster.name} → ${request.plan.registry.name}`,
        reviewers,
      );
      if (uncovered) return new UserFacingError('revoke.notAllowed', uncovered);
      const rule = reviewers?.id ?? request.policy?.ruleId;
      return new UserFacingError(
        'revoke.notAllowed',
        `Only the requester of ${request.id} or an approver of its rule${rule ? ` (${rule})` : ''} may revoke it; nothing was changed.`,
      );
    }
    if (request.state !== 'succeeded') return new UserFacingError('revoke.notActive', notRevocable(actor, request));
    // A second revoke would only rename who ended it (an expiry turned into someone's revoke):
    // the revocation under way is retried until it is done.
    if (isBeingRevoked(request)) return revokeRunning(request.id, `since ${formatUtc(request.access.revokingSince)}`);
    return undefined;
  }

  /**
   * THE extend rule: only active access with an end that has not passed yet, not removed outside
   * acrbot (drift), its cluster not read gone (cluster-gone.ts), by its requester, never
   * break-glass. Throws when refused.
   */
  mayExtend(actor: Actor, request: AccessRequest): void {
    if (request.state !== 'succeeded') throw new UserFacingError(EXTEND_NOT_ACTIVE, notExtendable(actor, request));
    if (request.access?.revokingSince)
      throw new UserFacingError(
        EXTEND_NOT_ACTIVE,
        `Request ${request.id} is being revoked, so there is nothing to extend; ask for a new request once it is done.`,
      );
    if (!request.access?.expiresAt)
      throw new UserFacingError(
        'extend.noExpiry',
        `Request ${request.id} has no expiry (${request.access?.permanent ? 'it was granted as permanent' : 'it was granted before acrbot gave access an end'}), so there is nothing to extend.`,
      );
    // Its term has passed and its end job has yet to run (a sweep to come, a backoff, an instance
    // that was down): it no longer holds the access (termEndedBy), so approval would refuse the
    // extension (RequestDecisions.endedOriginal, request-decision.ts). Said here, so no button offers it.
    const endedAt = this.clock && termEndedBy(request, this.clock.now());
    if (endedAt)
      throw new UserFacingError(
        EXTEND_NOT_ACTIVE,
        `The access of ${request.id} ended at ${formatUtc(endedAt)} and is being revoked, so there is nothing to extend; ask for a new request instead.`,
      );
    if (!isRequester(actor, request))
      throw new UserFacingError(
        'extend.notRequester',
        `Only ${request.requester.name}, who asked for ${request.id}, can ask to extend it; you can ask for your own grant.`,
      );
    // After the requester check (anyone else is told only that it is not theirs). Said here,
    // before any card or tab offers Extend: the policy refuses it anyway (G18).
    if (request.policy?.breakGlass) throw new UserFacingError('extend.breakGlass', breakGlassNotExtended(request.id));
    // Its subscription taken out of ACRBOT_SUBSCRIPTION_IDS since: its extension could not be
    // approved (request-decision.ts), so none is filed. Revoking it still works.
    const unserved = planOutsideSubscriptions(request.plan, this.servedSubscriptionIds);
    if (unserved)
      throw new UserFacingError(
        'extend.subscriptionUnserved',
        `${unservedClause(unserved)}, so ${request.id} cannot be extended; its access ends when it was going to. Ask the platform team to add the subscription back if it is still needed.`,
      );
    // Its assignment no longer gives pull: "Extended" would be said of access nobody has. After
    // the requester check too: the drift's details are the requester's to read.
    const drifted = driftedExtensionRefusal(request);
    if (drifted) throw drifted;
    // Its cluster read gone (404) by the drift check: "Extended" would be said of access nobody has.
    const gone = clusterGoneExtensionRefusal(request);
    if (gone) throw gone;
  }

  /** Whether {@link mayExtend} allows it (for showing the button; the action decides again). */
  canExtend(actor: Actor, request: AccessRequest): boolean {
    try {
      this.mayExtend(actor, request);
      return true;
    } catch (err) {
      if (err instanceof UserFacingError) return false;
      throw err;
    }
  }

  /**
   * The terms an extension of `request` may run with (the deployment's and its rule's limits), for
   * offering only those where {@link canExtend} allows one; undefined when nothing bounds it. The
   * rule is the one that fits the cluster's and registry's tags now, read as
   * {@link createExtension} reads them (two Azure reads), so what is offered is what the request
   * will be judged by. When they cannot be read (the resource gone, acrbot's Reader removed, ARM
   * failing), the stored tags' rule bounds the offer, so the drawer still opens: filing the
   * extension reads them again and is refused or fails then, with its own sentence.
   */
  async extendRange(request: AccessRequest): Promise<{ minMs: number; maxMs: number } | undefined> {
    const plan = await this.withCurrentTags(request.plan).catch((err: unknown) => {
      // A refusal is expected (said when filing); anything else is logged once here, where caught.
      if (!(err instanceof UserFacingError))
        this.extensionLeases?.log.warn(
          { err, requestId: request.id },
          'extension range read from the stored tags: the current tags could not be read',
        );
      return request.plan;
    });
    return this.requests.extensionTermRange({ ...request, plan });
  }

  /** Whether {@link mayRevoke} allows it (for showing the button; the action decides again). */
  async canRevoke(acting: ActingContext, request: AccessRequest): Promise<boolean> {
    return (await this.revocable(acting, [request]))[0]!;
  }

  /**
   * {@link canRevoke} for many requests at once (the tab's lists), by the same rule: whether the
   * actor approves a request depends only on the approvers of the rule it is bound to, so that
   * is asked once per distinct set of approvers (Graph calls for its groups), not once per row.
   */
  async revocable(acting: ActingContext, requests: readonly AccessRequest[]): Promise<boolean[]> {
    return (await this.revocationTargets(acting, requests)).map((target) => target !== undefined);
  }

  /**
   * For each of `requests`, what {@link mayRevoke} would revoke ({@link revokedWith}), or
   * undefined where it would refuse; nothing is audited (a question, not an attempt). An
   * extension's original is taken from `requests` when listed there, else read once. Another
   * tenant's request is undefined, as {@link mayRevoke} refuses it.
   */
  async revocationTargets(
    acting: ActingContext,
    requests: readonly AccessRequest[],
  ): Promise<Array<AccessRequest | undefined>> {
    return (await this.revocationAnswers(acting, requests)).map((answer) => answer.target);
  }

  /**
   * {@link revocationTargets}, with the requests refused only because they are being revoked
   * already (`revoke.running`) told apart (`running`): a revoke of many says them as such, not
   * as left to other rules' approvers. Neither is set where another refusal applies.
   */
  async revocationAnswers(acting: ActingContext, requests: readonly AccessRequest[]): Promise<RevocationAnswer[]> {
    const { actor } = acting;
    // The requester's own requests never reach `approves` (revokeRefusal allows them first).
    const approves = this.approverQuestion(actor);
    const get = listedOrReadOnce(requests, (id) => this.found(id));
    return Promise.all(
      requests.map(async (request) => {
        if (outsideTenant(acting, request)) return {};
        const target = await this.revokedWith(request, get);
        if (outsideTenant(acting, target)) return {};
        const refusal = await this.revokeRefusal(actor, target, approves);
        if (!refusal) return { target };
        return refusal.code === 'revoke.running' ? { running: target } : {};
      }),
    );
  }

  /**
   * A confirmed revoke by someone allowed to: audited, run under the `access.expire` job's lease,
   * every card copy updated, the requester told. An extension's id revokes the access it is part
   * of ({@link mayRevoke}). Returns the request revoked as it is afterwards (`revoked`, or still
   * `succeeded` when a step failed and is retried). The reason is checked first
   * ({@link revokeReason}): a refused one throws `validation.*` and nothing changes.
   */
  async revoke(acting: ActingContext, requestId: string, reason: string | undefined): Promise<AccessRequest> {
    // Before anything is read or written: the reason ends up in the audit trail, the stored
    // request and the requester's chat notice, so a bad one must stop the revoke (G7, G12).
    const checked = revokeReason(reason, false);
    const asked = await this.requests.get(requestId);
    // Named as typed, as a missing id is (mayRevoke names the stored id): the case must not tell them apart.
    if (outsideTenant(acting, asked)) throw await this.refusedAcross(acting, 'revoke', asked, requestId);
    const target = await this.mayRevoke(acting, asked);
    await this.lifecycle.revokeSoon(target, acting.actor, checked);
    return this.requests.get(target.id);
  }

  /**
   * Creates the extension request (checked, audited, bound to the policy). The caller announces
   * it: chat in its turn, the tab through {@link extendOutsideTurn}. Throws a UserFacingError
   * when refused; nothing is stored then.
   */
  async createExtension(input: ExtensionInput): Promise<AccessRequest> {
    // First, as for a new request: a refused one costs no Azure call and no audit write (G16).
    await this.admitted(input.actor, input.activityKey);
    const asked = await this.requests.get(input.originalId);
    // The tenant boundary, checked here as revoke checks it (mayRevoke), not only by the callers'
    // own reads: another tenant's id is one that does not exist, for chat and the tab alike.
    if (!ofTenant(asked, input.tenantId))
      throw await this.refusedAcross(
        { actor: input.actor, tenantId: input.tenantId },
        'extend',
        asked,
        input.originalId,
      );
    const original = await this.accessHolderOf(asked);
    const acting = { actor: input.actor, tenantId: input.tenantId };
    // Another tenant than acrbot's own: refused before the original's own checks, as `create`
    // would refuse it after them (RequestCreation.assertOwnTenant, which audits it). Their
    // refusals each give a way on (a drift's "@acrbot grant …", a break-glass grant's "ask for a
    // normal grant", another requester's "ask for your own grant") that is refused too.
    await this.requests.assertOwnTenant(acting, targetsOf(original.plan));
    // Audited here, where it is an attempt; mayExtend also answers canExtend (the buttons).
    await this.refusalAudited(input.actor, original, async () => this.mayExtend(input.actor, original));
    await this.refusalAudited(input.actor, original, async () => notExtendedSince(original, input.drawnEnd));
    // New access paused: refused after the original's own checks, so that only someone whose
    // extension the pause alone stops is recorded to be told of its end (pause-waiters.ts: never
    // "ask again" to a non-requester or for a drifted grant), and before its tags are read in Azure.
    await this.requests.assertOpen(acting, targetsOf(original.plan));
    const reason = checkReason(input.reason);
    const access = this.requests.accessTerm(input.duration);
    const plan = await this.refusalAudited(input.actor, original, async () => {
      if (original.plan.kind === 'grant')
        return this.withSharingNow(
          await this.withCurrentTags({
            ...original.plan,
            operations: [`Move the end of ${original.id}'s access; nothing is re-created in Azure`],
          }),
        );
      // The new credential lives as long as the term the rule that fits the tags now grants (a
      // rule that cuts the term cuts the credential too), as a new secret's does.
      const tagged = await this.withCurrentTags(original.plan);
      const lifetimeMs = this.requests.credentialLifetimeUnderPolicy(
        factsOf(tagged),
        access,
        isDefaultTerm(input.duration),
      );
      return this.lifecycle.rotationPlan({ ...original, plan: tagged }, lifetimeMs);
    });
    return this.oneAtATime(original, input.actor, async () => {
      await this.refusalAudited(input.actor, original, () => this.noOpenExtension(original));
      return this.requests.create({
        requester: input.actor,
        tenantId: input.tenantId,
        reason,
        plan,
        origin: input.origin,
        access,
        defaultTerm: isDefaultTerm(input.duration),
        extendsRequestId: original.id,
        // Counted again once stored, as a new request is (G16: two at once cannot both pass).
        pendingCap: this.admission?.gate.maxPendingPerUser,
      });
    });
  }

  /**
   * Refuses an extension the per-user limits do not admit (the rate of requests started, the
   * requests waiting for approval) or a Teams activity delivered again, with the gate's own
   * sentence. A redelivery matters although one extension is open at a time: one the policy
   * auto-approved is no longer open when the same message comes again.
   */
  private async admitted(actor: Actor, activityKey: string | undefined): Promise<void> {
    if (!this.admission) return;
    const refusal = await this.admission.gate.admit(actor, activityKey);
    if (!refusal) return;
    // Not logged here: the chat and the tab log it once, as `refused by the per-user limits`.
    throw new UserFacingError(refusal.code, refusal.message);
  }

  /** {@link accessHolderOf} with this service's reads (an original that is gone is an error). */
  private accessHolderOf(request: AccessRequest): Promise<AccessRequest> {
    return accessHolderOf(request, (id) => this.requests.get(id));
  }

  /**
   * `plan` with the tags Azure has on its cluster and registry now: an extension is bound to the
   * rule that fits them today (a registry retagged from dev to prod is extended under prod's
   * approvers, not auto-approved under dev's rule for ever). The registry's network verdict
   * (`unreachable`, `networkCondition`, and `anonymousPull`, `adminUser`) is read again too, so the
   * extension's card tells the approver what the network allows today. A cluster or registry no
   * longer at its recorded id (deleted or moved: {@link notAtRecordedId}) has no access to extend;
   * one acrbot can no longer read (its subscription gone, or its Reader removed) is refused with
   * its own sentence ({@link rereadForExtension}). A secret's on a stopped cluster is refused too:
   * its rotation could not write the secret ({@link stoppedClusterExtensionRefusal}).
   */
  private async withCurrentTags<P extends Plan>(plan: P): Promise<P> {
    if (!this.resources) return plan;
    const { cluster: c, registry: r } = plan;
    const [cluster, registry] = await Promise.all([
      rereadForExtension('cluster', c.name, this.resources.getCluster(c.subscriptionId, c.resourceGroup, c.name)),
      rereadForExtension('registry', r.name, this.resources.getRegistry(r.subscriptionId, r.resourceGroup, r.name)),
    ]);
    if (!cluster || !registry)
      throw new UserFacingError(
        'extend.resourceGone',
        notAtRecordedId(cluster ? 'registry' : 'cluster', plan, 'there is no access to extend'),
      );
    if (plan.kind === 'secret' && cluster.powerState === 'Stopped') throw stoppedClusterExtensionRefusal(plan);
    const { tags: _clusterTags, ...keptCluster } = plan.cluster;
    const {
      tags: _registryTags,
      unreachable: _then,
      networkCondition: _thenCondition,
      anonymousPull: _thenAnonymous,
      adminUser: _thenAdmin,
      ...keptRegistry
    } = plan.registry;
    // The network verdict as the planner words it, from this same read: the extension's card
    // says "when this was requested", and the original's verdict may be months old (a registry
    // opened since would read as blocked, one closed since would carry no warning).
    const { tags, unreachable, networkCondition, anonymousPull, adminUser } = plannedRegistry(registry);
    // A grant's cluster stopped or started since: said as of this read too, never the original's.
    const { clusterStopped: _thenStopped, ...keptPlan } = plan as P & { clusterStopped?: string };
    const clusterStopped = plan.kind === 'grant' ? clusterStoppedWhenPlanned(cluster) : undefined;
    return {
      ...keptPlan,
      ...(clusterStopped && { clusterStopped }),
      cluster: { ...keptCluster, ...(cluster.tags && { tags: cluster.tags }) },
      registry: {
        ...keptRegistry,
        ...(tags && { tags }),
        ...(unreachable && { unreachable }),
        ...(networkCondition && { networkCondition }),
        ...(anonymousPull && { anonymousPull }),
        ...(adminUser && { adminUser }),
      },
    } as P;
  }

  /**
   * A grant's plan with the clusters that pull with its identity now (the planner's own look,
   * GrantPlanner.sharedIdentity, with their current tags): the extension keeps that identity's
   * assignment, so every cluster sharing it keeps pull too. Clusters given the identity since the
   * original, or a plan stored before sharing was recorded, would otherwise go unseen by the
   * policy's one-rule check (request-creation.ts `sharedIdentityRefusal`) and by the card.
   */
  private async withSharingNow(plan: GrantPlan): Promise<GrantPlan> {
    if (!this.sharing) return plan;
    const { sharedWith: _then, ...rest } = plan;
    const shared = await this.sharing.sharedIdentity(plan.cluster, plan.identity);
    return shared ? { ...rest, sharedWith: shared } : rest;
  }

  /**
   * Runs the open-extension check and the creation under the lease `extend:<id>`: the check reads
   * the store, and without the lease two extensions asked at the same moment (a double click,
   * two instances) would both find none open. Held by someone else: refused (they are filing one).
   */
  private async oneAtATime(
    original: AccessRequest,
    actor: Actor,
    work: () => Promise<AccessRequest>,
  ): Promise<AccessRequest> {
    if (!this.extensionLeases) return work();
    const { leases, owner, ttlMs, log } = this.extensionLeases;
    // One owner per call, not per instance: a lease is re-entrant for its owner, and two clicks
    // landing on this instance must exclude each other too.
    const lease = await leases.acquire(`extend:${original.id}`, `${owner}#${++this.extensionCalls}`, ttlMs);
    if (!lease) {
      const refusal = new UserFacingError(
        'extend.concurrent',
        `An extension of ${original.id} is being asked for at this very moment (another click or window), so no second one was made; ask again in a moment if that one did not go through.`,
      );
      // Audited like every refusal of an extension (G11).
      await this.auditRefusal(actor, original, 'extend.refused', refusal);
      throw refusal;
    }
    try {
      return await work();
    } finally {
      // The extension's outcome stands either way; a lease not released ends by its TTL.
      await leases.release(lease).catch((err: unknown) => {
        if (!(err instanceof LeaseLostError))
          log.error({ err, requestId: original.id }, 'releasing an extension lease');
      });
    }
  }

  /**
   * Refuses a second extension while one of the same request is open: two pending extensions
   * would each move the end when approved, and approvers would see the same question twice.
   * Read from the store, so it holds whichever instance filed the first one.
   */
  private async noOpenExtension(original: AccessRequest): Promise<void> {
    const [open] = await this.requests.openExtensionsOf(original);
    if (!open) return;
    if (open.state === 'pending')
      throw new UserFacingError(
        'extend.alreadyPending',
        `Extension ${open.id} of ${original.id} is already waiting for approval, so no second one was made. Wait for the decision, or withdraw it with "@acrbot cancel ${open.id}" and ask again.`,
      );
    throw new UserFacingError(
      'extend.inProgress',
      `Extension ${open.id} of ${original.id} was approved and is being applied, so no second one was made; ask again once it is done if you need more time.`,
    );
  }

  /**
   * An extension asked for outside a Teams turn (the tab): created like chat's, then announced
   * by the chat layer (requester's copy, approval card in the approvals channel, audit card) and,
   * when the policy approved it at once, started.
   */
  async extendOutsideTurn(
    input: Omit<ExtensionInput, 'origin'>,
  ): Promise<{ extension: AccessRequest; approversNotified: boolean }> {
    if (!this.outside) throw new Error('extensions outside a Teams turn are not wired');
    const asked = await this.requests.get(input.originalId);
    const extension = await this.createExtension({ ...input, origin: { ...asked.origin } });
    // The request extended: the one asked about, or the original whose access it is part of.
    const original = await this.requests.get(extension.extendsRequestId!);
    const posted = await this.outside.announcer.announceExtension(extension, original, extension.policy?.rule?.channel);
    if (posted.approvalPostedTo) await this.audit.append(approvalPostedEntry(extension, posted.approvalPostedTo));
    if (extension.state === 'approved') void this.outside.execute(extension.id);
    return { extension, approversNotified: Boolean(posted.approvalPostedTo) };
  }
}

/**
 * The request whose access `request` is part of: an extension whose end its original took over
 * (`extendedBy`) is that original's access, so extending it extends the original (followed up
 * the chain). Extending the extension itself would move only its own end: the original would
 * still end, and tell its requester so, at the end the extension gave it. Any other request is
 * its own. `get` reads an original (undefined: not known, the chain stops there); the tab passes
 * the requests it has listed already, so a row costs no read.
 */
export async function accessHolderOf(
  request: AccessRequest,
  get: (id: string) => Promise<AccessRequest | undefined>,
): Promise<AccessRequest> {
  let current = request;
  for (let hops = 0; current.extendsRequestId && hops < MAX_EXTENSION_HOPS; hops++) {
    const original = await get(current.extendsRequestId);
    if (original?.state !== 'succeeded' || !original.access?.extendedBy?.includes(current.id)) break;
    current = original;
  }
  return current;
}

/**
 * A re-read for an extension, with the two ARM answers that say nothing of the resource itself
 * turned into refusals that say what happened, instead of "something unexpected": 404
 * SubscriptionNotFound (the reader throws it), and 403 (acrbot may no longer read it: its Reader
 * was removed since the grant, whether or not the resource still exists). Any other failure is
 * left as it is. Nothing is stored then, and the access ends as it would have.
 */
async function rereadForExtension<T>(kind: 'cluster' | 'registry', name: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
    const outcome = 'Nothing was changed: the access ends when it was going to.';
    if (isSubscriptionNotFound(err))
      throw new UserFacingError(
        'extend.subscriptionNotFound',
        `${subscriptionGoneClause(kind, name)}, so acrbot cannot read its tags again to tell who approves an extension. ${outcome} Ask the platform team to check that subscription, and ask again once it is back.`,
        { cause: err },
      );
    if (statusCode !== 403) throw err;
    throw new UserFacingError(
      'extend.resourceUnreadable',
      `acrbot may no longer read ${kind} ${name}${azureAnswered(code)}, so it cannot read its tags again to tell who approves an extension. ${outcome} Ask the platform team to give acrbot's identity the Reader role on it (docs/deploy.md), then ask again.`,
      { cause: err },
    );
  }
}

/**
 * THE revoke reason rule: required and checked like a request's justification ({@link checkReason}:
 * bounded, one line, nothing that looks like a credential), because it is shown and kept the same
 * way (audit entry, stored request, the requester's notice). Returns the normalised text; throws
 * `validation.reason` / `validation.secret` (the tab answers 400, chat shows the message).
 * `optional`: the caller revokes without a reason when none is given (chat, where the usage's
 * `REASON…` is optional), so a refusal offers leaving it out; the tab's form requires one.
 */
export function revokeReason(raw: string | undefined, optional = true): string {
  const leaveOut = optional ? ', or leave it out' : '';
  return actionReason(raw, {
    what: 'revoke reason',
    tooShort: `Say why the access ends, in at least ${REASON_LIMITS.min} characters (e.g. "release done, no longer needed")${leaveOut}; nothing was revoked.`,
    // Its placeholder sentence too ("REASON…" pasted from the usage): the grant's default prompt
    // asked why access is needed, and did not say that nothing was revoked.
    ask: `say why the access ends, e.g. "release done, no longer needed"${leaveOut}; nothing was revoked`,
    // Too long, or a credential in it: the reader must not take the access for ended.
    nothingDone: 'Nothing was revoked.',
  });
}

/**
 * Why a request that does not hold access now cannot be revoked, in its readable state, with the
 * step that fits it: withdraw or reject what waits, wait for what is being granted. Only said to
 * someone who may revoke it (its requester or an approver), so the state may name who decided.
 */
function notRevocable(actor: Actor, request: AccessRequest): string {
  const id = request.id;
  switch (request.state) {
    case 'pending':
      return isRequester(actor, request)
        ? `Request ${id} has no access to revoke yet: it is waiting for approval. Withdraw it with "@acrbot cancel ${id}" instead; nothing was changed.`
        : `Request ${id} has no access to revoke yet: it is waiting for approval. Reject it on its approval card instead; nothing was changed.`;
    case 'approved':
    case 'executing':
      return `Request ${id} has no access to revoke yet: it is ${describeState(request)}. Wait until its card says "Granted", then revoke it; nothing was changed.`;
    default:
      return `Request ${id} has no access to revoke: it is ${describeState(request)}; nothing was changed.`;
  }
}

/**
 * Why a request that does not hold access now cannot be extended, with the step that fits its
 * state. Said before the requester check (as an ended term is), so the state is told without
 * names unless the actor is its requester: who decided someone else's request is not theirs.
 */
function notExtendable(actor: Actor, request: AccessRequest): string {
  const id = request.id;
  switch (request.state) {
    // Only its requester may withdraw or extend it: anyone else is told so, not given steps
    // that would each be refused.
    case 'pending':
      return isRequester(actor, request)
        ? `Request ${id} is still waiting for approval, so there is no access to extend yet (its time counts from when it is granted). Wait until its card says "Granted", then ask again; or withdraw it with "@acrbot cancel ${id}" and ask for a longer --for.`
        : `Request ${id} is still waiting for approval, so there is no access to extend yet; only its requester can withdraw or extend it. Nothing was requested.`;
    case 'approved':
    case 'executing':
      return isRequester(actor, request)
        ? `Request ${id} is approved and its access is being set up, so there is nothing to extend yet. Wait until its card says "Granted", then ask again.`
        : `Request ${id} is approved and its access is being set up, so there is nothing to extend yet; only its requester can extend it. Nothing was requested.`;
    default: {
      const state = isRequester(actor, request) ? describeState(request) : namelessState(request);
      return `Request ${id} has no active access to extend (it is ${state}); ask for a new one instead.`;
    }
  }
}

/** A finished request's state in words that name nobody (for {@link notExtendable}). */
function namelessState(request: AccessRequest): string {
  switch (request.state) {
    case 'failed':
      return 'approved, but it failed';
    case 'rejected':
      return 'rejected';
    case 'expired':
      return 'expired without a decision';
    case 'cancelled':
      return 'cancelled by its requester';
    default:
      return 'revoked';
  }
}

/**
 * The request is of another tenant than the actor's (the tenant boundary, tenant-boundary.ts).
 * Checked here, not only by the callers' reads (`readInTenant`, `ofTenant` filters): the rule of
 * who may end access must hold whoever calls it. Answered as those reads answer it (an id of
 * another tenant is one that does not exist) and audited as they audit it (tenant-refusal.ts);
 * the buttons' questions ({@link AccessActions.revocationAnswers}) are not attempts, unaudited.
 */
function outsideTenant(acting: ActingContext, request: AccessRequest): boolean {
  return !ofTenant(request, acting.tenantId);
}

function isRequester(actor: Actor, request: AccessRequest): boolean {
  return request.requester.objectId.toLowerCase() === actor.objectId.toLowerCase();
}

/**
 * Refuses a reminder's Extend whose access was extended since the reminder was drawn (its end
 * now later than `drawnEnd`, the end the card showed): the requester already has the longer
 * access, and a second extension would ask the approvers again for the days between.
 */
function notExtendedSince(holder: AccessRequest, drawnEnd: string | undefined): void {
  const end = holder.access?.expiresAt;
  if (!drawnEnd || !end || Date.parse(end) <= Date.parse(drawnEnd)) return;
  throw new UserFacingError(
    'extend.extendedSince',
    `${holder.id}'s access was extended after this reminder was posted and now runs until ${formatUtc(end)}, so nothing was asked of the approvers. To extend it further: "@acrbot extend ${holder.id} --for TERM REASON…".`,
  );
}
