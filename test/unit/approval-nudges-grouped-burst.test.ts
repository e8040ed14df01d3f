/**
 * A burst of reminders (or escalations) due in one sweep (a morning rush, every overdue one at the
 * end of a long pause) through the real Scheduler, which runs a few jobs at once: the younger jobs
 * hold back once for the oldest's post (nudge-siblings.ts, olderSiblingMayTake), so one post lists
 * them all and each request is audited once. An older sibling whose job keeps failing, or never
 * runs, holds a younger one back once at most: then the younger posts, taking the older along.
 */
import { GROUP_HOLD_MS } from '../../src/domain/nudge-group';
import type { AccessPause } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { PAUSED_NUDGE_RECHECK_MS } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { HOUR, MINUTE } from './support/fake-clock';
import { groupedNudgeWorld, person, RULE_CHANNEL } from './support/grouped-nudge-world';
import { postedTo } from './support/recording-adapter';

type World = ReturnType<typeof groupedNudgeWorld>;

/** Files `n` requests by different people, a second apart. */
async function file(t: World, n: number): Promise<AccessRequest[]> {
  const made: AccessRequest[] = [];
  for (let i = 0; i < n; i++) made.push(await t.create(person(i)));
  return made;
}

/**
 * Sweeps, moving the clock to the next reminder job of `requests` each time, until none is left
 * (each found its nudge done and ended); at most `sweeps` sweeps.
 */
async function sweepUntilDone(t: World, requests: readonly AccessRequest[], sweeps = 10): Promise<void> {
  for (let i = 0; i < sweeps; i++) {
    const jobs = await Promise.all(requests.map((r) => t.jobs.get(approvalNudgeJobIds(r.id).remind)));
    const next = Math.min(...jobs.flatMap((j) => (j ? [Date.parse(j.dueAt)] : [])));
    if (!Number.isFinite(next)) return;
    if (next > t.clock.now().getTime()) t.clock.set(new Date(next));
    await t.scheduler.runDue();
  }
  throw new Error(`reminder jobs still scheduled after ${sweeps} sweeps`);
}

/** Expects one post in the rule channel listing every request, and each request reminded once. */
async function onePostListingAll(t: World, requests: readonly AccessRequest[]): Promise<void> {
  expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
  const { text } = t.adapter.posts[0]!.activity;
  expect(text).toMatch(new RegExp(`^Reminder: ${requests.length} requests are still waiting for a decision\\.`));
  for (const r of requests) expect(text).toContain(`"@acrbot pending ${r.id}"`);
  for (const r of requests) expect(await t.reminded(r.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
}

test('eight due in one sweep of the real scheduler (4 jobs at once): one post lists all eight; each reminded once', async () => {
  const t = groupedNudgeWorld();
  const made = await file(t, 8);
  t.clock.advance(HOUR);
  expect(await t.scheduler.runDue()).toBe(8);
  await onePostListingAll(t, made);
  // The oldest posts; the others are in its post.
  expect((await t.reminded(made[0]!.id))[0]!.detail).toBe(
    `no decision after 60 min; in one post with ${made
      .slice(1)
      .map((r) => r.id)
      .join(', ')}`,
  );
  // The held-back jobs, run again, find the claim and the entry, and end: nothing more is posted.
  await sweepUntilDone(t, made);
  await onePostListingAll(t, made);
});

test('eight overdue at the end of a long pause: after the resume, one post lists all eight', async () => {
  const t = groupedNudgeWorld();
  const made = await file(t, 8);
  const pause: AccessPause = { since: t.clock.now().toISOString(), by: person(99), reason: 'incident' };
  await t.pauses.pause(pause);
  t.clock.advance(HOUR);
  expect(await t.scheduler.runDue()).toBe(8);
  t.clock.advance(3 * PAUSED_NUDGE_RECHECK_MS);
  expect(await t.scheduler.runDue()).toBe(8);
  expect(t.adapter.posts).toEqual([]);
  await t.pauses.resume();
  t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
  expect(await t.scheduler.runDue()).toBe(8);
  await onePostListingAll(t, made);
  await sweepUntilDone(t, made);
  await onePostListingAll(t, made);
});

test('six escalations due in one sweep (their reminders superseded): one escalation, in the rule and the escalation channel', async () => {
  const ESCALATION_CHANNEL = '19:escalation@thread.tacv2';
  const t = groupedNudgeWorld({
    escalateAfterMs: 2 * HOUR,
    escalateTo: { channel: ESCALATION_CHANNEL, groups: [], name: 'Payments on-call' },
  });
  const made = await file(t, 6);
  t.clock.advance(3 * HOUR);
  expect(await t.scheduler.runDue()).toBe(12);
  expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, ESCALATION_CHANNEL]);
  for (const { activity } of t.adapter.posts) {
    expect(activity.text).toMatch(/^Escalation: 6 requests are still waiting for a decision\./);
    for (const r of made) expect(activity.text).toContain(`"@acrbot pending ${r.id}"`);
  }
  for (const r of made) {
    const entries = (await t.audit.forRequest(r.id)).filter((e) => e.action === 'approval.escalated');
    expect(entries).toEqual([expect.objectContaining({ outcome: 'escalated' })]);
  }
});

