/**
 * Reads a member's break-glass cooldown after a rejected review from the request store, never
 * from process memory: a rejection recorded by any instance counts on every other. One indexed
 * read of the member's own granted requests; past its bound, the newest granted requests of
 * everyone too, since that listing is read oldest first.
 */
import { cooldownInForce, REJECTED_BREAK_GLASS_STATES, type BreakGlassCooldown } from '../domain/break-glass-cooldown';
import type { RequestStore } from '../domain/ports';
import type { Actor } from '../domain/request';
import type { Logger } from '../observability/logger';

/**
 * Most requests each read takes. A member's succeeded and revoked requests are all their grants
 * that ran, which only accumulate, but a few hundred is years of grants for one person; break-glass
 * is rare, so reading that many on its use costs nothing worth a missed rejection.
 */
export const COOLDOWN_SCAN_LIMIT = 500;

/**
 * The cooldown `requester` is in at `now` under a policy whose cooldown is `cooldownMs` (0: none,
 * and nothing is read). The by-requester listing is oldest first: a member with more granted
 * requests than the bound would have their newest, where a recent rejection is, cut off. Then
 * the newest granted requests of everyone (listByState `newestFirst`) are read as well, and a
 * warning says that a rejection of a grant older than both reads is not seen.
 */
export async function readBreakGlassCooldown(
  store: Pick<RequestStore, 'listByRequester' | 'listByState'>,
  requester: Actor,
  cooldownMs: number,
  now: Date,
  log: Logger,
): Promise<BreakGlassCooldown | undefined> {
  if (cooldownMs <= 0) return undefined;
  const states = [...REJECTED_BREAK_GLASS_STATES];
  const mine = await store.listByRequester(requester.objectId, states, COOLDOWN_SCAN_LIMIT + 1);
  if (mine.length <= COOLDOWN_SCAN_LIMIT) return cooldownInForce(mine, requester.objectId, cooldownMs, now);
  const newest = await store.listByState(states, COOLDOWN_SCAN_LIMIT, 'newestFirst');
  log.warn(
    { limit: COOLDOWN_SCAN_LIMIT, requester: requester.objectId },
    "the break-glass cooldown check read the oldest and the newest granted requests only (the member's own, everyone's): a rejected break-glass grant among the others is not seen",
  );
  return cooldownInForce([...mine, ...newest], requester.objectId, cooldownMs, now);
}
