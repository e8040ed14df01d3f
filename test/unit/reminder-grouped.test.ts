/**
 * Grouped expiry reminders (reminder-siblings.ts): a requester's reminder, about to be posted,
 * takes along their other accesses whose reminder is due within REMINDER_LOOK_AHEAD_MS, in one
 * card, each with its own Extend carrying what a single reminder's Extend carries. Each access
 * listed gets the entry its own reminder would write (the same key), only once the card went
 * out, so its own job posts nothing later; a failed post writes none, and the retry posts. Another
 * requester's access, or the same requester's in another tenant, is not listed.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { createScheduler } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import type { AccessRequest } from '../../src/domain/request';
import { AccessActions } from '../../src/flows/access-actions';
import { accessReminderJobId } from '../../src/flows/access-reminders';
import { REMINDER_HOLD_MS } from '../../src/flows/reminder-siblings';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { expiryReminderCard } from '../../src/views/lifecycle-view';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { groupedExtends } from './support/grouped-reminder-card';
import { DAY, granted, NOW } from './support/reminder-lifecycle';
import { OUTSIDER } from './support/requests';

const RILEY = 'a:riley-chat';
const RILEY_ELSEWHERE = 'a:riley-other-tenant';
const OSCAR = 'a:oscar-chat';
const OTHER_TENANT = '6c2f3d4e-0000-4000-8000-00000000b0b0';

/** Teams: posts in the requester's chat refused (503) while `down`; every post that went out kept. */
class Teams {
  down = false;
  gone = false;
  readonly posts: Array<{ conversation: string; text: string }> = [];
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    const conversation = String(reference.conversation?.id);
    await logic({
      onSendActivities: () => undefined,
      sendActivity: async (activity: Partial<Activity>) => {
        if (this.down && conversation === RILEY) throw Object.assign(new Error('Teams said no'), { statusCode: 503 });
        if (this.gone && conversation === RILEY) throw Object.assign(new Error('not in it'), { statusCode: 403 });
        this.posts.push({ conversation, text: JSON.stringify(activity) });
        return { id: `post-${this.posts.length}` };
      },
    });
  }
}

/** A grant like {@link granted}, ending `endsInMs` after NOW. */
function grant(id: string, endsInMs: number, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    ...granted,
    id,
    access: { durationMs: 30 * DAY, expiresAt: new Date(Date.parse(NOW) + endsInMs).toISOString() },
    ...overrides,
  };
}

/** Riley's grant whose one-day reminder is due now (its job runs first). */
const lead = grant(granted.id, DAY);
/** Riley's, due in 5 and 2 hours: within the look-ahead. */
const soon = grant('R-BBBBBBB2', DAY + 5 * HOUR);
const sooner = grant('R-CCCCCCC3', DAY + 2 * HOUR);
/** Riley's, due in 2 days: past the look-ahead. */
const later = grant('R-FFFFFFF6', 3 * DAY);
/** Oscar's, due in an hour. */
const oscars = grant('R-DDDDDDD4', DAY + HOUR, { requester: OUTSIDER });
/** Riley's in another tenant, due in 3 hours. */
const elsewhere = grant('R-EEEEEEE5', DAY + 3 * HOUR, { tenantId: OTHER_TENANT });

const all = [lead, soon, sooner, later, oscars, elsewhere];

/** A team channel's thread, where a request may be asked too. */
const CHANNEL = '19:teamx@thread.tacv2;messageid=1700000000000';

