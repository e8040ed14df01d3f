/**
 * A refusal while paused waits for its requester's record at most TOLD_WAIT_MS
 * (bot/pause-refusal-watch.ts): a store that answers within it lets the refusal say they will be
 * told; a slow or hung one does not hold the refusal (nor the turn) past it: the refusal goes out
 * without the sentence, and the record goes on in the background (tracked, a failure logged once).
 * withPauseRefusalWatch on a real TurnContext over an adapter that keeps what is sent, the store's
 * reads held by a promise the test settles, on fake timers: no wait is real.
 */
import { type BotAdapter, TurnContext } from 'botbuilder';
import { BackgroundWork } from '../../src/bot/background-work';
import type { BotServices } from '../../src/bot/bot-services';
import { TOLD_WAIT_MS, withPauseRefusalWatch } from '../../src/bot/pause-refusal-watch';
import { sendCard } from '../../src/bot/turn-cards';
import { UserFacingError } from '../../src/domain/errors';
import type { AccessPause, ScheduleStore } from '../../src/domain/ports';
import type { AccessPauseService } from '../../src/flows/access-pause';
import { pausedRefusal } from '../../src/flows/access-pause';
import { MAX_WAITERS, notePauseRefusal, PauseWaiters, REOPENED_KIND } from '../../src/flows/pause-waiters';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { errorCard } from '../../src/views/message-view';
import { cardText } from '../helpers/capturing-connector';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock } from './support/fake-clock';

const PAUSE: AccessPause = {
  since: '2025-01-15T09:00:00.000Z',
  by: { objectId: 'oid-approver', name: 'Alex' },
  reason: 'unexpected grants on prod',
};
const TOLD = 'will tell you';
const REQUESTER = 'oid-requester';
const JOB = `${REOPENED_KIND}:${REQUESTER}`;

/** A promise the test settles. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A requester's turn in their chat with acrbot, refused for the pause as RequestCreation refuses
 * it: in its error card, or (`as: 'text'`) in a form the watch does not read.
 */
function world(as: 'card' | 'text' = 'card') {
  const jobs = new MemoryScheduleStore();
  // The store's read of who is recorded waits for the test.
  const store = deferred();
  let reads = 0;
  const slowJobs: Pick<ScheduleStore, 'putIfAbsent' | 'put' | 'putIfUnchanged' | 'withIdPrefix'> = {
    putIfAbsent: (job) => jobs.putIfAbsent(job),
    put: (job) => jobs.put(job),
    putIfUnchanged: (job, revision) => jobs.putIfUnchanged(job, revision),
    withIdPrefix: async (prefix, limit) => {
      reads++;
      await store.promise;
      return jobs.withIdPrefix(prefix, limit);
    },
  };
  const logs = new LogCapture();
  const log = logs.logger();
  const waiters = new PauseWaiters(slowJobs, new MemoryPauseStore(), new FakeClock(), log);
  const background = new BackgroundWork(log);
  const services = {
    pauses: { waiters } as unknown as AccessPauseService,
    background,
  } satisfies Pick<BotServices, 'pauses' | 'background'>;

  const sent: Array<Record<string, any>> = [];
  const adapter = {
    sendActivities: async (_ctx: TurnContext, activities: Array<Record<string, any>>) => {
      sent.push(...activities);
      return activities.map((_, n) => ({ id: `act-${n}` }));
    },
  } as unknown as BotAdapter;
  const ctx = new TurnContext(adapter, {
    type: 'message',
    id: 'msg-1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.example/',
    from: { id: '29:requester', name: 'Robin', aadObjectId: REQUESTER },
    recipient: { id: '28:acrbot', name: 'acrbot' },
    conversation: { id: `a:personal-${REQUESTER}`, conversationType: 'personal', isGroup: false, name: '' },
    text: 'grant aks-prod contosoacr deploy payments-api hotfix',
  });
  const refused = async (): Promise<void> => {
    notePauseRefusal();
    const err = new UserFacingError('access.paused', pausedRefusal(PAUSE, 'Nothing was requested.', false));
    if (as === 'text') await ctx.sendActivity(err.message);
    else await sendCard(ctx, errorCard({ err, reference: 'ref-1', sandbox: false }), log);
  };
  let done = false;
  /** The turn, started: `done` once it has ended. */
  const turn = () => {
    const running = withPauseRefusalWatch(ctx, services, refused);
    void running.then(() => (done = true));
    return running;
  };
  /** The ids of the people recorded to be told. */
  const recorded = async () => (await jobs.withIdPrefix(`${REOPENED_KIND}:`, MAX_WAITERS)).map((job) => job.id);
  const failures = () =>
    logs.entries().filter((e) => e.level === 50 && e.what === 'recording a requester refused during the pause');
  return { store, reads: () => reads, sent, turn, done: () => done, recorded, failures, background };
}

/** Turns of the real event loop (the fake clock not moved) until `holds` (at most 50). */
async function until(holds: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !holds(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(holds()).toBe(true);
}

describe('the refusal waits for its record only so long', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('a store that answers within TOLD_WAIT_MS: the refusal goes out once recorded, saying they will be told here', async () => {
    const w = world();
    const turn = w.turn();
    await until(() => w.reads() === 1);
    // Held for the record: nothing is sent before the store answers.
    expect(w.sent).toEqual([]);
    w.store.resolve();
    await until(w.done);
    await turn;
    expect(w.sent).toHaveLength(1);
    expect(cardText(w.sent[0]!)).toContain('acrbot will tell you here once new access is open again.');
    expect(await w.recorded()).toEqual([JOB]);
  });

  test('a store that has not answered by TOLD_WAIT_MS: the refusal goes without the sentence, the turn ends, and the record finishes after it', async () => {
    const w = world();
    const turn = w.turn();
    await until(() => w.reads() === 1);
    expect(w.sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(TOLD_WAIT_MS);
    await until(w.done);
    await turn;
    expect(w.sent).toHaveLength(1);
    expect(cardText(w.sent[0]!)).toContain('New access is paused since');
    expect(cardText(w.sent[0]!)).not.toContain(TOLD);
    expect(await w.recorded()).toEqual([]);

    // The store answers later: the record (background work of the turn) is written all the same.
    w.store.resolve();
    await w.background.drain();
    expect(await w.recorded()).toEqual([JOB]);
    expect(w.failures()).toEqual([]);
    // Recorded once: the turn's end does not record them again.
    expect(w.reads()).toBe(1);
  });

  test('a store that hangs past TOLD_WAIT_MS and then fails: the refusal is not held, and the failure is logged once', async () => {
    const w = world();
    const turn = w.turn();
    await until(() => w.reads() === 1);
    await jest.advanceTimersByTimeAsync(TOLD_WAIT_MS);
    await until(w.done);
    await turn;
    expect(cardText(w.sent[0]!)).not.toContain(TOLD);

    w.store.reject(new Error('store unavailable'));
    await w.background.drain();
    expect(w.failures()).toHaveLength(1);
    expect(await w.recorded()).toEqual([]);
  });

  test('a refusal in a form the watch does not read: sent at once, without the sentence, and its requester recorded after the turn', async () => {
    const w = world('text');
    await w.turn();
    expect(w.sent).toHaveLength(1);
    expect(String(w.sent[0]!.text)).toContain('New access is paused since');
    expect(String(w.sent[0]!.text)).not.toContain(TOLD);
    w.store.resolve();
    await w.background.drain();
    expect(await w.recorded()).toEqual([JOB]);
    expect(w.reads()).toBe(1);
  });
});
