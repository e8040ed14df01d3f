/**
 * Grouped approval nudges (flows/nudge-siblings.ts): a reminder about to be posted in its rule's
 * channel takes the other pending requests whose reminder is due now in that channel into the same
 * post, instead of one post each mentioning the same approvers; one due alone gets today's
 * message. Marks stay at least once: a sibling claimed by a run that stopped is posted by its own
 * job once the claim's window is over, not before; a failed post undoes every mark it wrote.
 * Real memory stores, Scheduler, RequestService, ApprovalNudges and CardMessenger, posting
 * through a recording adapter.
 */
import { GROUP_CLAIM_WINDOW_MS } from '../../src/domain/nudge-group';
import type { AccessRequest } from '../../src/domain/request';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { reminderMessage } from '../../src/views/nudge-view';
import { HOUR, MINUTE } from './support/fake-clock';
import { groupedNudgeWorld, person, RULE_CHANNEL } from './support/grouped-nudge-world';
import { OLIVE, ONCALL_GROUP, SAM, TENANT } from './support/policy-fixtures';
import { postedTo } from './support/recording-adapter';
import { APPROVER, newGrant, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const OTHER_CHANNEL = '19:dev@thread.tacv2';
const ESCALATION_CHANNEL = '19:escalation@thread.tacv2';

const setup = groupedNudgeWorld;

describe('reminders due at once in one channel', () => {
  test('three due: one post lists all three and mentions each approver once; three entries; the siblings’ own jobs post nothing', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    const c = await t.create(OLIVE);
    t.clock.advance(HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
    expect(t.adapter.posts).toHaveLength(1);
    const [post] = t.adapter.posts;
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
    expect(post!.activity.text).toMatch(/^Reminder: 3 requests are still waiting for a decision\./);
    for (const r of [a, b, c]) expect(post!.activity.text).toContain(`"@acrbot pending ${r.id}"`);
    expect(post!.activity.text).toContain(
      'aks-prod → contosoacr, from Oscar Outsider), waiting 1 hour, 0 of 1 approvals',
    );
    expect(post!.activity.entities!.map((e) => e.mentioned.id)).toEqual([SAM.objectId, APPROVER.objectId]);

    for (const r of [b, c]) {
      const [entry] = await t.reminded(r.id);
      expect(entry).toMatchObject({ outcome: 'reminded' });
      expect(entry!.detail).toBe(`no decision after 60 min; in one post with the reminder of ${a.id}`);
      expect((await t.store.get(r.id))!.policy).toMatchObject({ remindedBy: a.id });
    }
    expect((await t.reminded(a.id))[0]!.detail).toBe(`no decision after 60 min; in one post with ${b.id}, ${c.id}`);
    expect(t.chat.redrawn).toEqual([a.id, b.id, c.id]);

    expect(await t.scheduler.runDue()).toBe(2);
    expect(t.adapter.posts).toHaveLength(1);
    for (const r of [a, b, c]) expect(await t.reminded(r.id)).toHaveLength(1);
  });

  test('one due alone: today’s message', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    const stored = (await t.store.get(a.id))!;
    const today = reminderMessage(stored, stored.policy!.rule!);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
    expect(t.adapter.posts.map((p) => p.activity)).toEqual([{ type: 'message', ...today }]);
    expect((await t.reminded(a.id))[0]!.detail).toBe('no decision after 60 min');
  });

  test('a sibling in another channel gets its own post there', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    const bound = (await t.store.get(b.id))!;
    await t.store.update({
      ...bound,
      version: bound.version + 1,
      policy: { ...bound.policy!, rule: { ...bound.policy!.rule!, channel: OTHER_CHANNEL } },
    });
    t.clock.advance(HOUR);
    // a's job first, alone (a sweep runs them at once, each marking its own request first).
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, OTHER_CHANNEL]);
    for (const p of t.adapter.posts) expect(p.activity.text).toMatch(/^Reminder: request R-/);
    expect(t.adapter.posts[0]!.activity.text).toContain(a.id);
    expect(t.adapter.posts[1]!.activity.text).toContain(b.id);
  });

  test('a sibling rejected right after the listing is neither in the post nor marked', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    const list = t.store.listByState.bind(t.store);
    jest.spyOn(t.store, 'listByState').mockImplementationOnce(async (...args) => {
      const listed = await list(...args);
      await t.service.decide({
        requestId: b.id,
        acting: { actor: APPROVER, tenantId: b.tenantId },
        approve: false,
        reason: 'not needed',
      });
      return listed;
    });
    t.clock.advance(HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
    expect(t.adapter.posts).toHaveLength(1);
    expect(t.adapter.posts[0]!.activity.text).toMatch(/^Reminder: request R-/);
    expect(t.adapter.posts[0]!.activity.text).not.toContain(b.id);
    expect((await t.store.get(b.id))!.policy?.remindedAt).toBeUndefined();
    expect(await t.reminded(b.id)).toEqual([]);
  });

  test('a sibling rejected after it was claimed, before the post, is left out of the post and the trail', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    const update = t.store.update.bind(t.store);
    let rejected = false;
    jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
      await update(next);
      if (!rejected && next.id === b.id && next.policy?.remindedBy === a.id) {
        rejected = true;
        await t.service.decide({
          requestId: b.id,
          acting: { actor: APPROVER, tenantId: b.tenantId },
          approve: false,
          reason: 'not needed',
        });
      }
    });
    t.clock.advance(HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
    expect(rejected).toBe(true);
    expect(t.adapter.posts).toHaveLength(1);
    expect(t.adapter.posts[0]!.activity.text).not.toContain(b.id);
    expect(await t.reminded(b.id)).toEqual([]);
    // Its cards redrawn once, by the rejection, not again by the nudge.
    expect(t.chat.redrawn.filter((id) => id === b.id)).toHaveLength(1);
  });
});