test('an older sibling’s post under way (marked, no entry yet): the younger holds back, and finds itself in that post', async () => {
  const t = groupedNudgeWorld();
  const [a, b] = await file(t, 2);
  t.clock.advance(HOUR);
  // a's run has marked a and is posting (its job runs elsewhere): no entry yet.
  await t.mark(a!.id, { remindedAt: t.clock.now().toISOString() });
  expect(await t.scheduler.runNow(approvalNudgeJobIds(b!.id).remind)).toBe(true);
  expect(t.adapter.posts).toEqual([]);
  expect((await t.store.get(b!.id))!.policy?.remindedAt).toBeUndefined();
  expect(await t.jobs.get(approvalNudgeJobIds(b!.id).remind)).toMatchObject({
    dueAt: new Date(t.clock.now().getTime() + GROUP_HOLD_MS).toISOString(),
  });
  // a's run (its own job, run again: its earlier run stopped) claims b and posts both.
  expect(await t.scheduler.runNow(approvalNudgeJobIds(a!.id).remind)).toBe(true);
  await onePostListingAll(t, [a!, b!]);
  await sweepUntilDone(t, [a!, b!]);
  await onePostListingAll(t, [a!, b!]);
});

test('a younger one expiring within the hold does not hold back: it posts now, taking the older one along', async () => {
  const t = groupedNudgeWorld();
  const [a, b] = await file(t, 2);
  t.clock.advance(HOUR);
  const expiresAt = new Date(t.clock.now().getTime() + GROUP_HOLD_MS / 2).toISOString();
  await t.change(b!.id, () => ({ expiresAt }));
  // a's job is due (not run yet), a unmarked: b would hold back, were it not expiring first.
  expect(await t.scheduler.runNow(approvalNudgeJobIds(b!.id).remind)).toBe(true);
  await onePostListingAll(t, [b!, a!]);
});

describe('an older sibling whose job does not claim the younger one', () => {
  test('its job failing (backing off): the younger does not wait for it, and posts it too', async () => {
    const t = groupedNudgeWorld();
    const [a, b] = await file(t, 2);
    // a's own mark keeps failing (its job fails and backs off); a claim of it by b is let through.
    const update = t.store.update.bind(t.store);
    jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
      if (next.id === a!.id && next.policy?.remindedAt && !next.policy.remindedBy)
        throw new Error('the store refused the write');
      await update(next);
    });
    t.clock.advance(HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a!.id).remind)).toBe(true);
    expect(await t.jobs.get(approvalNudgeJobIds(a!.id).remind)).toMatchObject({ attempts: 1 });
    expect(await t.scheduler.runNow(approvalNudgeJobIds(b!.id).remind)).toBe(true);
    await onePostListingAll(t, [a!, b!]);
    expect((await t.reminded(a!.id))[0]!.detail).toContain(`in one post with the reminder of ${b!.id}`);
    await sweepUntilDone(t, [a!, b!]);
    await onePostListingAll(t, [a!, b!]);
  });

  test(`its job due but never run (another instance's run of it hangs): the younger holds back once, ${GROUP_HOLD_MS / MINUTE} min, then posts it too`, async () => {
    const t = groupedNudgeWorld();
    const [a, b] = await file(t, 2);
    const aJob = approvalNudgeJobIds(a!.id).remind;
    const bJob = approvalNudgeJobIds(b!.id).remind;
    expect(await t.leases.acquire(`job:${aJob}`, 'hung#1', 24 * HOUR)).toBeDefined();
    t.clock.advance(HOUR);
    const heldAt = t.clock.now();
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.adapter.posts).toEqual([]);
    expect(await t.jobs.get(bJob)).toMatchObject({
      dueAt: new Date(heldAt.getTime() + GROUP_HOLD_MS).toISOString(),
      payload: { heldForOlderAt: heldAt.toISOString() },
    });
    expect((await t.store.get(b!.id))!.policy?.remindedAt).toBeUndefined();

    t.clock.advance(GROUP_HOLD_MS);
    // a's job is still due (its lease held elsewhere), as at the first run: b posts all the same.
    expect(await t.scheduler.runDue()).toBe(1);
    expect(await t.jobs.get(aJob)).toBeDefined();
    await onePostListingAll(t, [b!, a!]);
    expect((await t.reminded(b!.id))[0]!.detail).toBe(`no decision after 60 min; in one post with ${a!.id}`);
  });

  test('eight due, the oldest one’s job failing in the same sweep: each is reminded once', async () => {
    const t = groupedNudgeWorld();
    const made = await file(t, 8);
    const oldest = made[0]!;
    const update = t.store.update.bind(t.store);
    jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
      if (next.id === oldest.id && next.policy?.remindedAt && !next.policy.remindedBy)
        throw new Error('the store refused the write');
      await update(next);
    });
    t.clock.advance(HOUR);
    await sweepUntilDone(t, made);
    // However the runs interleave: each request in exactly one post, and reminded once.
    for (const r of made) {
      const listing = t.adapter.posts.filter((p) => p.activity.text!.includes(`"@acrbot pending ${r.id}"`));
      expect(listing).toHaveLength(1);
      expect(await t.reminded(r.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
    }
  });
});
