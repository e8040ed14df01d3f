/**
 * Every copy of a request's card ends on the request's newest state, whatever order the
 * callers' notifications arrive and finish in: a late notification of an older state (a
 * fire-and-forget `requestChanged` still reading its copies) is not written over a newer one,
 * and the audit card (ACRBOT_AUDIT_CHANNEL) is posted once and updated in order even when two
 * of its syncs run at once (an auto-approved request: the handler's sync and the run's
 * "executing").
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { CardOutbox } from '../../src/bot/card-outbox';
import { transition } from '../../src/domain/request';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { APPROVER, pendingRequest } from './support/requests';

const AT = new Date('2025-01-15T10:00:00.000Z');
const AUDIT_CHANNEL = '19:audit@thread.tacv2';

interface Call {
  kind: 'update' | 'send';
  conversation: string;
  id?: string;
  card: string;
}

/**
 * An adapter that records connector calls in the order they finish; a call for which `holdIf`
 * is true waits until the test releases it (a slow or throttled call), the others go at once.
 */
class GatedAdapter {
  readonly started: Call[] = [];
  readonly finished: Call[] = [];
  holdIf: (call: Call) => boolean = () => false;
  private readonly held: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  private sent = 0;

  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    const conversation = String(reference.conversation?.id);
    const card = (activity: Partial<Activity>) => JSON.stringify(activity.attachments?.[0]?.content);
    await logic({
      onSendActivities: () => undefined,
      updateActivity: (activity: Partial<Activity>) =>
        this.call({ kind: 'update', conversation, id: activity.id, card: card(activity) }),
      sendActivity: async (activity: Partial<Activity>) => {
        const id = `post-${++this.sent}`;
        await this.call({ kind: 'send', conversation, id, card: card(activity) });
        return { id };
      },
    });
  }

  private async call(call: Call): Promise<void> {
    this.started.push(call);
    for (const w of this.waiters.splice(0)) w();
    if (this.holdIf(call)) await new Promise<void>((resolve) => this.held.push(resolve));
    else await Promise.resolve();
    this.finished.push(call);
  }

  /** Resolves once `n` calls are held (an event, not a sleep). */
  async heldCalls(n: number): Promise<void> {
    while (this.held.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  release(): void {
    this.holdIf = () => false;
    for (const r of this.held.splice(0)) r();
  }

  /** The cards written to an activity (posted, then updated), in the order they landed. */
  shownAt(conversation: string): Call[] {
    return this.finished.filter((c) => c.conversation === conversation);
  }
}

async function setup() {
  const adapter = new GatedAdapter();
  const store = new MemoryRequestStore();
  const log = new MemoryAuditLog({ now: () => AT });
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
    { log, channelId: AUDIT_CHANNEL },
    undefined,
    // "executing" is held for the next state only a turn of the event loop here.
    new CardOutbox(undefined, {
      set: (fire) => setImmediate(fire),
      clear: (h) => clearImmediate(h as NodeJS.Immediate),
    }),
  );
  const pending = pendingRequest();
  await store.create(pending);
  for (const [role, activityId, conversation] of [
    ['requester', 'act-requester', 'thread-1'],
    ['approver', 'act-approver', 'approvals'],
  ] as const)
    await store.addCardCopy({
      requestId: pending.id,
      activityId,
      role,
      conversation: { serviceUrl: 'https://smba.example/', conversation: { id: conversation, tenantId: 't' } },
    });
  const approved = transition(pending, { type: 'approve', by: APPROVER, at: AT });
  const executing = transition(approved, { type: 'start', at: AT });
  const succeeded = transition(executing, {
    type: 'succeed',
    at: AT,
    outcome: { summary: 'AcrPull assigned', azureRequestIds: ['x'] },
  });
  return { adapter, store, messenger, pending, approved, executing, succeeded };
}

