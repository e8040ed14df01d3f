/**
 * My access's "Waiting for your approval" lists the break-glass reviews the caller owes, first,
 * as chat's `pending` does: the list is `RequestService.awaitingReview` (a failed run owes none),
 * passed by the app's own wiring (`tabActions`), and each is shown only to an approver of its
 * rule (`isApproverOf`, asked once per rule with the pending requests), never to its requester.
 * The reviews are listed once per load, and not for a caller who approves nothing.
 */
import type { AccessRequest, Actor, RequestState } from '../../src/domain/request';
import { tabActions } from '../../src/composition/tab-actions';
import type { Flows } from '../../src/composition/flows';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabMyAccess } from '../../src/tab/tab-wire';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { quietRequestService } from './support/quiet-request-service';
import { APPROVERS_GROUP, OLIVE, policy, rule, SAM } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

const DEV_GROUP = '0b000000-0000-4000-8000-0000000000c7';
const DUE = '2025-01-16T10:00:00.000Z';
const prod = rule('prod');
const dev = rule('dev', { approvers: { users: [], groups: [DEV_GROUP], name: 'Dev Approvers' } });
/** Riley (the requester) approves under rule prod too, so only "never their own" keeps theirs off. */
const MEMBERS: Record<string, string[]> = {
  [APPROVERS_GROUP]: [APPROVER.objectId, REQUESTER.objectId],
  [DEV_GROUP]: [OUTSIDER.objectId],
};

/** A break-glass run of `requester` under `bound` (its review owed unless it failed), created at minute `minute`. */
function run(
  id: string,
  requester: Actor,
  minute: number,
  state: RequestState,
  bound = prod,
  extra: Partial<AccessRequest> = {},
): AccessRequest {
  const at = `2025-01-15T09:${String(minute).padStart(2, '0')}:00.000Z`;
  const request = breakGlassRequest(
    requester,
    at,
    { dueAt: DUE },
    {
      id,
      state,
      createdAt: at,
      updatedAt: at,
      reason: `prod down (${id})`,
      plan: grantPlan(),
      access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T13:00:00.000Z' },
      outcome:
        state === 'failed'
          ? { summary: 'Failed', azureRequestIds: [], error: 'Azure refused the role assignment.' }
          : { summary: 'granted', azureRequestIds: [] },
      ...extra,
    },
  );
  return { ...request, policy: { ...request.policy!, rule: bound } };
}

async function setup() {
  const clock = new FakeClock('2025-01-15T11:00:00.000Z');
  const store = new MemoryRequestStore();
  const service = quietRequestService({ store, clock, policy: policy([prod, dev]), members: MEMBERS });
  for (const r of [
    run('R-BGOLIVE1', OLIVE, 0, 'succeeded'),
    run('R-BGRILEY1', REQUESTER, 10, 'succeeded'),
    run('R-BGFAILD1', OLIVE, 20, 'failed'),
    run('R-BGENDED1', OLIVE, 30, 'revoked', prod, {
      access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T13:00:00.000Z', revokedAt: '2025-01-15T09:45:00Z' },
    }),
    run('R-BGDEV001', OLIVE, 40, 'succeeded', dev),
    pendingRequest({
      id: 'R-PENDING1',
      requester: OLIVE,
      createdAt: '2025-01-15T09:50:00.000Z',
      policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 1, rule: prod },
    }),
  ])
    await store.create(r);
  // What the tab asks: the reviews owed, and every approver question.
  const reviewsListed: number[] = [];
  const awaitingReview = service.awaitingReview.bind(service);
  service.awaitingReview = () => (reviewsListed.push(1), awaitingReview());
  const asked: string[] = [];
  // The app's own wiring of the tab's actions; the rest of the flows are not called here.
  const actions = {
    canExtend: () => false,
    extendRange: () => undefined,
    revocable: async (_actor: Actor, requests: readonly AccessRequest[]) => requests.map(() => false),
  } as unknown as Flows['actions'];
  const api = testTabApi(clock, store, {
    roles: {
      isApprover: (actor) => service.isApprover(actor),
      isApproverOf: (actor, request) => (asked.push(request.id), service.isApproverOf(actor, request)),
      isAuditor: () => false,
    },
    actions: tabActions({ actions, requests: service }),
  });
  const myAccess = async (who: Actor) => {
    reviewsListed.splice(0);
    asked.splice(0);
    const res = await api.myAccess(await bearer(who, clock));
    expect(res.status).toBe(200);
    return (res.body as TabMyAccess).approvals;
  };
  return { myAccess, reviewsListed, asked };
}

