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
import { readSettingValue } from '../../config/setting-value';
import { sharedHttpClient } from './pooled-http-client';
import { tokenRequestHttpClient } from './token-request-cap';

let shared: TokenCredential | undefined;

/**
 * The identity variables `DefaultAzureCredential` reads from `process.env` itself (when it is
 * built and at each token request) that name who it signs in as and where: the ones acrbot
 * documents (AZURE_CLIENT_ID, AZURE_AUTHORITY_HOST) and the ones workload identity sets beside
 * them. Secrets (AZURE_CLIENT_SECRET, AZURE_PASSWORD …) are not acrbot's to rewrite.
 */
export const AZURE_IDENTITY_VARIABLES = [
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_AUTHORITY_HOST',
  'AZURE_FEDERATED_TOKEN_FILE',
] as const;

/**
 * Rewrites the identity variables in `env` as acrbot reads them (readSettingValue), for the SDK:
 * trimmed, and deleted when blank. loadConfig checks AZURE_CLIENT_ID trimmed, so `"<guid>\r"`
 * (`az … -o tsv` on Windows) passed the start check, and the SDK then sent it as it was with
 * every token request, each one refused; a blank one, unset to acrbot, was a client id to the
 * SDK. A quoted value is left as it is: loadConfig refuses the start on it.
 */
export function normaliseAzureIdentityEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of AZURE_IDENTITY_VARIABLES) {
    if (!(name in env)) continue;
    const { value, quotedProblem } = readSettingValue(name, env[name]);
    if (quotedProblem) continue;
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
}

/** The process's one `DefaultAzureCredential`, built on first use (azure mode and identity-based storage only). */
export function sharedAzureCredential(): TokenCredential {
  if (!shared) {
    // Before the SDK reads them: it takes process.env as it finds it.
    normaliseAzureIdentityEnvironment();
    // Loaded here: the sandbox and key-based storage never need @azure/identity for this.
    const identity = require('@azure/identity') as typeof IdentityModule;
    // Capped like every ARM and Graph call: a throttled token endpoint's long Retry-After fails
    // the token request at once instead of stalling every flow behind it (token-request-cap.ts).
    shared = new identity.DefaultAzureCredential({ httpClient: tokenRequestHttpClient(sharedHttpClient()) });
  }
  return shared;
}
