/**
 * Records written by older versions of acrbot, and what the secret run says and records:
 * - an extension of an access whose secret was written before secret uids were kept rotates it
 *   (its own access's label and records suffice, secret-ownership.ts sameAccess); any other
 *   request is refused with a sentence saying whose acrbot secret it is (not "someone else's"),
 *   and the planner refuses such a request before an approver is asked;
 * - a plan stored before `replaces` was recorded replaces the request whose "Replaces secret …"
 *   line its card showed, and no other;
 * - a resumed run refused before its credential step does not deny the credential an earlier
 *   attempt created;
 * - a rotation records what became of the credential it replaced (`outcome.retired`);
 * - the write names the object it replaces (uid, request-id label) to the port.
 */
import type { RegistryInfo, ClusterInfo } from '../../src/domain/azure-model';
import type { RequestStore, RoleAssignmentPort } from '../../src/domain/ports';
import type { AccessRequest, CreatedObject } from '../../src/domain/request';
import { replacesLine, retiredCredentialOf } from '../../src/domain/secret-ownership';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { SecretPlanner } from '../../src/flows/secret-planner';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { OUTSIDER, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';
import { context, NOW, refusalOf, requestReplacing, world, writer } from './support/secret-run-world';

const P_ID = 'R-PPPPPPPP';
const P_TOKEN = 'acrbot-r-pppppppp';
const O_ID = 'R-QQQQQQQQ';

/** A writer recorded before secret uids were kept: its pullSecret record has none. */
function legacyWriter(id: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  const w = writer(id, 'uid-L', overrides);
  return {
    ...w,
    plan: secretPlan(),
    created: w.created!.map((o) => (o.kind === 'pullSecret' ? ({ ...o, uid: undefined } as CreatedObject) : o)),
  };
}

const extensionOf = (original: string) =>
  pendingRequest({
    id: 'R-RRRRRRRR',
    state: 'executing',
    plan: secretPlan({ replaces: null }),
    extendsRequestId: original,
  });

describe('a secret written before acrbot kept secret uids', () => {
  test("an extension of that access rotates it: replaced, the original's token retired, the new uid recorded", async () => {
    const O = legacyWriter(O_ID);
    const { runner, calls } = world([O], { labelledBy: O_ID, uid: 'uid-L' });
    const { ctx, records, audited } = context();
    const outcome = await runner.run(extensionOf(O_ID), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(audited).toContainEqual({
      action: 'kubernetes.write.secret',
      outcome: 'replaced',
      detail: `over the secret of ${O_ID}, recorded before acrbot kept secret uids`,
    });
    expect(calls).toEqual(['createToken:acrbot-r-rrrrrrrr', 'replace@7', 'deleteToken:acrbot-r-qqqqqqqq']);
    expect(records.find((o) => o.kind === 'pullSecret')?.uid).toBe('uid-L');
  });

  test('an extension whose legacy secret was deleted: written anew, and the credential the original held retired', async () => {
    const O = legacyWriter(O_ID);
    const { runner, calls } = world([O]);
    const { ctx } = context();
    const outcome = await runner.run(extensionOf(O_ID), ctx);
    expect(outcome.secret?.action).toBe('created');
    expect(calls).toContain('deleteToken:acrbot-r-qqqqqqqq');
    expect(outcome.retired).toEqual({ requestId: O_ID, credential: 'deleted' });
  });

  test("another request: refused, saying whose acrbot secret it is and how to go on (not 'someone else's')", async () => {
    const P = legacyWriter(P_ID);
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-L' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing({ requestId: P_ID }), ctx));
    expect(err.code).toBe('kubernetes.foreignSecret');
    expect(err.message).toContain(`is the one acrbot wrote for request ${P_ID} (by ${OUTSIDER.name})`);
    expect(err.message).toContain(`only an extension of ${P_ID} may rotate it`);
    expect(err.message).not.toMatch(/someone else's|whoever owns it/);
    expect(calls).toEqual([]);
  });

  test('its writer revoked since: refused without asking to extend or revoke a revoked request', async () => {
    const P = legacyWriter(P_ID, { state: 'revoked' });
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-L' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing(null), ctx));
    expect(err.code).toBe('kubernetes.foreignSecret');
    expect(err.message).toContain(`request ${P_ID} (by ${OUTSIDER.name})`);
    expect(err.message).toContain('was revoked since');
    expect(err.message).toMatch(/Delete the secret in the cluster .*; or choose another --name\.$/);
    expect(err.message).not.toMatch(/can extend|or revoke it|only an extension/);
    expect(calls).toEqual([]);
  });

  test('the planner refuses a new request for it before any approver is asked', async () => {
    const store = new MemoryRequestStore();
    await store.create(legacyWriter(P_ID));
    await expect(planOn(store)).rejects.toMatchObject({
      code: 'secret.legacyWriter',
      message: expect.stringContaining(`${OUTSIDER.name} can extend ${P_ID}`),
    });
  });

  test('the planner names a later writer that recorded a uid, however recently the legacy one was updated', async () => {
    const store = new MemoryRequestStore();
    await store.create(legacyWriter(O_ID, { updatedAt: '2025-01-20T00:00:00.000Z' }));
    await store.create(writer(P_ID, 'uid-P'));
    const planned = await planOn(store);
    expect(planned.replaces).toEqual({ requestId: P_ID, uid: 'uid-P' });
  });
});

describe('a plan stored before `replaces` was recorded', () => {
  const oldPlan = (line: string) => {
    const plan = secretPlan();
    plan.operations = [line, ...plan.operations];
    return pendingRequest({ id: 'R-RRRRRRRR', state: 'executing', plan });
  };

  test('whose card showed "Replaces secret … from request P": replaced, P\'s token retired', async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const outcome = await runner.run(oldPlan(replacesLine(P)), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toContain(`deleteToken:${P_TOKEN}`);
  });

  test('whose card named another request: refused, nothing created', async () => {
    const P = writer(P_ID, 'uid-P');
    const other = writer('R-SSSSSSSS', 'uid-S');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(oldPlan(replacesLine(other)), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(calls).toEqual([]);
  });
});

test('a resumed run refused before its credential step does not say it created nothing', async () => {
  const P = writer(P_ID, 'uid-P');
  const { runner } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
  const { ctx, records } = context();
  const token = 'acrbot-r-rrrrrrrr';
  records.push({
    kind: 'acrToken',
    id: `${REGISTRY_ID}/tokens/${token}`,
    name: token,
    recordedAt: NOW,
  } as CreatedObject);
  const err = await refusalOf(runner.run(requestReplacing(null), ctx));
  const text = (err as unknown as { outcome: { error: string } }).outcome.error;
  expect(text).toContain('created nothing new');
  expect(text).not.toMatch(/or create anything/);
  expect(text).toMatch(/The credential an earlier attempt of this request had created/);
});

describe('what a rotation did with the credential it replaced', () => {
  test('recorded in the outcome (retired), and the write names the object it replaces', async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, writes } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const outcome = await runner.run(requestReplacing({ requestId: P_ID, uid: 'uid-P' }), ctx);
    expect(outcome.retired).toEqual({ requestId: P_ID, credential: 'deleted' });
    expect(writes[0]).toMatchObject({
      replaceResourceVersion: '7',
      replaceUid: 'uid-P',
      replaceRequestIdLabel: 'r-pppppppp',
    });
  });

  test('read from `retired`; from the summary sentence only for outcomes stored before it', () => {
    const summary = 'Secret payments/acr-auth replaced. The credential it replaced was deleted.';
    const at = (outcome: Partial<NonNullable<AccessRequest['outcome']>>) =>
      pendingRequest({ outcome: { summary, azureRequestIds: [], ...outcome } });
    expect(retiredCredentialOf(at({}), P_ID)).toBe('deleted');
    expect(retiredCredentialOf(at({ summary: 'Secret replaced.' }), P_ID)).toBeUndefined();
    expect(retiredCredentialOf(at({ retired: { requestId: P_ID, credential: 'none' } }), P_ID)).toBe('none');
    expect(retiredCredentialOf(at({ summary: 'x', retired: { requestId: P_ID, credential: 'deleted' } }), P_ID)).toBe(
      'deleted',
    );
    expect(
      retiredCredentialOf(at({ retired: { requestId: 'R-SSSSSSSS', credential: 'deleted' } }), P_ID),
    ).toBeUndefined();
  });
});

/** Plans `payments/acr-auth` on aks-prod from contosoacr with `store` as acrbot's records. */
function planOn(store: Pick<RequestStore, 'listByTarget'>) {
  const base = secretPlan();
  const cluster = {
    ...base.cluster,
    identity: {},
    aadEnabled: true,
    localAccountsDisabled: true,
  } as unknown as ClusterInfo;
  const resolver = {
    resolveCluster: async () => cluster,
    resolveRegistry: async () => base.registry as unknown as RegistryInfo,
  } as unknown as ResourceResolver;
  const roles = { canAssignRoles: async () => true } as unknown as RoleAssignmentPort;
  const planner = new SecretPlanner(
    resolver,
    roles,
    { now: () => new Date('2025-02-01T00:00:00Z') },
    365 * 86_400_000,
    store,
  );
  return planner.plan({
    cluster: 'aks-prod',
    registry: 'contosoacr',
    typed: { namespace: 'payments', name: 'acr-auth' },
  });
}
