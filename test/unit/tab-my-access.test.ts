/**
 * My access's "Your active access" (`grants`): the caller's access that still pulls, and a pull
 * secret whose credential lapsed while its term runs on (still theirs to extend, which rotates a
 * new credential in, or to revoke). Each row is judged by its own request, whatever order the
 * store lists them in and however the answer sorts them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import type { AuditLog } from '../../src/domain/ports';
import type { Actor } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { Logger } from '../../src/observability/logger';
import { TabApi } from '../../src/tab/tab-api';
import type { TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const TENANT = pendingRequest().tenantId;
const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const AUDIENCE = 'api://acrbot.example.com/6f1c2b6e-1c1d-4b1c-9a1e-0d7f3e6a9b21';
const DAY = 24 * HOUR;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
});

async function bearer(user: Actor, clock: FakeClock): Promise<string> {
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
    exp: now + 3600,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);
  return `Bearer ${jwt}`;
}

function tabApi(clock: FakeClock, store: MemoryRequestStore): TabApi {
  return new TabApi({
    sso: {
      trust: { resolve: (iss) => (iss === ISSUER ? { issuer: ISSUER, keys } : undefined) },
      audiences: [AUDIENCE],
      allowedTenantIds: [TENANT],
      allowedClientIds: [],
    },
    store,
    audit: {} as AuditLog,
    roles: { isApprover: async () => false, isApproverOf: async () => false, isAuditor: () => false },
    clock,
    log: { error: () => undefined, info: () => undefined } as unknown as Logger,
    botAppId: 'bot',
  });
}

test('a secret whose credential lapsed is in "Your active access", judged by its own request, next to newer requests', async () => {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  // The oldest: a pull secret whose credential expired yesterday while its term runs 30 more days.
  await store.create(
    pendingRequest({
      id: 'R-LAPSED01',
      state: 'succeeded',
      createdAt: at(-40 * DAY),
      updatedAt: at(-40 * DAY),
      plan: secretPlan({ expiresAt: at(-DAY) }),
      decision: { by: APPROVER, at: at(-40 * DAY), approved: true },
      outcome: { summary: 'secret written', azureRequestIds: [] },
      access: { durationMs: 70 * DAY, expiresAt: at(30 * DAY) },
    }),
  );
  // Newer requests that gave no access: listed under requests, never under active access.
  for (const [id, state, days] of [
    ['R-REJECTD1', 'rejected', 20],
    ['R-CANCELD1', 'cancelled', 10],
  ] as const)
    await store.create(
      pendingRequest({
        id,
        state,
        createdAt: at(-days * DAY),
        updatedAt: at(-days * DAY),
        decision: state === 'rejected' ? { by: APPROVER, at: at(-days * DAY), approved: false } : undefined,
      }),
    );
  const res = await tabApi(clock, store).myAccess(await bearer(REQUESTER, clock));
  expect(res.status).toBe(200);
  const body = res.body as TabMyAccess;
  expect(body.requests.map((r) => r.requestId)).toEqual(['R-CANCELD1', 'R-REJECTD1', 'R-LAPSED01']);
  expect(body.grants.map((r) => [r.requestId, r.state, r.credentialEnds])).toEqual([['R-LAPSED01', 'expired', true]]);
});
