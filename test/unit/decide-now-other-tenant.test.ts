/**
 * The tenant boundary of a click, at RequestDecisions.decideNow's level (G2): someone who is an
 * approver of the rule in their own tenant — the same object id, the same group — clicking in
 * another tenant decides nothing. The click is refused by the boundary (`approval.refused.tenant`)
 * before anything else is judged or asked: no approver question reaches the directory, so no path
 * past it (a review, a stale click, the quorum re-check) can let an approver of another tenant in.
 * The approver question itself is asked with the clicker's tenant too, as the card handlers ask
 * it (decision-handler.ts), so it holds on its own should the order ever change.
 */
import { ApproverAuthority } from '../../src/flows/approver-authority';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';
import { OTHER_TENANT } from '../helpers/tenant-b';

const elsewhere = { actor: APPROVER, tenantId: OTHER_TENANT };

function setUp() {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const asked = jest.spyOn(ApproverAuthority.prototype, 'isApproverOf');
  return { ...t, asked };
}

afterEach(() => jest.restoreAllMocks());

async function refusalsOf(audit: { forRequest(id: string): Promise<{ action: string }[]> }, id: string) {
  return (await audit.forRequest(id)).filter((e) => e.action.startsWith('approval.refused')).map((e) => e.action);
}

test('an approver of the rule clicking Approve and Reject in another tenant is refused by the boundary; the request stays pending, nobody asked', async () => {
  const t = setUp();
  const request = await t.service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
  });
  // The same person in the request's tenant is an approver of it: only the tenant differs.
  await expect(t.service.isApproverOf(APPROVER, request, TENANT)).resolves.toBe(true);
  t.asked.mockClear();

  const approve = await t.service.decide({ requestId: request.id, acting: elsewhere, approve: true });
  const reject = await t.service.decide({
    requestId: request.id,
    acting: elsewhere,
    approve: false,
    reason: 'not needed any more',
  });

  for (const result of [approve, reject]) {
    expect(result).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(result.kind === 'refused' && result.message).toContain('Only approvers in the organisation (tenant)');
  }
  expect(t.asked).not.toHaveBeenCalled();
  const after = (await t.store.get(request.id))!;
  expect(after.state).toBe('pending');
  expect(after.approvals ?? []).toEqual([]);
  expect(after.version).toBe(request.version);
  expect(await refusalsOf(t.audit, request.id)).toEqual(['approval.refused.tenant', 'approval.refused.tenant']);
});

test('an approver of the rule reviewing a break-glass grant from another tenant is refused by the boundary; its review stays owed', async () => {
  const t = setUp();
  const grant = await t.breakGlass();
  t.asked.mockClear();

  const keep = await t.service.decide({ requestId: grant.id, acting: elsewhere, approve: true });
  const revoke = await t.service.decide({
    requestId: grant.id,
    acting: elsewhere,
    approve: false,
    reason: 'not justified at all',
  });

  for (const result of [keep, revoke]) expect(result).toMatchObject({ kind: 'refused', reason: 'notApprover' });
  expect(t.asked).not.toHaveBeenCalled();
  const after = (await t.store.get(grant.id))!;
  expect(after.state).toBe('succeeded');
  expect(after.policy?.review?.outcome).toBeUndefined();
  expect(after.version).toBe(grant.version);
  expect(await refusalsOf(t.audit, grant.id)).toEqual(['approval.refused.tenant', 'approval.refused.tenant']);
});

test("the approver question of a click is asked with the clicker's tenant, as the card handlers ask it", async () => {
  const t = setUp();
  const request = await t.service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
  });
  t.asked.mockClear();
  // Teams may print the tenant id in capitals: still the request's tenant (tenant-boundary.ts).
  const acting = { actor: APPROVER, tenantId: TENANT.toUpperCase() };
  const decided = await t.service.decide({ requestId: request.id, acting, approve: true });
  expect(decided).toMatchObject({ kind: 'decided' });
  expect(t.asked).toHaveBeenCalledWith(APPROVER, expect.objectContaining({ id: request.id }), acting.tenantId);
});
