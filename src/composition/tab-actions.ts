/**
 * The tab's Revoke: the same flow as chat's `revoke` confirm click (`AccessLifecycle.revokeSoon`:
 * audited, run under the `access.expire` job's lease, every card copy updated, the requester
 * told), under the same rule as `LifecycleHandler.mayRevoke`: only active access, by its
 * requester or an approver.
 *
 * Extend is not offered by the tab yet: chat's extend creates a new request and announces it
 * through the bot's turn (`RequestHandler.announce` needs the Teams conversation of the turn to
 * post the approval card), which the tab does not have. The tab hides the button (capability
 * `actions.extend` is false) and says "Extend in chat" instead.
 */
import { UserFacingError } from '../domain/errors';
import { singleLine } from '../domain/text';
import type { TabActions } from '../tab/tab-api';
import type { Flows } from './flows';

/** The actions the tab may call. */
export function tabActions(flows: Pick<Flows, 'requests' | 'lifecycle'>): TabActions {
  return {
    async revoke({ requestId, actor, reason }) {
      const request = await flows.requests.get(requestId);
      if (request.state !== 'succeeded')
        throw new UserFacingError(
          'revoke.notActive',
          `Request ${request.id} has no active access to revoke (it is ${request.state}).`,
        );
      const own = request.requester.objectId.toLowerCase() === actor.objectId.toLowerCase();
      if (!own && !(await flows.requests.isApproverOf(actor, request)))
        throw new UserFacingError(
          'revoke.notAllowed',
          `Only the requester of ${request.id} or an approver may revoke it; nothing was changed.`,
        );
      await flows.lifecycle.revokeSoon(request, actor, singleLine(reason).slice(0, 500) || undefined);
      const after = await flows.requests.get(request.id);
      return {
        message:
          after.state === 'revoked'
            ? `Revoked ${request.id}: acrbot deleted what it created; the request cards in chat say "Revoked" and the requester is told.`
            : `Revoking ${request.id}: it did not finish at once and is retried; the request cards in chat change to "Revoked" when it is done.`,
      };
    },
  };
}
