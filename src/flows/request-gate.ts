/**
 * Per-user limits and redelivery (G16), checked before anything is planned, so a refused
 * request costs no Azure call: an activity id seen before creates nothing, nobody has more
 * than `maxPendingPerUser` requests waiting, and nobody starts more than `requestsPerMinute`.
 * The pending count here is read before the create, so two requests at once can both pass it;
 * `RequestCreation.create` (request-creation.ts) counts again after its write and withdraws its
 * own if over the cap (`withdrawOverCap`).
 * Read commands (`check`, `policy`, `access`, …) have their own per-user window
 * ({@link RequestGate.admitRead}): every one of them reads Azure, Graph or the store as acrbot.
 * Once planned, a request for a target its requester already has one waiting for is refused
 * ({@link RequestGate.twinRefusal}).
 */
import type { AbuseLedger, Clock, RequestStore } from '../domain/ports';
import { type AccessRequest, type Actor, type DriftedBefore, DRIFTED_BEFORE_RECORDED } from '../domain/request';
import type { GrantPlan, Plan } from '../domain/plan';
import { assignmentRemovedByDrift, lostToRemake } from '../domain/made-again-since-drift';
import { describeAccess } from '../domain/access-term';
import { fixedWindowStart } from '../domain/fixed-window';
import { counted } from '../domain/text';

/** The limits (ACRBOT_MAX_PENDING_PER_USER, ACRBOT_REQUESTS_PER_MINUTE, ACRBOT_READS_PER_10_MINUTES). */
export interface RequestLimits {
  maxPendingPerUser: number;
  requestsPerMinute: number;
  /**
   * Read commands one user may run in a fixed {@link READ_WINDOW_MS} window
   * (ACRBOT_READS_PER_10_MINUTES; its default and why it is so are in src/config/settings-operation.ts). Unset: reads are
   * not limited, for a gate that only admits requests; the app's always has it.
   */
  readsPer10Minutes?: number;
}

/**
 * The read commands' window. Ten minutes rather than one: a person looking into a problem runs
 * a handful of reads in a burst, then reads the answers; a per-minute cap small enough to protect
 * ARM would cut that burst short, one this long lets it through and still bounds a script.
 */
export const READ_WINDOW_MS = 10 * 60_000;

/** How long a seen activity id is remembered; Teams redelivers within seconds to minutes. */
export const REDELIVERY_MEMORY_MS = 24 * 3_600_000;
const MINUTE_MS = 60_000;

/** Why a request was not admitted; `message` is for the user. */
export type GateRefusal = {
  code: 'limits.redelivered' | 'limits.pending' | 'limits.rate' | 'limits.reads' | 'limits.duplicate';
  message: string;
};

/**
 * The window a limit's refusals are audited once in: the window it is counted in; for the pending
 * cap and a second request for a target already waiting, which stand until a decision, the rate's
 * minute (every refusal of them passed the rate first).
 */
const REFUSAL_WINDOW_MS: Record<GateRefusal['code'], number> = {
  'limits.redelivered': REDELIVERY_MEMORY_MS,
  'limits.pending': MINUTE_MS,
  'limits.duplicate': MINUTE_MS,
  'limits.rate': MINUTE_MS,
  'limits.reads': READ_WINDOW_MS,
};

/** How long one audited refusal at the door stands for the same sender's next ones (logged only). */
export const TURN_REFUSAL_WINDOW_MS = 60 * MINUTE_MS;

/**
 * How long one audited refusal of a read of one request by its id (`status R-…`, `pending R-…`
 * by someone who may not see or decide it) stands for the same person's next ones of that request
 * and command (logged only). An hour, as at the door: the refusal is of who they are, which the
 * next minutes do not change, and these reads are not counted by the read limit (acr-bot.ts
 * countsAsRead), so nothing else bounds how often they come.
 */
export const REQUEST_READ_REFUSAL_WINDOW_MS = 60 * MINUTE_MS;

