/**
 * What people decided against a pair before a new request of it was filed: its requests an
 * approver rejected, and its access a person revoked, recently. "One rejection rejects"
 * (docs/policy.md, Quorum) holds for one request; asking again at once makes a new one, which
 * another approver could approve unaware. The new request records these (found when it was
 * filed) so its approvers' card says so. Pure: the types and the words; the read is
 * flows/decided-before.ts.
 */
import type { AccessRequest, Actor } from './request';

/** The most earlier decisions a request records ({@link AccessRequest.decidedBefore}). */
export const DECIDED_BEFORE_RECORDED = 3;

/** How far back decisions count: older ones are not recorded. */
export const DECIDED_BEFORE_WINDOW_MS = 30 * 24 * 3_600_000;

/**
 * Characters of a rejection's comment or a revocation's reason kept (on one line): enough to
 * say why, bounded so that three of them cannot crowd a card. The request decided keeps all of it.
 */
export const DECIDED_BEFORE_TEXT_MAX = 120;

/**
 * How long after a grant's approval a revocation by one of its own approvers is taken for their
 * correction ({@link isApproverCorrection}). The approvers' card offers the undo ("Approved the
 * wrong one? `@acrbot revoke R-… REASON…`") right as it turns Approved; one who approved the wrong
 * card notices it then, while the card is in front of them, not hours later. Short, so that an
 * approver who approved and later found something wrong with the access itself (an incident, a
 * leak) is named as any other revocation: past it, their revocation counts against the pair.
 */
export const APPROVER_CORRECTION_MS = 15 * 60_000;

/**
 * Whether `request`'s access was revoked by one of the people who approved it (the deciding
 * approver, or for a quorum any approval that counted; object ids compared case-insensitively)
 * within {@link APPROVER_CORRECTION_MS} of the approval that granted it: the approver undoing
 * their own click (approved the wrong card), not a decision against the pair. Decided from the
 * stored records only (who approved, who revoked, when), never from the reason's words: a
 * reason is typed freely, and "wrong card" in it proves nothing either way.
 *
 * Measured from the deciding approval's `decision.at`, the nearest moment the record keeps: no
 * grant time is stored (the outcome has none, `updatedAt` moves with every write, and
 * `expiresAt` minus the term is absent on permanent access and moved by extensions). The run
 * starts on that click, so the grant follows it by the run's seconds; a run that waited (an
 * interruption, a retry) only shortens the window, and a revocation whose deletes took long
 * (`revokedAt` is when it was written) too: when in doubt the revocation counts, as before.
 * Not a correction: access acrbot ended (no `revokedBy`), a request not approved by a person's
 * approval (break-glass is its requester's own, whose revocations are left out anyway; an
 * auto-approval is acrbot's), a revocation by an approval later discounted (no longer in
 * `approvals`), or by a break-glass reviewer (their Reject is a decision).
 */
export function isApproverCorrection(
  request: Pick<AccessRequest, 'decision' | 'approvals' | 'access' | 'policy'>,
): boolean {
  const { decision, access } = request;
  if (!decision?.approved || request.policy?.breakGlass || request.policy?.autoApproved) return false;
  if (!access?.revokedBy || !access.revokedAt) return false;
  const revoker = access.revokedBy.objectId.toLowerCase();
  const approvers = [decision.by, ...(request.approvals ?? []).map((a) => a.by)];
  if (!approvers.some((a) => a.objectId.toLowerCase() === revoker)) return false;
  const after = Date.parse(access.revokedAt) - Date.parse(decision.at);
  return after >= 0 && after <= APPROVER_CORRECTION_MS;
}

/** An earlier request of the pair rejected, or whose access a person revoked. */
export interface DecidedBefore {
  requestId: string;
  how: 'rejected' | 'revoked';
  /** The approver who rejected it, or the person who revoked its access (never acrbot). */
  by: Actor;
  /** When (ISO 8601): the decision's `at`, or the access's `revokedAt`. */
  at: string;
  /**
   * The rejection's comment or the revocation's reason as they gave it: user text, on one line,
   * cut to {@link DECIDED_BEFORE_TEXT_MAX} characters (made inert where shown). Absent when none.
   */
  text?: string;
  /** Its kind when a pull secret (a grant's is absent), and its namespace: the same pair, another way in. */
  secretNamespace?: string;
}

/**
 * The earlier decisions as an audit detail says them: ids, how and when, never their text
 * ("decided against this pair before: R-… rejected at …, R-… revoked at …"). Empty when none.
 */
export function decidedBeforeWords(decided: readonly DecidedBefore[] | undefined): string {
  if (!decided?.length) return '';
  return `decided against this pair before: ${decided.map((d) => `${d.requestId} ${d.how} at ${d.at}`).join(', ')}`;
}
