/**
 * Card updates batched per conversation (CardOutbox in CardMessenger.requestChanged): states of
 * a request that arrive while its card's previous write is still on its way are coalesced, the
 * final state always reaches every copy, and the requester's messages are never dropped.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger, EXECUTING_HOLD_MS } from '../../src/bot/card-messenger';
import { CardOutbox, type HoldTimers } from '../../src/bot/card-outbox';
import { transition, type AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { requestCard } from '../../src/views/request-view';
import { APPROVER, pendingRequest } from './support/requests';

const AT = new Date('2025-01-15T10:00:00.000Z');

interface Call {
  kind: 'update' | 'send';
  conversation: string;
  activity: Partial<Activity>;
}

/**
 * An adapter whose connector calls are held until the test releases them (the way a busy
 * connector holds them), recorded in the order they were made.
 */
class HeldAdapter {
  readonly calls: Call[] = [];
  private readonly held: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  holding = true;

  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    const conversation = reference.conversation!.id;
    const ctx = {
      onSendActivities: () => undefined,
      updateActivity: (activity: Partial<Activity>) => this.call({ kind: 'update', conversation, activity }),
      sendActivity: (activity: Partial<Activity>) =>
        this.call({ kind: 'send', conversation, activity }).then(() => ({ id: `sent-${this.calls.length}` })),
    };
    await logic(ctx);
  }

  private call(call: Call): Promise<void> {
    this.calls.push(call);
    for (const w of this.waiters.splice(0)) w();
    if (!this.holding) return Promise.resolve();
    return new Promise<void>((resolve) => this.held.push(resolve));
  }

  /** Resolves once `n` calls were made (an event, not a sleep). */
  async callsMade(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  releaseAll(): void {
    this.holding = false;
    for (const r of this.held.splice(0)) r();
  }
}

/** The request after a successful run (the outcome every test here uses). */
const granted = (r: AccessRequest) =>
  transition(r, { type: 'succeed', at: AT, outcome: { summary: 'AcrPull assigned', azureRequestIds: ['x'] } });

const cardOf = (call: Call) => JSON.stringify(call.activity.attachments?.[0]?.content);
const expected = (r: AccessRequest, role: 'requester' | 'approver') =>
  JSON.stringify(requestCard(r, { showActions: role === 'approver' }));

test('states queued behind a card write in flight are coalesced; every copy ends on the final state; the outcome withdraws the held "approved" news and follows the cards', async () => {
  const adapter = new HeldAdapter();
  const store = new MemoryRequestStore();
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
  );
  const pending = pendingRequest();
  await store.create(pending);
  const copy = (activityId: string, role: 'requester' | 'approver', conversation: string) =>
    store.addCardCopy({
      requestId: pending.id,
      activityId,
      role,
      conversation: { serviceUrl: 'https://smba.example/', conversation: { id: conversation } },
    });
  await copy('act-requester', 'requester', 'thread-1');
  await copy('act-approver', 'approver', 'approvals');

  // v2: one approval of two recorded (still pending); then approved, executing and done.
  const oneOfTwo = { ...pending, version: 2, reason: 'one approval of two recorded' };
  const executing = transition(transition(oneOfTwo, { type: 'approve', by: APPROVER, at: AT }), {
    type: 'start',
    at: AT,
  }); // v4
  const succeeded = granted(executing); // v5

  // The first state's two card writes go out and are held by the "connector".
  const first = messenger.requestChanged(oneOfTwo);
  await adapter.callsMade(2);
  // Meanwhile the request is approved and granted; both cards are still being written.
  const second = messenger.requestChanged(executing);
  const third = messenger.requestChanged(succeeded);
  adapter.releaseAll();
  await Promise.all([first, second, third]);

  const updates = adapter.calls.filter((c) => c.kind === 'update');
  const sends = adapter.calls.filter((c) => c.kind === 'send');
  // Per copy: the first state, then straight to the final one ("executing" never written).
  for (const [activityId, role] of [
    ['act-requester', 'requester'],
    ['act-approver', 'approver'],
  ] as const) {
    const writes = updates.filter((c) => c.activity.id === activityId).map(cardOf);
    expect(writes).toEqual([expected(oneOfTwo, role), expected(succeeded, role)]);
  }
  expect(messenger.outbox.counts.superseded).toBe(2);
  // The "approved" news of "executing" waited (EXECUTING_HOLD_MS) and the outcome withdrew it;
  // the outcome goes out after the card writes queued before it in that conversation.
  expect(sends.map((c) => c.conversation)).toEqual(['thread-1']);
  const order = adapter.calls.filter((c) => c.conversation === 'thread-1').map((c) => `${c.kind}`);
  expect(order).toEqual(['update', 'update', 'send']);
  expect(cardOf(sends[0])).toContain('AcrPull assigned');
  expect(messenger.outbox.counts.dropped).toBe(1);
  expect(messenger.outbox.activeConversations).toBe(0);
});

