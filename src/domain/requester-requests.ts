/**
 * Some of a requester's own requests, as chat lists them (`status` without an id, the open ones on
 * `access`): read by src/flows/requester-requests.ts, drawn by src/views/my-requests-view.ts. One
 * type in domain/, as flows and views may not import each other (scripts/check-layers.js). Pure.
 */
import type { AccessRequest } from './request';

/** Some of a requester's requests, and whether more were there than `requests` holds. */
export interface RequesterRequests {
  requests: readonly AccessRequest[];
  /** How many more of theirs there are (past the cut), as far as the read went; 0 when none. */
  more: number;
  /** The read stopped at its bound: `more` counts only what it read, and there may be more. */
  boundReached: boolean;
  /**
   * When it was read (RequestService's clock), where the list is drawn as of then (`status`,
   * myRequestsCard): a grant past its end or whose cluster is gone reads as the tab and `access`
   * read it (cluster-gone.ts).
   */
  readAt?: Date;
}
