/**
 * The edges of a younger nudge job holding back for an older sibling's post (nudge-siblings.ts,
 * olderSiblingMayTake): an older mark past GROUP_CLAIM_WINDOW_MS with no entry is a stopped run's,
 * which its own job posts, so nothing to wait for; an older sibling claimed by the younger
 * request's own earlier run is that run's, taken back, not waited for; and the pending listing the
 * look reads is the one the claim of siblings reads too, once per run.
 */
import { GROUP_CLAIM_WINDOW_MS } from '../../src/domain/nudge-group';
import type { AccessRequest } from '../../src/domain/request';
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

/** The reminder posts in the rule channel, by the requests each lists. */
function listed(t: World, requests: readonly AccessRequest[]): string[][] {
  return t.adapter.posts.map((p) => requests.filter((r) => p.activity.text!.includes(r.id)).map((r) => r.id));
}

test('an older sibling marked more than 10 minutes ago with no entry (a stopped run): the younger does not hold back', async () => {
  const t = groupedNudgeWorld();
  const [a, b] = await file(t, 2);
  t.clock.advance(HOUR);
  // a's own run marked a and stopped before posting (no entry); its job will post it.
  await t.mark(a!.id, { remindedAt: t.clock.now().toISOString() });
  t.clock.advance(GROUP_CLAIM_WINDOW_MS + MINUTE);
  expect(await t.scheduler.runNow(approvalNudgeJobIds(b!.id).remind)).toBe(true);
  // b posted now, alone (a's mark is not b's claim: left to a's own job), and did not hold back.
  expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
  expect(listed(t, [a!, b!])).toEqual([[b!.id]]);
  expect(await t.reminded(b!.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
  expect(await t.jobs.get(approvalNudgeJobIds(b!.id).remind)).toBeUndefined();
  // a's own job then posts the nudge its stopped run owed.
  expect(await t.scheduler.runNow(approvalNudgeJobIds(a!.id).remind)).toBe(true);
  expect(listed(t, [a!, b!])).toEqual([[b!.id], [a!.id]]);
  expect(await t.reminded(a!.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
});

test('an older sibling claimed by the younger request’s own earlier run (no entry): skipped, taken back, posted now', async () => {
  const t = groupedNudgeWorld();
  const [a, b] = await file(t, 2);
  t.clock.advance(HOUR);
  // b's earlier run claimed a for its post and failed: b's own mark was undone, a's was not.
  await t.mark(a!.id, { remindedAt: t.clock.now().toISOString(), remindedBy: b!.id });
  t.clock.advance(MINUTE);
  expect(await t.scheduler.runNow(approvalNudgeJobIds(b!.id).remind)).toBe(true);
  // Within the window and no entry, but the claim is b's own: b does not wait for itself.
  expect(listed(t, [a!, b!])).toEqual([[a!.id, b!.id]]);
  expect((await t.reminded(b!.id))[0]!.detail).toBe(`no decision after 60 min; in one post with ${a!.id}`);
  expect(await t.reminded(a!.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
});

describe('the pending listing is read once per run', () => {
  /** Counts the store's pending listings from here on. */
  function countListings(t: World): () => number {
    const spy = jest.spyOn(t.store, 'listByState');
    const before = spy.mock.calls.length;
    return () => spy.mock.calls.slice(before).filter(([states]) => states.includes('pending')).length;
  }

  test('by a run that holds back, and by one that posts taking its siblings along', async () => {
    const t = groupedNudgeWorld();
    const [a, b, c] = await file(t, 3);
    t.clock.advance(HOUR);
    // c's run: a's job is due, so c holds back; it listed once.
    let listings = countListings(t);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(c!.id).remind)).toBe(true);
    expect(t.adapter.posts).toEqual([]);
    expect(await t.jobs.get(approvalNudgeJobIds(c!.id).remind)).toMatchObject({
      payload: { heldForOlderAt: expect.any(String) },
    });
    expect(listings()).toBe(1);
    // a's run: nothing older, so it posts, claiming b and c from the same listing.
    listings = countListings(t);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a!.id).remind)).toBe(true);
    expect(listed(t, [a!, b!, c!])).toEqual([[a!.id, b!.id, c!.id]]);
    expect(listings()).toBe(1);
  });
});
