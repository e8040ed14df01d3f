/**
 * What "Waiting for your approval" says of each row. Two kinds wait there, in chat's order: a
 * break-glass run whose review the caller owes (`breakGlass.reviewDueAt`: it already ran, without
 * approval, so the line says by when it is reviewed, and "its use only" once its access ended,
 * when Reject revokes nothing), then a pending request asked of them, led by when it expires
 * undecided (the request card's "Decide by"), and listed soonest first (the server's order), so an
 * approver sees which ones run out first.
 * The drawer shows that "Decide by" too ({@link decideByFact}), in the same words, and so where
 * a quorum of several approvals stands ({@link approvalsFact}: "1 of 2 approved"). A pending
 * extension adds, in short, what its drawer and chat card say of what approving changes
 * ({@link extensionEffect}).
 */
import { isolated, relative, shortTime } from './format';
import type { Row } from './types';

/**
 * The row's line under its title: the review due, or by when to decide, who asked and for how
 * long. `now` is the server's clock (clock.ts), for how long is left to decide.
 */
export function approvalDetail(row: Row, now: number): string {
  const review = row.breakGlass;
  if (review?.reviewDueAt)
    return `Break-glass review due ${shortTime(review.reviewDueAt)}${
      review.reviewJudgesUseOnly ? ', its use only (its access ended)' : ''
    }: started by ${isolated(review.by.name)} without approval: ${row.reason ?? ''}`;
  const [label, value] = decideByFact(row, now);
  const decide = value ? `${label} ${value} · ` : '';
  // Where its quorum stands, in its drawer's words: an approver sees one more is needed.
  const [, quorum] = approvalsFact(row);
  const effect = extensionEffect(row);
  // "Would end" names the term already ("7 days after approval"): not said twice.
  const term = row.termAsked && !row.wouldEnd ? ` for ${row.termAsked}` : '';
  return `${decide}${quorum ? `${quorum} · ` : ''}${effect ? `${effect} · ` : ''}Asked by ${row.requester ? isolated(row.requester.name) : 'someone'}${term}: ${row.reason ?? ''}`;
}

/**
 * Where a pending request's quorum stands (`approvalsSoFar`, under a rule needing more than one
 * approval), as the drawer's fact and in its approvals row: "1 of 2 approved", the request card's
 * "1 of 2 so far". No value for any other row.
 */
export function approvalsFact(row: Pick<Row, 'approvalsSoFar'>): [label: string, value: string | undefined] {
  const q = row.approvalsSoFar;
  return ['Approvals', q && `${q.count} of ${q.required} approved`];
}

/**
 * A pending extension's effect in one line: when its original's access now ends, how much later
 * approving makes it end, and how often it was extended before, e.g. "Now ends 2026-12-07 08:00
 * UTC · would end at least 1 hour later (7 days after approval) · extended before: 2 times". The
 * server's words (`extendsEndsAt`, `wouldEnd`, `extendedBefore`: src/domain/pending-extension.ts,
 * the drawer's "Now ends", "Would end" and "Extended before"), not worked out again here; undefined
 * for any other row, and for an extension filed before they were recorded.
 */
export function extensionEffect(row: Pick<Row, 'extendsEndsAt' | 'wouldEnd' | 'extendedBefore'>): string | undefined {
  if (!row.extendsEndsAt) return undefined;
  return [
    `Now ends ${shortTime(row.extendsEndsAt)}`,
    row.wouldEnd && `would end ${row.wouldEnd}`,
    row.extendedBefore && `extended before: ${row.extendedBefore}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * By when a pending request must be decided (`decideBy`, the request card's "Decide by"), as the
 * drawer's fact and the approvals row's lead: its time and how long is left. Once that time came,
 * an approval or rejection is refused (chat's checkDecision), but the request reads pending until
 * the expiry job ends it "Expired without a decision" (its card's and badge's words): so it says
 * plainly that the time passed, not only "2 hours ago". No value without a `decideBy`.
 */
export function decideByFact(row: Pick<Row, 'decideBy'>, now: number): [label: string, value: string | undefined] {
  const at = row.decideBy;
  if (!at) return ['Decide by', undefined];
  const ms = Date.parse(at) - now;
  // Passed at the very time, as the server reckons it (a decision then is refused already).
  const when =
    ms > 0
      ? relative(at, now)
      : `passed ${ms < 0 ? relative(at, now) : 'just now'}; too late to decide, it will expire without a decision`;
  return ['Decide by', `${shortTime(at)} (${when})`];
}

/** The chat link's words: both open the card with Approve and Reject (`pending R-…`). */
export function approvalLinkText(row: Row): string {
  return row.breakGlass?.reviewDueAt ? 'Open in chat to review' : 'Open in chat to approve';
}
