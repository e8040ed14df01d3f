/**
 * How a report to the approvers reads besides its text: most are a problem of one request
 * ("Needs attention: R-…", red, with its facts), but a summary of many jobs waiting on an outage
 * is not one request's problem, and an end that left outside access is news, not a failure; each
 * gives its own title and tone. Pure.
 */

/** The title, tone and facts of a report; without it a report is a request's problem. */
export interface ApproverReportStyle {
  /** The card's title, as it is (no request id is added). */
  title: string;
  /** `warning`: something to look at, not a failure of this request; `default`: news. */
  tone: 'warning' | 'default';
  /**
   * Whether the card shows the request's facts (request, access, term). False for a summary of
   * many requests, whose request only routes the post to its approvers.
   */
  requestFacts: boolean;
}