async function setup(
  opts: {
    dueTogether?: boolean;
    remindersMs?: number[];
    /** The conversation of `r`'s requester copy (null: none; undefined: as for {@link all}). */
    chatOf?: (r: AccessRequest) => string | null | undefined;
    /** The requests stored (default {@link all}). */
    requests?: AccessRequest[];
    /** Their reminder jobs (default: each one's day-before reminder). */
    jobs?: Array<{ r: AccessRequest; beforeMs: number }>;
    /** The lifecycle reads jobs by id only (a scheduler that lists no prefix). */
    byIdOnly?: boolean;
    /** How the lifecycle reads new access's pause (default: never paused, no reads). */
    pauses?: { current: () => Promise<undefined> };
  } = {},
) {
  const clock = new FakeClock(NOW);
  const stores = memoryStores(clock);
  const log = createLogger({ level: 'silent' });
  const teams = new Teams();
  const messenger = new CardMessenger(teams as unknown as CloudAdapter, 'app-1', stores.requests, log, undefined, {
    defaultAccessMs: 30 * DAY,
  });
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log, messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  // The lifecycle reads the jobs in the scheduler's store, as deployed.
  const lifecycle = quietLifecycle(clock, {
    store: stores.requests,
    audit: stores.audit,
    jobs: opts.byIdOnly
      ? {
          schedule: (job) => scheduler.schedule(job),
          cancel: (id) => scheduler.cancel(id),
          get: (id) => scheduler.get(id),
          scheduleIfAbsent: (job) => scheduler.scheduleIfAbsent(job),
          moveIfUnchanged: (job, dueAt) => scheduler.moveIfUnchanged(job, dueAt),
        }
      : scheduler,
    messenger,
    // As deployed: the lifecycle's leases, which the requester's reminder claim takes.
    settings: {
      remindersMs: opts.remindersMs ?? [DAY],
      leases: { store: stores.leases, owner: 'this-instance' },
      ...(opts.pauses && { pauses: opts.pauses }),
    },
  });
  scheduler.register('access.remind', (job, run) => lifecycle.onReminder(job, run));
  const base = { serviceUrl: 'https://smba.example/emea/', bot: { id: 'app-1', name: 'acrbot' } };
  const chat = (r: AccessRequest) =>
    opts.chatOf?.(r) !== undefined ? opts.chatOf(r) : r === oscars ? OSCAR : r === elsewhere ? RILEY_ELSEWHERE : RILEY;
  for (const r of opts.requests ?? all) {
    await stores.requests.create(r);
    const id = chat(r);
    if (id !== null)
      await stores.requests.addCardCopy({
        requestId: r.id,
        role: 'requester',
        activityId: `act-${r.id}`,
        conversation: { ...base, conversation: { id, tenantId: r.tenantId } },
      });
    if (opts.jobs) continue;
    await scheduler.schedule({
      id: accessReminderJobId(r.id, DAY),
      kind: 'access.remind',
      // Due together: in one sweep, as for accesses granted together.
      dueAt:
        opts.dueTogether && [lead, soon, sooner].includes(r)
          ? new Date(NOW)
          : new Date(Date.parse(r.access!.expiresAt!) - DAY),
      requestId: r.id,
      payload: { beforeMs: DAY },
    });
  }
  for (const { r, beforeMs } of opts.jobs ?? [])
    await scheduler.schedule({
      id: accessReminderJobId(r.id, beforeMs),
      kind: 'access.remind',
      dueAt: new Date(Date.parse(r.access!.expiresAt!) - beforeMs),
      requestId: r.id,
      payload: { beforeMs },
    });
  const reminded = async (r: AccessRequest) =>
    (await stores.audit.forRequest(r.id)).filter((e) => e.action === 'access.reminded');
  const postsTo = (conversation: string) => teams.posts.filter((p) => p.conversation === conversation);
  /** Moves the clock to `at` (ms after NOW) and runs what is due. */
  const runAt = async (afterNowMs: number) => {
    clock.set(new Date(Date.parse(NOW) + afterNowMs));
    await scheduler.runDue();
  };
  return { clock, stores, teams, scheduler, reminded, postsTo, runAt };
}

/** The Action.Execute actions of a posted activity's card: a single reminder's, or each grouped row's own Extend. */
function extendActions(posted: string): Array<{ title: string; data: Record<string, unknown> }> {
  const activity = JSON.parse(posted) as { attachments: Array<{ content: { actions?: unknown[] } }> };
  const card = activity.attachments[0]!.content;
  return [
    ...((card.actions ?? []) as Array<{ title: string; data: Record<string, unknown> }>),
    ...groupedExtends(card),
  ];
}