describe('a sibling claimed by a run that stopped before its entry', () => {
  /** `a` posted and wrote its own entry; `b`, claimed by it, has the mark and no entry. */
  async function stoppedClaim() {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    t.clock.advance(HOUR);
    const at = t.clock.now().toISOString();
    await t.mark(a.id, { remindedAt: at });
    await t.audit.append({
      action: 'approval.reminded',
      outcome: 'reminded',
      actor: { objectId: 'rule:prod', name: 'rule prod' },
      tenantId: a.tenantId,
      requestId: a.id,
      targetIds: [],
    });
    await t.mark(b.id, { remindedAt: at, remindedBy: a.id });
    return { t, a, b, at };
  }

  test('within the claim’s window its own job waits and posts nothing', async () => {
    const { t, b, at } = await stoppedClaim();
    t.clock.advance(MINUTE);
    expect(await t.scheduler.runDue()).toBe(2);
    expect(t.adapter.posts).toEqual([]);
    expect(await t.jobs.get(approvalNudgeJobIds(b.id).remind)).toMatchObject({
      dueAt: new Date(Date.parse(at) + GROUP_CLAIM_WINDOW_MS).toISOString(),
    });
    expect(await t.reminded(b.id)).toEqual([]);
  });

  test('the claiming request’s own job, run again (no entry of its own either), takes it back into its post at once', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    t.clock.advance(HOUR);
    const at = t.clock.now().toISOString();
    await t.mark(a.id, { remindedAt: at });
    await t.mark(b.id, { remindedAt: at, remindedBy: a.id });
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
    expect(t.adapter.posts).toHaveLength(1);
    expect(t.adapter.posts[0]!.activity.text).toMatch(/^Reminder: 2 requests/);
    expect(await t.reminded(b.id)).toHaveLength(1);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.adapter.posts).toHaveLength(1);
  });

  test('past the window its own job posts it', async () => {
    const { t, b } = await stoppedClaim();
    t.clock.advance(GROUP_CLAIM_WINDOW_MS);
    expect(await t.scheduler.runDue()).toBe(2);
    expect(t.adapter.posts).toHaveLength(1);
    expect(t.adapter.posts[0]!.activity.text).toMatch(new RegExp(`^Reminder: request ${b.id} `));
    expect(await t.reminded(b.id)).toHaveLength(1);
  });
});

