/**
 * What the access lifecycle tells people outside any turn, implemented by the chat layer
 * (card-messenger.ts): the requester's news of their access, and problems for the approvers.
 */
import type { ApproverReportStyle } from '../domain/approver-report';
import type { PauseAsTold } from '../domain/access-pause';
import type { KeptAssignment, OutsidePull, RegistryOpen } from '../domain/audit-end-words';
import type { AccessRequest, Actor } from '../domain/request';
import type { UnservedResource } from '../domain/served-subscriptions';

/** What the requester is told, proactively (rendered by the chat layer). */
export type RequesterNews =
  /**
   * The access ends in `inMs`. `paused`: new access was paused when the reminder was sent, so it
   * offers no Extend (an extension would be refused); who paused it and since when, never why.
   * `extensionWaiting`: the id of an extension of this access waiting for approval when the
   * reminder was sent, so it offers no Extend either (a second one would be refused) and names it.
   * `notServed`: the request's tenant is no longer served (ACRBOT_ALLOWED_TENANTS), so it offers
   * no Extend (every turn of its requester is refused) and says so. `otherTenant`: its requester
   * is of another served tenant than acrbot's own (own-tenant.ts), whose every request is refused:
   * no Extend, saying why. `unserved`: its cluster or registry is in a subscription no longer
   * served (ACRBOT_SUBSCRIPTION_IDS): no Extend either.
   */
  | {
      kind: 'expiring';
      inMs: number;
      paused?: PauseAsTold;
      extensionWaiting?: string;
      notServed?: boolean;
      otherTenant?: boolean;
      unserved?: UnservedResource;
    }
  /** A pull secret's credential expires at `at`, before its term ends (or a permanent one's). */
  | {
      kind: 'credentialExpiring';
      inMs: number;
      at: string;
      paused?: PauseAsTold;
      extensionWaiting?: string;
      notServed?: boolean;
      otherTenant?: boolean;
      unserved?: UnservedResource;
    }
  /**
   * Several of the requester's accesses end soon (reminder-siblings.ts): one card listing them,
   * soonest end first, each with its own Extend or what replaces it. `more`: how many more
   * were due and left to their own reminders (the card points to the My access tab).
   */
  | {
      kind: 'expiringGrouped';
      items: readonly ExpiringItem[];
      more: number;
      paused?: PauseAsTold;
      notServed?: boolean;
      otherTenant?: boolean;
    }
  | {
      kind: 'ended';
      by: Actor;
      expired: boolean;
      reason?: string;
      /**
       * A grant whose role assignment was not acrbot's to delete (made outside acrbot), so the
       * cluster can still pull through it; set for every grant by the revocation.
       */
      heldOutsideAcrbot?: boolean;
      /** Assignments acrbot did not make through which the cluster can still pull (listed at the end). */
      outsidePulls?: readonly OutsidePull[];
      /** What the registry itself lets in whatever roles say (anonymous pull, its admin user), read at the end. */
      registryOpen?: RegistryOpen;
      /** The grant's role assignment was kept by its revocation (`kept`), so the cluster still pulls through it. */
      kept?: KeptAssignment;
    }
  | { kind: 'revocationFailing'; attempts: number };

/** One access of a grouped reminder: what its own reminder would say (`at`: the end it reminds of). */
export interface ExpiringItem {
  request: AccessRequest;
  inMs: number;
  at: string;
  /** A pull secret's credential expiry, before its term ends (or a permanent one's). */
  credential: boolean;
  extensionWaiting?: string;
  /** Its cluster or registry in a subscription no longer served: no Extend. */
  unserved?: UnservedResource;
}

/** Implemented by the chat layer: messages outside any turn. */
export interface LifecycleMessenger {
  /**
   * Tells the requester, in the request's thread or their chat with acrbot. Resolves
   * `'noConversation'` when acrbot knows no conversation of theirs to post in (nothing posted).
   * Never throws (a failure is logged), unless `reportFailure`: then a post that did not go out
   * throws, `'refused'` when Teams refused the conversation for good (acrbot no longer in it: no
   * retry helps), and resolving otherwise means it went out (a reminder's job retries on the throw).
   */
  tellRequester(
    request: AccessRequest,
    news: RequesterNews,
    options?: { reportFailure?: boolean },
  ): Promise<'noConversation' | 'refused' | undefined>;
  /**
   * Posts a problem in the approvals channel; `style` gives a report that is not the request's
   * failure its own title and tone (approver-report.ts). Never throws (a failure is logged):
   * `true` when the post went out, `false` when it did not (no conversation to post in, or the
   * post failed). A caller that must know reads only `true` as posted: a messenger that answers
   * nothing (`void`, as most callers need nothing and test doubles answer) is not taken to have
   * posted.
   */
  reportToApprovers(
    request: AccessRequest | undefined,
    text: string,
    style?: ApproverReportStyle,
  ): Promise<boolean | void>;
}