test('one card lists the requester’s accesses ending within the look-ahead; each is audited once and its own job posts nothing', async () => {
  const t = await setup();
  await t.runAt(0);
  const cards = t.postsTo(RILEY);
  expect(cards).toHaveLength(1);
  const text = cards[0]!.text;
  expect(text).toContain('3 of your accesses end soon');
  // The soonest end first after the one whose job posts it.
  expect(extendActions(text).map((a) => a.data.requestId)).toEqual([lead.id, sooner.id, soon.id]);
  for (const other of [later, oscars, elsewhere]) expect(text).not.toContain(other.id);

  for (const r of [lead, soon, sooner]) {
    const entries = await t.reminded(r);
    expect(entries.map((e) => e.idempotencyKey)).toEqual([
      `access.reminded:${accessReminderJobId(r.id, DAY)}:${r.access!.expiresAt}`,
    ]);
    expect(entries[0]!.outcome).toBe('sent');
  }
  expect((await t.reminded(lead))[0]!.detail).toBe(
    `expires ${lead.access!.expiresAt}; in one card with ${sooner.id}, ${soon.id}`,
  );
  expect((await t.reminded(soon))[0]!.detail).toBe(
    `expires ${soon.access!.expiresAt}; in one card with the reminder of ${lead.id}`,
  );

  // Their own jobs, come due, find their entries: no second card, no second entry; gone.
  await t.runAt(6 * HOUR);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  for (const r of [soon, sooner]) {
    expect(await t.reminded(r)).toHaveLength(1);
    expect(await t.stores.schedule.get(accessReminderJobId(r.id, DAY))).toBeUndefined();
  }
  // Oscar's and the other tenant's were left to their own jobs: one card each, alone.
  expect(t.postsTo(OSCAR)).toHaveLength(1);
  expect(t.postsTo(OSCAR)[0]!.text).toContain('"title":"Extend"');
  expect(t.postsTo(OSCAR)[0]!.text).not.toContain('of your accesses end soon');
  expect(t.postsTo(RILEY_ELSEWHERE)).toHaveLength(1);
  expect(t.postsTo(RILEY_ELSEWHERE)[0]!.text).toContain('"title":"Extend"');
  expect(t.postsTo(RILEY_ELSEWHERE)[0]!.text).not.toContain('of your accesses end soon');
  // The one past the look-ahead was not taken: its own reminder comes.
  expect(await t.reminded(later)).toEqual([]);
  await t.runAt(2 * DAY);
  expect(t.postsTo(RILEY)).toHaveLength(2);
  expect(t.postsTo(RILEY)[1]!.text).toContain('"title":"Extend"');
  expect(t.postsTo(RILEY)[1]!.text).not.toContain('of your accesses end soon');
  await t.scheduler.stop();
});

test('a grouped card that did not go out writes no entry for any access; the retry posts it, each audited once', async () => {
  const t = await setup();
  t.teams.down = true;
  await t.runAt(0);
  expect(t.postsTo(RILEY)).toEqual([]);
  for (const r of [lead, soon, sooner]) expect(await t.reminded(r)).toEqual([]);
  const failed = await t.stores.schedule.get(accessReminderJobId(lead.id, DAY));
  expect(failed).toMatchObject({ attempts: 1 });

  t.teams.down = false;
  await t.runAt(Date.parse(failed!.dueAt) - Date.parse(NOW));
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([lead.id, sooner.id, soon.id]);
  for (const r of [lead, soon, sooner]) expect(await t.reminded(r)).toHaveLength(1);
  await t.runAt(6 * HOUR);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  await t.scheduler.stop();
});

