/**
 * Per-user limits and redelivery (G16), checked before anything is planned, so a refused
 * request costs no Azure call: an activity id seen before creates nothing, nobody has more
 * than `maxPendingPerUser` requests waiting, and nobody starts more than `requestsPerMinute`.
 * The pending count here is read before the create, so two requests at once can both pass it;
 * `RequestService.create` counts again after its write and withdraws its own if over the cap.
 */
import type { AbuseLedger, Clock, RequestStore } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';

/** The limits (ACRBOT_MAX_PENDING_PER_USER, ACRBOT_REQUESTS_PER_MINUTE). */
export interface RequestLimits {
  maxPendingPerUser: number;
  requestsPerMinute: number;
}

/** How long a seen activity id is remembered; Teams redelivers within seconds to minutes. */
export const REDELIVERY_MEMORY_MS = 24 * 3_600_000;
const MINUTE_MS = 60_000;

/** Why a request was not admitted; `message` is for the user. */
export type GateRefusal = {
  code: 'limits.redelivered' | 'limits.pending' | 'limits.rate';
  message: string;
};

/** Admits or refuses new requests. */
export class RequestGate {
  constructor(
    private readonly ledger: AbuseLedger,
    private readonly requests: Pick<RequestStore, 'listByRequester' | 'countByRequester'>,
    private readonly clock: Clock,
    private readonly limits: RequestLimits,
  ) {}

  /** The most requests one user may have waiting for approval (`RequestService.create` checks it again). */
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

  /** The rate and pending-cap checks; undefined when both admit. */
  private async limitsRefusal(actor: Actor, now: Date): Promise<GateRefusal | undefined> {
    const count = await this.ledger.hit(`rate:${actor.objectId}`, now, MINUTE_MS);
    if (count > this.limits.requestsPerMinute)
      return {
        code: 'limits.rate',
        message: `You have started more than ${this.limits.requestsPerMinute} requests in the last minute; wait a minute and try again. Nothing was requested.`,
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

/**
 * The refusal of a request over the pending cap, naming (up to ten of) the requests waiting:
 * the same sentence at the door (the gate) and after a concurrent create that went over it
 * (`RequestService.create`).
 */
export function pendingCapMessage(max: number, pending: readonly Pick<AccessRequest, 'id'>[]): string {
  return `You already have ${max} requests waiting for approval (at most ${max}): ${pending
    .slice(0, 10)
    .map((r) => r.id)
    .join(', ')}. Cancel one with "@acrbot cancel REQUEST-ID" or wait for a decision. Nothing was requested.`;
}