test('a grouped post that fails undoes every mark it wrote; the retry posts them together', async () => {
  const t = setup();
  const a = await t.create(REQUESTER);
  const b = await t.create(OUTSIDER);
  const c = await t.create(OLIVE);
  t.clock.advance(HOUR);
  t.adapter.failing = true;
  await expect(t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).resolves.toBe(true);
  for (const r of [a, b, c]) {
    const policy = (await t.store.get(r.id))!.policy!;
    expect(policy.remindedAt).toBeUndefined();
    expect(policy.remindedBy).toBeUndefined();
    expect(await t.reminded(r.id)).toEqual([]);
  }
  expect(await t.jobs.get(approvalNudgeJobIds(a.id).remind)).toMatchObject({ attempts: 1 });

  t.adapter.failing = false;
  expect(await t.scheduler.runNow(approvalNudgeJobIds(b.id).remind)).toBe(true);
  expect(t.adapter.posts).toHaveLength(1);
  for (const r of [a, b, c]) expect(t.adapter.posts[0]!.activity.text).toContain(`"@acrbot pending ${r.id}"`);
});

test('escalations due at once go as one post in the rule channel and the escalation channel; their reminders are used up unsent', async () => {
  const t = setup({
    escalateAfterMs: 2 * HOUR,
    escalateTo: { channel: ESCALATION_CHANNEL, groups: [ONCALL_GROUP], name: 'Payments on-call' },
  });
  const a = await t.create(REQUESTER);
  const b = await t.create(OUTSIDER);
  t.clock.advance(3 * HOUR);
  expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).escalate)).toBe(true);
  expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, ESCALATION_CHANNEL]);
  for (const { activity } of t.adapter.posts) {
    expect(activity.text).toMatch(/^Escalation: 2 requests are still waiting for a decision\./);
    expect(activity.text).toContain(
      `now also: Payments on-call (members of ${ONCALL_GROUP}) and the escalation channel. Those asked: please decide`,
    );
    for (const r of [a, b]) expect(activity.text).toContain(`"@acrbot pending ${r.id}"`);
  }
  const [escalated] = (await t.audit.forRequest(b.id)).filter((e) => e.action === 'approval.escalated');
  expect(escalated!.detail).toContain(`in one post with the escalation of ${a.id}`);
  expect(escalated!.detail).toContain('the reminder due after 60 min was not posted');
  // The other three jobs (b's escalation, both reminders) post nothing more.
  expect(await t.scheduler.runDue()).toBe(3);
  expect(t.adapter.posts).toHaveLength(2);
  for (const r of [a, b]) expect(await t.reminded(r.id)).toEqual([]);
});

describe('a grouped post stays within its bounds', () => {
  test('22 due: the first post lists 21 (its own and 20 others); the last one goes in a post of its own', async () => {
    const t = setup();
    const made: AccessRequest[] = [];
    for (let n = 0; n < 22; n++) made.push(await t.create(person(n)));
    t.clock.advance(HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(made[0]!.id).remind)).toBe(true);
    expect(t.adapter.posts[0]!.activity.text).toMatch(/^Reminder: 21 requests are still waiting/);
    expect(t.adapter.posts[0]!.activity.text).not.toContain(made[21]!.id);
    await t.scheduler.runDue();
    expect(t.adapter.posts).toHaveLength(2);
    expect(t.adapter.posts[1]!.activity.text).toMatch(new RegExp(`^Reminder: request ${made[21]!.id} `));
  });

  test('a sibling whose approvers would take the mentions past 20 is left to its own post; a later one still joins', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    const c = await t.create(OLIVE);
    const bound = (await t.store.get(b.id))!;
    const many = Array.from({ length: 19 }, (_, n) => person(50 + n).objectId);
    await t.store.update({
      ...bound,
      version: bound.version + 1,
      policy: {
        ...bound.policy!,
        rule: { ...bound.policy!.rule!, approvers: { ...bound.policy!.rule!.approvers, users: many } },
      },
    });
    t.clock.advance(HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
    const [post] = t.adapter.posts;
    expect(post!.activity.text).toMatch(/^Reminder: 2 requests/);
    expect(post!.activity.text).toContain(c.id);
    expect(post!.activity.text).not.toContain(b.id);
    expect((await t.store.get(b.id))!.policy?.remindedAt).toBeUndefined();
  });
});

