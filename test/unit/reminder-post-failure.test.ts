/**
 * An expiry reminder is audited `sent` only once its post went out. A post Teams refused (503)
 * fails the `access.remind` job: it stays scheduled, is retried with the scheduler's backoff and,
 * after 3 attempts, reported to the approvers like any failing job; once Teams answers, the
 * reminder goes and is audited once. A run after its entry was written posts nothing more, and a
 * requester with no conversation acrbot knows is audited `noConversation`, and one whose chat
 * Teams refused for good (403: acrbot removed from it) `refused`; neither is retried, and the
 * approvers are told once per request (only the requester may extend): a report to them that did
 * not go out is audited `unposted`, unkeyed, and the next reminder tells them; two reminders
 * running at once tell them once.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { createScheduler } from '../../src/composition/scheduler';
import { loadConfig } from '../../src/config/config';
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AuditLog } from '../../src/domain/ports';
import { accessReminderJobId } from '../../src/flows/access-reminders';
import { REQUESTER_UNREACHABLE_TOLD } from '../../src/flows/unreachable-requester';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { DAY, granted, NOW, reminderJob } from './support/reminder-lifecycle';

const RILEY = 'a:riley-chat';
const APPROVALS = '19:approvals@thread.tacv2';

/** Teams: posts in the requester's chat answered 503 while `down`; every post that went out is kept. */
class FlakyTeams {
  down = false;
  /** The status Teams answers while `down`: 503 (try later) unless set (403: acrbot removed from the chat). */
  status = 503;
  refused = 0;
  /** While set, posts in the approvals channel fail too (Teams answers 502 there). */
  approvalsDown = false;
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
        if (this.down && conversation === RILEY) {
          this.refused++;
          throw Object.assign(new Error('Teams said no'), { statusCode: this.status });
        }
        if (this.approvalsDown && conversation.startsWith(APPROVALS))
          throw Object.assign(new Error('Teams bad gateway'), { statusCode: 502 });
        this.posts.push({ conversation, text: JSON.stringify(activity) });
        return { id: `post-${this.posts.length}` };
      },
    });
  }
}

/** The audit log, whose next `access.reminded` append is stored but answered with an error (a lost answer). */
function losingOneAnswer(log: AuditLog): AuditLog & { lose: boolean } {
  const wrapped = Object.create(log) as AuditLog & { lose: boolean };
  wrapped.lose = false;
  wrapped.append = async (event: AuditEvent) => {
    const entry = await log.append(event);
    if (wrapped.lose && event.action === 'access.reminded') {
      wrapped.lose = false;
      throw new Error('audit store: connection reset');
    }
    return entry;
  };
  return wrapped;
}

async function setup(opts: { requesterCard?: boolean } = {}) {
  const clock = new FakeClock(NOW);
  const stores = memoryStores(clock);
  const audit = losingOneAnswer(stores.audit);
  const log = createLogger({ level: 'silent' });
  const teams = new FlakyTeams();
  const messenger = new CardMessenger(teams as unknown as CloudAdapter, 'app-1', stores.requests, log, undefined, {
    defaultAccessMs: 30 * DAY,
  });
  const lifecycle = quietLifecycle(clock, {
    store: stores.requests,
    audit,
    messenger,
    // As deployed: the lifecycle's leases, which also keep one report per request when two
    // reminders of it run at once.
    settings: { remindersMs: [DAY], leases: { store: stores.leases, owner: 'this-instance' } },
  });
  await stores.requests.create(granted);
  const base = { serviceUrl: 'https://smba.example/emea/', bot: { id: 'app-1', name: 'acrbot' } };
  if (opts.requesterCard !== false)
    await stores.requests.addCardCopy({
      requestId: granted.id,
      role: 'requester',
      activityId: 'act-1',
      conversation: { ...base, conversation: { id: RILEY, tenantId: 't-1' } },
    });
  await stores.requests.addCardCopy({
    requestId: granted.id,
    role: 'approver',
    activityId: 'act-2',
    conversation: { ...base, conversation: { id: APPROVALS, tenantId: 't-1', isGroup: true } },
  });
  const scheduler = createScheduler(
    loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory' }),
    { stores, clock, log, messenger },
    { sweepIntervalMs: 0, instanceId: 'test' },
  );
  scheduler.register('access.remind', (job, run) => lifecycle.onReminder(job, run));
  const job = reminderJob(granted.id);
  await scheduler.schedule({ id: job.id, kind: 'access.remind', dueAt: new Date(job.dueAt), requestId: granted.id });

  /** Runs the reminder job when it is next due (moving the clock there); its stored state after. */
  const runWhenDue = async () => {
    const due = await stores.schedule.get(job.id);
    clock.advance(Math.max(0, Date.parse(due!.dueAt) - clock.now().getTime()));
    await scheduler.runDue();
    return stores.schedule.get(job.id);
  };
  const reminded = async () =>
    (await stores.audit.forRequest(granted.id)).filter((e) => e.action === 'access.reminded');
  const postsTo = (conversation: string) => teams.posts.filter((p) => p.conversation === conversation);
  return { clock, stores, audit, teams, lifecycle, scheduler, job, runWhenDue, reminded, postsTo };
}

