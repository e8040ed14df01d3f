/**
 * The answer to an approve, reject, withdraw or review click, and what every kind of click answers alike:
 * the hint for a rejection without a reason, a click that came too late, and the loser of the
 * conditional write, refused and never recorded as a second decision (G8).
 */
import type { RefusalReason } from '../domain/approval-policy';
import { describeBreakGlassRun } from '../domain/break-glass-review';
import type { RequestStore } from '../domain/ports';
import { describeState, type AccessRequest, type ActingContext } from '../domain/request';
import { type RequestAudit, targetsOf } from './request-audit';
import { readRequest } from './request-reads';

/** The result of an approve, reject or withdraw click. */
export type DecisionResult =
  | { kind: 'decided'; request: AccessRequest }
  /** An approval towards a quorum was recorded; the request is still pending (G18). */
  | { kind: 'recorded'; request: AccessRequest }
  /**
   * The clicking approver's own approval towards a quorum was taken back (Withdraw my approval):
   * the request is still pending, with one approval fewer, and they may approve it again.
   */
  | { kind: 'withdrawn'; request: AccessRequest }
  /**
   * The same decision clicked again by whoever made it (a double click, a second device), judged
   * by the stored decision (request-decision.ts ownDecisionStands): it stands, and `message` says
   * so and what the request does now. Nothing changed, and it is neither audited nor refused.
   */
  | { kind: 'ownDecisionStands'; request: AccessRequest; message: string }
  /**
   * A break-glass grant was reviewed: kept, or rejected (and revoked). `accessEnded`: its access
   * had ended (revoked) or was ending (being revoked), so the review only judged the use and a
   * rejection revoked nothing.
   */
  | { kind: 'reviewed'; request: AccessRequest; outcome: 'accepted' | 'rejected'; accessEnded: boolean }
  | {
      kind: 'refused';
      request: AccessRequest;
      reason:
        | RefusalReason
        | 'stale'
        | 'twice'
        | 'notCounted'
        | 'inProgress'
        | 'paused'
        | 'notActive'
        | 'clusterGone'
        | 'term'
        | 'subscription'
        | 'disabledOrGone';
      message: string;
    };

/** The answer to a Reject without a readable reason, and the card's hint before it is sent. */
export const REJECTION_NEEDS_REASON =
  'Type the reason for rejecting in the comment box (a few words the requester can read), then press Reject again.';

export /**
 * "Request R-… is already rejected by Alex", for a click that came too late. A break-glass
 * request ran because its requester used break-glass, not because they approved it: it says
 * "ran as break-glass by" them, and what its review found (`describeBreakGlassRun`).
 */
function alreadyDecided(request: AccessRequest, verb: 'is' | 'was' = 'is'): string {
  const ran = describeBreakGlassRun(request);
  return ran ? `Request ${request.id} ${ran}` : `Request ${request.id} ${verb} already ${describeState(request)}`;
}

/** The loser of the conditional write: tells who won and records a refusal, never a second decision. */
export async function lostRace(
  store: Pick<RequestStore, 'get'>,
  auditing: RequestAudit,
  request: AccessRequest,
  acting: ActingContext,
): Promise<DecisionResult> {
  const winner = await readRequest(store, request.id);
  await auditing.record({
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
