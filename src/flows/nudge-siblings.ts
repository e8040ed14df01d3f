/**
 * Grouped approval nudges: when a request's reminder (or escalation) is about to be posted in its
 * rule's channel, the other pending requests whose same nudge is due now and would be posted in
 * that same channel go in the same post, instead of one post each mentioning the same approvers
 * (a morning rush of 40 requests made 40 reminders, and the end of a long pause sent every overdue
 * one in the same recheck; approvers mute a bot that does that).
 *
 * Each sibling is claimed with the conditional mark its own job would write (`remindedAt`,
 * `escalatedAt`), plus who claimed it (`remindedBy`, `escalatedBy`: the posting request's id);
 * a conflict leaves it to its own job. Its own job, finding that mark and no entry, is the
 * at-least-once rule of approval-nudges.ts with one change: within GROUP_CLAIM_WINDOW_MS of the
 * mark the claiming run may still be posting, so the job moves itself on rather than post it too;
 * past it, that run is taken as stopped and the job posts it, as for a mark its own run left. A
 * rerun of the claiming request's job (a retry, a new lease holder) takes back the siblings it
 * had claimed and not told (same claimer, no entry), without waiting for the window.
 *
 * The scheduler runs a few jobs at once (JOBS_AT_ONCE), so in a burst due in one sweep (a
 * morning rush, every overdue nudge at the end of a long pause) each job would mark its own
 * request before any other run could claim it, and the burst would go in a few posts. So before
 * marking its own request a job looks for an older sibling (filed before it) whose post may still
 * take it: one unmarked whose own job is due now (it runs in this sweep, or is running), or one
 * marked within GROUP_CLAIM_WINDOW_MS by a run that has not written its entry (a post under way).
 * Finding one, it holds back: it moves itself GROUP_HOLD_MS on, unmarked, and records on the job
 * (its payload, in the store) that it did (hold-back-once.ts). Run again, it finds the older one's
 * claim (and follows the window above) or, not taken, posts itself as before, taking the older
 * one along if its job never came. Once only: the second run never holds back, so an older
 * sibling whose job keeps failing, or hangs, delays it by GROUP_HOLD_MS (or a sweep), never more;
 * and nothing is left unmarked that no job will post. Only the oldest of a burst, whose job runs
 * in the sweep, posts.
 *
 * Only requests with a rule channel are grouped: without one the post goes beside each
 * request's own approvers' card, a conversation of its own.
 */
import {
  filedBefore,
  GROUP_CLAIM_WINDOW_MS,
  GROUP_HOLD_MS,
  groupedMentionIds,
  MAX_GROUPED_MENTIONS,
  MAX_NUDGE_SIBLINGS,
} from '../domain/nudge-group';
import type { Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, PolicyBinding } from '../domain/request';
import { isExpired } from '../domain/request';
import { extensionUnapprovable } from './extension-unapprovable';
import type { HoldBackOnce } from './hold-back-once';
import { escalationSupersedesReminder } from './approval-nudge-order';
import { WAITING_SCAN_LIMIT } from './waiting-for-approvers';

/** Which nudge. */
export type NudgeKind = 'remind' | 'escalate';

/** The mark a nudge writes on its request. */
export type NudgeMark = 'remindedAt' | 'escalatedAt';

/** Where the claiming request's id is kept beside each mark. */
export const CLAIMED_BY: Record<NudgeMark, 'remindedBy' | 'escalatedBy'> = {
  remindedAt: 'remindedBy',
  escalatedAt: 'escalatedBy',
};

/** The mark of each nudge. */
export const MARK_OF: Record<NudgeKind, NudgeMark> = { remind: 'remindedAt', escalate: 'escalatedAt' };

/** A nudge job's hold for an older sibling's post: recorded in its payload (in the store), once. */
export const HOLD_FOR_OLDER: HoldBackOnce = { field: 'heldForOlderAt', ms: GROUP_HOLD_MS };

/**
 * The pending requests a nudge run looks among for its siblings, oldest first (up to
 * WAITING_SCAN_LIMIT): read once per run, for {@link olderSiblingMayTake} and {@link claimSiblings}
 * both, so holding back adds no read. Every pending request, not only those due: the store lists by
 * state in creation order, with no cheaper read of the due ones (the oldest pending are mostly
 * nudged already, so a smaller limit would cut off the due ones, not the rest); on Azure Tables
 * each is read in full. Pending requests expire within a day (ACRBOT_APPROVAL_TTL), so there are
 * few.
 */
