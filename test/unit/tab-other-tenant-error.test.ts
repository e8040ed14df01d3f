/**
 * The tab's drawer of a failed request, read by someone of another served tenant than acrbot's
 * own (own-tenant.ts): every request of theirs is refused when it is made, so the stored error's
 * sentences naming a `grant`, `secret` or `extend` command to ask again are left out, and why and
 * the way on said instead, as chat's `status R-…` card gives it them (other-tenant-error.ts).
 * Filtered by the API, so the refused command never reaches their browser. acrbot's own
 * tenant's readers get the error as stored.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { OTHER_TENANT_NO_ASK_AGAIN } from '../../src/views/ask-again-command';
import type { TabApiDeps } from '../../src/tab/tab-api';
import type { TabHistory } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';
import type { Actor } from '../../src/domain/request';

/** The tenant the test tokens and requests are of, served but not acrbot's own below. */
const SERVED = pendingRequest().tenantId;
const OWN = '0a0b0000-0000-4000-8000-00000000c0c0';
const NOW = '2025-01-16T09:00:00.000Z';

/** A grant run's failure (grant-runner.ts) offering a pull secret meanwhile, and a cancel kept. */
const GRANT_FAILED =
  'The role assignment could not be made: Azure answered 403. Meanwhile a pull secret ("@acrbot secret aks-prod contosoacr --kind token …", the default kind) needs no role assignment. Withdraw any copy with "@acrbot cancel R-OTHER001".';
/** A drifted extension's refusal (drifted-access.ts), stored as the failed extension's error. */
const DRIFTED =
  'The role assignment of R-7K2M9QXA was removed or changed outside acrbot (seen 2025-01-15 10:00 UTC), and acrbot does not re-create it, so extending R-7K2M9QXA would not let aks-prod pull from contosoacr; nothing was extended. Ask for the access again with "@acrbot grant aks-prod contosoacr REASON…"; an approver decides, as for any grant.';

/** The drawer's outcome of a request that failed with `error`, read by `reader` with the tab told `ownTenantId`. */
async function drawerOutcome(
  error: string,
  ownTenantId: string | undefined,
  reader: Actor = REQUESTER,
  extra: Partial<TabApiDeps> = {},
): Promise<TabHistory['outcome']> {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  await store.create(
    pendingRequest({
      id: 'R-FAILED01',
      state: 'failed',
      decision: { by: APPROVER, at: '2025-01-15T09:10:00.000Z', approved: true },
      outcome: { summary: 'Failed', azureRequestIds: [], error },
    }),
  );
  const api = testTabApi(clock, store, { ...(ownTenantId !== undefined && { ownTenantId }), ...extra });
  const history = await api.history(await bearer(reader, clock), 'R-FAILED01');
  expect(history.status).toBe(200);
  return (history.body as TabHistory).outcome;
}

describe("a failed request's error in the tab's drawer", () => {
  test("another served tenant's requester reads it without the command to ask again, and why and the way on", async () => {
    expect(await drawerOutcome(GRANT_FAILED, OWN)).toEqual({
      summary: 'Failed',
      error: `The role assignment could not be made: Azure answered 403. Withdraw any copy with "@acrbot cancel R-OTHER001". ${OTHER_TENANT_NO_ASK_AGAIN}`,
    });
    const drift = await drawerOutcome(DRIFTED, OWN);
    expect(drift?.error).toBe(
      `The role assignment of R-7K2M9QXA was removed or changed outside acrbot (seen 2025-01-15 10:00 UTC), and acrbot does not re-create it, so extending R-7K2M9QXA would not let aks-prod pull from contosoacr; nothing was extended. ${OTHER_TENANT_NO_ASK_AGAIN}`,
    );
    expect(drift?.error).not.toMatch(/@acrbot (grant|secret|extend)\b/);
  });

  test('an error that is nothing but a command to ask again is said as a failure, with why and the way on', async () => {
    const outcome = await drawerOutcome('Ask again with "@acrbot extend R-7K2M9QXA --for 2d REASON…".', OWN);
    expect(outcome?.error).toBe(`The request failed. ${OTHER_TENANT_NO_ASK_AGAIN}`);
  });

  test('an approver of that tenant (reading everything) is given it the same way: asking again is refused to them too', async () => {
    const outcome = await drawerOutcome(GRANT_FAILED, OWN, APPROVER, {
      roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
    });
    expect(outcome?.error).not.toContain('@acrbot secret');
    expect(outcome?.error).toContain(OTHER_TENANT_NO_ASK_AGAIN);
  });

  test("acrbot's own tenant's reader (case aside, or no own tenant told) reads it as stored", async () => {
    for (const own of [SERVED, SERVED.toUpperCase(), undefined]) {
      expect(await drawerOutcome(GRANT_FAILED, own)).toEqual({ summary: 'Failed', error: GRANT_FAILED });
      expect((await drawerOutcome(DRIFTED, own))?.error).toBe(DRIFTED);
    }
  });
});