test('the posting request has no card copy (its announcement stored none): the post goes by a sibling’s, and all are reminded', async () => {
  const t = setup();
  t.clock.advance(1000);
  const a = await t.service.create(newGrant(REQUESTER));
  expect(await t.store.listCardCopies(a.id)).toEqual([]);
  const b = await t.create(OUTSIDER);
  const c = await t.create(OLIVE);
  t.clock.advance(HOUR);
  expect(await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind)).toBe(true);
  expect(t.adapter.posts).toHaveLength(1);
  expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
  for (const r of [a, b, c]) {
    expect(t.adapter.posts[0]!.activity.text).toContain(`"@acrbot pending ${r.id}"`);
    const [entry, ...more] = await t.reminded(r.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ outcome: 'reminded' });
    expect(entry!.detail).not.toContain('not posted');
  }
});

test('a sibling held by a grouped claim lasting past its expiry looks again just before it, and posts itself when that post failed', async () => {
  const t = setup();
  const a = await t.create(REQUESTER);
  const b = await t.create(OUTSIDER);
  t.clock.advance(HOUR);
  // b expires 5 minutes from now: within the claim's window.
  const expiresAt = new Date(t.clock.now().getTime() + 5 * MINUTE);
  const bound = (await t.store.get(b.id))!;
  await t.store.update({ ...bound, version: bound.version + 1, expiresAt: expiresAt.toISOString() });
  // While a's grouped post is under way, b's own job runs (a sweep does both at once); then
  // Teams fails the post.
  const post = t.adapter.continueConversationAsync.bind(t.adapter);
  let ranDuring = false;
  jest.spyOn(t.adapter, 'continueConversationAsync').mockImplementationOnce(async (...args) => {
    expect((await t.store.get(b.id))!.policy).toMatchObject({ remindedBy: a.id });
    ranDuring = await t.scheduler.runNow(approvalNudgeJobIds(b.id).remind);
    t.adapter.failing = true;
    try {
      await post(...args);
    } finally {
      t.adapter.failing = false;
    }
  });
  await t.scheduler.runNow(approvalNudgeJobIds(a.id).remind);
  expect(ranDuring).toBe(true);
  expect(t.adapter.posts).toEqual([]);
  const lastLook = new Date(expiresAt.getTime() - MINUTE);
  expect(await t.jobs.get(approvalNudgeJobIds(b.id).remind)).toMatchObject({ dueAt: lastLook.toISOString() });
  expect((await t.store.get(b.id))!.policy?.remindedAt).toBeUndefined();

  t.clock.set(lastLook);
  expect(await t.scheduler.runNow(approvalNudgeJobIds(b.id).remind)).toBe(true);
  expect(t.adapter.posts).toHaveLength(1);
  expect(t.adapter.posts[0]!.activity.text).toContain(`"@acrbot pending ${b.id}"`);
  expect(await t.reminded(b.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
});

describe('a pending request the post must not take is left to its own job, unmarked', () => {
  const escalating = {
    escalateAfterMs: 2 * HOUR,
    escalateTo: { channel: ESCALATION_CHANNEL, groups: [ONCALL_GROUP], name: 'Payments on-call' },
  };

  /** Runs `first`'s `kind` job; expects one post (per channel) naming only `first`, and `other` unmarked. */
  async function postedAlone(
    t: ReturnType<typeof setup>,
    first: AccessRequest,
    other: AccessRequest,
    kind: 'remind' | 'escalate' = 'remind',
  ) {
    expect(await t.scheduler.runNow(approvalNudgeJobIds(first.id)[kind])).toBe(true);
    const heading = kind === 'remind' ? 'Reminder' : 'Escalation';
    for (const { activity } of t.adapter.posts) {
      expect(activity.text).toMatch(new RegExp(`^${heading}: request ${first.id} `));
      expect(activity.text).not.toContain(other.id);
    }
    const { policy: binding } = (await t.store.get(other.id))!;
    const mark = kind === 'remind' ? 'remindedAt' : 'escalatedAt';
    expect(binding?.[mark]).toBeUndefined();
    expect(binding?.[kind === 'remind' ? 'remindedBy' : 'escalatedBy']).toBeUndefined();
  }

  test('filed 59 minutes after it (its reminder due an hour after filing): reminded later, by its own job', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    t.clock.advance(59 * MINUTE);
    const b = await t.create(OUTSIDER);
    // a is an hour old, b a minute.
    t.clock.advance(MINUTE);
    await postedAlone(t, a, b);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
    expect(await t.scheduler.runDue()).toBe(0);
    t.clock.advance(59 * MINUTE);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, RULE_CHANNEL]);
    expect(t.adapter.posts[1]!.activity.text).toMatch(new RegExp(`^Reminder: request ${b.id} `));
    expect(await t.reminded(b.id)).toEqual([expect.objectContaining({ outcome: 'reminded' })]);
  });

  test('expired, still pending (its expiry has not run yet): not taken', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    await t.change(b.id, (r) => ({ expiresAt: new Date(Date.parse(r.createdAt) + 30 * MINUTE).toISOString() }));
    t.clock.advance(HOUR);
    await postedAlone(t, a, b);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
    expect((await t.store.get(b.id))!.state).toBe('pending');
    expect(await t.reminded(b.id)).toEqual([]);
  });

  test('its escalation due too: not in the reminder; it gets the escalation alone, and no reminder', async () => {
    const t = setup(escalating);
    const b = await t.create(OUTSIDER);
    t.clock.advance(HOUR);
    const a = await t.create(REQUESTER);
    // b is two hours old (escalation due), a one (reminder due, escalation not).
    t.clock.advance(HOUR);
    await postedAlone(t, a, b);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
    // b's reminder (used up unsent) and its escalation.
    expect(await t.scheduler.runDue()).toBe(2);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, RULE_CHANNEL, ESCALATION_CHANNEL]);
    expect(t.adapter.posts[1]!.activity.text).toMatch(new RegExp(`^Escalation: request ${b.id} `));
    expect(await t.reminded(b.id)).toEqual([]);
  });

  test('an extension whose original’s access has ended (approving it would be refused): not taken, nor reminded by its own job', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    const original = pendingRequest({
      id: 'R-ORIGINAL',
      tenantId: TENANT,
      requester: OUTSIDER,
      state: 'succeeded',
      createdAt: '2026-11-30T07:00:00.000Z',
      decision: { by: APPROVER, at: '2026-11-30T07:10:00.000Z', approved: true },
      access: { durationMs: 2 * HOUR, expiresAt: '2026-11-30T09:10:00.000Z' },
    });
    await t.store.create(original);
    await t.change(b.id, () => ({ extendsRequestId: original.id }));
    t.clock.advance(HOUR);
    await postedAlone(t, a, b);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL]);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.adapter.posts).toHaveLength(1);
    expect(await t.reminded(b.id)).toEqual([]);
  });

  test('another tenant’s request under the same rule channel: its own post', async () => {
    const t = setup();
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    await t.change(b.id, () => ({ tenantId: '6c2f3d4e-0000-4000-8000-00000000b0b0' }));
    t.clock.advance(HOUR);
    await postedAlone(t, a, b);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, RULE_CHANNEL]);
    expect(t.adapter.posts[1]!.activity.text).toMatch(new RegExp(`^Reminder: request ${b.id} `));
  });

  test('an escalation whose rule names another escalation channel: its own post, there', async () => {
    const OTHER_ESCALATION = '19:other-escalation@thread.tacv2';
    const t = setup(escalating);
    const a = await t.create(REQUESTER);
    const b = await t.create(OUTSIDER);
    await t.change(b.id, (r) => ({
      policy: {
        ...r.policy!,
        rule: { ...r.policy!.rule!, escalateTo: { ...r.policy!.rule!.escalateTo!, channel: OTHER_ESCALATION } },
      },
    }));
    t.clock.advance(3 * HOUR);
    await postedAlone(t, a, b, 'escalate');
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, ESCALATION_CHANNEL]);
    // Both reminders (used up unsent) and b's escalation.
    expect(await t.scheduler.runDue()).toBe(3);
    expect(postedTo(t.adapter)).toEqual([RULE_CHANNEL, ESCALATION_CHANNEL, RULE_CHANNEL, OTHER_ESCALATION]);
    for (const { activity } of t.adapter.posts.slice(2))
      expect(activity.text).toMatch(new RegExp(`^Escalation: request ${b.id} `));
  });
});
