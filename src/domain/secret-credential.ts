/**
 * References to credentials acrbot created for pull secrets: what to delete on failure or
 * rotation. A reference names the credential, never its password.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A credential acrbot created. */
export type CredentialRef =
  | {
      kind: 'token';
      subscriptionId: string;
      resourceGroup: string;
      registry: string;
      tokenName: string;
      scopeMapName?: string;
      /**
       * When Azure made the token (ISO 8601), as ARM answered the run's create (or its read of the
       * token a resumed run found under its own record): what tells acrbot's token from one deleted
       * and made again under its name, which the name alone cannot (G15). Carried in the request's
       * outcome (`credentialRef`); absent in references written before it was kept, and when Azure
       * gave no date.
       */
      creationDate?: string;
    }
  | {
      kind: 'sp';
      /**
       * Graph object id; empty while only the `uniqueName` is recorded (Graph created the
       * application but its id could not be recorded yet): then it is found by that name.
       */
      applicationId: string;
      appId: string;
      /**
       * The object id of the application's service principal, as acrbot recorded it when it made
       * it: the principal its role assignment was made for, whose assignment is found and deleted
       * by it even once Graph no longer shows the service principal (its application deleted
       * outside acrbot). Absent in references written before it was carried, and before the
       * service principal was made: then Graph is asked for the application's service principal.
       */
      servicePrincipalId?: string;
      /** The `uniqueName` acrbot chose and recorded before creating the application. */
      uniqueName?: string;
      roleAssignment?: { scope: string; name: string; subscriptionId: string };
    };

/** Serialises a reference for the outcome and the secret's annotation. */
export function encodeCredentialRef(ref: CredentialRef): string {
  return JSON.stringify(ref);
}

/** Parses a reference; undefined if it is not one of ours. */
export function decodeCredentialRef(text: string | undefined): CredentialRef | undefined {
  if (!text) return undefined;
  try {
    const ref = JSON.parse(text) as CredentialRef;
    if (ref.kind === 'token' && typeof ref.tokenName === 'string' && typeof ref.registry === 'string') return ref;
    if (ref.kind === 'sp' && typeof ref.applicationId === 'string') return ref;
  } catch {
    // Not ours.
  }
  return undefined;
}

/**
 * Whether a token Azure dates `found` is the one acrbot recorded as made at `recorded`: the same
 * instant, compared as ISO 8601 (ARM answers the date it stored, so no tolerance). A token Azure
 * does not date, or a date that does not parse, is not shown to be acrbot's.
 */
export function sameTokenCreation(recorded: string, found: string | undefined): boolean {
  const at = (text: string | undefined) => {
    const ms = text === undefined ? NaN : Date.parse(text);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
  };
  const own = at(recorded);
  return own !== undefined && own === at(found);
}

/** ACR token name for a request (5–50 letters, digits, `-`): unique per request, so a failed run never deletes a token in use. */
export function tokenNameFor(requestId: string): string {
  return `acrbot-${requestId.toLowerCase()}`;
}

/** Scope map name for a token limited to some repositories. */
export function scopeMapNameFor(requestId: string): string {
  return `acrbot-${requestId.toLowerCase()}`;
}

/** Display name of the Entra application for the sp kind. */
export function applicationNameFor(registry: string, cluster: string, namespace: string): string {
  const suffix = createHash('sha256').update(`${registry}|${cluster}|${namespace}`).digest('hex').slice(0, 6);
  return `acrbot-pull-${registry}-${cluster}-${namespace}`.slice(0, 100 - 7) + `-${suffix}`;
}

/** The application's display name for one request: unique, so a resumed run finds its own. */
export function applicationDisplayNameFor(baseName: string, requestId: string): string {
  return `${baseName}-${requestId.toLowerCase()}`;
}

/**
 * The Graph `uniqueName` acrbot creates a request's application under (upsert, CONTRACTS §7a).
 * It carries a random part, recorded in the store before the call, so nobody can create an
 * application with that key first and have acrbot adopt it (G15).
 */
export function newApplicationUniqueName(requestId: string): string {
  return `acrbot-${requestId.toLowerCase()}-${randomBytes(8).toString('hex')}`;
}
