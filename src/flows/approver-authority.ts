/**
 * Who may approve or review a request and who may read the audit log, asked of the rule the
 * request is bound to and of the directory at every question (G4, G5); and whether a new
 * request's rule has approvers enough to reach its quorum, and whom to @mention beside its card,
 * from reads reused for a few minutes.
 */
import { ApproverGroupsCache } from './approver-groups-cache';
import {
  type ApproverReach,
  isAccountReadRefused,
  readApproverReach,
  warnUnreadApproversHourly,
} from './approver-groups-read';
import { UserFacingOutageError } from '../domain/errors';
import { currentCorrelationId } from '../observability/correlation';
import { factsOf, isNamedApprover, quorumOutOfReach, type PolicyProvider, type PolicyRule } from '../domain/policy';
import { rulesNowFor, ruleUnder } from '../domain/decided-rule';
import type { Clock, DirectoryPort } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import { ofTenant } from '../domain/tenant-boundary';
import type { Logger } from '../observability/logger';
import type { FlowSettings } from './settings';

/**
 * What the audit entry of a click that only takes access away (a rejection, a break-glass review's
 * Reject) adds when the clicker's own account could not be read (ApproverAuthority.accountStandingNow).
 */
const ACCOUNT_UNREAD_NOTE =
  "the approver's account could not be read in the directory to check that it is still enabled";

/** `detail` with {@link ACCOUNT_UNREAD_NOTE} added (in brackets after a detail, alone without one). */
export function withAccountUnreadNote(detail: string | undefined): string {
  return detail ? `${detail} (${ACCOUNT_UNREAD_NOTE})` : ACCOUNT_UNREAD_NOTE;
}

/**
 * What a click does when the directory cannot be read (a failure other than a 403): with
 * `failOpen` (a click that only takes access away or refuses it) it goes on, said `unread`, so it
 * has nothing left undone to say; otherwise it fails, telling the clicker what it left `undone`
 * ("your approval was not recorded").
 */
export type ClickReadFailure = { failOpen: true } | { failOpen: false; undone: string };

/** The approver questions of the request service's parts, on the policy in force. */
export class ApproverAuthority {
  constructor(
    private readonly directory: DirectoryPort,
    private readonly clock: Clock,
    private readonly settings: FlowSettings,
    private readonly log: Logger,
    private readonly policies: PolicyProvider,
  ) {}

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
   * from the rule no longer reviews or revokes under it, and a rule removed, renamed or narrowed
   * off the pair passes them to the current rule that fits the request. When no current rule
   * that names approvers fits it, the rule as it was bound, with only those of its approvers some
   * current rule still names; when that is nobody, nobody reviews or revokes under it (its
   * requester still revokes their own access): editing the policy never widens who holds rights.
   */
  ruleOf(request: AccessRequest): PolicyRule | undefined {
    return ruleUnder(request, this.policies.current());
  }

  /**
   * Whether `actor`, refused as no approver of a pending `request` (it keeps the approvers of the
   * rule it was made under, G18), is one under the policy in force: named in, or in a group of,
   * the current rule with its rule's id or any current rule that fits its pair (rulesNowFor).
   * Only for the words of that refusal (a reload added them since): it lets nobody in. Never the
   * requester, nor another tenant's; a directory failure answers false (the plain refusal stands).
   */
  async approvesUnderPolicyNow(actor: Actor, request: AccessRequest, tenantId?: string): Promise<boolean> {
    if (request.state !== 'pending' || !request.policy?.rule) return false;
    if (actor.objectId.toLowerCase() === request.requester.objectId.toLowerCase()) return false;
    if (tenantId !== undefined && !ofTenant(request, tenantId)) return false;
    const rules = rulesNowFor(request.policy.rule, this.policies.current(), factsOf(request.plan));
    if (rules.some((r) => isNamedApprover(r, actor))) return true;
    // The bound rule's groups were asked just before (isApproverOf said no): not asked twice.
    const asked = new Set(request.policy.rule.approvers.groups.map((g) => g.toLowerCase()));
    const groups = [...new Set(rules.flatMap((r) => r.approvers.groups.map((g) => g.toLowerCase())))].filter(
      (g) => !asked.has(g),
    );
    return groups.length > 0 && this.inAnyGroup(actor, groups).catch(() => false);
  }

  /** An approver under any rule of the current policy (who may list pending requests). */
  async isApprover(actor: Actor): Promise<boolean> {
    const rules = this.policies.current().rules;
    if (rules.some((r) => isNamedApprover(r, actor))) return true;
    return this.inAnyGroup(actor, [...new Set(rules.flatMap((r) => r.approvers.groups.map((g) => g.toLowerCase())))]);
  }

  /**
   * Approver reads reused across requests (see approverReachIfRead and enabledNamesAmong), made on
   * first use. One per process: the composition root asks the request service's own instance
   * (RequestService.approvers) for the mentions, so a new request's read answers them.
   */
  private cachedReads?: ApproverGroupsCache;

