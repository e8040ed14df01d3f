/**
 * The audit entry of an approval a stopped process left unwritten. A person's decision is stored
 * first (the conditional write picks the winner, G8) and audited right after
 * (request-decision.ts `decideNow`); a process that died between the two left a request approved
 * whose `request.approved` entry, with the approver's justification, is missing. The run that
 * follows names the approver in its `execution.started` entry, but the trail would still lack the
 * transition itself (G11). A resume sweep that picks up an approved run asks here first, and the
 * entry is written late, in the approver's name, under a key of its own, before anything runs.
 *
 * A decision younger than {@link CLICK_GRACE_MS} is left alone: its own process may still be
 * writing the entry, and the run waits for a later sweep rather than racing it to a second entry.
 */
import type { AuditEvent } from '../domain/audit-chain';
import type { AuditLog } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import { targetsOf } from './request-audit';
import { CLICK_GRACE_MS } from './review-reject-net';

/**
 * What a swept approved run owes its trail: `recorded` (the decision's entry is there, or the
 * request has no decision to record), `wait` (missing, but the decision is too recent to tell from
 * one being written) or `owed` (missing: write {@link lateDecisionEntry} before the run).
 */
export async function decisionEntryState(
  request: AccessRequest,
  audit: Pick<AuditLog, 'forRequest'>,
  now: Date,
): Promise<'recorded' | 'wait' | 'owed'> {
  const decision = request.decision;
  if (request.state !== 'approved' || !decision?.approved) return 'recorded';
  const trail = await audit.forRequest(request.id);
  if (trail.some((entry) => entry.action === 'request.approved')) return 'recorded';
  return now.getTime() - Date.parse(decision.at) < CLICK_GRACE_MS ? 'wait' : 'owed';
}

/**
 * The idempotency key of the `request.approved` entry of one decision, the click's and a late
 * one alike: whichever is appended first is the one entry (G8), even when the click's append,
 * slow, lands after the net wrote its own. Keyed by the decision (who, when), not the request
 * alone: a decision undone after an append that landed but was reported failed leaves its entry,
 * and the next approver's decision must get one of its own.
 */
export function approvedEntryKey(requestId: string, decision: { by: { objectId: string }; at: string }): string {
  return `request.approved:${requestId}:${decision.by.objectId.toLowerCase()}:${decision.at}`;
}

/**
 * The `request.approved` entry of `request`'s stored decision, in the approver's name with their
 * justification, saying that it was written when the run was picked up. Approved requests whose
 * entry comes first (auto-approval, break-glass) never reach here.
 */
export function lateDecisionEntry(
  request: AccessRequest & { decision: NonNullable<AccessRequest['decision']> },
): AuditEvent {
  const { decision } = request;
  const why = `written when the run was picked up: the decision was stored at ${decision.at} but its process stopped before its entry`;
  return approvedEntry(
    request,
    decision.by,
    decision.reason ? `${decision.reason} (${why})` : why,
    approvedEntryKey(request.id, decision),
  );
}

/**
 * The `request.approved` entry of an approval of `request` in `by`'s name, under the rule and
 * policy it is bound to: auto-approval's and break-glass's, written before the request is stored
 * (request-creation.ts), and a late one ({@link lateDecisionEntry}). `idempotencyKey`: a person's
 * decision's ({@link approvedEntryKey}); the others have none, each written once, before the
 * request exists approved.
 */
export function approvedEntry(request: AccessRequest, by: Actor, detail: string, idempotencyKey?: string): AuditEvent {
  return {
    actor: by,
    tenantId: request.tenantId,
    action: 'request.approved',
    requestId: request.id,
    targetIds: targetsOf(request.plan),
    outcome: 'approved',
    detail,
    ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
    ...(idempotencyKey && { idempotencyKey }),
  };
}
