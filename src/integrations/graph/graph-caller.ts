/**
 * acrbot's own service principal object id, as Entra states it in the app-only access token it
 * issues acrbot for Graph: the `oid` claim of a client-credentials (or managed identity) token is
 * the object id of the calling service principal, the id Graph lists as the owner of every
 * application acrbot creates with `Application.ReadWrite.OwnedBy`. Read from acrbot's own token
 * (never from a request), so the signature is not checked: the token came straight from Entra.
 *
 * No Graph call and no permission: looking its own service principal up by app id would need
 * `Application.Read.All` (acrbot does not own itself), and a managed identity's client id is not
 * always configured (a system-assigned identity).
 */
import type { TokenCredential } from '@azure/core-auth';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller's object id from a JWT access token: its `oid`, lowercase, when the token is an
 * app-only one (no `scp`: a delegated token's `oid` is a person's) and the `oid` is a GUID.
 * Undefined for anything else (an opaque token, as the sandbox's are).
 */
export function appTokenObjectId(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const { oid, scp } = claims as { oid?: unknown; scp?: unknown };
  if (scp !== undefined) return undefined;
  return typeof oid === 'string' && GUID.test(oid) ? oid.toLowerCase() : undefined;
}

/**
 * acrbot's service principal object id from the token `credential` gets for Graph at `endpoint`
 * (the scope the Graph client asks for). Throws when the token does not say it: a check that
 * cannot tell acrbot's own owner from anyone's must not pass.
 */
export async function callerObjectId(credential: TokenCredential, endpoint: string): Promise<string> {
  const token = await credential.getToken(`${new URL(endpoint).origin}/.default`);
  const oid = token ? appTokenObjectId(token.token) : undefined;
  if (!oid)
    throw new Error(
      "acrbot's Graph access token names no service principal object id (no app-only 'oid' claim); acrbot cannot tell its own applications from others'",
    );
  return oid;
}
