/**
 * Reads from the request store, never from process memory, what refuses a member's break-glass:
 * the cooldown after a rejected review, and a break-glass grant of theirs that still runs on the
 * pair (break-glass is never extended, nor renewed by using it again). Either recorded by any
 * instance counts on every other. One indexed read of the member's own requests each; past its
 * bound, the cooldown's is their newest (and warned of), the running grant's adds the pair's.
 */
import { cooldownInForce, REJECTED_BREAK_GLASS_STATES, type BreakGlassCooldown } from '../domain/break-glass-cooldown';
import { describeDurationMs, formatUtc } from '../domain/access-term';
import type { GrantPlan } from '../domain/plan';
import { sameResourceId } from '../domain/resource-id';
import { isActive } from './access-term';
import type { RequestStore } from '../domain/ports';
import { type AccessRequest, type Actor, isBeingRevoked, type RequestState } from '../domain/request';
import type { Logger } from '../observability/logger';

/**
 * Most requests each read takes. A member's succeeded and revoked requests are all their grants
 * that ran, which only accumulate, but a few hundred is years of grants for one person; break-glass
 * is rare, so reading that many on its use costs nothing worth a missed rejection.
 */
export const COOLDOWN_SCAN_LIMIT = 500;

/**
 * The cooldown `requester` is in at `now` under a policy whose cooldown is `cooldownMs` (0: none,
 * and nothing is read). The member's granted requests are read newest first, as a recent
 * rejection is among their newest: past the bound, a warning says that a rejection of a grant
 * older than those read is not seen (a member would need more than the bound of grants made
 * since it for one within the cooldown to be missed).
 */
export async function readBreakGlassCooldown(
  store: Pick<RequestStore, 'listByRequester'>,
  requester: Actor,
  cooldownMs: number,
  now: Date,
  log: Logger,
): Promise<BreakGlassCooldown | undefined> {
  if (cooldownMs <= 0) return undefined;
  const states = [...REJECTED_BREAK_GLASS_STATES];
  const mine = await store.listByRequester(requester.objectId, states, COOLDOWN_SCAN_LIMIT + 1, 'newestFirst');
  if (mine.length > COOLDOWN_SCAN_LIMIT)
    log.warn(
      { limit: COOLDOWN_SCAN_LIMIT, requester: requester.objectId },
      "the break-glass cooldown check read only the member's newest granted requests: a rejected break-glass grant among older ones is not seen",
    );
  return cooldownInForce(mine.slice(0, COOLDOWN_SCAN_LIMIT), requester.objectId, cooldownMs, now);
}

/** The states of a break-glass grant that gives access, or is about to (approved, its run under way). */
const RUNNING_STATES: RequestState[] = ['approved', 'executing', 'succeeded'];

/** How many of a pair's running grants the read past {@link COOLDOWN_SCAN_LIMIT} takes: a pair has a few. */
const PAIR_RUNNING_READ = 100;

/**
 * The break-glass grant of `requester`'s that still runs on `plan`'s pair at `now`, or undefined:
 * a second --break-glass then would run past the first's end for another `maxDuration` with
 * nobody asked, over and over, while break-glass is never extended. "The pair" is the registry
 * and the cluster, or another cluster pulling with the same identity (the role assignment is the
 * identity's). Running: approved or being granted, or granted and neither being revoked, past its
 * end (its end job may not have run yet) nor marked removed outside acrbot (drift `deleted`: it
 * gives no access, and acrbot never puts it back). Another member's grant on the pair is theirs and
 * refuses nothing. Reads the member's running requests (oldest first); past the bound, this
 * cluster and registry's running grants too, so those are always seen (one on another cluster
 * sharing the identity is then not: a member with that many running requests is not expected).
 */
export async function readRunningBreakGlass(
  store: Pick<RequestStore, 'listByRequester' | 'listByTarget'>,
  requester: Actor,
  plan: GrantPlan,
  now: Date,
): Promise<AccessRequest | undefined> {
  const mine = await store.listByRequester(requester.objectId, RUNNING_STATES, COOLDOWN_SCAN_LIMIT + 1);
  const found = mine.find((r) => runsOn(r, requester, plan, now));
  if (found || mine.length <= COOLDOWN_SCAN_LIMIT) return found;
  const pair = await store.listByTarget(plan.cluster.id, plan.registry.id, RUNNING_STATES, PAIR_RUNNING_READ);
  return pair.find((r) => runsOn(r, requester, plan, now));
}

/** Whether `r` is a break-glass grant of `requester`'s still running on `plan`'s pair (see {@link readRunningBreakGlass}). */
function runsOn(r: AccessRequest, requester: Actor, plan: GrantPlan, now: Date): boolean {
  if (!r.policy?.breakGlass || r.plan.kind !== 'grant') return false;
  if (r.requester.objectId.toLowerCase() !== requester.objectId.toLowerCase()) return false;
  if (!sameResourceId(r.plan.registry.id, plan.registry.id)) return false;
  if (!sameResourceId(r.plan.cluster.id, plan.cluster.id) && !sharingIdentity(r.plan, plan)) return false;
  if (r.state !== 'succeeded') return RUNNING_STATES.includes(r.state);
  // Its role assignment removed outside acrbot (drift): the member has no access from it, and
  // acrbot never puts it back, so "your break-glass runs until …" would refuse them for nothing.
  if (r.access?.driftDetectedAt && r.access.driftReason === 'deleted') return false;
  return isActive(r, now) && !isBeingRevoked(r);
}

/**
 * Whether two grants' clusters pull with one identity: on one registry (compared by the caller)
 * their role assignment is then one, its name being derived from the registry, the identity and
 * the role (grant-planner.ts). Whether or not either plan recorded the other cluster in
 * `sharedWith`, which holds at most a few and which plans of older releases lack.
 */
function sharingIdentity(a: GrantPlan, b: GrantPlan): boolean {
  return a.identity.objectId.toLowerCase() === b.identity.objectId.toLowerCase();
}

/**
 * The answer to a member whose break-glass grant `running` still runs on the pair they asked for
 * again: until when, that break-glass is not renewed, and the normal request (named as `pair`
 * says, as the member typed it) that keeps access past its end.
 */
export function runningBreakGlassRefusal(
  running: AccessRequest,
  plan: GrantPlan,
  pair: { cluster: string; registry: string },
): string {
  const end = running.access?.expiresAt;
  const ms = running.access?.durationMs;
  const runs = end
    ? `runs until ${formatUtc(end)}`
    : `is being granted now${ms ? `, for ${describeDurationMs(ms)}` : ''}`;
  const other = sameResourceId(running.plan.cluster.id, plan.cluster.id)
    ? ''
    : ` (${running.plan.cluster.name} pulls with the same identity as ${plan.cluster.name})`;
  return (
    `Your break-glass grant ${running.id} for ${running.plan.cluster.name} → ${running.plan.registry.name}${other} ${runs}, ` +
    `and break-glass is not extended or renewed while it runs. Nothing was granted. To keep access past its end, ` +
    `send a normal request without --break-glass ("@acrbot grant ${pair.cluster} ${pair.registry} REASON…"): it goes to the approvers.`
  );
}
