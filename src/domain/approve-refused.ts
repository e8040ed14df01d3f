/**
 * Why an Approve of a pending request would be refused now, as the approvers' card and the
 * nudges say it before anyone clicks ("Approve would be refused: it …"): its term past the
 * limits in force (pending-term.ts), or its plan in a subscription this deployment no longer
 * serves (served-subscriptions.ts), each with the way on that fits it. Pure.
 */
import type { AccessRequest } from './request';
import { planOutsideSubscriptions, type UnservedResource } from './served-subscriptions';

/**
 * Why an Approve of a pending request would be refused now (`why`, after "it") and the way on
 * that fits that cause (`advice`), which the card and the nudges print after it.
 */
export interface ApproveRefusal {
  why: string;
  advice: string;
}

/**
 * Why an Approve of a request whose planned cluster or registry (`resource`) is in a subscription
 * no longer served would be refused (the click's approval.refused.subscription), after
 * "it": "is for a cluster or registry in a subscription this deployment no longer serves (…)".
 */
function unservedApproveRefusal(resource: UnservedResource): string {
  return `is for a cluster or registry in a subscription this deployment no longer serves (${resource.kind} ${resource.name}, subscription ${resource.subscriptionId}, not in ACRBOT_SUBSCRIPTION_IDS)`;
}

/**
 * An Approve refused for its term (`why`: "asks for 30d, but rule prod now grants at most 8h",
 * pending-term.ts): its requester can ask again for less.
 */
export function termApproveRefusal(why: string): ApproveRefusal {
  return { why, advice: 'reject it, and its requester can ask again for less' };
}

/**
 * {@link unservedApproveRefusal} of `request`'s plan when its cluster or registry is outside
 * `served` (ACRBOT_SUBSCRIPTION_IDS; absent or empty: not judged), as the click judges it, with
 * its way on: a subscription no longer served cannot be asked for again until an operator adds
 * it back.
 */
export function unservedApproveRefusalOf(
  request: AccessRequest,
  served: readonly string[] | undefined,
): ApproveRefusal | undefined {
  const unserved = planOutsideSubscriptions(request.plan, served);
  return (
    unserved && {
      why: unservedApproveRefusal(unserved),
      advice: 'reject it, or ask the platform team to add the subscription back',
    }
  );
}
