/**
 * The tab's API over a store, for unit tests: its own Entra-like issuer (an RSA key made per
 * test file), the tokens a user's Teams client would send ({@link bearer}), and a {@link TabApi}
 * that trusts them ({@link testTabApi}). Extend is offered to requesters by default, as the app
 * wires it; a test replaces any dependency with `extra`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, type JWK, SignJWT } from 'jose';
import type { AuditLog, RequestStore } from '../../../src/domain/ports';
import type { Actor } from '../../../src/domain/request';
import type { Logger } from '../../../src/observability/logger';
import { TabApi, type TabApiDeps } from '../../../src/tab/tab-api';
import type { FakeClock } from './fake-clock';
import { pendingRequest } from './requests';

const TENANT = pendingRequest().tenantId;
const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const AUDIENCE = 'api://acrbot.example.com/6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = createLocalJWKSet({
  keys: [{ ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'k1', alg: 'RS256', use: 'sig' }],
});

/** `user`'s bearer token for the tab, valid from the clock's time for `lifetimeS` seconds. */
export async function bearer(user: Actor, clock: FakeClock, lifetimeS = 3600): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  const jwt = await new SignJWT({
    iss: ISSUER,
    aud: AUDIENCE,
    tid: TENANT,
    oid: user.objectId,
    name: user.name,
    scp: 'access_as_user',
    iat: now,
    nbf: now,
    exp: now + lifetimeS,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);
  return `Bearer ${jwt}`;
}

/** A TabApi on `store` trusting {@link bearer}'s tokens; nobody is an approver unless `extra.roles` says so. */
export function testTabApi(clock: FakeClock, store: RequestStore, extra: Partial<TabApiDeps> = {}): TabApi {
  return new TabApi({
    sso: {
      trust: { resolve: (iss) => (iss === ISSUER ? { issuer: ISSUER, keys } : undefined) },
      audiences: [AUDIENCE],
      allowedTenantIds: [TENANT],
      allowedClientIds: [],
    },
    store,
    audit: { forRequest: async () => [] } as unknown as AuditLog,
    roles: { isApprover: async () => false, isApproverOf: async () => false, isAuditor: () => false },
    clock,
    log: { error: () => undefined, info: () => undefined } as unknown as Logger,
    botAppId: 'bot',
    actions: {
      extend: async () => ({ message: 'asked' }),
      canExtend: (actor, request) => actor.objectId === request.requester.objectId,
    },
    ...extra,
  });
}
