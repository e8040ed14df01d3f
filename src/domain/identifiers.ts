/** Deterministic and random identifiers. */
import { randomBytes } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/** Namespace for acrbot's UUIDv5 names (fixed forever: changing it would break idempotency). */
export const ACRBOT_UUID_NAMESPACE = '8d5e2a52-6a6c-4c0e-9d59-0b1f3c1a7e21';

/**
 * The role assignment name: UUIDv5 of `scope|principal|role`, lowercased, so the same grant
 * always PUTs the same resource and a retry can never create a duplicate.
 */
export function roleAssignmentName(scope: string, principalId: string, roleDefinitionGuid: string): string {
  return uuidv5(`${scope}|${principalId}|${roleDefinitionGuid}`.toLowerCase(), ACRBOT_UUID_NAMESPACE);
}

/** The characters of a request id after `R-`: no 0, 1, I, L, O or U, which read alike. */
export const REQUEST_ID_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALPHABET = REQUEST_ID_ALPHABET;

/** A short, unambiguous request id users can type: `R-` and 8 characters. */
export function newRequestId(): string {
  const bytes = randomBytes(8);
  let id = 'R-';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}

/** A GUID in any case: Entra object ids, tenant ids, app ids, subscription ids. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when text has the shape of a GUID. */
export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** True when text has the shape of a request id. */
export function isRequestId(text: string): boolean {
  return /^R-[2-9A-HJKMNP-TV-Z]{8}$/i.test(text);
}

/**
 * A request id as a Kubernetes label value (at most 63 letters, digits, `-`, `_`, `.`), for
 * the `acrbot.io/request-id` label; the annotation keeps the id itself.
 */
export function requestIdLabelValue(requestId: string): string {
  return requestId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
}
