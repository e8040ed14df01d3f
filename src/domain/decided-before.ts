/**
 * What people decided against a pair before a new request of it was filed: its requests an
 * approver rejected, and its access a person revoked, recently. "One rejection rejects"
 * (docs/policy.md, Quorum) holds for one request; asking again at once makes a new one, which
 * another approver could approve unaware. The new request records these (found when it was
 * filed) so its approvers' card says so. Pure: the types and the words; the read is
 * flows/decided-before.ts.
 */
import type { Actor } from './request';

/** The most earlier decisions a request records ({@link AccessRequest.decidedBefore}). */
export const DECIDED_BEFORE_RECORDED = 3;

/** How far back decisions count: older ones are not recorded. */
export const DECIDED_BEFORE_WINDOW_MS = 30 * 24 * 3_600_000;

/**
 * Characters of a rejection's comment or a revocation's reason kept (on one line): enough to
 * say why, bounded so that three of them cannot crowd a card. The request decided keeps all of it.
 */
export const DECIDED_BEFORE_TEXT_MAX = 120;

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
