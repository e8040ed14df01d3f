/**
 * One post for the approval nudges of several pending requests due at once in one channel (a
 * morning rush, the end of a long pause): its bounds, and who it mentions. Shared by the flow
 * that gathers the requests (flows/nudge-siblings.ts) and the view that writes the message
 * (views/grouped-nudge-view.ts), so the bound the flow keeps is the one the message has.
 */
import { countedApprovals, type PolicyRule } from './policy';
import type { AccessRequest } from './request';

/**
 * Most other requests one grouped nudge takes besides the one whose job posts it. With the
 * request's own line, 21 lines of a few hundred characters: far under the 28 KB a Teams message
 * stays safe at (CONTRACTS.md, Limits), and short enough to read. The rest go in their own jobs'
 * posts (each of which groups again).
 */
export const MAX_NUDGE_SIBLINGS = 20;

/**
 * Most people one grouped nudge mentions. A sibling whose approvers would push the mentions past
 * it is left to its own job: every approver of a request in the post is mentioned, never some
 * dropped to fit. CONTRACTS.md names no mention limit; this keeps a post a person reads, and
 * within what one rule's approvers already reach.
 */
export const MAX_GROUPED_MENTIONS = 20;

/**
 * How long a mark another request's run made for its grouped post (`remindedBy`, `escalatedBy`)
 * keeps this request's own job from posting when it finds no entry: that run may still be
 * posting. Past it, the run is taken as stopped (a crash, a lost lease) and the job posts, so the
 * approvers are told at least once (flows/approval-nudges.ts, top comment).
 */
export const GROUP_CLAIM_WINDOW_MS = 10 * 60_000;

/**
 * How long a nudge job whose request an older sibling's post may still take (its job due in the
 * same sweep, or that post under way) moves itself on, once, instead of posting: the scheduler
 * runs a few jobs at once, so without it each would mark its own request and post a burst in a
 * few posts. Far longer than an older sibling's run takes to claim its siblings (a few store round
 * trips), short enough that a request whose older sibling never claims it (that job failing, or
 * stuck) is nudged a minute or a sweep late, not later (flows/nudge-siblings.ts).
 */
export const GROUP_HOLD_MS = 60_000;

/**
 * Whether `a` was filed before `b`: by creation time, then by id (two filed in the same
 * millisecond). The order in which requests due together defer to each other: the oldest posts.
 */
export function filedBefore(a: AccessRequest, b: AccessRequest): boolean {
  const at = Date.parse(a.createdAt);
  const bt = Date.parse(b.createdAt);
  return at !== bt ? at < bt : a.id < b.id;
}

/**
 * The rule's named approvers (Entra object ids, as the policy spells them) still waited on: not
 * the requester, who cannot approve, nor one whose approval counts already, nor one the directory
 * found unable to sign in when the nudge was made (`cannotSignIn`: lower-cased object ids,
 * {@link NudgeSignIns}): their click would not count, so they are not called to it.
 */
export function waitedOnUsers(
  request: AccessRequest,
  rule: PolicyRule,
  cannotSignIn: ReadonlySet<string> = new Set(),
): string[] {
  const done = new Set(
    [request.requester, ...countedApprovals(request).map((a) => a.by)].map((p) => p.objectId.toLowerCase()),
  );
  return rule.approvers.users.filter((id) => !done.has(id.toLowerCase()) && !cannotSignIn.has(id.toLowerCase()));
}

/**
 * What a nudge read of its named approvers' accounts right before it was posted
 * (flows/approval-nudges.ts): those the directory finds disabled or deleted (lower-cased object
 * ids), left out of its mentions and, when their loss leaves the quorum out of reach, named
 * ({@link quorumLostTo}). Empty when the directory could not be read: everyone is mentioned.
 */
export interface NudgeSignIns {
  cannotSignIn: ReadonlySet<string>;
  /**
   * The display names the same read gave for those who can sign in, by lower-cased object id, as
   * the directory gives them (user text: views/nudge-view.ts cleans them and makes them inert).
   * One without a name here is mentioned by number ("approver 2").
   */
  names?: ReadonlyMap<string, string>;
}