  private get groupReads(): ApproverGroupsCache {
    return (this.cachedReads ??= new ApproverGroupsCache(this.directory, this.clock));
  }

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
   * rule does not cost Graph queries before every card; the named users' read, made with their
   * display names, also answers the mention beside this request's card (enabledNamesAmong,
   * `reused`) without another query. A request they would refuse is judged again on fresh reads:
   * someone added to a group (or enabled) since must not be refused (the refusal tells them to
   * have approvers added). Break-glass does not use them (createBreakGlass).
   */
  async approverReachIfRead(rule: PolicyRule, requester: Actor): Promise<ApproverReach> {
    if (rule.autoApprove) return { rule };
    const needed = Math.max(1, rule.approvalsRequired);
    const reused = this.groupReads.session();
    const reach = await readApproverReach(reused, rule, requester, needed, this.log);
    if (!reused.fromCache || !quorumOutOfReach(reach.rule, requester, reach.groupUsers)) return reach;
    return readApproverReach(this.groupReads.session({ fresh: true }), rule, requester, needed, this.log);
  }

  /**
   * Whether `actor` is a transitive member of one of `groups`, asked of the directory now: in as
   * few calls as it allows (memberGroupsAmong; Graph: one per 20 groups). Asked at every click, so
   * a policy with many approver groups must not cost a Graph call per group. A failure is thrown,
   * never read as "not a member": the click fails and says why. The batched call fails as a whole,
   * and is not tried again group by group (the client has already retried it; more calls would
   * only press a throttled Graph harder); with over 20 groups, a later call's failure fails the
   * question even when an earlier call found a group.
   */
  async inAnyGroup(actor: Actor, groups: readonly string[]): Promise<boolean> {
    if (groups.length === 0) return false;
    const asked = new Set(groups.map((g) => g.toLowerCase()));
    const found = await this.directory.memberGroupsAmong(actor.objectId, groups);
    // Only a group asked about counts, whatever a directory answers besides.
    return found.some((g) => asked.has(g.toLowerCase()));
  }

  /**
   * Which of `actors` the directory finds with an enabled account now (lower-cased object ids):
   * one deleted or disabled since approves nothing, whatever the policy file or a group still
   * says (Graph's checkMemberGroups answers alike for a disabled account). One batched read of all
   * of them, asked fresh (never the reads reused for new requests, G5). A failure is thrown, never
   * read here as "none enabled" nor as "all enabled": {@link enabledForClick} decides (counted
   * unchecked on a 403, `User.Read.All` not granted; the click fails otherwise).
   */
  async enabledAmong(actors: readonly Actor[]): Promise<Set<string>> {
    if (actors.length === 0) return new Set();
    const ids = actors.map((a) => a.objectId);
    return new Set((await this.directory.enabledUserIds(ids)).map((id) => id.toLowerCase()));
  }

  /**
   * As {@link enabledAmong}, for a post that mentions approvers by name: of `objectIds`, those the
   * directory finds with an enabled account (lower-cased), each with the display name it gives
   * (user text, uncleaned; undefined when it gives none). One batched read, asked fresh; with
   * `reused`, answered from a read of the same users younger than five minutes when there is one
   * (a new request's, approverReachIfRead; else read and kept the same way): only for a mention
   * that decides nothing (bot/approver-mention-posts.ts). A nudge asks fresh: it runs hours after
   * its request, when a read kept is seldom there, and what it finds disabled it says the quorum
   * lost, which a stale read must not say of someone enabled since. A failure is thrown (never
   * kept): the caller decides (a mention names everyone, by number).
   */
  async enabledNamesAmong(
    objectIds: readonly string[],
    options: { reused?: boolean } = {},
  ): Promise<Map<string, string | undefined>> {
    if (objectIds.length === 0) return new Map();
    const directory = options.reused ? this.groupReads.session() : this.directory;
    const users = await directory.enabledUsers(objectIds);
    return new Map(users.map((u) => [u.id.toLowerCase(), u.displayName]));
  }

  /**
   * THE question "may this person act as an approver of this request now", for a click that
   * changes something (a break-glass review): {@link isApproverOf}, then whether the directory
   * finds the actor's own account enabled ({@link accountStandingNow}: one read). `disabled`: an
   * approver by the policy or a group whose account was disabled or deleted since, who decides
   * nothing (Graph's checkMemberGroups answers alike for a disabled account, and an old card or a
   * chat command still reaches acrbot). `unread`: the read failed and `click.failOpen` let the
   * click through (one that only takes access away). Lists and views ask {@link isApproverOf}
   * alone: a read per row would cost too much, and they change nothing. An approval reads the
   * actor's account with its earlier approvers' (request-decision.ts), a rejection once its
   * verdict allows it.
   */
  async enabledApproverOf(
    actor: Actor,
    request: AccessRequest,
    tenantId: string | undefined,
    click: ClickReadFailure,
  ): Promise<'yes' | 'no' | 'disabled' | 'unread'> {
    if (!(await this.isApproverOf(actor, request, tenantId))) return 'no';
    const account = await this.accountStandingNow(actor, request.id, click);
    return account === 'enabled' ? 'yes' : account;
  }

  /**
   * Whether the directory finds `actor`'s own account enabled now, for a revoke of someone else's
   * access that they make as an approver of request `requestId`: a disabled or deleted account
   * revokes nothing, but a failed read ({@link accountStandingNow}, fail-open) lets the revoke
   * through, as it only takes access away. For a caller that has asked {@link isApproverOf}
   * already, once for many requests (a revoke of a pair's grants). A revoke is never failed for the
   * read, so there is nothing it leaves undone to say.
   */
  async accountEnabledNow(actor: Actor, requestId: string): Promise<boolean> {
    return (await this.accountStandingNow(actor, requestId, { failOpen: true })) !== 'disabled';
  }

  /**
   * What the directory says of `actor`'s own account now, for a click on request `requestId` that
   * they make as an approver ({@link enabledForClick}; `undone`: what a failed read left undone,
   * "your approval was not recorded"). With `failOpen` (a click that only takes access away or
   * refuses it: a revoke, a rejection, a break-glass review's Reject, a pause of new access), a
   * read failure other than a 403 answers `unread` instead of failing the click: a Graph outage
   * must not keep an approver from reducing access, which named approvers could otherwise do
   * without Graph. The caller goes on and says so in its audit entry; the operators are warned (at
   * most once an hour). A disabled account found is refused all the same. No `requestId` for a
   * click on no request (a pause or resume of new access, access-pause.ts).
   */
  async accountStandingNow(
    actor: Actor,
    requestId: string | undefined,
    click: ClickReadFailure,
  ): Promise<'enabled' | 'disabled' | 'unread'> {
    const enabled = await this.readForClick([actor], { ...click, requestId, whose: 'your account is' });
    if (enabled === 'unread') return 'unread';
    return enabled.has(actor.objectId.toLowerCase()) ? 'enabled' : 'disabled';
  }

  /**
   * {@link enabledAmong} for a click that acts as an approver of request `click.requestId`, with
   * the directory's failures decided the one way for every such click. Refused the read (403:
   * `User.Read.All` not granted, which docs/deploy.md lets a deployment leave out), they all count,
   * unchecked, as a new request's named approvers count then (readNamedApprovers, with the same
   * hourly warning): refusing the click would leave such a deployment unable to decide anything;
   * each is still asked whether they approve now. Any other failure (5xx, throttling, no answer)
   * fails the click, nothing changed: let through, it would count someone who may have left; read
   * as "none enabled", it would drop every earlier approval for good. The clicker is told so with
   * the turn's reference ("… could not be read to check that `whose` still enabled, so `undone`"),
   * which the warning logged here carries too (the click's handler shows a user-facing message
   * without logging it).
   */
  async enabledForClick(
    actors: readonly Actor[],
    click: { requestId: string; whose: string; undone: string },
  ): Promise<Set<string>> {
    const enabled = await this.readForClick(actors, { ...click, failOpen: false });
    // Never `unread` without failOpen.
    return enabled === 'unread' ? new Set() : enabled;
  }

  /**
   * {@link enabledForClick}, or with `click.failOpen` `unread` on a failure it would fail the
   * click for (warned as such, at most once an hour: {@link accountStandingNow}).
   */
  private async readForClick(
    actors: readonly Actor[],
    click: { requestId: string | undefined; whose: string } & ClickReadFailure,
  ): Promise<Set<string> | 'unread'> {
    try {
      return await this.enabledAmong(actors);
    } catch (err) {
      if (isAccountReadRefused(err)) {
        warnUnreadApproversHourly(
          this.log,
          { err, requestId: click.requestId, approvers: actors.length },
          "approvers' accounts could not be read at a click (the directory refused: User.Read.All not granted?); they count, without knowing whether their accounts still exist and are enabled",
        );
        return new Set(actors.map((a) => a.objectId.toLowerCase()));
      }
      if (click.failOpen) {
        warnUnreadApproversHourly(
          this.log,
          { err, requestId: click.requestId, approvers: actors.length },
          "an approver's account could not be read at a click that only takes access away (a revoke, a rejection, a break-glass review's Reject, a pause of new access); the click went on without knowing whether the account is still enabled",
        );
        return 'unread';
      }
      const reference = currentCorrelationId();
      this.log.warn(
        { err, requestId: click.requestId, approvers: actors.length, ref: reference },
        'approvers could not be looked up in the directory; the click failed, nothing was changed',
      );
      throw new UserFacingOutageError(
        'directory.approversUnread',
        `The directory (Microsoft Graph) could not be read to check that ${click.whose} still enabled, so ${click.undone}; try again in a few minutes${reference ? ` (reference ${reference})` : ''}.`,
        { cause: err },
      );
    }
  }

  /** Approvers and auditors may read the audit log. */
  async mayReadAudit(actor: Actor): Promise<boolean> {
    if (this.settings.auditorIds.some((a) => a.toLowerCase() === actor.objectId.toLowerCase())) return true;
    return this.isApprover(actor);
  }
}
