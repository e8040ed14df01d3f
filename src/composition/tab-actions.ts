/**
 * The tab's Extend and Revoke: the same flows as chat (`AccessActions`), under the same rules.
 *
 * - Revoke: `AccessActions.revoke` (the one revoke rule and reason check, then `AccessLifecycle.revokeSoon`:
 *   audited, run under the `access.expire` job's lease, every card copy updated, the requester
 *   told).
 * - Extend: `AccessActions.extendOutsideTurn` (the one extend rule, the extension request made
 *   exactly like chat's, then announced by the chat layer without a turn: the requester's copy
 *   where their original card is, the approval card in the approvals channel). An approver
 *   decides in chat as for any request; the original's end moves when the extension succeeds.
 *
 * - Revoke's preview: `AccessActions.mayRevoke` (the same rule, refusing and auditing as the revoke
 *   would) and `AccessLifecycle.preview`, chat's `revoke R-…` card in text with its fingerprint
 *   (tab/revoke-preview.ts), which the tab's confirm must match. Offered where the flows' lifecycle
 *   is given (the app's always is).
 *
 * `changed` is told after either, so this instance's cached matrix is rebuilt at the next load.
 *
 * - Limit refusals: an Extend the per-user limits refuse (G16; the tab answers 429) is audited by
 *   chat's rule (`auditLimitRefusal`, flows/limit-audit.ts): the first per user, limit and window,
 *   in the same window as chat's, the rest logged. Offered where the flows have their gate (the
 *   app's always do).
 *
 * - Another tenant's request (the tab answers 404, as for an id that does not exist) is audited
 *   by chat's rule (`refusedOutsideTenant`, flows/tenant-refusal.ts), in the same window.
 *
 * - Reviews owed: `RequestService.awaitingReview`, the break-glass grants chat's `pending` lists
 *   first, for My access's "Waiting for your approval": every tenant's and rule's (up to its
 *   bound), which the tab narrows to the caller's tenant and `isApproverOf` (per rule).
 */
import { auditLimitRefusal } from '../flows/limit-audit';
import { refusedOutsideTenant } from '../flows/tenant-refusal';
import { currentCorrelationId } from '../observability/correlation';
import { tabRevokePreview } from '../tab/revoke-preview';
import type { TabActions } from '../tab/tab-api';
import type { Flows } from './flows';

/** The actions the tab may call. */
export function tabActions(
  flows: Pick<Flows, 'actions' | 'requests'> & Partial<Pick<Flows, 'gate' | 'lifecycle'>>,
  changed: () => void = () => {},
): TabActions {
  const { gate, lifecycle } = flows;
  return {
    ...(lifecycle && {
      async revokePreview({ request, actor, tenantId }) {
        // What the revoke ends (an extension's original), refused as the revoke would refuse it.
        const target = await flows.actions.mayRevoke({ actor, tenantId }, request);
        return tabRevokePreview(request, target, await lifecycle.preview(target));
      },
    }),
    ...(gate && {
      limitRefused: ({ code, detail, ...identity }, log) =>
        auditLimitRefusal({ requests: flows.requests, gate, log }, identity, code, detail),
      tenantRefused: async ({ acting, asked, request }, log) =>
        void (await refusedOutsideTenant({ requests: flows.requests, gate, log }, acting, asked, request)),
    }),
    async revoke({ requestId, actor, tenantId, reason }) {
      // Passed as typed: AccessActions.revoke checks and normalises it (truncating here would
      // turn a too-long reason into a silently cut one instead of a clear refusal).
      const after = await flows.actions.revoke({ actor, tenantId }, requestId, reason);
      changed();
      // An extension's revoke ends the access it extends (AccessActions): named so.
      const which =
        after.id.toUpperCase() === requestId.toUpperCase()
          ? after.id
          : `${after.id} (which ${requestId.toUpperCase()} extends)`;
      return {
        message:
          after.state === 'revoked'
            ? `Revoked ${which}: acrbot deleted what it created; the request cards in chat say "Revoked" and the requester is told.`
            : `Revoking ${which}: it did not finish at once and is retried; the request cards in chat change to "Revoked" when it is done.`,
      };
    },
    canExtend: (actor, request) => flows.actions.canExtend(actor, request),
    extendRange: (request) => flows.actions.extendRange(request),
    revocable: (acting, requests) => flows.actions.revocable(acting, requests),
    reviewsOwed: () => flows.requests.awaitingReview(),
    async extend({ requestId, actor, tenantId, duration, reason }) {
      const { extension, approversNotified } = await flows.actions.extendOutsideTurn({
        actor,
        tenantId,
        originalId: requestId,
        duration,
        reason,
      });
      changed();
      const next =
        extension.state === 'approved'
          ? 'The approval policy approved it at once; the new end applies in a moment.'
          : approversNotified
            ? 'An approver decides in the approvals channel in chat; the new end applies once it is approved.'
            : // In chat's words (request-handler.ts): the reference ties what the requester
              // quotes to the log line of the failed post (this call runs under it).
              `The approval card could not be posted, so approvers are not notified automatically: they can find request ${extension.id} with "@acrbot pending". Reference for the platform team: ${currentCorrelationId() ?? extension.id}.`;
      return { message: `Extension ${extension.id} of ${requestId} asked for. ${next}`, requestId: extension.id };
    },
  };
}