/** The state an audit card's title names (`R-… · grant · <state label>`), as the request card labels it. */
const auditState = (call: Call) => /· grant · ([^"]+)"/.exec(call.card)?.[1];

describe('the audit card', () => {
  test('two syncs at once with no audit card yet (handler and run of an auto-approved request) post it once; it ends on the newest state', async () => {
    const t = await setup();
    // The run's "executing" and the handler's sync of the request as stored at creation.
    await Promise.all([t.messenger.requestChanged(t.executing), t.messenger.syncAuditCard(t.approved)]);
    const audit = t.adapter.shownAt(AUDIT_CHANNEL);
    expect(audit.filter((c) => c.kind === 'send')).toHaveLength(1);
    expect(auditState(audit[audit.length - 1])).toBe('Executing…');
    expect((await t.store.listCardCopies(t.pending.id)).filter((c) => c.role === 'audit')).toHaveLength(1);
  });

  test('an update of an older state that is still on its way does not land after the newer one', async () => {
    const t = await setup();
    await t.messenger.syncAuditCard(t.pending); // posted
    // "executing"'s update is slow (throttled); meanwhile the grant succeeds.
    t.adapter.holdIf = (c) => c.conversation === AUDIT_CHANNEL && c.kind === 'update';
    const executing = t.messenger.requestChanged(t.executing);
    await t.adapter.heldCalls(1);
    t.adapter.holdIf = () => false;
    const succeeded = t.messenger.requestChanged(t.succeeded);
    // Let the newer state's work run as far as it can before the slow call returns: every step
    // here (memory store, audit log, adapter) is a promise, so one macrotask turn drains them.
    await new Promise((resolve) => setImmediate(resolve));
    t.adapter.release();
    await Promise.all([executing, succeeded]);
    const audit = t.adapter.shownAt(AUDIT_CHANNEL);
    expect(auditState(audit[audit.length - 1])).toBe('Granted');
  });

  test('a late sync of an older state (the handler after the run) does not put the older state back', async () => {
    const t = await setup();
    await t.messenger.requestChanged(t.succeeded);
    await t.messenger.syncAuditCard(t.approved);
    const audit = t.adapter.shownAt(AUDIT_CHANNEL);
    expect(audit.map(auditState)).toEqual(['Granted']);
  });

  test('a sync at the same state (a refused click) still writes: the new audit line reaches the card', async () => {
    const t = await setup();
    const log = (t.messenger as unknown as { audit: { log: MemoryAuditLog } }).audit.log;
    await t.messenger.syncAuditCard(t.pending);
    await log.append({
      actor: { objectId: 'x', name: 'Oscar Outsider' },
      tenantId: t.pending.tenantId,
      action: 'decision.refused',
      requestId: t.pending.id,
      targetIds: [],
      outcome: 'refused',
    });
    await t.messenger.refusalNoted(t.pending);
    const audit = t.adapter.shownAt(AUDIT_CHANNEL);
    expect(audit.map((c) => c.kind)).toEqual(['send', 'update']);
    expect(audit[1].card).toContain('decision.refused');
  });
});

describe('the audit card across instances', () => {
  /** A second instance on the same store, audit log and leases: its own messenger and outbox. */
  function instance(t: Awaited<ReturnType<typeof setup>>, owner: string, leases: MemoryLeaseStore) {
    const log = (t.messenger as unknown as { audit: { log: MemoryAuditLog } }).audit.log;
    return new CardMessenger(
      t.adapter as unknown as CloudAdapter,
      'app-1',
      t.store,
      createLogger({ level: 'silent' }),
      {
        log,
        channelId: AUDIT_CHANNEL,
        leases: { store: leases, owner, ttlMs: 60_000, clock: { now: () => new Date() } },
      },
    );
  }

  test('two instances that find no audit card yet post it once, and it ends on the newest state', async () => {
    const t = await setup();
    const leases = new MemoryLeaseStore(() => new Date());
    const [one, two] = [instance(t, 'one', leases), instance(t, 'two', leases)];
    await t.store.update(t.approved);
    // The first instance's post is slow; the second syncs a newer state meanwhile.
    t.adapter.holdIf = (c) => c.conversation === AUDIT_CHANNEL && c.kind === 'send';
    const first = one.syncAuditCard(t.approved);
    await t.adapter.heldCalls(1);
    await t.store.update(t.executing);
    const second = two.syncAuditCard(t.executing);
    t.adapter.release();
    await Promise.all([first, second]);
    const audit = t.adapter.shownAt(AUDIT_CHANNEL);
    expect(audit.map((c) => c.kind)).toEqual(['send', 'update']);
    expect(auditState(audit[audit.length - 1])).toBe('Executing…');
    expect((await t.store.listCardCopies(t.pending.id)).filter((c) => c.role === 'audit')).toHaveLength(1);
  });

  test('a write that outlasts the lease TTL keeps its lease renewed: no other instance can take it meanwhile', async () => {
    const t = await setup();
    let now = Date.parse('2025-01-15T10:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const store = new MemoryLeaseStore(clock.now);
    let renewed!: () => void;
    const renewal = new Promise<void>((resolve) => (renewed = resolve));
    const leases = Object.assign(Object.create(store) as MemoryLeaseStore, {
      renew: async (...args: Parameters<MemoryLeaseStore['renew']>) => {
        const lease = await store.renew(...args);
        // Told once the guard has taken the renewal in (its continuations are microtasks): the
        // clock must not move between a renewal landing and its holder reading it, or the guard
        // rightly counts a renewal that landed past the old expiry as lost.
        setImmediate(renewed);
        return lease;
      },
    });
    const log = (t.messenger as unknown as { audit: { log: MemoryAuditLog } }).audit.log;
    const one = new CardMessenger(
      t.adapter as unknown as CloudAdapter,
      'app-1',
      t.store,
      createLogger({ level: 'silent' }),
      {
        log,
        channelId: AUDIT_CHANNEL,
        leases: { store: leases, owner: 'one', ttlMs: 600, clock },
      },
    );
    t.adapter.holdIf = (c) => c.conversation === AUDIT_CHANNEL;
    const write = one.syncAuditCard(t.pending);
    await t.adapter.heldCalls(1);
    now += 400;
    await renewal; // the guard's timer renews it (every third of the TTL, at least 500 ms)
    now += 400; // past the first expiry, within the renewed one
    expect(await store.acquire(`audit-card:${t.pending.id}`, 'two', 600)).toBeUndefined();
    t.adapter.release();
    await write;
    // Released once written: the next writer takes it at once.
    expect(await store.acquire(`audit-card:${t.pending.id}`, 'two', 600)).toBeDefined();
  });

  test('a sync of an older state on another instance writes the newest stored state', async () => {
    const t = await setup();
    const leases = new MemoryLeaseStore(() => new Date());
    await t.store.update(t.approved);
    await t.store.update(t.executing);
    await t.store.update(t.succeeded);
    // This instance last saw "approved"; the store holds "succeeded".
    await instance(t, 'one', leases).syncAuditCard(t.approved);
    expect(t.adapter.shownAt(AUDIT_CHANNEL).map(auditState)).toEqual(['Granted']);
  });
});

describe('request card copies', () => {
  test('a notification of an older state that arrives after a newer one was written leaves every copy on the newer one', async () => {
    const t = await setup();
    await t.messenger.requestChanged(t.succeeded);
    // The "1 of 2 approvals" redraw of a fire-and-forget caller, whose copies were read late.
    await t.messenger.requestChanged({ ...t.pending, version: t.pending.version + 1 });
    for (const activityId of ['act-requester', 'act-approver']) {
      const writes = t.adapter.finished.filter((c) => c.kind === 'update' && c.id === activityId);
      expect(writes).toHaveLength(1);
      expect(writes[0].card).toContain('AcrPull assigned');
    }
  });
});
