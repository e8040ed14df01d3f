/**
 * The process's one `DefaultAzureCredential` (managed identity, workload identity, environment
 * or developer sign-in), shared by ARM and Graph (azure-access.ts), the Azure Tables stores and
 * the audit anchor blobs. One credential is one token cache: each audience's token is asked for
 * once per process, not once per user of it.
 *
 * Its token requests (Entra, the managed identity endpoint) go over the process's pooled HTTP
 * client (pooled-http-client.ts): through the outbound proxy when one applies (NO_PROXY
 * included), with the same bounded waits as every other Azure call. The SDK's own Node client
 * would take the proxy too but wait for an answer without end. A throttled answer's wait is
 * honoured only up to the cap every ARM and Graph call has (token-request-cap.ts).
 */
import type { TokenCredential } from '@azure/core-auth';
import type * as IdentityModule from '@azure/identity';
import { sharedHttpClient } from './pooled-http-client';
import { tokenRequestHttpClient } from './token-request-cap';

let shared: TokenCredential | undefined;

/** The process's one `DefaultAzureCredential`, built on first use (azure mode and identity-based storage only). */
export function sharedAzureCredential(): TokenCredential {
  if (!shared) {
    // Loaded here: the sandbox and key-based storage never need @azure/identity for this.
    const identity = require('@azure/identity') as typeof IdentityModule;
    // Capped like every ARM and Graph call: a throttled token endpoint's long Retry-After fails
    // the token request at once instead of stalling every flow behind it (token-request-cap.ts).
    shared = new identity.DefaultAzureCredential({ httpClient: tokenRequestHttpClient(sharedHttpClient()) });
  }
  return shared;
}
