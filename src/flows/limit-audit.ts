/**
 * A per-user limit's refusal (G16: the rate of requests, the pending cap, the read commands) is
 * audited (G11 "every refusal"), once per user per limit window: the first refusal of its kind
 * in the window writes an entry, the rest are counted in the log only. Someone held at a limit
 * who keeps trying, a script thousands of times, would otherwise grow the audit trail without
 * bound (every entry is kept, hash-chained and listed by `audit`), the very flood the limit is
 * there to stop; one entry per window still says who hit which limit and when. A redelivered
 * Teams message is not audited: its first delivery was handled, and audited as what it was.
 *
 * One rule for every door a limit is met at: chat's commands and cards (bot/acr-bot.ts,
 * bot/handlers/request-handler.ts and lifecycle-handler.ts) and the tab's Extend
 * (composition/tab-actions.ts), so a refusal is audited alike wherever it was
 * asked, and the window is shared (a refusal in chat and one in the tab make one entry).
 *
 * A read of one request by its id refused to someone who may not see it ({@link
 * auditRequestReadRefusal}) follows the same rule, per person, request and command: those reads
 * are outside the read limit, and each entry would land on someone else's request's trail.
 */
import type { AccessRequest, Actor } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { GateRefusal, RequestGate } from './request-gate';
import type { RequestService } from './request-service';

/** The audit action of each limit, after `request.refused.paused` and RequestService's `request.refused.pending`. */
const ACTIONS: Record<GateRefusal['code'], string | undefined> = {
  'limits.rate': 'request.refused.rate',
  'limits.pending': 'request.refused.pending',
  'limits.duplicate': 'request.refused.duplicate',
  'limits.reads': 'read.refused.rate',
  'limits.redelivered': undefined,
};

/** Whether `code` is one of the gate's (RequestGate) refusals. */
export function isGateRefusalCode(code: string): code is GateRefusal['code'] {
  return Object.hasOwn(ACTIONS, code);
}

/** What a limit refusal's audit needs: where it is written, who was first in the window, the log. */
export interface LimitAuditServices {
  requests: Pick<RequestService, 'recordRefusal'>;
  gate: Pick<RequestGate, 'firstRefusalInWindow'>;
  log: Logger;
}

/**
 * Audits `refusal` of `identity` when it is the first of its kind in its window (outcome
 * `refused`, detail `detail`: what was asked, never a secret); otherwise logs it. Like every
 * refusal it stands whether or not the entry could be written (RequestService.recordRefusal);
 * when the store cannot say whether it is the first, it is audited (one entry too many rather
 * than none).
 */
export async function auditLimitRefusal(
  services: LimitAuditServices,
  identity: { actor: Actor; tenantId: string },
  code: GateRefusal['code'],
  detail: string,
): Promise<void> {
  const action = ACTIONS[code];
  const logged = { code, actor: identity.actor.objectId, detail };
  if (!action) {
    services.log.info(logged, 'refused by the per-user limits');
    return;
  }
  const first = await firstOrUnknown(
    () => services.gate.firstRefusalInWindow(identity.actor, code),
    services.log,
    { code },
    'a limit refusal',
  );
  if (!first) {
    services.log.info({ ...logged, audited: false }, 'refused by the per-user limits');
    return;
  }
  services.log.info({ ...logged, audited: true }, 'refused by the per-user limits');
  await services.requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action,
    outcome: 'refused',
    detail,
  });
}

/** What a refused read of one request needs: where it is written, who was first in the window, the log. */
export interface RequestReadRefusalServices {
  requests: Pick<RequestService, 'recordRefusal'>;
  gate: Pick<RequestGate, 'firstRequestReadRefusalInWindow'>;
  log: Logger;
}

/**
 * Audits a read of `request` by its id refused to `identity` (`action` such as `status.refused`,
 * outcome `code`, the request and its targets) when it is their first of that request and action
 * in the window (RequestGate.firstRequestReadRefusalInWindow); otherwise logs it. The refusal is
 * answered every time all the same; as {@link auditLimitRefusal}, when the store cannot say
 * whether it is the first, it is audited.
 */
export async function auditRequestReadRefusal(
  services: RequestReadRefusalServices,
  identity: { actor: Actor; tenantId: string },
  action: string,
  code: string,
  request: AccessRequest,
): Promise<void> {
  const logged = { action, code, actor: identity.actor.objectId, requestId: request.id };
  const first = await firstOrUnknown(
    () => services.gate.firstRequestReadRefusalInWindow(identity.actor, action, request.id),
    services.log,
    { action },
    'a refused read',
  );
  services.log.info({ ...logged, audited: first }, 'read of a request refused');
  if (!first) return;
  await services.requests.recordRefusal({
    actor: identity.actor,
    tenantId: identity.tenantId,
    action,
    outcome: code,
    requestId: request.id,
    targetIds: [request.plan.cluster.id, request.plan.registry.id],
  });
}

/**
 * Whether a refusal is the first in its window, by `read`; true when the store cannot say (one
 * entry too many rather than none), the failure logged with `context`.
 */
export async function firstOrUnknown(
  read: () => Promise<boolean>,
  log: Logger,
  context: Record<string, unknown>,
  what: string,
): Promise<boolean> {
  try {
    return await read();
  } catch (err) {
    log.error({ err, ...context }, `whether ${what} was the first in its window could not be read`);
    return true;
  }
}
