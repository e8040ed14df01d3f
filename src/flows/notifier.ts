/** How flows tell the chat layer that a request changed, without knowing about Teams. */
import type { AccessRequest } from '../domain/request';

/** What kind of change {@link RequestNotifier.requestChanged} reports. */
export interface RequestChange {
  /**
   * A mark on the record that leaves its state as it was (drift seen, a revocation begun, a
   * break-glass review): every card copy is redrawn, and no message is sent. Decisions and the
   * outcome are told once, when the state changes: told again, "Pull access granted" would arrive
   * for access that is being removed.
   */
  markOnly?: boolean;
  /**
   * An expiry of a request whose approvers' card Teams refused until then (never posted): its
   * requester is told that no approver saw it, and what to do (lifecycle-view.ts).
   */
  approvalCardRefused?: boolean;
}

/** Implemented by the bot layer: update every copy of the card, send outcome messages. */
export interface RequestNotifier {
  /**
   * `'noConversation'`: there was news of a decision or an outcome for the requester, and acrbot
   * knows no conversation of theirs to send it in (nothing sent; logged by the bot layer).
   */
  requestChanged(request: AccessRequest, change?: RequestChange): Promise<'noConversation' | void>;
}
