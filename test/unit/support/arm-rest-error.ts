/**
 * ARM failures as the runners meet them: a RestError as the SDK pipeline throws it (its request
 * carries a bearer token, its answer ARM's headers), and the CloudApiError the adapters make of it
 * with `armFailure` (arm-role-assignments.ts, arm-registry-tokens.ts).
 */
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type { CloudApiError } from '../../../src/domain/ports';
import { armFailure } from '../../../src/integrations/azure/arm-connection';

/** ARM's answer headers: `x-ms-request-id` and, when given, `x-ms-correlation-request-id`. */
export interface ArmIds {
  requestId: string;
  correlationRequestId?: string;
}

/** A RestError of ARM's `status` and `code`, with ARM's own `message`, answered with `ids`. */
export function armRestError(status: number, code: string, message: string, ids: ArmIds): RestError {
  const request = createPipelineRequest({
    url: 'https://management.azure.com/subscriptions/s/providers/x?api-version=2022-04-01',
    method: 'PUT',
    headers: createHttpHeaders({ authorization: 'Bearer test-token-not-logged' }),
  });
  const headers = createHttpHeaders({
    'x-ms-request-id': ids.requestId,
    ...(ids.correlationRequestId && { 'x-ms-correlation-request-id': ids.correlationRequestId }),
  });
  return new RestError(message, {
    code,
    statusCode: status,
    request,
    response: { request, status, headers, bodyAsText: '{}' },
  });
}

/** {@link armRestError} as an adapter throws it: a CloudApiError with the RestError as its cause. */
export function armWriteError(status: number, code: string, message: string, ids: ArmIds): CloudApiError {
  return armFailure(armRestError(status, code, message, ids), 'write') as CloudApiError;
}
