/**
 * A break-glass grant owing its review, of a tenant since removed from ACRBOT_ALLOWED_TENANTS: a
 * review click of that tenant is refused (RequestDecisions, approval.refused.tenant), so nobody can
 * review it. Its daily report (`breakglass.review`) goes out once more, its entry saying so, and
 * then not again while that lasts: not every day for ever. Its job stays (the reviews-owed lists
 * read it; a start would schedule a missing one again), and reports it again once the tenant is
 * served again. A grant of a tenant still served is reported daily as before. A report of an
 * older release (no facts: before the upgrade, or an older instance's during the rollout) says
 * nothing of the tenant and does not make it report again. Real memory stores, Scheduler,
 * RequestService and ApprovalNudges.
 */
import { ApprovalNudges, BREAK_GLASS_REPORT_EVERY_MS, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { ruleActor } from '../../src/flows/request-audit';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule, TENANT } from './support/policy-fixtures';

const OTHER_TENANT = '99999999-0000-4000-8000-000000000009';

async function world(initially: readonly string[]) {
  let served = [...initially];
  const pauses = new MemoryPauseStore();
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) }, pauses });
  const reports: string[] = [];
  /** What each next report's post answers: nowhere to post (`false`), refused everywhere, or posted. */
  const answers: Array<false | 'refused'> = [];
  const notifier: NudgeNotifier = {
    requestChanged: async () => undefined,
    nudgeApprovers: async () => undefined,
    breakGlassUnreviewed: async (r) => {
      const answer = answers.shift();
      if (answer !== undefined) return answer;
      reports.push(r.id);
    },
  };
  const nudges = new ApprovalNudges(t.store, t.audit, t.clock, notifier, t.scheduler, pauses, undefined, {
    get servedTenantIds() {
      return served;
    },
  });
  t.scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
  const request = await t.breakGlass();
  expect(request.tenantId).toBe(TENANT);
  t.clock.set(new Date((await t.jobs.get(breakGlassReviewJobId(request.id)))!.dueAt));
  /** Runs the due jobs on each of `days` days. */
  const days = async (n: number) => {
    for (let day = 0; day < n; day++) {
      await t.scheduler.runDue();
      t.clock.advance(BREAK_GLASS_REPORT_EVERY_MS);
    }
  };
  const entries = async () =>
    (await t.audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
  const serve = (tenants: string[]) => (served = tenants);
  /**
   * The daily report of an instance of release 3825f385 (before the upgrade, or during the
   * rollout), exactly as it wrote its entry: no facts, and nothing of the tenant in its words
   * (`words`: those a build between wrote after them).
   */
  const olderReport = async (words = '') => {
    const r = (await t.store.get(request.id))!;
    await t.audit.append({
      action: 'breakglass.unreviewed',
      outcome: 'reported',
      detail: `review was due ${r.policy!.review!.dueAt}${words}`,
      actor: ruleActor(r.policy?.ruleId ?? 'default'),
      tenantId: r.tenantId,
      requestId: r.id,
      targetIds: [r.plan.cluster.id, r.plan.registry.id],
      ruleId: r.policy?.ruleId,
      policyHash: r.policy?.policyHash,
    });
  };
  return { ...t, request, reports, answers, days, entries, serve, olderReport };
}

