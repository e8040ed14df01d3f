/**
 * The revoke and extend rules know a requester whatever the case of their object id: the tab
 * hands the flows the token's `oid` in lower case, while a request stores the id Teams sent
 * (`from.aadObjectId`), in whichever case that was. The requester may revoke and extend their
 * own access; someone else who is no approver may do neither.
 */
import { AccessActions } from '../../src/flows/access-actions';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { OUTSIDER, REQUESTER, pendingRequest } from './support/requests';

/** The actor acting in the fixtures' tenant (the revoke rule checks the tenant boundary too). */
const acting = (actor: Actor) => ({ actor, tenantId: pendingRequest().tenantId });

const rule = { id: 'a', approvers: { users: [], groups: [] } } as unknown as PolicyRule;
const refusals: string[] = [];
const requests = {
  ruleOf: () => rule,
  recordRefusal: async (e: { action: string; outcome: string }) => void refusals.push(`${e.action}:${e.outcome}`),
  isApproverOf: async () => false,
};
const actions = new AccessActions(requests as never, {} as never, {} as never);

/** Active access whose requester id was stored in upper case. */
const active: AccessRequest = pendingRequest({
  id: 'R-UPPER001',
  state: 'succeeded',
  requester: { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() },
  policy: { ruleId: 'a', policyHash: 'h', approvalsRequired: 1 },
  access: { durationMs: 7 * 86_400_000, expiresAt: '2030-01-22T09:10:00.000Z' },
});
const lowerCased = { ...REQUESTER, objectId: REQUESTER.objectId.toLowerCase() };

beforeEach(() => refusals.splice(0));

test('the requester, named in another case, may revoke and extend their own access', async () => {
  await expect(actions.mayRevoke(acting(lowerCased), active)).resolves.toBe(active);
  expect(await actions.revocable(acting(lowerCased), [active])).toEqual([true]);
  expect(actions.canExtend(lowerCased, active)).toBe(true);
  expect(refusals).toEqual([]);
});

test('someone else who is no approver may do neither, and the attempt is audited', async () => {
  await expect(actions.mayRevoke(acting(OUTSIDER), active)).rejects.toMatchObject({ code: 'revoke.notAllowed' });
  expect(await actions.revocable(acting(OUTSIDER), [active])).toEqual([false]);
  expect(actions.canExtend(OUTSIDER, active)).toBe(false);
  expect(() => actions.mayExtend(OUTSIDER, active)).toThrow(expect.objectContaining({ code: 'extend.notRequester' }));
  expect(refusals).toEqual(['revoke.refused:revoke.notAllowed']);
});
