/**
 * Turns a fired fault rule into the ARM error it stands for. Without an explicit `code` or
 * `message`, the status picks ARM's usual code and well-known codes get the real service's text
 * (a `PrincipalNotFound` fault names the principal from the request body), so injected faults
 * look exactly like real ones.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http-util';
import type { FiredFault } from './faults';
import { parseScope } from './arm-ids';
import { authorizationFailed, principalNotFound, roleAssignmentExists, subscriptionThrottled } from './arm-errors';

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  403: 'AuthorizationFailed',
  404: 'ResourceNotFound',
  409: 'Conflict',
  429: 'SubscriptionRequestsThrottled',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/** What the fault needs to know about the failed call. */
export interface ArmFaultContext {
  operation: string;
  method: string;
  path: string;
  body: unknown;
  tenantId: string;
  callerObjectId: string;
  action: string | undefined;
}

/** The error a fault answers with (status from the rule, headers included). */
export function armFaultError(fault: FiredFault, ctx: ArmFaultContext): HttpError {
  const status = fault.status ?? 500;
  const code = fault.rule.code ?? DEFAULT_CODES[status] ?? 'InjectedFault';
  const message = fault.rule.message ?? defaultMessage(code, status, ctx, fault.headers);
  return new HttpError(status, code, message, fault.headers);
}

function defaultMessage(code: string, status: number, ctx: ArmFaultContext, headers: Record<string, string>): string {
  switch (code) {
    case 'PrincipalNotFound': {
      const principalId = (ctx.body as { properties?: { principalId?: unknown } } | undefined)?.properties?.principalId;
      return principalNotFound(typeof principalId === 'string' ? principalId : randomUUID(), ctx.tenantId).message;
    }
    case 'RoleAssignmentExists':
      return roleAssignmentExists(randomUUID()).message;
    case 'AuthorizationFailed':
      return authorizationFailed(ctx.callerObjectId, ctx.action ?? `${ctx.operation}`, ctx.path).message;
    case 'SubscriptionRequestsThrottled': {
      const retry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
      return subscriptionThrottled(
        parseScope(ctx.path).subscriptionId ?? '',
        ctx.method,
        ctx.path,
        Number(retry ?? 1) || 1,
      ).message;
    }
    default:
      return `Injected ${status} fault for operation '${ctx.operation}'.`;
  }
}
