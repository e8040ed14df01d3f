/**
 * What "Waiting for your approval" says of each row. Two kinds wait there, in chat's order: a
 * break-glass run whose review the caller owes (`breakGlass.reviewDueAt`: it already ran, without
 * approval, so the line says by when it is reviewed, and "its use only" once its access ended,
 * when Reject revokes nothing), then a pending request asked of them, led by when it expires
 * undecided (the request card's "Decide by"), so an approver sees which ones run out first.
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
  const decide = row.decideBy ? `Decide by ${shortTime(row.decideBy)} (${relative(row.decideBy, now)}) · ` : '';
  return `${decide}Asked by ${row.requester?.name ?? 'someone'}${row.termAsked ? ` for ${row.termAsked}` : ''}: ${row.reason ?? ''}`;
}

/** The chat link's words: both open the card with Approve and Reject (`pending R-…`). */
export function approvalLinkText(row: Row): string {
  return row.breakGlass?.reviewDueAt ? 'Open in chat to review' : 'Open in chat to approve';
}