test('each row’s Extend carries what the access’s own reminder’s Extend carries (the same click handler)', async () => {
  const t = await setup();
  await t.runAt(0);
  const grouped = extendActions(t.postsTo(RILEY)[0]!.text);
  for (const r of [lead, soon, sooner]) {
    const single = (expiryReminderCard(r, DAY, 30 * DAY).actions as Array<{ verb: string; data: unknown }>)[0]!;
    const row = grouped.find((a) => a.data.requestId === r.id) as unknown as { verb: string; data: unknown };
    expect(row.verb).toBe(single.verb);
    expect(row.data).toEqual(single.data);
  }
  // The inputs the handler reads with it are on the card, once.
  const body = t.postsTo(RILEY)[0]!.text;
  expect(body.match(/"id":"duration"/g)).toHaveLength(1);
  expect(body.match(/"id":"reason"/g)).toHaveLength(1);
  await t.scheduler.stop();
});

test('Extend clicked on a listed row files the extension of that access, through the extend flow a single reminder’s click takes', async () => {
  const t = await setup();
  await t.runAt(0);
  const row = extendActions(t.postsTo(RILEY)[0]!.text).find((a) => a.data.requestId === soon.id)!;
  const created: Array<Record<string, unknown>> = [];
  const requests = {
    get: async (id: string) => (await t.stores.requests.get(id))!,
    recordRefusal: async () => undefined,
    create: async (input: Record<string, unknown>) => {
      created.push(input);
      return { ...soon, id: 'R-XXXXXXX7', state: 'pending', extendsRequestId: input.extendsRequestId };
    },
    openExtensionsOf: async () => [],
    accessTerm: () => ({ durationMs: 7 * DAY }),
    // Own tenant, not paused: the extension's own rules are what this test is about.
    assertOwnTenant: async () => undefined,
    assertOpen: async () => undefined,
  };
  const actions = new AccessActions(
    requests as never,
    {} as never,
    {} as never,
    { announcer: { announceExtension: async () => ({}) }, execute: () => undefined },
    undefined,
    undefined,
    undefined,
    t.clock,
  );
  // As the click handler passes it (lifecycle-handler.ts, extendClick): the row's data and the card's inputs.
  const click = () =>
    actions.createExtension({
      actor: soon.requester,
      tenantId: soon.tenantId,
      originalId: String(row.data.requestId),
      duration: '7d',
      reason: 'release still running',
      origin: soon.origin,
      drawnEnd: String(row.data.endsAt),
    });
  await click();
  expect(created).toHaveLength(1);
  expect(created[0]).toMatchObject({ extendsRequestId: soon.id, requester: soon.requester });
  // The end the row was drawn with goes too: once the access was extended some other way, the
  // row's click is refused as a single reminder's is.
  const stored = (await t.stores.requests.get(soon.id))!;
  await t.stores.requests.update({
    ...stored,
    version: stored.version + 1,
    access: { ...stored.access!, expiresAt: new Date(Date.parse(stored.access!.expiresAt!) + 7 * DAY).toISOString() },
  });
  await expect(click()).rejects.toMatchObject({ code: 'extend.extendedSince' });
  expect(created).toHaveLength(1);
  await t.scheduler.stop();
});

test('reminders of one requester due in one sweep (run a few at once) post one card: the others hold back for its claim', async () => {
  const t = await setup({ dueTogether: true });
  const reads = jest.spyOn(t.stores.requests, 'listByRequester');
  /** The looks among the requester's granted accesses (not the reads of open extensions). */
  const scans = () => reads.mock.calls.filter(([, states]) => states.includes('succeeded')).length;
  await t.runAt(0);
  // Only the run holding the claim looks among the requester's accesses: the others held back first.
  expect(scans()).toBe(1);
  const cards = t.postsTo(RILEY);
  expect(cards).toHaveLength(1);
  expect(extendActions(cards[0]!.text).map((a) => a.data.requestId)).toEqual(
    expect.arrayContaining([lead.id, soon.id, sooner.id]),
  );
  // The held ones run again past the claim, find the entries its card wrote for them, and are done.
  await t.runAt(REMINDER_HOLD_MS);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  // Each found its entry before looking again.
  expect(scans()).toBe(1);
  for (const r of [lead, soon, sooner]) {
    expect(await t.reminded(r)).toHaveLength(1);
    expect(await t.stores.schedule.get(accessReminderJobId(r.id, DAY))).toBeUndefined();
  }
  await t.scheduler.stop();
});

