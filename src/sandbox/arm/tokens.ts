/**
 * ACR repository-scoped tokens and their passwords (CONTRACTS §2.3).
 *
 * A password value exists exactly once: in the `generateCredentials` answer. The emulator keeps
 * only that a password exists, its dates, and a salted hash so tests can check that a Kubernetes
 * secret holds a valid password ({@link verifyTokenPassword}) without the value being stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http-util';
import type { ProvisioningState } from './long-running-writes';

/** Metadata of one token password. */
export interface TokenPasswordRecord {
  name: 'password1' | 'password2';
  creationTime: string;
  expiry?: string;
  salt: Buffer;
  hash: Buffer;
}

/** Stored token. */
export interface TokenRecord {
  id: string;
  name: string;
  scopeMapId: string;
  status: 'enabled' | 'disabled';
  /** When it was made, by the emulator's clock (`ArmState.clock`); a re-PUT keeps it, as ACR does. */
  creationDate: string;
  passwords: TokenPasswordRecord[];
  /** `Creating` while a held create runs (long-running-writes.ts); absent means `Succeeded`. */
  provisioningState?: ProvisioningState;
}

/** The token as GET returns it: password names and dates, never values. */
export function tokenToWire(t: TokenRecord): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    type: 'Microsoft.ContainerRegistry/registries/tokens',
    properties: {
      creationDate: t.creationDate,
      scopeMapId: t.scopeMapId,
      provisioningState: t.provisioningState ?? 'Succeeded',
      status: t.status,
      credentials: {
        certificates: [],
        passwords: t.passwords.map((p) => ({
          creationTime: p.creationTime,
          ...(p.expiry ? { expiry: p.expiry } : {}),
          name: p.name,
        })),
      },
    },
  };
}

/** Token name rule: 5–50 of letters, digits and `-` (CONTRACTS §2.2). */
export function assertTokenName(name: string): void {
  if (!/^[a-zA-Z0-9-]{5,50}$/.test(name)) {
    throw new HttpError(
      400,
      'InvalidResourceName',
      `The token name '${name}' is invalid. It must be 5 to 50 characters long and contain only letters, digits and '-'.`,
    );
  }
}

/** Parses a token PUT/PATCH body. */
export function parseTokenBody(
  body: unknown,
  requireScopeMap: boolean,
): { scopeMapId?: string; status?: 'enabled' | 'disabled' } {
  const props = (body as { properties?: { scopeMapId?: unknown; status?: unknown } } | undefined)?.properties;
  const scopeMapId = props?.scopeMapId;
  if (requireScopeMap && (typeof scopeMapId !== 'string' || scopeMapId === '')) {
    throw new HttpError(
      400,
      'InvalidRequestContent',
      "The request content was invalid: 'properties.scopeMapId' is required.",
    );
  }
  const status = props?.status;
  if (status !== undefined && status !== 'enabled' && status !== 'disabled') {
    throw new HttpError(
      400,
      'InvalidRequestContent',
      "The request content was invalid: 'properties.status' must be 'enabled' or 'disabled'.",
    );
  }
  return { ...(typeof scopeMapId === 'string' ? { scopeMapId } : {}), ...(status ? { status } : {}) };
}

/** A new password value and the record that remembers it without storing it. */
export function newTokenPassword(
  name: 'password1' | 'password2',
  expiry: string | undefined,
): { value: string; record: TokenPasswordRecord } {
  // ACR passwords are 32 random bytes, base64-encoded (44 chars, may contain + / =).
  const value = randomBytes(32).toString('base64');
  const salt = randomBytes(16);
  return {
    value,
    record: {
      name,
      creationTime: new Date().toISOString(),
      ...(expiry ? { expiry } : {}),
      salt,
      hash: hashPassword(value, salt),
    },
  };
}

/**
 * True when `value` would sign in to the registry as this token: one of its unexpired passwords,
 * on a token that is `enabled`. ACR refuses every password of a disabled token (that is what
 * disabling is for), so a token left or made `disabled` must not pass for a working credential.
 */
export function verifyTokenPassword(t: TokenRecord, value: string, now = Date.now()): boolean {
  if (t.status !== 'enabled') return false;
  return t.passwords.some(
    (p) => (!p.expiry || Date.parse(p.expiry) > now) && timingSafeEqual(hashPassword(value, p.salt), p.hash),
  );
}

function hashPassword(value: string, salt: Buffer): Buffer {
  // A fast salted hash: benchmarks mint thousands of passwords, and this only has to keep values
  // out of the emulator's memory dumps and logs, not resist offline attacks.
  return createHash('sha256').update(salt).update(value).digest();
}
