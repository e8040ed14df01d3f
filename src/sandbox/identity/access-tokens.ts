/**
 * The sandbox's Entra ID access tokens for the bot's own identity (client credentials), one per
 * audience, as Entra issues them: a token is good for the one resource it was requested for, and
 * each emulated service accepts only its own audience (CONTRACTS §1.2 for AKS).
 *
 * Tokens are opaque strings, `sandbox-token-acrbot;aud=<audience>`, not signed JWTs: the
 * emulators never check signatures, and an opaque token needs no key, so the bot's sandbox
 * credential mints the same tokens whether the emulators run in-process or elsewhere
 * (`ACRBOT_ARM_ENDPOINT`). The bot must treat them as opaque, as it must real ones.
 *
 * Audiences, as the real services check them:
 * - ARM: `https://management.azure.com` and `https://management.core.windows.net` (each with or
 *   without the trailing slash), and the emulator's own origin (the SDKs ask for
 *   `<endpoint>/.default`, as they do against a sovereign cloud's ARM);
 * - Graph: `https://graph.microsoft.com`, its app id `00000003-0000-0000-c000-000000000000`, and
 *   the emulator's own origin;
 * - an Entra-enabled AKS API server: only the AKS server app `6dae42f8-…`; a cluster with local
 *   accounts only accepts its static kubeconfig token and no Entra token at all.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { SANDBOX_BEARER_TOKEN } from '../fixtures';

/** AKS Entra ID server app: the audience of tokens an Entra-enabled API server accepts. */
export const AKS_AAD_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** Microsoft Graph's app id, an accepted audience of Graph tokens. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** ARM's resource URI, the audience of a token for `https://management.azure.com/.default`. */
export const ARM_AUDIENCE = 'https://management.azure.com';

/** Graph's resource URI, the audience of a token for `https://graph.microsoft.com/.default`. */
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

/** The audiences the real services accept (each emulator adds its own origin). */
export const SERVICE_AUDIENCES = {
  arm: [
    'https://management.core.windows.net/',
    'https://management.core.windows.net',
    `${ARM_AUDIENCE}/`,
    ARM_AUDIENCE,
  ],
  graph: [GRAPH_AUDIENCE, `${GRAPH_AUDIENCE}/`, GRAPH_APP_ID],
  aks: [AKS_AAD_SERVER_APP_ID],
} as const;

const MARK = `${SANDBOX_BEARER_TOKEN};aud=`;

/** The sandbox access token for `audience` (e.g. `https://management.azure.com`). */
export function sandboxAccessToken(audience: string): string {
  return `${MARK}${audience}`;
}

/** The audience a sandbox access token was issued for; undefined for anything else (malformed). */
export function sandboxTokenAudience(token: string): string | undefined {
  return token.startsWith(MARK) && token.length > MARK.length ? token.slice(MARK.length) : undefined;
}

/** The audience of the sandbox token an `Authorization: Bearer …` header carries; undefined for anything else. */
export function bearerAudience(header: string): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? sandboxTokenAudience(m[1]!) : undefined;
}

/** True when `audience` is one of `accepted` (case-insensitive, as Entra compares resource URIs). */
export function audienceAccepted(audience: string, accepted: readonly string[]): boolean {
  const a = audience.toLowerCase();
  return accepted.some((x) => x.toLowerCase() === a);
}

/**
 * The resource of Entra v2.0 scopes: `<resource>/.default` or `<resource>/<permission>`. Throws
 * Entra's errors for no scope or scopes of several resources (AADSTS28000).
 */
export function resourceOfScopes(scopes: string | string[]): string {
  const list = (Array.isArray(scopes) ? scopes : [scopes]).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new Error('AADSTS900144: The request body must contain the following parameter: scope.');
  const resources = new Set(
    list.map((s) => {
      if (s.endsWith('/.default')) return s.slice(0, -'/.default'.length);
      const slash = s.lastIndexOf('/');
      if (slash <= 0 || /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i.test(s)) return s;
      return s.slice(0, slash);
    }),
  );
  if (resources.size > 1)
    throw new Error(
      'AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.',
    );
  return [...resources][0]!;
}

/**
 * The bot's credential in sandbox mode: a token for the resource of the requested scope, as an
 * Entra client-credentials grant would give. What scope the bot asks for therefore matters, as it
 * does in Azure.
 */
export const sandboxCredential: TokenCredential = {
  getToken: async (scopes): Promise<AccessToken> => ({
    token: sandboxAccessToken(resourceOfScopes(scopes)),
    expiresOnTimestamp: Date.now() + 3600_000,
    tokenType: 'Bearer',
  }),
};