/**
 * The named approvers of `rule` who can no longer sign in (`cannotSignIn`), when without them
 * the approvals still needed cannot be had: the rule has no approver groups (whose members may
 * still approve; not read here) and its other named approvers still waited on are fewer than the
 * approvals missing. An approval already counted whose author can no longer sign in is missing
 * too (the next click drops it, request-decision.ts), and its author among the lost. Undefined
 * when the quorum may still be reached, or no approver was lost. Each id as the policy spells it
 * (an earlier approver the rule no longer names: as the approval recorded it), in policy order.
 */
export function quorumLostTo(
  request: AccessRequest,
  rule: PolicyRule,
  cannotSignIn: ReadonlySet<string>,
): string[] | undefined {
  if (cannotSignIn.size === 0 || rule.approvers.groups.length > 0 || rule.autoApprove) return undefined;
  const cannot = (id: string) => cannotSignIn.has(id.toLowerCase());
  const waited = waitedOnUsers(request, rule);
  const lostWaited = waited.filter(cannot);
  const counted = countedApprovals(request).map((a) => a.by.objectId);
  const lostApprovers = counted.filter(cannot);
  if (lostWaited.length === 0 && lostApprovers.length === 0) return undefined;
  const missing = Math.max(1, rule.approvalsRequired) - (counted.length - lostApprovers.length);
  if (waited.length - lostWaited.length >= missing) return undefined;
  const lost = new Set([...lostWaited, ...lostApprovers].map((id) => id.toLowerCase()));
  const named = rule.approvers.users.filter((id) => lost.has(id.toLowerCase()));
  const unnamed = lostApprovers.filter((id) => !named.some((n) => n.toLowerCase() === id.toLowerCase()));
  return [...named, ...unnamed];
}

/**
 * What a nudge (and its audit entry) says of request `requestId`, under rule `ruleId`, whose
 * quorum its lost approvers (`lost`, {@link quorumLostTo}) left out of reach. Policy-file text
 * (the ids) comes as the caller gives it: a view makes it inert, the audit entry keeps it.
 */
export function quorumLostNote(requestId: string, ruleId: string, lost: readonly string[]): string {
  return `${quorumLostOpening(lost, 'this request', ruleId)} or the requester can cancel it ("@acrbot cancel ${requestId}")`;
}

/**
 * What a grouped nudge says once for rule `ruleId`, whose requests `requestIds` (in the order
 * listed) its lost approvers (`lost`, the union of each request's {@link quorumLostTo}) left out
 * of reach: each request's own line then says only that it cannot be approved as things stand,
 * so the same long sentence is not repeated on every line. Policy-file text as for
 * {@link quorumLostNote}.
 */
export function groupedQuorumLostNote(ruleId: string, lost: readonly string[], requestIds: readonly string[]): string {
  const one = requestIds.length === 1;
  return `${quorumLostOpening(lost, requestIds.join(', '), ruleId)}, or ${one ? 'its requester can cancel it' : 'their requesters can cancel them'}`;
}

/**
 * What {@link quorumLostNote} and {@link groupedQuorumLostNote} both say first: who can no longer
 * sign in, that `what` (the request, or the requests listed) cannot be approved, and the rule to
 * add approvers to. Each goes on with who may cancel.
 */
function quorumLostOpening(lost: readonly string[], what: string, ruleId: string): string {
  return (
    `${lost.length === 1 ? 'Named approver' : 'Named approvers'} ${lost.join(', ')} can no longer sign in (disabled or deleted in the directory): ` +
    `${what} cannot be approved as things stand; add approvers to rule ${ruleId}`
  );
}

/**
 * The people a grouped nudge of `requests` mentions: each waited-on approver once, in order met
 * (none who cannot sign in, `cannotSignIn` as for {@link waitedOnUsers}).
 */
export function groupedMentionIds(
  requests: readonly AccessRequest[],
  cannotSignIn: ReadonlySet<string> = new Set(),
): string[] {
  const seen = new Map<string, string>();
  for (const request of requests) {
    const rule = request.policy?.rule;
    if (!rule) continue;
    for (const id of waitedOnUsers(request, rule, cannotSignIn))
      if (!seen.has(id.toLowerCase())) seen.set(id.toLowerCase(), id);
  }
  return [...seen.values()];
}