test('a reminder Teams refuses (503) is not audited as sent; retried, reported after 3 attempts, audited once when it goes', async () => {
  const t = await setup();
  t.teams.down = true;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const left = await t.runWhenDue();
    expect(t.teams.refused).toBe(attempt);
    // Still scheduled, later, with the failure counted; nothing in the trail says it was sent.
    expect(left).toMatchObject({ attempts: attempt });
    expect(Date.parse(left!.dueAt)).toBeGreaterThan(t.clock.now().getTime());
    expect(await t.reminded()).toEqual([]);
    expect(t.postsTo(RILEY)).toEqual([]);
    // The approvers hear of it from the third failure on, as of any request's failing job.
    const reports = t.postsTo(APPROVALS);
    expect(reports).toHaveLength(attempt < 3 ? 0 : 1);
  }
  // Named as the work it is, for whom, and what an approver can do meanwhile; not the job's kind.
  expect(t.postsTo(APPROVALS)[0]!.text).toContain(
    `Posting the expiry reminder for ${granted.id} to Riley Requester is not done after 3 attempts (last answer: The message to the requester could not be posted (Teams answered 503).). acrbot keeps trying; next attempt at 2025-02-12 10:03 UTC. Meanwhile, tell Riley Requester that the access ends at 2025-02-13 10:00 UTC.`,
  );
  expect(t.postsTo(APPROVALS)[0]!.text).not.toContain('access.remind');

  t.teams.down = false;
  expect(await t.runWhenDue()).toBeUndefined();
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect(t.postsTo(RILEY)[0]!.text).toContain('Extend');
  const entries = await t.reminded();
  expect(entries.map((e) => e.outcome)).toEqual(['sent']);
  expect(entries[0]!.detail).toBe('expires 2025-02-13T10:00:00.000Z');

  // The job run once more (as when its removal had failed): no second post, no second entry.
  await t.lifecycle.onReminder(t.job);
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect(await t.reminded()).toHaveLength(1);
  await t.scheduler.stop();
});

test('a run whose entry was written but answered with an error is retried without posting or auditing again', async () => {
  const t = await setup();
  t.audit.lose = true;
  // Posted, entry stored, its answer lost: the job fails and stays.
  expect(await t.runWhenDue()).toMatchObject({ attempts: 1 });
  expect(t.postsTo(RILEY)).toHaveLength(1);
  // The retry finds the reminder's entry: done, without a second reminder or entry.
  expect(await t.runWhenDue()).toBeUndefined();
  expect(t.postsTo(RILEY)).toHaveLength(1);
  expect((await t.reminded()).map((e) => e.outcome)).toEqual(['sent']);
  await t.scheduler.stop();
});

test('a requester with no conversation acrbot knows: audited noConversation, not sent, not retried, the approvers told', async () => {
  const t = await setup({ requesterCard: false });
  expect(await t.runWhenDue()).toBeUndefined();
  expect(t.postsTo(RILEY)).toEqual([]);
  expect(t.postsTo(APPROVALS)).toHaveLength(1);
  expect(t.postsTo(APPROVALS)[0]!.text).toContain(
    'could not be reminded that the access ends at 2025-02-13 10:00 UTC: acrbot knows no conversation of theirs',
  );
  const entries = await t.reminded();
  expect(entries.map((e) => e.outcome)).toEqual(['noConversation']);
  expect(entries[0]!.detail).toBe(
    'expires 2025-02-13T10:00:00.000Z; not sent: acrbot knows no conversation of the requester’s',
  );
  await t.scheduler.stop();
});

