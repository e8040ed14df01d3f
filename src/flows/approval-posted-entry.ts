/**
 * The `approval.card.posted` audit entry: written wherever a request's approvers' card goes out
 * (the announcement in a turn, the tab's extension, the `approval.announce` job), and read by
 * that job to tell that the card was posted. One builder, so the places that write it cannot
 * drift apart from each other or from what the job looks for.
 */
import type { AuditEvent } from '../domain/audit-chain';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';

/** The audit action recorded when a request's approvers' card is posted. */
export const APPROVAL_CARD_POSTED = 'approval.card.posted';

/**
 * The entry recording that `request`'s approvers' card was posted in `conversationId`, by acrbot.
 * `detail` says how, where that is worth telling (a later run, the requester's copy shared);
 * without it the entry has no `detail` at all.
 */
export function approvalPostedEntry(
  request: Pick<AccessRequest, 'id' | 'tenantId'>,
  conversationId: string,
  detail?: string,
): AuditEvent {
  return {
    // A copy: the memory audit log keeps the object it is given.
    actor: { ...ACRBOT_ACTOR },
    tenantId: request.tenantId,
    action: APPROVAL_CARD_POSTED,
    requestId: request.id,
    targetIds: [conversationId],
    outcome: 'posted',
    ...(detail !== undefined && { detail }),
  };
}