test('the card lists at most 6 accesses (what a phone’s screen reads; the card must also stay within the size Teams accepts) and counts the rest, which their own jobs remind of later', async () => {
  const t = await setup();
  const extra = [...'23456789A'].map((c, i) => grant(`R-GGGGGGG${c}`, DAY + (i + 1) * 10 * 60_000));
  for (const r of extra) {
    await t.stores.requests.create(r);
    // Asked in Riley's chat too: only those are taken along.
    await t.stores.requests.addCardCopy({
      requestId: r.id,
      role: 'requester',
      activityId: `act-${r.id}`,
      conversation: {
        serviceUrl: 'https://smba.example/emea/',
        bot: { id: 'app-1', name: 'acrbot' },
        conversation: { id: RILEY, tenantId: r.tenantId },
      },
    });
    await t.scheduler.schedule({
      id: accessReminderJobId(r.id, DAY),
      kind: 'access.remind',
      dueAt: new Date(Date.parse(r.access!.expiresAt!) - DAY),
      requestId: r.id,
      payload: { beforeMs: DAY },
    });
  }
  await t.runAt(0);
  const text = t.postsTo(RILEY)[0]!.text;
  const first = [lead, ...extra.slice(0, 5)];
  const rest = [...extra.slice(5), sooner, soon];
  expect(extendActions(text).map((a) => a.data.requestId)).toEqual(first.map((r) => r.id));
  expect(text).toContain('12 of your accesses end soon');
  expect(text).toContain('6 more of your accesses end soon: see the My access tab.');
  // The six counted were not audited: their own jobs remind of them (together, in one card).
  for (const r of rest) expect(await t.reminded(r)).toEqual([]);
  await t.runAt(6 * HOUR);
  expect(t.postsTo(RILEY)).toHaveLength(2);
  expect(extendActions(t.postsTo(RILEY)[1]!.text).map((a) => a.data.requestId)).toEqual(rest.map((r) => r.id));
  for (const r of [lead, soon, sooner, ...extra]) expect(await t.reminded(r)).toHaveLength(1);
  await t.scheduler.stop();
});

test('only accesses asked in the same conversation are taken along: one asked in the personal chat is not posted into a channel thread', async () => {
  /** Riley's, due in 3 hours, with no conversation acrbot knows. */
  const nowhere = grant('R-HHHHHHH8', DAY + 3 * HOUR);
  const t = await setup({
    requests: [lead, soon, sooner, nowhere],
    chatOf: (r) => (r === lead ? CHANNEL : r === nowhere ? null : undefined),
  });
  await t.runAt(0);
  // The channel's card is lead's alone: nothing of Riley's chat shows to everyone in the channel.
  expect(t.postsTo(CHANNEL)).toHaveLength(1);
  const inChannel = t.postsTo(CHANNEL)[0]!.text;
  expect(inChannel).not.toContain('of your accesses end soon');
  for (const r of [soon, sooner, nowhere]) expect(inChannel).not.toContain(r.id);
  for (const r of [soon, sooner, nowhere]) expect(await t.reminded(r)).toEqual([]);
  // Their own jobs remind of them in Riley's chat (the two together); the one with nowhere to go is audited so.
  await t.runAt(6 * HOUR);
  expect(t.postsTo(CHANNEL)).toHaveLength(1);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([sooner.id, soon.id]);
  // (Run in the same sweep, it held back for the requester's claim, once.)
  await t.runAt(6 * HOUR + REMINDER_HOLD_MS);
  expect((await t.reminded(nowhere)).map((e) => e.outcome)).toEqual(['noConversation']);
  expect(t.teams.posts).toHaveLength(2);
  await t.scheduler.stop();
});