export function listSiblingCandidates(store: Pick<RequestStore, 'listByState'>): Promise<AccessRequest[]> {
  return store.listByState(['pending'], WAITING_SCAN_LIMIT);
}

/** Whether the request's `kind` nudge is due at `now` by the rule it was created under. */
function nudgeDue(request: AccessRequest, kind: NudgeKind, now: Date): boolean {
  const rule = request.policy?.rule;
  const after = kind === 'remind' ? rule?.remindAfterMs : rule?.escalateAfterMs;
  return after !== undefined && now.getTime() >= Date.parse(request.createdAt) + after;
}

/**
 * Whether `other`'s nudge would be posted where `request`'s is: the same tenant and rule channel,
 * and for an escalation the same escalation channel (it gets the same message).
 */
function samePost(request: AccessRequest, other: AccessRequest, kind: NudgeKind): boolean {
  const a = request.policy?.rule;
  const b = other.policy?.rule;
  if (!a?.channel || !b?.channel || a.channel !== b.channel || request.tenantId !== other.tenantId) return false;
  return kind === 'remind' || a.escalateTo?.channel === b.escalateTo?.channel;
}

/**
 * Whether `other` is a sibling of `request`'s `kind` nudge as of `now`: another request, still
 * pending and unexpired, whose same nudge is due and would be posted in the same channel; not a
 * reminder its escalation supersedes (approval-nudge-order.ts). Marks are not looked at here.
 */
function siblingOf(request: AccessRequest, other: AccessRequest, kind: NudgeKind, now: Date): boolean {
  if (other.id === request.id || other.state !== 'pending' || isExpired(other, now)) return false;
  if (!samePost(request, other, kind) || !nudgeDue(other, kind, now)) return false;
  return !(kind === 'remind' && escalationSupersedesReminder(other, now));
}

/**
 * When the grouped post that claimed `request`'s nudge may still be under way: the end of
 * {@link GROUP_CLAIM_WINDOW_MS} after the mark another request's run wrote, or undefined when its
 * own job should post it now (no mark, a mark its own run made, or one old enough to be a stopped
 * run's). Read after the trail showed no entry for it.
 */
export function groupClaimHeldUntil(request: AccessRequest, mark: NudgeMark, now: Date): Date | undefined {
  const binding: PolicyBinding | undefined = request.policy;
  const by = binding?.[CLAIMED_BY[mark]];
  const at = binding?.[mark];
  if (!by || !at || by === request.id) return undefined;
  const until = Date.parse(at) + GROUP_CLAIM_WINDOW_MS;
  return Number.isFinite(until) && now.getTime() < until ? new Date(until) : undefined;
}

/** The stores and clock sibling claims use; `sent`: whether the trail says that nudge of the request is done. */
export interface SiblingPorts {
  store: Pick<RequestStore, 'get' | 'update' | 'listByState'>;
  clock: Clock;
  sent: (requestId: string) => Promise<boolean>;
}

/**
 * Claims, for `request`'s `kind` nudge (its own mark written already), the other pending requests
 * whose same nudge is due now and would be posted in the same channel: oldest first, at most
 * {@link MAX_NUDGE_SIBLINGS}, and only while every approver they wait on can still be mentioned
 * ({@link MAX_GROUPED_MENTIONS}). Skipped, left to their own jobs: one marked by anyone else,
 * one whose mark conflicts (its own job or a decision wrote it first), a reminder its escalation
 * supersedes (approval-nudge-order.ts), an extension whose original's access is gone or its
 * cluster read gone (extension-unapprovable.ts). Answers them as written (their new versions). A
 * store failure other than a conflict fails the run; the marks it wrote name this request, so its
 * retry takes them back.
 */
export async function claimSiblings(
  ports: SiblingPorts,
  request: AccessRequest,
  kind: NudgeKind,
  /** This run's {@link listSiblingCandidates} when it read it already (its versions may be older: a conflict skips). */
  listed?: readonly AccessRequest[],
): Promise<AccessRequest[]> {
  if (!request.policy?.rule?.channel) return [];
  const mark = MARK_OF[kind];
  const by = CLAIMED_BY[mark];
  const now = ports.clock.now();
  const pending = listed ?? (await listSiblingCandidates(ports.store));
  const claimed: AccessRequest[] = [];
  for (const other of pending) {
    if (claimed.length >= MAX_NUDGE_SIBLINGS) break;
    if (!siblingOf(request, other, kind, now)) continue;
    const existing = other.policy![mark];
    // Marked: its own job's, or another grouped post's; only this request's own claim of a
    // run that stopped before its entries is taken back.
    if (existing && (other.policy![by] !== request.id || (await ports.sent(other.id)))) continue;
    if (groupedMentionIds([request, ...claimed, other]).length > MAX_GROUPED_MENTIONS) continue;
    if (await extensionUnapprovable(ports.store, other, now)) continue;
    const at = ports.clock.now().toISOString();
    const next: AccessRequest = {
      ...other,
      version: other.version + 1,
      updatedAt: at,
      policy: { ...other.policy!, [mark]: at, [by]: request.id },
    };
    try {
      await ports.store.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError) continue;
      throw err;
    }
    claimed.push(next);
  }
  return claimed;
}