/** Admits or refuses new requests, and read commands. */
export class RequestGate {
  constructor(
    private readonly ledger: AbuseLedger,
    private readonly requests: Pick<RequestStore, 'listByRequester' | 'countByRequester' | 'listByTarget'>,
    private readonly clock: Clock,
    private readonly limits: RequestLimits,
  ) {}

  /** The most requests one user may have waiting for approval (`RequestCreation.create` checks it again). */
  get maxPendingPerUser(): number {
    return this.limits.maxPendingPerUser;
  }

  /**
   * Undefined when `actor` may start a new request from the activity `activityKey` (a
   * conversation-qualified Teams activity id); otherwise the refusal to answer with. The
   * activity is marked as received first (two deliveries at once: one passes); when a check
   * after the mark fails, the mark is taken back, so Teams' redelivery of the failed turn is
   * handled, not answered "already received" for a request that was never made.
   */
  async admit(actor: Actor, activityKey: string | undefined): Promise<GateRefusal | undefined> {
    const now = this.clock.now();
    if (!activityKey) return this.limitsRefusal(actor, now);
    const sighting = `activity:${activityKey}`;
    if (!(await this.ledger.firstSighting(sighting, now, REDELIVERY_MEMORY_MS)))
      return {
        code: 'limits.redelivered',
        message:
          'This message was already received (Teams sent it again); it is handled once, so no second request was made.',
      };
    try {
      return await this.limitsRefusal(actor, now);
    } catch (err) {
      try {
        await this.ledger.forgetSighting(sighting);
      } catch (forgetErr) {
        throw new AggregateError(
          [err, forgetErr],
          `the per-user limits could not be checked, and activity ${activityKey} stays marked as received`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * Undefined unless `actor` already has a request waiting for approval for the target of `plan`
   * (a grant on the same cluster and registry; a pull secret of the same name in the same
   * namespace of the same cluster); then the refusal, naming it. Two such requests have cards
   * that read alike (the same title; only the access and reason rows differ), so an approver
   * asked to approve one could approve its twin: a permanent grant for the hour asked. Checked
   * once planned, when the target is known by its resource ids (a name, `group/name` and an id
   * typed for one cluster are one target), before the create. Extensions are not twins of a new
   * request (their card says "Extend R-…", and they have their own rule: one open per access);
   * a break-glass request never waits, so it is not checked. Reads only this user's pending
   * requests from the requester index, at most the pending cap of them (the door refused more).
   * Two twins made at the same moment can both pass it, as the pending cap's door can: the
   * create looks again once stored (`RequestCreation.withdrawTwin`).
   */
  async twinRefusal(actor: Actor, plan: Plan): Promise<(GateRefusal & { twinId: string }) | undefined> {
    const [twin] = await pendingTwins(this.requests, actor.objectId, plan, this.limits.maxPendingPerUser);
    return twin && { code: 'limits.duplicate', message: twinMessage(twin), twinId: twin.id };
  }

  /**
   * Undefined when `actor` may run one more read command (counted now); otherwise the refusal,
   * which names the count and when the window ends. Checked before the command reads anything,
   * so a refused read costs no Azure, Graph or store read beyond this counter. One limit for
   * everyone, approvers and auditors too: telling them apart needs a Graph read (their groups),
   * which is what the limit is there to bound, and their sweeps have the tab's access matrix
   * (one cached read for every cluster) rather than one `access` per cluster.
   *
   * `activityKey` (as for {@link admit}) counts an activity once: Teams' redelivery of a read is
   * answered without counting again, so nobody is held back by deliveries they did not make. The
   * memory is the requests' `activity:` sighting, with the same TTL (a read never makes a request,
   * so the two uses never meet on one activity). A redelivery is admitted even when its first
   * delivery was refused: Teams sends again when the first answer did not get through, and it is
   * one activity, not one more read.
   */
  async admitRead(actor: Actor, activityKey?: string): Promise<GateRefusal | undefined> {
    const now = this.clock.now();
    const max = this.limits.readsPer10Minutes;
    if (max === undefined) return undefined;
    if (activityKey && !(await this.ledger.firstSighting(`activity:${activityKey}`, now, REDELIVERY_MEMORY_MS)))
      return undefined;
    const count = await this.ledger.hit(`reads:${actor.objectId}`, now, READ_WINDOW_MS);
    if (count <= max) return undefined;
    // The ledger's windows are fixed (aligned to the epoch): the next one opens at this end.
    const end = new Date(fixedWindowStart(now, READ_WINDOW_MS) + READ_WINDOW_MS);
    return {
      code: 'limits.reads',
      message: `You have run ${max} read command${max === 1 ? '' : 's'} (check, policy, access, audit, and the status and pending lists) in the last 10 minutes, the most acrbot answers one person; try again at ${end.toISOString().slice(11, 16)} UTC. Nothing was read or changed.`,
    };
  }

  /**
   * Whether `refusal` is `actor`'s first of its kind in its limit's window (recorded now, in the
   * store, so across instances). Callers audit the first and only log the rest: someone held at
   * a limit who keeps trying (a script does, thousands of times) leaves one audit entry per
   * window, not one per attempt, which would let them flood the audit trail the limit protects
   * Azure from. A redelivery is never a first: it is Teams sending a message again, whose first
   * delivery was handled and audited as whatever it was.
   */
  async firstRefusalInWindow(actor: Actor, code: GateRefusal['code']): Promise<boolean> {
    if (code === 'limits.redelivered') return false;
    return this.firstInWindow(`refused:${code}:${actor.objectId}`, REFUSAL_WINDOW_MS[code]);
  }

  /**
   * Whether a refused read of request `requestId` by its id (`action`: `status.refused`,
   * `pending.refused`) is `actor`'s first of that request and action in its window of
   * {@link REQUEST_READ_REFUSAL_WINDOW_MS} (recorded now, in the store, so across instances): only
   * that one is audited. Each entry names the request, and every later read of its trail (its
   * audit card, `audit R-…`, a revocation) reads them all: anyone in the tenant who saw its id
   * could otherwise add one per message to someone else's request.
   */
  async firstRequestReadRefusalInWindow(actor: Actor, action: string, requestId: string): Promise<boolean> {
    return this.firstInWindow(`read-refused:${action}:${actor.objectId}:${requestId}`, REQUEST_READ_REFUSAL_WINDOW_MS);
  }

  /**
   * Whether `asked` (`revoke`, `extend`, `status`, …) of request `requestId`, answered "not found"
   * because it is another tenant's (tenant-refusal.ts), is `actor`'s first of that request and
   * ask in its window of {@link REQUEST_READ_REFUSAL_WINDOW_MS} (recorded now, in the store, so
   * across instances): only that one is audited, as for a refused read by id. Nothing else bounds
   * how often someone types another tenant's ids, and each entry would be a hash-chained write.
   */
  async firstTenantRefusalInWindow(actor: Actor, asked: string, requestId: string): Promise<boolean> {
    return this.firstInWindow(`tenant-refused:${asked}:${actor.objectId}:${requestId}`, REQUEST_READ_REFUSAL_WINDOW_MS);
  }

  /**
   * Whether a turn refused at the door (another tenant, another channel, no identity: G2) is the
   * first of its kind from this sender in its window of {@link TURN_REFUSAL_WINDOW_MS}: only that
   * one is audited. Anyone who can reach the bot's endpoint through the Bot Framework (a user of
   * another tenant who sideloaded the app, a script with a channel token) could otherwise write a
   * hash-chained audit entry per message. Keyed by tenant and sender as sent (ids from a turn
   * that was refused prove nothing, but they are what the entry would record).
   */
  async firstTurnRefusalInWindow(tenantId: string, senderId: string, code: string): Promise<boolean> {
    return this.firstInWindow(
      `turn-refused:${code}:${tenantId.slice(0, 64)}:${senderId.slice(0, 64)}`,
      TURN_REFUSAL_WINDOW_MS,
    );
  }

  /**
   * Whether this is the first sighting of `key` in the current fixed window of `windowMs`
   * (recorded now, in the store, so across instances): the refusal windows above.
   */
  private firstInWindow(key: string, windowMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.ledger.firstSighting(`${key}:${fixedWindowStart(now, windowMs)}`, now, windowMs);
  }

  /** The rate and pending-cap checks; undefined when both admit. */
  private async limitsRefusal(actor: Actor, now: Date): Promise<GateRefusal | undefined> {
    const count = await this.ledger.hit(`rate:${actor.objectId}`, now, MINUTE_MS);
    if (count > this.limits.requestsPerMinute)
      return {
        code: 'limits.rate',
        message: `You have started more than ${counted(this.limits.requestsPerMinute, 'request')} in the last minute; wait a minute and try again. Nothing was requested.`,
      };
    // Only this user's pending requests, counted up to the cap from the index: on every new
    // request, whatever the number waiting for everyone else; documents are read only to refuse.
    const max = this.limits.maxPendingPerUser;
    if ((await this.requests.countByRequester(actor.objectId, ['pending'], max)) >= max) {
      const pending = await this.requests.listByRequester(actor.objectId, ['pending'], Math.min(max, 10));
      return { code: 'limits.pending', message: pendingCapMessage(max, pending) };
    }
    return undefined;
  }
}

/** How many waiting requests on one cluster and registry {@link pendingTwins} reads (anyone's). */
const PAIR_PENDING_READ = 500;

/**
 * The requester's waiting requests that are twins of `plan`, other than `self`, oldest first. A
 * grant's twin is on the same cluster and registry, so the pair's index is read (anyone's waiting
 * requests on it, at most {@link PAIR_PENDING_READ}), not every request the requester has waiting:
 * one person with many at once (a script granting two hundred clusters) made each new request
 * read all of them, twice. A secret's twin may be for another registry, so the requester's are
 * read (at most `limit`: the pending cap, which refuses more at the door).
 */
export async function pendingTwins(
  store: Pick<RequestStore, 'listByRequester' | 'listByTarget'>,
  requesterId: string,
  plan: Plan,
  limit: number,
  self?: string,
): Promise<AccessRequest[]> {
  const mine = (r: AccessRequest) => r.requester.objectId.toLowerCase() === requesterId.toLowerCase();
  const pending =
    plan.kind === 'grant'
      ? (await store.listByTarget(plan.cluster.id, plan.registry.id, ['pending'], PAIR_PENDING_READ)).filter(mine)
      : await store.listByRequester(requesterId, ['pending'], limit);
  return twinsAmong(pending, plan, self);
}

/** How many of a pair's active grants {@link driftedOnPair} reads: a pair has a few (overlaps), not hundreds. */
const PAIR_ACTIVE_READ = 100;

/**
 * The earlier grants of `plan`'s pair (same cluster, registry and identity) whose access was
 * removed or changed outside acrbot (drift `deleted` or `changed`, or one recorded before reasons
 * were: `assignmentRemovedByDrift`, the lifecycle's rule) while they still run (state
 * `succeeded`: within their term), newest drift first, at most {@link DRIFTED_BEFORE_RECORDED}:
 * the registry's owners may have removed that access on purpose (`az aks update --detach-acr`),
 * and a new grant's approvers, who alone can respect or override that, are told
 * (`AccessRequest.driftedBefore`). Left out: a grant whose assignment another approved grant
 * made again since the drift (`lostToRemake`: that approval already overrode the removal, and the
 * new request overlaps the access there now), and an ended grant (its term would have ended the
 * access anyway). One indexed read of the pair's active grants: the twin look reads the pair's
 * waiting requests, and decided-before.ts its rejected and revoked ones (other states, other key
 * ranges on Azure Tables), so neither can carry these. A store that can tell that none of the
 * pair's active grants has a drift recorded (`anyDriftOnTarget`, SQLite) is asked that first.
 */
export async function driftedOnPair(
  store: Pick<RequestStore, 'listByTarget' | 'anyDriftOnTarget'>,
  plan: GrantPlan,
): Promise<DriftedBefore[]> {
  // Most pairs have no drift recorded: a store that can tell reads none of their grants then.
  if (store.anyDriftOnTarget && !(await store.anyDriftOnTarget(plan.cluster.id, plan.registry.id, ['succeeded'])))
    return [];
  const active = await store.listByTarget(plan.cluster.id, plan.registry.id, ['succeeded'], PAIR_ACTIVE_READ);
  const identity = plan.identity.objectId.toLowerCase();
  const drifted: DriftedBefore[] = [];
  for (const r of active) {
    if (!assignmentRemovedByDrift(r)) continue;
    if (r.extendsRequestId || r.plan.kind !== 'grant' || r.plan.identity.objectId.toLowerCase() !== identity) continue;
    if (lostToRemake(r, active)) continue;
    const { driftDetectedAt, driftReason } = r.access!;
    // A drift recorded before reasons were is worded as cards word it (drift-reason.ts driftWords): removed.
    drifted.push({
      requestId: r.id,
      driftDetectedAt: driftDetectedAt!,
      driftReason: driftReason === 'changed' ? 'changed' : 'deleted',
    });
  }
  drifted.sort((a, b) => Date.parse(b.driftDetectedAt) - Date.parse(a.driftDetectedAt));
  return drifted.slice(0, DRIFTED_BEFORE_RECORDED);
}

/**
 * The twins of `plan` ({@link RequestGate.twinRefusal}) among `pending` (a requester's requests
 * waiting for approval), other than `self` (the request just stored, when looked at again after
 * the create), in their order. Extensions are never twins.
 */
function twinsAmong(pending: readonly AccessRequest[], plan: Plan, self?: string): AccessRequest[] {
  return pending.filter((r) => r.id !== self && !r.extendsRequestId && sameTarget(r.plan, plan));
}

/** Whether two plans are for one target: see {@link RequestGate.twinRefusal}. Azure ids compare case-insensitively. */
function sameTarget(a: Plan, b: Plan): boolean {
  if (a.cluster.id.toLowerCase() !== b.cluster.id.toLowerCase()) return false;
  if (a.kind === 'grant' && b.kind === 'grant') return a.registry.id.toLowerCase() === b.registry.id.toLowerCase();
  // One secret in the cluster, whichever registry it is for: the second would overwrite the first.
  if (a.kind === 'secret' && b.kind === 'secret') return a.namespace === b.namespace && a.secretName === b.secretName;
  return false;
}

/**
 * The refusal of a request whose twin waits for approval, naming it, its target and its term: the
 * same sentence at the door and after a concurrent create (request-creation.ts).
 */
export function twinMessage(twin: AccessRequest): string {
  const plan = twin.plan;
  const target =
    plan.kind === 'grant'
      ? `${plan.cluster.name} → ${plan.registry.name}`
      : `pull secret ${plan.namespace}/${plan.secretName} in ${plan.cluster.name}`;
  return `You already have ${twin.id} waiting for approval for ${target} (access: ${describeAccess(twin)}). Withdraw it first with "@acrbot cancel ${twin.id}", or wait for its decision. Nothing was requested.`;
}

/**
 * The refusal of a request over the pending cap, naming (up to ten of) the requests waiting:
 * the same sentence at the door (the gate) and after a concurrent create that went over it
 * (`RequestCreation.withdrawOverCap`, request-creation.ts).
 */
export function pendingCapMessage(max: number, pending: readonly Pick<AccessRequest, 'id'>[]): string {
  return `You already have ${counted(max, 'request')} waiting for approval (at most ${max}): ${pending
    .slice(0, 10)
    .map((r) => r.id)
    .join(', ')}. Cancel one with "@acrbot cancel REQUEST-ID" or wait for a decision. Nothing was requested.`;
}
