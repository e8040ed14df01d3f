/**
 * My access's break-glass reviews owed are narrowed to the caller (their tenant, an approver of
 * the run's rule) from every review owed, not from the oldest 50 of every tenant and rule: the
 * approver of a narrow rule, or of another tenant than the 60 older runs', gets theirs listed,
 * and an approver owed more than 50 gets them all. `RequestService.awaitingReview` reads live
 * grants apart from ended ones, so ended grants, which only accumulate, never crowd out a live
 * one; past the bound of a read it says so (`boundReached`), and the tab tells the operators.
 */
import type { AccessRequest, Actor, RequestState } from '../../src/domain/request';
import { tabActions } from '../../src/composition/tab-actions';
import type { Flows } from '../../src/composition/flows';
import { WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { Logger } from '../../src/observability/logger';
import type { TabMyAccess } from '../../src/tab/tab-wire';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { quietRequestService } from './support/quiet-request-service';
import { APPROVERS_GROUP, OLIVE, policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

const OTHER_TENANT = '5b1e2c3d-0000-4000-8000-00000000b0b0';
const DEV_GROUP = '0b000000-0000-4000-8000-0000000000c7';
const prod = rule('prod');
const dev = rule('dev', { approvers: { users: [], groups: [DEV_GROUP], name: 'Dev Approvers' } });
const MEMBERS: Record<string, string[]> = { [APPROVERS_GROUP]: [APPROVER.objectId], [DEV_GROUP]: [OUTSIDER.objectId] };

/** Olive's break-glass run `n` (its review owed while not failed), `n` seconds after 09:00. */
function run(n: number, bound: typeof prod, tenantId = TENANT, state: RequestState = 'succeeded'): AccessRequest {
  const at = new Date(Date.parse('2025-01-15T09:00:00.000Z') + n * 1000).toISOString();
  const request = breakGlassRequest(
    OLIVE,
    at,
    { dueAt: '2025-01-16T10:00:00.000Z' },
    {
      id: `R-BG${String(n).padStart(6, '0')}`,
      state,
      tenantId,
      createdAt: at,
      updatedAt: at,
      plan: grantPlan(),
      access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T13:00:00.000Z' },
      outcome: { summary: 'granted', azureRequestIds: [] },
    },
  );
  return { ...request, policy: { ...request.policy!, rule: bound } };
}

function setup() {
  const clock = new FakeClock('2025-01-15T11:00:00.000Z');
  const store = new MemoryRequestStore();
  const service = quietRequestService({ store, clock, policy: policy([prod, dev]), members: MEMBERS });
  const actions = {
    canExtend: () => false,
    extendRange: () => undefined,
    revocable: async (_actor: Actor, requests: readonly AccessRequest[]) => requests.map(() => false),
  } as unknown as Flows['actions'];
  const warnings: string[] = [];
  const log = { error: () => undefined, info: () => undefined, warn: (_o: unknown, m: string) => warnings.push(m) };
  const api = testTabApi(clock, store, {
    roles: {
      isApprover: (actor) => service.isApprover(actor),
      isApproverOf: (actor, request) => service.isApproverOf(actor, request),
      isAuditor: () => false,
    },
    actions: tabActions({ actions, requests: service }),
    log: log as unknown as Logger,
  });
  const reviewsFor = async (who: Actor) => {
    const res = await api.myAccess(await bearer(who, clock));
    expect(res.status).toBe(200);
    return (res.body as TabMyAccess).approvals.filter((r) => r.breakGlass?.reviewDueAt).map((r) => r.requestId);
  };
  return { store, service, reviewsFor, warnings };
}

describe("the tab's break-glass reviews owed: narrowed to the caller first, then shown whole", () => {
  test('an approver in one tenant gets theirs though 60 older runs of another tenant owe a review', async () => {
    const { store, reviewsFor, warnings } = setup();
    for (let n = 0; n < 60; n++) await store.create(run(n, dev, OTHER_TENANT));
    await store.create(run(100, dev));
    expect(await reviewsFor(OUTSIDER)).toEqual(['R-BG000100']);
    expect(warnings).toEqual([]);
  });

  test('the approver of a narrow rule gets theirs though 60 older runs of another rule owe one; those are all listed', async () => {
    const { store, reviewsFor } = setup();
    for (let n = 0; n < 60; n++) await store.create(run(n, prod));
    await store.create(run(100, dev));
    expect(await reviewsFor(OUTSIDER)).toEqual(['R-BG000100']);
    const prods = await reviewsFor(APPROVER);
    expect(prods).toHaveLength(60);
    expect(prods[0]).toBe('R-BG000000');
  });

  test('ended grants past the bound do not crowd out a live one; the read says it reached the bound', async () => {
    const { store, service, reviewsFor, warnings } = setup();
    // As many ended runs as one read takes, and one more, all older than the live one.
    for (let n = 0; n <= WAITING_SCAN_LIMIT; n++) await store.create(run(n, prod, TENANT, 'revoked'));
    await store.create(run(WAITING_SCAN_LIMIT + 100, dev));
    const owed = await service.awaitingReview();
    expect(owed.boundReached).toBe(true);
    expect(owed.requests.length).toBe(WAITING_SCAN_LIMIT + 1);
    expect(owed.requests.at(-1)?.id).toBe(`R-BG0${WAITING_SCAN_LIMIT + 100}`);
    expect(await reviewsFor(OUTSIDER)).toEqual([`R-BG0${WAITING_SCAN_LIMIT + 100}`]);
    expect(warnings).toEqual([expect.stringContaining('more requests wait for approvers than one read takes')]);
  }, 60_000);
});
