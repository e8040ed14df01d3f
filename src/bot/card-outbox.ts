/**
 * Outbound card traffic per conversation, batched: a request's cards are replaced on every
 * transition (executing, succeeded, …), and under a burst many of those replacements wait for
 * the same conversation (every approver copy lives in the one approvals channel). A
 * replacement of a card that is still waiting is superseded by the newer state (last state
 * wins); the newest state is always written. New messages (outcome, news) are never dropped.
 *
 * Order: within a conversation, writes of one card run one at a time in the order of their
 * states, and a state older than one already written (or on its way) is never written: callers
 * notify without waiting for each other, and a late notification of an older state must not put
 * it back over a newer one. That order is this process's only: another instance's writes are
 * not seen here, so each card write draws the newer of its state and the stored one
 * (card-copy-updates.ts `updateCopy`; the audit card under its lease). A write of the same state
 * again is made (after the one on its way): the writer may read what changed since (the audit
 * card's new entries). A new message goes out
 * after everything queued before it (nothing overtakes it);
 * other work runs alongside, at most {@link PER_CONVERSATION} calls at once per conversation (Teams
 * throttles per conversation; a burst should not open hundreds of calls into one channel).
 *
 * Held replacements: an intermediate state ("executing", usually followed by the outcome within
 * a second) can be queued with `holdMs`. It waits that long before going out; if a newer state
 * of the card arrives meanwhile, that one takes its place and goes out at once, so the card
 * goes straight to the final state and one Bot Connector call per card is saved. A held
 * replacement does not hold back new messages queued after it.
 *
 * Held messages: a new message that only matters if nothing better follows soon (the
 * requester's "approved, running now" news, which the outcome makes redundant) can be sent
 * with `holdMs` and a tag. It waits that long, without holding back anything queued after it;
 * {@link CardOutbox.dropHeld} withdraws it while it still waits. Once its hold has passed it is
 * an ordinary message.
 */

/** Calls in flight per conversation. */
export const PER_CONVERSATION = 8;

/**
 * Cards whose newest written state is remembered (the oldest forgotten first): far more than are
 * updated at once, so a late older state finds the newer one it must not replace.
 */
const REMEMBERED_CARDS = 10_000;

interface Task {
  /** Tasks with the same key run one at a time, in queue order. */
  key: string;
  /** For replacements: the request version the write shows; a newer one replaces a waiting older one. */
  version?: number;
  run: () => Promise<unknown>;
  /** A new message: starts only after everything queued before it is done (held replacements aside). */
  barrier?: boolean;
  /** While set, the task waits (a held intermediate state); cleared by its timer or a newer state. */
  hold?: unknown;
  /** A held message's tag, for {@link CardOutbox.dropHeld}. */
  tag?: string;
  settle: Array<{ resolve: (value: unknown) => void; reject: (err: unknown) => void }>;
}

interface Lane {
  waiting: Task[];
  inFlight: number;
  /** Keys with a task in flight, with that task's version and outcome. */
  busy: Map<string, { version?: number; done: Promise<unknown> }>;
}

/** What the outbox did, for tests and the performance notes. */
export interface OutboxCounts {
  /** Writes that went out. */
  written: number;
  /** Replacements that never went out because a newer state of the same card took their place. */
  superseded: number;
  /** Held messages withdrawn before they went out. */
  dropped: number;
}

