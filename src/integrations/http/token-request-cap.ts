/**
 * The Retry-After cap of capped-retry.ts for acrbot's own token requests (Microsoft Entra ID, the
 * managed identity endpoint). `@azure/identity` sends them on its own pipeline, whose retry
 * policy waits out whatever `Retry-After` a throttled 429 or 503 names, three to five times over:
 * a throttled identity endpoint asking for an hour would hold every flow waiting on a token for
 * hours. The credential offers no hook inside that retry: `additionalPolicies` are dropped by
 * ManagedIdentityCredential (it sets its own), and an error thrown below MSAL reaches the caller
 * only as MSAL's bare `network_error`, the reason lost. Only its HTTP client is acrbot's, so the
 * cap sits there.
 */
import type { HttpClient, PipelineResponse } from '@azure/core-rest-pipeline';
import { RETRY_AFTER_MAX_WAIT_MS, retryAfterMs } from './capped-retry';

/** The statuses whose wait the SDK's retry policy honours. */
const THROTTLED = new Set([429, 503]);

/** The headers the SDK's retry policy reads a wait from. */
const WAIT_HEADERS = ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'];

/**
 * `inner`, except that a throttled answer asking for a longer wait than `maxWaitMs` reaches the
 * credential without its wait headers. Then the SDK's retry policy does not sit it out: a 429 is
 * not retried at all, and the credential fails at once with the identity endpoint's own error
 * (its AADSTS code and trace id); a 503 is retried on the SDK's bounded backoff, as one that
 * names no wait. A wait within the cap is left as it is, and waited out as before.
 */
export function tokenRequestHttpClient(inner: HttpClient, maxWaitMs = RETRY_AFTER_MAX_WAIT_MS): HttpClient {
  return {
    async sendRequest(request): Promise<PipelineResponse> {
      const response = await inner.sendRequest(request);
      if (!THROTTLED.has(response.status)) return response;
      const asked = retryAfterMs(response);
      if (asked === undefined || asked <= maxWaitMs) return response;
      for (const header of WAIT_HEADERS) response.headers.delete(header);
      return response;
    },
  };
}
