/**
 * Another tenant's request asked about by its id (tenant-boundary.ts): answered "not found",
 * word for word as an id that does not exist (`requestNotFound`), and audited so a probe across
 * the boundary leaves a trace (G11 "every refusal"). One helper for every door such an id comes
 * through: chat's commands and card clicks (bot/handlers), the tab's request actions
 * (composition/tab-actions.ts) and the revoke and extend rules themselves (access-actions.ts).
 *
 * Audited as `request.refused.tenant` (outcome `refused`, in the asking user's tenant as
 * `approval.refused.tenant` is, detail naming both tenants and what was asked), once per person,
 * ask and request per window (RequestGate.firstTenantRefusalInWindow), the rest logged only, as a
 * refused read by id is (limit-audit.ts `auditRequestReadRefusal`): anyone of an allowed tenant
 * could otherwise write one hash-chained entry per message onto another tenant's request.
 */
import type { UserFacingError } from '../domain/errors';
import type { AccessRequest, ActingContext } from '../domain/request';
import { ofTenant } from '../domain/tenant-boundary';
import type { Logger } from '../observability/logger';
import { firstOrUnknown } from './limit-audit';
import type { RequestGate } from './request-gate';
import { requestNotFound } from './request-reads';
import type { RequestService } from './request-service';
import { targetsOf } from './request-audit';

/** The audit action of a request answered "not found" because it is another tenant's. */
export const TENANT_REFUSAL_ACTION = 'request.refused.tenant';

/** What was asked of the request: the command, click or tab action, as the entry and log name it. */
export type TenantAsk =
  'status' | 'pending' | 'audit' | 'revoke' | 'extend' | 'cancel' | 'withdraw' | 'refresh' | 'history';

/** Where such a refusal is written, who was first in the window, the log. */
export interface TenantRefusalServices {
  requests: Pick<RequestService, 'recordRefusal'>;
  gate: Pick<RequestGate, 'firstTenantRefusalInWindow'>;
  log: Logger;
}

/**
 * The "not found" answer for `request`, another tenant's than `acting`'s, asked by `typedId` (as
 * typed; the request's own id when absent), after auditing it when it is this person's first
 * such refusal of that request and ask in the window, else logging it. Like every refusal it
 * stands whether or not the entry could be written (RequestService.recordRefusal); when the
 * store cannot say whether it is the first, it is audited (one entry too many rather than none).
 */
export async function refusedOutsideTenant(
  services: TenantRefusalServices,
  acting: ActingContext,
  asked: TenantAsk,
  request: AccessRequest,
  typedId: string = request.id,
): Promise<UserFacingError> {
  const first = await firstOrUnknown(
    () => services.gate.firstTenantRefusalInWindow(acting.actor, asked, request.id),
    services.log,
    { asked },
    "a refusal of another tenant's request",
  );
  services.log.info(
    { asked, actor: acting.actor.objectId, requestId: request.id, audited: first },
    "another tenant's request answered as not found",
  );
  if (first)
    await services.requests.recordRefusal({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: TENANT_REFUSAL_ACTION,
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: `${asked} of a request of tenant ${request.tenantId}, asked by a user of tenant ${acting.tenantId}`,
    });
  return requestNotFound(typedId);
}

/**
 * Reads request `id` for `acting` to `asked` of it: another tenant's is refused as
 * {@link refusedOutsideTenant} refuses it; one that is not there is "not found" as before.
 */
export async function readInTenant(
  services: TenantRefusalServices & { requests: Pick<RequestService, 'get' | 'recordRefusal'> },
  acting: ActingContext,
  asked: TenantAsk,
  id: string,
): Promise<AccessRequest> {
  const request = await services.requests.get(id);
  if (!ofTenant(request, acting.tenantId)) throw await refusedOutsideTenant(services, acting, asked, request, id);
  return request;
}
