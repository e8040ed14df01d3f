/**
 * The revoke rule holds the tenant boundary itself (tenant-boundary.ts), not only through its
 * callers' reads: another tenant's request, or an extension whose access is another tenant's, is
 * answered "not found" exactly as the chat handlers and the tab answer it, and nothing is revoked,
 * whoever asks (its requester's id, an approver of its rule). Unaudited here, with no audit of such
 * refusals wired (access-actions-tenant-refusal.test.ts covers it). Within the tenant (its id in
 * another case), revoking goes on as before.
 */
import { AccessActions } from '../../src/flows/access-actions';
import { requestNotFound } from '../../src/flows/request-reads';
import type { AccessRequest, Actor } from '../../src/domain/request';
import type { PolicyRule } from '../../src/domain/policy';
import { APPROVER, REQUESTER, pendingRequest } from './support/requests';

const MINE = pendingRequest().tenantId;
const THEIRS = '9c8d7e6f-0000-4000-8000-00000000b0b0';
const acting = (actor: Actor, tenantId = MINE) => ({ actor, tenantId });
const rule = { id: 'a', approvers: { users: [APPROVER.objectId], groups: [] } } as unknown as PolicyRule;
const active = (id: string, tenantId: string, overrides: Partial<AccessRequest> = {}) =>
  pendingRequest({
    id,
    tenantId,
    state: 'succeeded',
    policy: { ruleId: 'a', policyHash: 'h', approvalsRequired: 1 },
    ...overrides,
  });

const stored = new Map<string, AccessRequest>();
const refusals: string[] = [];
const asked: string[] = [];
const revoked: string[] = [];
const actions = new AccessActions(
  {
    get: async (id: string) => {
      const request = stored.get(id);
      if (!request) throw requestNotFound(id);
      return request;
    },
    ruleOf: () => rule,
    isApproverOf: async (actor: Actor, r: AccessRequest) => {
      asked.push(r.id);
      return actor.objectId === APPROVER.objectId;
    },
    approverAccountEnabled: async () => true,
    recordRefusal: async (e: { action: string; outcome: string }) => void refusals.push(`${e.action}:${e.outcome}`),
  } as never,
  { revokeSoon: async (r: AccessRequest) => void revoked.push(r.id) } as never,
  {} as never,
);

beforeEach(() => {
  stored.clear();
  refusals.splice(0);
  asked.splice(0);
  revoked.splice(0);
});

test("another tenant's request: not found, as the handlers say it, unaudited, nothing revoked", async () => {
  const theirs = active('R-THEIRS01', THEIRS);
  stored.set(theirs.id, theirs);
  for (const actor of [REQUESTER, APPROVER]) {
    const refused = await actions.mayRevoke(acting(actor), theirs).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'request.notFound', message: requestNotFound(theirs.id).message });
    expect(await actions.revocationTargets(acting(actor), [theirs])).toEqual([undefined]);
    expect(await actions.revocable(acting(actor), [theirs])).toEqual([false]);
    await expect(actions.revoke(acting(actor), theirs.id, 'release done, no longer needed')).rejects.toMatchObject({
      code: 'request.notFound',
    });
  }
  expect(refusals).toEqual([]);
  expect(asked).toEqual([]);
  expect(revoked).toEqual([]);
});

test("an extension and its original: refused when either is another tenant's", async () => {
  const original = active('R-ORIGIN01', THEIRS, {
    access: { durationMs: 86_400_000, expiresAt: '2030-01-22T09:10:00.000Z', extendedBy: ['R-EXTEND01'] },
  });
  const extension = active('R-EXTEND01', MINE, { extendsRequestId: original.id });
  stored.set(original.id, original).set(extension.id, extension);
  await expect(actions.mayRevoke(acting(APPROVER), extension)).rejects.toMatchObject({ code: 'request.notFound' });
  expect(await actions.revocationTargets(acting(APPROVER), [extension])).toEqual([undefined]);
  // The other way round: what was asked is checked, not only the access it is part of.
  const ownOriginal = { ...original, tenantId: MINE };
  const theirExtension = { ...extension, tenantId: THEIRS };
  stored.set(original.id, ownOriginal).set(extension.id, theirExtension);
  await expect(actions.mayRevoke(acting(APPROVER), theirExtension)).rejects.toMatchObject({ code: 'request.notFound' });
  expect(await actions.revocationTargets(acting(APPROVER), [theirExtension])).toEqual([undefined]);
  await expect(actions.mayRevoke(acting(APPROVER), extension)).resolves.toBe(ownOriginal);
  expect(revoked).toEqual([]);
  expect(refusals).toEqual([]);
});

test('within the tenant (its id in another case): allowed as before, and revoked', async () => {
  const mine = active('R-MINE0001', MINE);
  stored.set(mine.id, mine);
  const upper = acting(APPROVER, MINE.toUpperCase());
  await expect(actions.mayRevoke(upper, mine)).resolves.toBe(mine);
  expect(await actions.revocable(acting(REQUESTER), [mine])).toEqual([true]);
  await actions.revoke(upper, mine.id, 'release done, no longer needed');
  expect(revoked).toEqual([mine.id]);
  expect(refusals).toEqual([]);
});