test('reminders 1d,1h: once an access’s day-before reminder went, its hour-before one is not taken along 20 hours early', async () => {
  /** Riley's, ending in 20 hours: its day-before reminder went 4 hours ago, its hour-before one is due in 19. */
  const sib = grant('R-HHHHHHH2', 20 * HOUR);
  const t = await setup({
    remindersMs: [DAY, HOUR],
    requests: [lead, sib],
    jobs: [
      { r: lead, beforeMs: DAY },
      { r: lead, beforeMs: HOUR },
      { r: sib, beforeMs: HOUR },
    ],
  });
  await t.runAt(0);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect(t.postsTo(RILEY)[0]!.text).not.toContain(sib.id);
  expect(await t.reminded(sib)).toEqual([]);
  // It comes an hour before the end, on its own.
  await t.runAt(19 * HOUR);
  expect(t.postsTo(RILEY)).toHaveLength(2);
  expect(t.postsTo(RILEY)[1]!.text).toContain(sib.id);
  expect(await t.reminded(sib)).toHaveLength(1);
  await t.scheduler.stop();
});

test.each([
  ['its reminder jobs read by prefix', false],
  ['its reminder jobs read by id', true],
])(
  'reminders 7d,1d: a day-before reminder is taken along at most 6 hours early, a week-before one up to a day; rows soonest end first (%s)',
  async (_how, byIdOnly) => {
    /** Riley's ending in a week: its week-before reminder is due now and posts. */
    const week = grant(granted.id, 7 * DAY);
    /** Its day-before reminder due in 23 hours: not taken (it would come 47 hours before the end). */
    const tomorrow = grant('R-JJJJJJJ2', DAY + 23 * HOUR);
    /** Its day-before reminder due in 5 hours: taken, and it ends first. */
    const first = grant('R-BBBBBBB2', DAY + 5 * HOUR);
    /** Its week-before reminder due in 20 hours: taken. */
    const nextWeek = grant('R-KKKKKKK3', 7 * DAY + 20 * HOUR);
    const t = await setup({
      byIdOnly,
      remindersMs: [7 * DAY, DAY],
      requests: [week, tomorrow, first, nextWeek],
      jobs: [
        { r: week, beforeMs: 7 * DAY },
        { r: tomorrow, beforeMs: DAY },
        { r: first, beforeMs: DAY },
        { r: nextWeek, beforeMs: 7 * DAY },
      ],
    });
    await t.runAt(0);
    expect(t.postsTo(RILEY)).toHaveLength(1);
    // All rows by their end, the posting access among them.
    expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([
      first.id,
      week.id,
      nextWeek.id,
    ]);
    expect(await t.reminded(tomorrow)).toEqual([]);
    await t.runAt(23 * HOUR);
    expect(t.postsTo(RILEY)).toHaveLength(2);
    expect(t.postsTo(RILEY)[1]!.text).toContain(tomorrow.id);
    expect(t.postsTo(RILEY)[1]!.text).not.toContain('of your accesses end soon');
    await t.scheduler.stop();
  },
);

test('the requester claim is released once the card went out', async () => {
  const t = await setup();
  await t.runAt(0);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  const key = `reminders:${lead.tenantId}:${lead.requester.objectId.toLowerCase()}`;
  expect(await t.stores.leases.acquire(key, 'another', 1000)).toBeDefined();
  await t.scheduler.stop();
});

test('a grouped card Teams refused for good writes no entry for the others', async () => {
  const t = await setup();
  t.teams.gone = true;
  await t.runAt(0);
  expect((await t.reminded(lead)).map((e) => e.outcome)).toEqual(['refused']);
  for (const r of [soon, sooner]) expect(await t.reminded(r)).toEqual([]);
  await t.scheduler.stop();
});

test('a day-before reminder due in 7 hours is not taken along (more than a quarter of its lead early)', async () => {
  const week = grant(granted.id, 7 * DAY);
  const in7 = grant('R-JJJJJJJ2', DAY + 7 * HOUR);
  const t = await setup({
    remindersMs: [7 * DAY, DAY],
    requests: [week, in7],
    jobs: [
      { r: week, beforeMs: 7 * DAY },
      { r: in7, beforeMs: DAY },
    ],
  });
  await t.runAt(0);
  expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([week.id]);
  expect(await t.reminded(in7)).toEqual([]);
  await t.scheduler.stop();
});