/** What {@link olderSiblingMayTake} reads besides the listing. */
export interface HoldPorts {
  store: Pick<RequestStore, 'get'>;
  clock: Clock;
  /** Whether the trail says that nudge of the request is done. */
  sent: (requestId: string) => Promise<boolean>;
  /** Whether the request's own job of this nudge is due now (it runs in this sweep, or is running). */
  jobDue: (requestId: string) => Promise<boolean>;
}

/**
 * An older sibling (filed before `request`, {@link filedBefore}) whose post may still take
 * `request`'s `kind` nudge, from this run's listing `pending`; undefined when none is (the run
 * marks its own request and posts). One is, when it is:
 * - unmarked, and its own job is due now: that job runs in this sweep (here, or on another
 *   instance) and, the oldest of the burst, claims this one. Its job not due (backing off after
 *   failures, moved on while paused, held back itself) says it is not coming now: this run posts,
 *   and takes it along. One its post would leave out anyway (the two together past
 *   {@link MAX_GROUPED_MENTIONS}, an extension whose original's access is gone or its cluster
 *   read gone) is passed over;
 * - marked within {@link GROUP_CLAIM_WINDOW_MS} by a run (its own, or another request's claiming
 *   it) that has not written the claiming request's entry: that post may be under way, claiming.
 * At most {@link MAX_NUDGE_SIBLINGS} + 1 older ones that need a read are looked at (an older post
 * takes its 20 oldest first). A wrong answer costs one held-back run ({@link HOLD_FOR_OLDER}).
 */
export async function olderSiblingMayTake(
  ports: HoldPorts,
  request: AccessRequest,
  kind: NudgeKind,
  pending: readonly AccessRequest[],
): Promise<AccessRequest | undefined> {
  if (!request.policy?.rule?.channel) return undefined;
  const mark = MARK_OF[kind];
  const by = CLAIMED_BY[mark];
  const now = ports.clock.now();
  const asked = new Set<string>();
  let looked = 0;
  for (const other of pending) {
    if (!filedBefore(other, request) || !siblingOf(request, other, kind, now)) continue;
    const at = other.policy![mark];
    if (at) {
      const claimer = other.policy![by] ?? other.id;
      // An old mark is a post done, or a stopped run's that its own job posts: nothing to wait for.
      if (!(now.getTime() < Date.parse(at) + GROUP_CLAIM_WINDOW_MS)) continue;
      if (claimer === request.id || asked.has(claimer)) continue;
      asked.add(claimer);
      if (++looked > MAX_NUDGE_SIBLINGS + 1) return undefined;
      if (!(await ports.sent(claimer))) return other;
    } else {
      if (groupedMentionIds([other, request]).length > MAX_GROUPED_MENTIONS) continue;
      if (++looked > MAX_NUDGE_SIBLINGS + 1) return undefined;
      if (await extensionUnapprovable(ports.store, other, now)) continue;
      if (await ports.jobDue(other.id)) return other;
    }
  }
  return undefined;
}

/**
 * The claimed siblings read again right before the post (as the request itself is,
 * changedBeforePost): kept, as now stored, while still pending, unexpired and marked by this
 * claim; one decided, cancelled or expired meanwhile is dropped (its mark says nothing then),
 * and one whose mark is no longer this claim's is left to whoever wrote it.
 */
export async function siblingsStillDue(
  store: Pick<RequestStore, 'get'>,
  clock: Clock,
  claimed: readonly AccessRequest[],
  mark: NudgeMark,
): Promise<AccessRequest[]> {
  const now = clock.now();
  const current = await Promise.all(claimed.map((c) => store.get(c.id)));
  return current.filter(
    (c, i): c is AccessRequest =>
      c !== undefined &&
      c.state === 'pending' &&
      !isExpired(c, now) &&
      c.policy?.[mark] === claimed[i]!.policy![mark] &&
      c.policy?.[CLAIMED_BY[mark]] === claimed[i]!.policy![CLAIMED_BY[mark]],
  );
}
