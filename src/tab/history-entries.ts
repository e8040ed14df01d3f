/**
 * Which of a request's audit entries the tab's drawer lists ("Audit trail"), by who reads it
 * (pure; no I/O). Chat's `audit R-…` lists every entry of the reader's tenant, and only to
 * approvers and auditors, where approvers alone read: the entries name other people's refused
 * probes and clicks and approvers' comments. The tab also shows a requester their own request,
 * so for them the trail is cut to what their own chat cards tell them, no more.
 */
import type { AuditEntry } from '../domain/audit-chain';
import type { AccessRequest } from '../domain/request';
import { ofTenant } from '../domain/tenant-boundary';

/**
 * Who reads a history: `all` for an approver or auditor (the tab's "sees everything"), `own` for
 * a requester who sees only their own requests.
 */
export type HistoryReader = 'all' | 'own';

/**
 * Entries of other people (and acrbot's) a requester reads: the course of their request, as
 * their cards tell it. Anything not listed is not shown to them: refusals of others (`status`,
 * `pending`, Approve, Reject, Revoke, Extend clicks of people it was not theirs to make, across
 * the tenant boundary), approvals no longer counted (`approval.discounted`, naming former
 * approvers), others' failed input. A new action a requester should see is added here.
 */
const COURSE_OF_REQUEST: readonly RegExp[] = [
  // Decided, by whom and (request.approved/rejected, the review) why, as the card's state line
  // says; an approval towards a quorum by whom only (the card's "1 of 2 so far: …"), and one
  // withdrawn by its approver (the card's count goes down with it).
  /^request\.(approved|rejected)$/,
  /^approval\.(recorded|withdrawn)$/,
  /^breakglass\.review\.(accepted|rejected)$/,
  // Approvers asked, reminded, escalated to; a break-glass run reported unreviewed.
  /^approval\.(card\.posted|reminded|escalated)$/,
  /^breakglass\.(unreviewed|revoke\.unavailable)$/,
  // Run: acrbot's work in Azure, Entra and Kubernetes, and how it ended.
  /^execution\.(started|resumed)$/,
  /^(azure|graph|kubernetes)\.write\./,
  /^credential\.cleanup(\.started)?$/,
  /^request\.(succeeded|failed|expired|cancelled|outcome\.told)$/,
  /^access\.paused$/,
  // Its access: extended, reminded, drifted, revoked (who and why, as the drawer's `ended`) or expired.
  /^access\.(extended|extend\.checked|end\.rescheduled|end\.told|reminded|drift|revoked|expired)$/,
  /^access\.revoke\.(requested|deferred|roleAssignment|secret|serviceAccount|credential)$/,
];

/**
 * The entries of `request`'s trail `reader` is shown. For every reader, only entries of the
 * request's own tenant: another tenant's (a user there clicking Approve, `approval.refused.tenant`)
 * are left out, as chat's `audit R-…` leaves them out. For a requester (`own`), their own entries
 * (their refusals too) and the course of the request ({@link COURSE_OF_REQUEST}); an approval
 * towards a quorum without its comment (their card names who approved so far, never why).
 */
export function historyEntries(
  request: AccessRequest,
  entries: readonly AuditEntry[],
  reader: HistoryReader,
): AuditEntry[] {
  const ofRequestTenant = entries.filter((e) => ofTenant(e, request.tenantId));
  if (reader === 'all') return ofRequestTenant;
  const requester = request.requester.objectId.toLowerCase();
  return ofRequestTenant
    .filter((e) => e.actor.objectId.toLowerCase() === requester || COURSE_OF_REQUEST.some((p) => p.test(e.action)))
    .map((e) => (e.action === 'approval.recorded' && e.detail !== undefined ? { ...e, detail: undefined } : e));
}