/** Hold timers the test fires by hand (the "executing" hold), with an event when one is set. */
class ManualTimers implements HoldTimers {
  readonly pending = new Map<number, () => void>();
  private next = 0;
  private waiters: Array<() => void> = [];
  set(fire: () => void, ms: number): unknown {
    expect(ms).toBe(EXECUTING_HOLD_MS);
    const handle = ++this.next;
    this.pending.set(handle, fire);
    for (const w of this.waiters.splice(0)) w();
    return handle;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Resolves once `n` holds are waiting (an event, not a sleep). */
  async held(n: number): Promise<void> {
    while (this.pending.size < n) await new Promise<void>((r) => this.waiters.push(r));
  }
  fireAll(): void {
    const fires = [...this.pending.values()];
    this.pending.clear();
    for (const fire of fires) fire();
  }
}

/** A messenger on a free-flowing (or held) adapter with hand-fired hold timers, and a pending request with copies. */
async function heldSetup(copies: Array<['requester' | 'approver', string, string]>) {
  const adapter = new HeldAdapter();
  const timers = new ManualTimers();
  const store = new MemoryRequestStore();
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
    undefined,
    undefined,
    new CardOutbox(undefined, timers),
  );
  const pending = pendingRequest();
  await store.create(pending);
  for (const [role, activityId, conversation] of copies)
    await store.addCardCopy({
      requestId: pending.id,
      activityId,
      role,
      conversation: { serviceUrl: 'https://smba.example/', conversation: { id: conversation } },
    });
  const executing = transition(transition(pending, { type: 'approve', by: APPROVER, at: AT }), {
    type: 'start',
    at: AT,
  });
  return { adapter, timers, messenger, executing };
}

test('with nothing in flight every state is written; "executing" once its hold has passed', async () => {
  const { adapter, timers, messenger, executing } = await heldSetup([['approver', 'act-approver', 'approvals']]);
  adapter.releaseAll();
  const shown = messenger.requestChanged(executing);
  await timers.held(1);
  expect(adapter.calls).toEqual([]);
  timers.fireAll();
  await shown;
  const failed = transition(executing, {
    type: 'fail',
    at: AT,
    outcome: { summary: 'ARM said 403', azureRequestIds: [] },
  });
  await messenger.requestChanged(failed);
  expect(adapter.calls.filter((c) => c.kind === 'update').map(cardOf)).toEqual([
    expected(executing, 'approver'),
    expected(failed, 'approver'),
  ]);
  expect(messenger.outbox.counts.superseded).toBe(0);
});

test('an outcome within the hold: the cards go straight to it, the "approved" news is dropped, the outcome names the approver and follows the card', async () => {
  const { adapter, timers, messenger, executing } = await heldSetup([
    ['requester', 'act-requester', 'thread-1'],
    ['approver', 'act-approver', 'approvals'],
  ]);
  adapter.releaseAll();
  const shown = messenger.requestChanged(executing);
  // Both "executing" writes and the news wait; nothing has gone out.
  await timers.held(3);
  expect(adapter.calls).toEqual([]);
  const succeeded = granted(executing);
  await Promise.all([shown, messenger.requestChanged(succeeded)]);
  expect(timers.pending.size).toBe(0);
  const updates = adapter.calls.filter((c) => c.kind === 'update');
  expect(updates.map((c) => [c.activity.id, cardOf(c)])).toEqual(
    expect.arrayContaining([
      ['act-requester', expected(succeeded, 'requester')],
      ['act-approver', expected(succeeded, 'approver')],
    ]),
  );
  expect(updates).toHaveLength(2);
  expect(messenger.outbox.counts).toMatchObject({ superseded: 2, dropped: 1 });
  const thread = adapter.calls.filter((c) => c.conversation === 'thread-1');
  expect(thread.map((c) => c.kind)).toEqual(['update', 'send']);
  expect(cardOf(thread[1])).toContain('AcrPull assigned');
  expect(cardOf(thread[1])).toContain(`"title":"Approved by","value":"${APPROVER.name} at 2025-01-15 10:00 UTC"`);
  expect(messenger.outbox.activeConversations).toBe(0);
});

test('a run slower than the hold: the "approved" news and "executing" go out when it passes, the outcome after them', async () => {
  const { adapter, timers, messenger, executing } = await heldSetup([
    ['requester', 'act-requester', 'thread-1'],
    ['approver', 'act-approver', 'approvals'],
  ]);
  adapter.releaseAll();
  const shown = messenger.requestChanged(executing);
  await timers.held(3);
  timers.fireAll();
  await shown;
  const succeeded = granted(executing);
  await messenger.requestChanged(succeeded);
  const thread = adapter.calls.filter((c) => c.conversation === 'thread-1');
  expect(thread.map((c) => c.kind)).toEqual(['update', 'send', 'update', 'send']);
  expect(cardOf(thread[1])).toMatch(/approved your request/);
  expect(cardOf(thread[3])).toContain('AcrPull assigned');
  expect(messenger.outbox.counts.dropped).toBe(0);
});

test('a mark within a state (drift, a revocation begun, a review) redraws every copy and sends nothing: the outcome is told once', async () => {
  const { adapter, messenger, executing } = await heldSetup([
    ['requester', 'act-requester', 'thread-1'],
    ['approver', 'act-approver', 'approvals'],
  ]);
  adapter.holding = false;
  const succeeded = granted(executing);
  await messenger.requestChanged(succeeded);
  expect(adapter.calls.filter((c) => c.kind === 'send')).toHaveLength(1);

  const revoking = transition(succeeded, { type: 'beginRevoke', at: AT });
  await messenger.requestChanged(revoking, { markOnly: true });
  const after = adapter.calls.slice(3);
  expect(after.map((c) => `${c.kind}:${c.activity.id}`).sort()).toEqual([
    'update:act-approver',
    'update:act-requester',
  ]);
  expect(cardOf(after[0])).toContain('Being revoked since');
  expect(messenger.outbox.activeConversations).toBe(0);
});
