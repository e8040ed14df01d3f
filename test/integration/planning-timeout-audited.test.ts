/**
 * A request acrbot gave up planning because Azure did not answer in time (planning-deadline.ts)
 * is in the audit trail like every request it sent away (G11): one `plan.failed` entry, outcome
 * `azure.planningTimeout`, naming what was asked and carrying the reference the requester was
 * given. The planners' deadline is cut to 1 ms over reads that never answer, so the real
 * deadline fails the plan at once, inside the turn.
 */
import { GrantPlanner } from '../../src/flows/grant-planner';
import { withPlanningDeadline } from '../../src/flows/planning-deadline';
import { SecretPlanner } from '../../src/flows/secret-planner';
import { type Harness, startHarness, users } from '../helpers/harness';
import { replyMatching } from '../helpers/refusal-checks';

/** Planning that never answers (a silent ARM), given up by the real deadline after 1 ms. */
const silentPlanning = (what: string) => () =>
  withPlanningDeadline(() => new Promise<never>(() => undefined), { what, deadlineMs: 1 });

describe('a planning timeout', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    await h?.stop();
    h = undefined;
  });

  test.each([
    ['grant', 'grant aks-prod contosoacr deploy payments-api', 'grant aks-prod contosoacr'],
    [
      'pull secret',
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      'secret aks-prod contosoacr',
    ],
  ])('of a %s is audited as plan.failed with the reference the requester was given', async (_, cmd, asked) => {
    h = await startHarness();
    jest.spyOn(GrantPlanner.prototype, 'plan').mockImplementation(silentPlanning('grant'));
    // The request handler asks a secret's plan with what already lets the cluster pull (planRequest).
    jest.spyOn(SecretPlanner.prototype, 'planRequest').mockImplementation(silentPlanning('pull secret'));
    const seq = (await h.app.audit.latest(1))[0]?.seq ?? 0;
    const text = await replyMatching(h, cmd, /did not answer in time/);
    const reference = /\(reference ([^)]+)\)/.exec(text)?.[1];
    expect(reference).toBeDefined();
    expect(await h.app.store.listByState(['pending'], 10)).toEqual([]);
    const entries = (await h.app.audit.latest(20)).filter((e) => e.seq > seq);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'plan.failed',
      outcome: 'azure.planningTimeout',
      actor: { objectId: users.requester.objectId },
      targetIds: [],
      correlationIds: [reference],
    });
    expect(entries[0].detail).toContain(`${asked}: Azure did not answer in time`);
    expect(entries[0].detail).toContain(`(reference ${reference})`);
    // What was asked, not what was typed: the free-text reason (where people paste anything) stays out.
    expect(entries[0].detail).not.toContain('payments-api');
  });
});