describe('"Waiting for your approval" and break-glass reviews', () => {
  test('an approver of its rule sees the reviews owed first, with when they are due and "its use only" once ended; no failed run', async () => {
    const { myAccess, reviewsListed, asked } = await setup();
    const approvals = await myAccess(APPROVER);
    expect(approvals.map((r) => [r.requestId, r.breakGlass?.reviewDueAt, r.breakGlass?.reviewJudgesUseOnly])).toEqual([
      ['R-BGOLIVE1', DUE, undefined],
      ['R-BGRILEY1', DUE, undefined],
      ['R-BGENDED1', DUE, true],
      ['R-PENDING1', undefined, undefined],
    ]);
    // The reviews listed once; one approver question per rule (prod answers the reviews and the
    // pending request alike; dev, its own).
    expect(reviewsListed).toHaveLength(1);
    expect(asked).toHaveLength(2);
  });

  test("the requester never sees their own, though they approve under its rule; another's they do", async () => {
    const { myAccess } = await setup();
    const approvals = await myAccess(REQUESTER);
    expect(approvals.map((r) => r.requestId)).toEqual(['R-BGOLIVE1', 'R-BGENDED1', 'R-PENDING1']);
  });

  test('an approver of another rule sees only the review of that rule', async () => {
    const { myAccess } = await setup();
    const approvals = await myAccess(OUTSIDER);
    expect(approvals.map((r) => [r.requestId, r.breakGlass?.reviewDueAt])).toEqual([['R-BGDEV001', DUE]]);
  });

  test('someone who approves nothing: no reviews, and they are not even listed', async () => {
    const { myAccess, reviewsListed } = await setup();
    expect(await myAccess(OLIVE)).toEqual([]);
    expect(reviewsListed).toEqual([]);
  });
});

describe('"Waiting for your approval" after a reload removed an approver', () => {
  test('a pending request keeps its rule, a review owed follows the rule as it is now: each asked on its own', async () => {
    const clock = new FakeClock('2025-01-15T11:00:00.000Z');
    const store = new MemoryRequestStore();
    // Made under prod naming Alex; prod now names only Megan (SAM).
    const before = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [], name: 'Prod' } });
    const now = rule('prod', { approvers: { users: [SAM.objectId], groups: [], name: 'Prod' } });
    const service = quietRequestService({ store, clock, policy: policy([now]) });
    await store.create(run('R-BGOLIVE1', OLIVE, 0, 'succeeded', before));
    await store.create(
      pendingRequest({
        id: 'R-PENDING1',
        requester: OLIVE,
        createdAt: '2025-01-15T09:50:00.000Z',
        policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 1, rule: before },
      }),
    );
    const api = testTabApi(clock, store, {
      roles: {
        isApprover: async () => true,
        isApproverOf: (actor, request) => service.isApproverOf(actor, request),
        ruleOf: (request) => service.ruleOf(request),
        isAuditor: () => false,
      },
      actions: tabActions({
        actions: {
          canExtend: () => false,
          extendRange: () => undefined,
          revocable: async (_actor: Actor, requests: readonly AccessRequest[]) => requests.map(() => false),
        } as unknown as Flows['actions'],
        requests: service,
      }),
    });
    const approvals = async (who: Actor) =>
      ((await api.myAccess(await bearer(who, clock))).body as TabMyAccess).approvals.map((r) => r.requestId);
    // Alex still decides the pending request, no longer reviews the run; Megan the other way round.
    expect(await approvals(APPROVER)).toEqual(['R-PENDING1']);
    expect(await approvals(SAM)).toEqual(['R-BGOLIVE1']);
  });
});
