/**
 * ARM's `x-ms-correlation-request-id` (what operators search the Activity Log by) is kept on the
 * CloudApiError an ARM failure becomes, next to `x-ms-request-id`, and reaches the log line;
 * nothing else of the answer or the request (the bearer token) does. A real RestError as the
 * SDK pipeline throws it, with its response.
 */
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { CloudApiError } from '../../src/domain/ports';
import { armFailure } from '../../src/integrations/azure/arm-connection';
import { serializeError } from '../../src/observability/logger';

const REQUEST_ID = '4f1c2d3e-0000-4000-8000-00000000a001';
const CORRELATION_ID = '7a8b9c0d-0000-4000-8000-00000000c002';
const BEARER = 'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.sentinel-token-body.signature';

/** A 409 from ARM as the SDK's pipeline throws it: the request carries the bearer token. */
function armRestError(headers: Record<string, string>): RestError {
  const request = createPipelineRequest({
    url: 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/tokens/t?api-version=2025-11-01',
    method: 'PUT',
    headers: createHttpHeaders({ authorization: BEARER }),
  });
  return new RestError('The operation conflicts with another one in progress.', {
    code: 'Conflict',
    statusCode: 409,
    request,
    response: { request, status: 409, headers: createHttpHeaders(headers), bodyAsText: '{}' },
  });
}

describe('an ARM failure keeps its correlation id', () => {
  it('on the CloudApiError, apart from the request id', () => {
    const err = armFailure(
      armRestError({ 'x-ms-request-id': REQUEST_ID, 'x-ms-correlation-request-id': CORRELATION_ID }),
      'token create',
    );
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({
      code: 'Conflict',
      statusCode: 409,
      requestId: REQUEST_ID,
      correlationRequestId: CORRELATION_ID,
    });
  });

  it('in the log line, without the bearer token or the answer headers', () => {
    const err = armFailure(
      armRestError({
        'x-ms-request-id': REQUEST_ID,
        'x-ms-correlation-request-id': CORRELATION_ID,
        'set-cookie': 'x-ms-gateway-slice=secret-cookie',
      }),
      'token create',
    );
    const line = serializeError(err) as Record<string, unknown>;
    expect(line).toMatchObject({ requestId: REQUEST_ID, correlationRequestId: CORRELATION_ID });
    const text = JSON.stringify(line);
    expect(text).not.toContain('sentinel-token-body');
    expect(text).not.toContain('secret-cookie');
  });

  it('none when ARM sent none (a lost connection, or an answer without the header)', () => {
    const err = armFailure(armRestError({ 'x-ms-request-id': REQUEST_ID }), 'token create');
    expect(err).toMatchObject({ requestId: REQUEST_ID, correlationRequestId: undefined });
    const lost = armFailure(new RestError('socket hang up', { code: 'ECONNRESET' }), 'token create');
    expect(lost).toMatchObject({ code: 'ECONNRESET', requestId: undefined, correlationRequestId: undefined });
  });
});