/** How held replacements wait (real timers by default; tests pass their own). */
export interface HoldTimers {
  set(fire: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: HoldTimers = {
  // Unref'd: a held intermediate state must not keep a stopping process alive.
  set: (fire, ms) => setTimeout(fire, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The per-conversation queues. */
export class CardOutbox {
  private readonly lanes = new Map<string, Lane>();
  /** `<conversation>\n<key>` → the newest version written there (most recently written last). */
  private readonly written = new Map<string, number>();
  /** Callers of {@link idle} waiting for the last lane to empty. */
  private readonly idleWaiters: Array<() => void> = [];
  readonly counts: OutboxCounts = { written: 0, superseded: 0, dropped: 0 };

  constructor(
    private readonly perConversation = PER_CONVERSATION,
    private readonly timers: HoldTimers = REAL_TIMERS,
  ) {}

  /**
   * Replaces card `activityId` in `conversationId` with the state of request `version`.
   * Resolves once this state or a newer one of the same card has been written (rejects if that
   * write failed). A replacement older than one already waiting, on its way or written is
   * dropped (it resolves with the newer one's write); the same state again is written. With
   * `holdMs`, the write waits that long first unless a newer state replaces it (class notes).
   */
  replace(
    conversationId: string,
    activityId: string,
    version: number,
    write: () => Promise<void>,
    options: { holdMs?: number } = {},
  ): Promise<void> {
    const key = `card:${activityId}`;
    // Never put an older state over a newer one already written (callers can race: a late
    // notification of an older state arrives after the newer one went out).
    if (version < (this.written.get(`${conversationId}\n${key}`) ?? -Infinity)) {
      this.counts.superseded++;
      return Promise.resolve();
    }
    const lane = this.lane(conversationId);
    const running = lane.busy.get(key);
    // Nor over a newer one on its way. The same state again waits for it and is written after.
    if (running && running.version !== undefined && running.version > version) {
      this.counts.superseded++;
      return running.done.then(() => undefined);
    }
    const queued = lane.waiting.find((t) => t.key === key);
    if (queued) {
      this.counts.superseded++;
      return new Promise<void>((resolve, reject) => {
        // The waiting write becomes the newest state; whoever waited for either waits for it.
        if (version >= (queued.version ?? 0)) {
          queued.version = version;
          queued.run = write;
          // A newer state that is not itself held goes out now, in the held one's place.
          if (queued.hold !== undefined && !options.holdMs) {
            this.timers.clear(queued.hold);
            queued.hold = undefined;
          }
        }
        queued.settle.push({ resolve: () => resolve(), reject });
        this.pump(conversationId, lane);
      });
    }
    const task: Task = { key, version, run: write, settle: [] };
    if (options.holdMs && options.holdMs > 0)
      task.hold = this.timers.set(() => {
        task.hold = undefined;
        this.pump(conversationId, lane);
      }, options.holdMs);
    return this.enqueue(conversationId, lane, task) as Promise<void>;
  }

  /**
   * Sends a new message in `conversationId` once everything queued before it there is done
   * (so the outcome follows the card it concludes); never coalesced. With `hold`, the message
   * first waits `hold.ms` and can be withdrawn meanwhile with {@link dropHeld}`(hold.tag)`; a
   * withdrawn message resolves to undefined without being sent.
   */
  send<T>(conversationId: string, write: () => Promise<T>, hold?: { ms: number; tag: string }): Promise<T | undefined> {
    const lane = this.lane(conversationId);
    const task: Task = { key: 'send', run: write, barrier: true, settle: [] };
    if (hold && hold.ms > 0) {
      task.tag = hold.tag;
      task.hold = this.timers.set(() => {
        task.hold = undefined;
        this.pump(conversationId, lane);
      }, hold.ms);
    }
    return this.enqueue(conversationId, lane, task) as Promise<T | undefined>;
  }

  /**
   * Withdraws the message tagged `tag` in `conversationId` if it is still held; true when it was
   * (it will never be sent), false when there is none or it has already gone or started.
   */
  dropHeld(conversationId: string, tag: string): boolean {
    const lane = this.lanes.get(conversationId);
    const index = lane?.waiting.findIndex((t) => t.tag === tag && t.hold !== undefined) ?? -1;
    if (!lane || index < 0) return false;
    const [task] = lane.waiting.splice(index, 1);
    this.timers.clear(task.hold);
    task.hold = undefined;
    this.counts.dropped++;
    for (const s of task.settle) s.resolve(undefined);
    this.pump(conversationId, lane);
    return true;
  }

  /** Conversations with work queued or in flight (empty when idle: nothing is kept). */
  get activeConversations(): number {
    return this.lanes.size;
  }

  /**
   * Resolves once no conversation has work queued or in flight (at once when none has). Held
   * work counts: it is waited for until it goes out or is withdrawn.
   */
  idle(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private lane(conversationId: string): Lane {
    let lane = this.lanes.get(conversationId);
    if (!lane) this.lanes.set(conversationId, (lane = { waiting: [], inFlight: 0, busy: new Map() }));
    return lane;
  }

  private enqueue(conversationId: string, lane: Lane, task: Task): Promise<unknown> {
    const done = new Promise<unknown>((resolve, reject) => task.settle.push({ resolve, reject }));
    lane.waiting.push(task);
    this.pump(conversationId, lane);
    return done;
  }

  private pump(conversationId: string, lane: Lane): void {
    // Whether an unheld task was passed over (its card busy) before index i: the tasks left before
    // i are only those passed over, so this is "an unheld task waits before it", kept as the loop
    // goes instead of searched for at each new message (a burst queues hundreds in one lane).
    let passedUnheld = false;
    for (let i = 0; i < lane.waiting.length && lane.inFlight < this.perConversation;) {
      const task = lane.waiting[i];
      // Held work (replacement or message) is passed over: it holds back nothing queued after it.
      if (task.hold !== undefined) {
        i++;
        continue;
      }
      if (task.barrier && (lane.inFlight > 0 || passedUnheld)) break;
      if (lane.busy.has(task.key)) {
        passedUnheld = true;
        i++;
        continue;
      }
      lane.waiting.splice(i, 1);
      lane.inFlight++;
      this.counts.written++;
      lane.busy.set(task.key, { version: task.version, done: this.start(conversationId, lane, task) });
    }
    if (lane.inFlight === 0 && lane.waiting.length === 0) {
      this.lanes.delete(conversationId);
      if (this.lanes.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** Records `version` as the newest written at `cardKey` (a failed write records nothing). */
  private remember(cardKey: string, version: number): void {
    if (version < (this.written.get(cardKey) ?? -Infinity)) return;
    this.written.delete(cardKey);
    this.written.set(cardKey, version);
    if (this.written.size > REMEMBERED_CARDS) this.written.delete(this.written.keys().next().value!);
  }

  /** Runs a task; the promise it returns settles like the task (never rejects). */
  private async start(conversationId: string, lane: Lane, task: Task): Promise<unknown> {
    // Yield first, so `busy` holds this task before its work can finish and pump again.
    await Promise.resolve();
    try {
      const value = await task.run();
      if (task.version !== undefined) this.remember(`${conversationId}\n${task.key}`, task.version);
      for (const s of task.settle) s.resolve(value);
      return value;
    } catch (err) {
      for (const s of task.settle) s.reject(err);
      return undefined;
    } finally {
      lane.busy.delete(task.key);
      lane.inFlight--;
      this.pump(conversationId, lane);
    }
  }
}
