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
 * Only requests with a rule channel are grouped: without one the post goes beside each
 * request's own approvers' card, a conversation of its own.
 */
import {
  GROUP_CLAIM_WINDOW_MS,
  groupedMentionIds,
  MAX_GROUPED_MENTIONS,
  MAX_NUDGE_SIBLINGS,
} from '../domain/nudge-group';
import type { Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, PolicyBinding } from '../domain/request';
import { isExpired } from '../domain/request';
import { extendedAccessGone } from './access-lease';
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
 * supersedes (approval-nudge-order.ts), an extension whose original's access is gone. Answers
 * them as written (their new versions). A store failure other than a conflict fails the run;
 * the marks it wrote name this request, so its retry takes them back.
 */
export async function claimSiblings(
  ports: SiblingPorts,
  request: AccessRequest,
  kind: NudgeKind,
): Promise<AccessRequest[]> {
  if (!request.policy?.rule?.channel) return [];
  const mark = MARK_OF[kind];
  const by = CLAIMED_BY[mark];
  const now = ports.clock.now();
  const pending = await ports.store.listByState(['pending'], WAITING_SCAN_LIMIT);
  const claimed: AccessRequest[] = [];
  for (const other of pending) {
    if (claimed.length >= MAX_NUDGE_SIBLINGS) break;
    if (other.id === request.id || other.state !== 'pending' || isExpired(other, now)) continue;
    if (!samePost(request, other, kind) || !nudgeDue(other, kind, now)) continue;
    if (kind === 'remind' && escalationSupersedesReminder(other, now)) continue;
    const existing = other.policy![mark];
    // Marked: its own job's, or another grouped post's; only this request's own claim of a
    // run that stopped before its entries is taken back.
    if (existing && (other.policy![by] !== request.id || (await ports.sent(other.id)))) continue;
    if (groupedMentionIds([request, ...claimed, other]).length > MAX_GROUPED_MENTIONS) continue;
    if (await extendedAccessGone(ports.store, other, now)) continue;
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
