/**
 * The tab's "extension waiting" marker follows the access a row belongs to, by the rule extending
 * follows (access-actions.ts `accessHolderOf`): an extension whose end its original took over
 * (`extendedBy`) is the original's access, and a new extension of it names the original — so
 * the row of extension E1 shows E2, which extends the original R, as R's row does. An extension
 * the original did not take over is its own. Lists find the original among the requests they
 * listed (no store read per row); a drawer reads it once.
 *
 * An extension's row is live (and so carries the marker) while the access is being revoked: the
 * pending E2 stays until the revocation closes it (docs/lifecycle.md), and the tab says it waits.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import type { AuditLog } from '../../src/domain/ports';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { Logger } from '../../src/observability/logger';
import { TabApi } from '../../src/tab/tab-api';
import type { TabHistory, TabMyAccess, TabRow } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

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

/** A memory store that counts reads by id (what the marker may cost). */
class CountingStore extends MemoryRequestStore {
  gets = 0;
  override async get(id: string): Promise<AccessRequest | undefined> {
    this.gets++;
    return super.get(id);
  }
}

function tabApi(clock: FakeClock, store: CountingStore): TabApi {
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
  });
}

describe('the "extension waiting" marker follows the access a row belongs to', () => {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  const ending = { revokingSince: at(-HOUR) };
  /** Riley's succeeded request `id`, its access ending at `endsIn`, as `extra` says. */
  const succeeded = (id: string, endsIn: number, extra: Partial<AccessRequest> = {}): AccessRequest =>
    pendingRequest({
      id,
      state: 'succeeded',
      createdAt: at(-2 * DAY),
      updatedAt: at(-HOUR),
      decision: { by: APPROVER, at: at(-2 * DAY), approved: true },
      outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-1'] },
      ...extra,
      access: { durationMs: DAY, expiresAt: at(endsIn), ...extra.access },
    });
  // R, extended by E1 (its end is E1's now) and being revoked; E2 extends R and waits.
  const R = succeeded('R-ORIGINA1', 8 * DAY, { access: { durationMs: DAY, extendedBy: ['R-EXTEND01'], ...ending } });
  const E1 = succeeded('R-EXTEND01', 8 * DAY, { extendsRequestId: R.id, access: { durationMs: DAY, ...ending } });
  // An extension of R that succeeded without moving R's end (after the revocation began): its own.
  const OWN = succeeded('R-EXTOWN01', 9 * DAY, { extendsRequestId: R.id, access: { durationMs: DAY, ...ending } });
  const E2 = pendingRequest({
    id: 'R-EXTEND02',
    createdAt: at(-HOUR),
    updatedAt: at(-HOUR),
    extendsRequestId: R.id,
    access: { durationMs: 7 * DAY },
  });
  let store: CountingStore;
  let api: TabApi;
  let auth: string;

  beforeEach(async () => {
    store = new CountingStore();
    for (const r of [R, E1, OWN, E2]) await store.create(r);
    api = tabApi(clock, store);
    auth = await bearer(REQUESTER, clock);
    store.gets = 0;
  });

  test("My access: E1's row shows E2 (waiting on R, whose access E1 is) as R's does, and no Extend; the rows cost no read by id", async () => {
    const res = await api.myAccess(auth);
    expect(res.status).toBe(200);
    const rows = (res.body as TabMyAccess).requests;
    const row = (id: string) => rows.find((r) => r.requestId === id)!;
    expect(row(E1.id)).toMatchObject({ state: 'revoking', canExtend: false, extensionWaiting: E2.id });
    expect(row(R.id)).toMatchObject({ state: 'revoking', canExtend: false, extensionWaiting: E2.id });
    // R never took OWN's end over: OWN's access is its own, and nothing waits on it.
    expect(row(OWN.id).state).toBe('revoking');
    expect(row(OWN.id)).not.toHaveProperty('extensionWaiting');
    expect(store.gets).toBe(0);
  });

  test('the drawer of E1 shows E2 too, reading R once', async () => {
    const res = await api.history(auth, E1.id);
    expect(res.status).toBe(200);
    const row: TabRow = (res.body as TabHistory).row;
    expect(row).toMatchObject({ canExtend: false, extensionWaiting: E2.id });
    // E1 itself (the drawer's request) and its original R.
    expect(store.gets).toBe(2);
    const own = await api.history(auth, OWN.id);
    expect((own.body as TabHistory).row).not.toHaveProperty('extensionWaiting');
  });
});