test.each([
  ['its reminder jobs read by prefix', false],
  ['its reminder jobs read by id', true],
])(
  'an access whose reminder job was moved past the take-ahead (a retry backing off) is not taken along: its job posts when it comes (%s)',
  async (_how, byIdOnly) => {
    /** Riley's, whose day-before reminder was due in 5 hours, its job moved to 8 hours from now. */
    const moved = grant('R-BBBBBBB2', DAY + 5 * HOUR);
    const t = await setup({ byIdOnly, requests: [lead, moved] });
    await t.scheduler.schedule({
      id: accessReminderJobId(moved.id, DAY),
      kind: 'access.remind',
      dueAt: new Date(Date.parse(NOW) + 8 * HOUR),
      requestId: moved.id,
      payload: { beforeMs: DAY },
    });
    await t.runAt(0);
    // Its end is within reach of a day-before reminder taken 6 hours early, but the job is not due by then.
    expect(t.postsTo(RILEY)).toHaveLength(1);
    expect(t.postsTo(RILEY)[0]!.text).not.toContain(moved.id);
    expect(await t.reminded(moved)).toEqual([]);
    await t.runAt(8 * HOUR);
    expect(t.postsTo(RILEY)).toHaveLength(2);
    expect(t.postsTo(RILEY)[1]!.text).toContain(moved.id);
    expect(await t.reminded(moved)).toHaveLength(1);
    await t.scheduler.stop();
  },
);

test('a sibling’s reminder jobs are read at once (one read of their prefix), not one read per reminder', async () => {
  /** Riley's, ending tomorrow: its week-before reminder is done, its day-before one due in 5 hours. */
  const sib = grant('R-BBBBBBB2', DAY + 5 * HOUR);
  const t = await setup({
    remindersMs: [7 * DAY, DAY],
    requests: [lead, sib],
    jobs: [
      { r: lead, beforeMs: DAY },
      { r: sib, beforeMs: DAY },
    ],
  });
  const gets = jest.spyOn(t.scheduler, 'get');
  const prefixes = jest.spyOn(t.scheduler, 'withIdPrefix');
  await t.runAt(0);
  expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([lead.id, sib.id]);
  expect(gets.mock.calls.filter(([id]) => id.includes(sib.id))).toEqual([]);
  expect(prefixes.mock.calls.filter(([prefix]) => prefix.includes(sib.id))).toHaveLength(1);
  await t.scheduler.stop();
});

test('a sibling with more reminder jobs than one read lists (left from other settings) is still found, by id', async () => {
  const sib = grant('R-BBBBBBB2', DAY + 5 * HOUR);
  const t = await setup({ requests: [lead, sib] });
  // Ids that sort before its day-before job's: a read of the prefix would be cut before it.
  for (let i = 0; i < 20; i++)
    await t.scheduler.schedule({
      id: accessReminderJobId(sib.id, 1000 + i),
      kind: 'access.remind',
      dueAt: new Date(Date.parse(NOW) + 10 * DAY),
      requestId: sib.id,
      payload: { beforeMs: 1000 + i },
    });
  await t.runAt(0);
  expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([lead.id, sib.id]);
  await t.scheduler.stop();
});

test('the job of an access a grouped card listed finds its entry before reading anything else (the pause, open extensions)', async () => {
  const pauses = { current: jest.fn(async () => undefined) };
  const t = await setup({ requests: [lead, soon], pauses });
  await t.runAt(0);
  pauses.current.mockClear();
  expect(extendActions(t.postsTo(RILEY)[0]!.text).map((a) => a.data.requestId)).toEqual([lead.id, soon.id]);
  const reads = jest.spyOn(t.stores.requests, 'listByRequester');
  await t.runAt(6 * HOUR);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect(await t.stores.schedule.get(accessReminderJobId(soon.id, DAY))).toBeUndefined();
  expect(reads).not.toHaveBeenCalled();
  expect(pauses.current).not.toHaveBeenCalled();
  await t.scheduler.stop();
});