describe('the daily report of a break-glass review its tenant can no longer make', () => {
  test('reported once more, saying nobody can review it, then not while that lasts; again once it is served', async () => {
    const t = await world([OTHER_TENANT]);
    await t.days(3);
    expect(t.reports).toEqual([t.request.id]);
    const entries = await t.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'reported' });
    expect(entries[0]!.detail).toContain(
      'its tenant is no longer served by this deployment (ACRBOT_ALLOWED_TENANTS), so nobody can review it: it stays owed, and is not reported again while that lasts',
    );
    // Its job stays, a day on: the reviews-owed lists read it, and nothing reviewed it.
    expect(await t.jobs.get(breakGlassReviewJobId(t.request.id))).toBeDefined();
    expect((await t.store.get(t.request.id))!.policy!.review).toMatchObject({ dueAt: expect.any(String) });

    // The tenant served again: reported the next day, and daily from then on, without the note.
    t.serve([TENANT]);
    await t.days(2);
    expect(t.reports).toHaveLength(3);
    const later = (await t.entries()).slice(1);
    expect(later).toHaveLength(2);
    for (const e of later) expect(e.detail).not.toContain('no longer served');
    // Removed again: said once more, then silent again.
    t.serve([OTHER_TENANT]);
    await t.days(3);
    expect(t.reports).toHaveLength(4);
    expect((await t.entries()).at(-1)!.detail).toContain('no longer served');
  });

  test('a report not posted (nowhere to post, refused everywhere) does not say it once for good: tried again the next day', async () => {
    const t = await world([OTHER_TENANT]);
    t.answers.push(false, 'refused');
    await t.days(4);
    // Days 1 and 2 not posted, day 3 posted (saying nobody can review it), day 4 nothing.
    expect(t.reports).toEqual([t.request.id]);
    const entries = await t.entries();
    expect(entries.map((e) => e.outcome)).toEqual(['unposted', 'unposted', 'reported']);
    expect(entries[0]!.detail).not.toContain('nobody can review it');
    expect(entries[1]!.detail).not.toContain('nobody can review it');
    expect(entries[2]!.detail).toContain('nobody can review it');
  });

  describe('reports of an older release (no facts) among them', () => {
    test("an older instance's report during the rollout, after this one said it: not reported again", async () => {
      const t = await world([OTHER_TENANT]);
      await t.days(1);
      expect(t.reports).toHaveLength(1);
      // An instance still on the older release reports the grant daily, saying nothing of its tenant.
      await t.olderReport();
      await t.days(2);
      expect(t.reports).toHaveLength(1);
      await t.olderReport();
      await t.days(1);
      expect(t.reports).toHaveLength(1);
      expect((await t.entries()).map((e) => e.facts)).toEqual([{ tenant: ['notServed'] }, undefined, undefined]);
    });

    test('reports from before the upgrade only: said once, then not while that lasts', async () => {
      const t = await world([OTHER_TENANT]);
      await t.olderReport();
      await t.olderReport();
      await t.days(3);
      expect(t.reports).toEqual([t.request.id]);
      expect((await t.entries()).at(-1)!.detail).toContain('nobody can review it');
    });

    test('a report without facts whose words say it (a build before the facts): not reported again', async () => {
      const t = await world([OTHER_TENANT]);
      await t.olderReport(
        '; its tenant is no longer served by this deployment (ACRBOT_ALLOWED_TENANTS), so nobody can review it: it stays owed, and is not reported again while that lasts',
      );
      await t.olderReport();
      await t.days(2);
      expect(t.reports).toEqual([]);
    });

    test('served again since (a report of this release says nothing of it): said again once removed', async () => {
      const t = await world([OTHER_TENANT]);
      await t.days(1);
      t.serve([TENANT]);
      await t.days(1);
      await t.olderReport();
      t.serve([OTHER_TENANT]);
      await t.days(2);
      expect(t.reports).toHaveLength(3);
      expect((await t.entries()).map((e) => e.facts)).toEqual([
        { tenant: ['notServed'] },
        { tenant: [] },
        undefined,
        { tenant: ['notServed'] },
      ]);
    });
  });

  test('a tenant still served (any case): reported every day, its entry saying nothing of it', async () => {
    const t = await world([OTHER_TENANT, TENANT.toUpperCase()]);
    await t.days(3);
    expect(t.reports).toHaveLength(3);
    for (const e of await t.entries()) expect(e.detail).not.toContain('no longer served');
    expect(await t.jobs.get(breakGlassReviewJobId(t.request.id))).toBeDefined();
  });

  test('no tenants listed (served as before): reported every day', async () => {
    const t = await world([]);
    await t.days(2);
    expect(t.reports).toHaveLength(2);
  });
});
