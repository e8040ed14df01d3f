/**
 * What "Waiting for your approval" says of each row. Two kinds wait there, in chat's order: a
 * break-glass run whose review the caller owes (`breakGlass.reviewDueAt`: it already ran, without
 * approval, so the line says by when it is reviewed, and "its use only" once its access ended,
 * when Reject revokes nothing), then a pending request asked of them, led by when it expires
 * undecided (the request card's "Decide by"), so an approver sees which ones run out first.
 * The drawer shows that "Decide by" too ({@link decideByFact}), in the same words.
 */
import { relative, shortTime } from './format';
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
    }: started by ${review.by.name} without approval: ${row.reason ?? ''}`;
  const [label, value] = decideByFact(row, now);
  const decide = value ? `${label} ${value} · ` : '';
  return `${decide}Asked by ${row.requester?.name ?? 'someone'}${row.termAsked ? ` for ${row.termAsked}` : ''}: ${row.reason ?? ''}`;
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