// Changed deliberately (offboarding review): the requester has likely left and only they may
// extend, so the rule's approvers are told, once per request, not at each reminder.
test.each([403, 404])(
  'a conversation Teams refuses for good (%i): audited refused, not retried, the approvers told once',
  async (status) => {
    const t = await setup();
    t.teams.down = true;
    t.teams.status = status;
    expect(await t.runWhenDue()).toBeUndefined();
    expect(t.teams.refused).toBe(1);
    const entries = await t.reminded();
    expect(entries.map((e) => e.outcome)).toEqual(['refused']);
    expect(entries[0]!.detail).toBe(
      'expires 2025-02-13T10:00:00.000Z; not sent: Teams refused the post in the requester’s conversation (acrbot is no longer in it)',
    );
    // Whose request, which pair, when it ends, and what to do: someone else asks anew.
    expect(t.postsTo(APPROVALS)).toHaveLength(1);
    const report = t.postsTo(APPROVALS)[0]!.text;
    expect(report).toContain(`Requester not reachable: ${granted.id}`);
    expect(report).toContain(
      `Riley Requester, who asked for ${granted.id} (${granted.plan.cluster.name} pulling from ${granted.plan.registry.name}), could not be reminded that the access ends at 2025-02-13 10:00 UTC: Teams refused the post in their chat`,
    );
    expect(report).toContain('someone else asks for that access anew (a new request, approved again)');

    // A later reminder of the same request (another job, as another instance would run it) is
    // audited too, but the approvers are not told again: the audit says they were.
    await t.lifecycle.onReminder({ ...t.job, id: accessReminderJobId(granted.id, HOUR) });
    expect(t.teams.refused).toBe(2);
    expect((await t.reminded()).map((e) => e.outcome)).toEqual(['refused', 'refused']);
    expect(t.postsTo(APPROVALS)).toHaveLength(1);
    await t.scheduler.stop();
  },
);

test('a report of the unreachable requester that did not go out is not marked told: the next reminder tells them, once', async () => {
  const t = await setup();
  const told = async () =>
    (await t.stores.audit.forRequest(granted.id))
      .filter((e) => e.action === REQUESTER_UNREACHABLE_TOLD)
      .map((e) => ({ outcome: e.outcome, key: e.idempotencyKey }));
  t.teams.down = true;
  t.teams.status = 403;
  t.teams.approvalsDown = true;
  expect(await t.runWhenDue()).toBeUndefined();
  expect((await t.reminded()).map((e) => e.outcome)).toEqual(['refused']);
  expect(t.postsTo(APPROVALS)).toEqual([]);
  // Audited as not posted, without the once-per-request key: nothing says the approvers know.
  expect(await told()).toEqual([{ outcome: 'unposted', key: undefined }]);

  // The next reminder (another job, as another instance would run it) tries again, and it goes.
  t.teams.approvalsDown = false;
  await t.lifecycle.onReminder({ ...t.job, id: accessReminderJobId(granted.id, HOUR) });
  expect(t.postsTo(APPROVALS)).toHaveLength(1);
  expect(t.postsTo(APPROVALS)[0]!.text).toContain(`Requester not reachable: ${granted.id}`);
  expect(await told()).toEqual([
    { outcome: 'unposted', key: undefined },
    { outcome: 'sent', key: `${REQUESTER_UNREACHABLE_TOLD}:${granted.id}` },
  ]);

  // Told now: a later reminder does not tell them again.
  await t.lifecycle.onReminder({ ...t.job, id: accessReminderJobId(granted.id, 2 * HOUR) });
  expect(t.postsTo(APPROVALS)).toHaveLength(1);
  expect(await told()).toHaveLength(2);
  expect((await t.reminded()).map((e) => e.outcome)).toEqual(['refused', 'refused', 'refused']);
  await t.scheduler.stop();
});

test('two reminders of one request running at once (both overdue after an outage) tell the approvers once', async () => {
  const t = await setup();
  t.teams.down = true;
  t.teams.status = 403;
  // The day's and the hour's reminder, on one instance as the sweep's job slots run them (or two).
  await Promise.all([
    t.lifecycle.onReminder(t.job),
    t.lifecycle.onReminder({ ...t.job, id: accessReminderJobId(granted.id, HOUR) }),
  ]);
  expect(t.teams.refused).toBe(2);
  expect((await t.reminded()).map((e) => e.outcome)).toEqual(['refused', 'refused']);
  expect(t.postsTo(APPROVALS)).toHaveLength(1);
  const told = (await t.stores.audit.forRequest(granted.id)).filter((e) => e.action === REQUESTER_UNREACHABLE_TOLD);
  expect(told.map((e) => e.outcome)).toEqual(['sent']);
  // The claim is given back: nothing holds it once both are done.
  expect(await t.stores.leases.holder(`report.requesterUnreachable:${granted.id}`)).toBeUndefined();
  await t.scheduler.stop();
});

test.each([401, 400, 413])(
  'a %i from Teams is acrbot’s problem, not a gone conversation: retried, not audited',
  async (status) => {
    const t = await setup();
    t.teams.down = true;
    t.teams.status = status;
    expect(await t.runWhenDue()).toMatchObject({ attempts: 1 });
    expect(await t.reminded()).toEqual([]);
    await t.scheduler.stop();
  },
);
