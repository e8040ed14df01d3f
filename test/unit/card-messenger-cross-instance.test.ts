/**
 * Two instances update the copies of one request's card (the approval on one, the run on
 * another). Each instance's outbox keeps its own writes in order, but not the other's: a write
 * of an older state that waited on one instance (a slow member lookup, a held "executing") must
 * not land over the newer state the other instance wrote meanwhile. Each write draws the newer of
 * the state it was given and the request as stored right before drawing.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { CardOutbox } from '../../src/bot/card-outbox';
import type { RequestStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import {
  addCopy,
  CardUpdateAdapter,
  type FakeMember,
  MRI,
  runStates,
  storedWithApproverCopy,
} from './support/card-copies';
import { APPROVER } from './support/requests';

/** The state line of a request card (request-view.ts). */
const STATES = ['Pending approval', 'Approved', 'Executing…', 'Granted'];

/**
 * The state line of a card update (a text block holding a state label alone; a badge on a
 * background of its tint, request.json, so in a column of its own: its text is read from there).
 */
function stateOf(activity: Partial<Activity>): string | undefined {
  type Block = { text?: string; columns?: Array<{ items?: Block[] }> };
  const body = (activity.attachments?.[0]?.content as { body?: Block[] } | undefined)?.body ?? [];
  return body
    .map((b) => b.text ?? b.columns?.[0]?.items?.[0]?.text)
    .find((text): text is string => STATES.includes(text ?? ''));
}

/** What landed on the card, in order, and from which instance. */
type Landed = Array<{ instance: string; state: string | undefined }>;

/**
 * One instance's connector: card updates land in `landed` (and each card's last state in
 * `cards`); member lookups wait while `slowLookups`, or when asked in conversation `slowIn`.
 */
class InstanceAdapter extends CardUpdateAdapter {
  slowLookups = false;
  slowIn: string | undefined;
  private readonly held: Array<() => void> = [];
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly instance: string,
    private readonly landed: Landed,
    private readonly cards: Map<string, string | undefined>,
  ) {
    super();
  }

  protected async member(reference: Partial<ConversationReference>, objectId: string): Promise<FakeMember> {
    if (this.slowLookups || reference.conversation?.id === this.slowIn) {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        for (const w of this.waiters.splice(0)) w();
      });
    }
    return { id: MRI[objectId], aadObjectId: objectId };
  }

  protected updated(activity: Partial<Activity>): void {
    this.landed.push({ instance: this.instance, state: stateOf(activity) });
    this.cards.set(activity.id ?? '', stateOf(activity));
  }

  /** Resolves once a member lookup waits (an event, not a sleep). */
  async lookupHeld(): Promise<void> {
    while (this.held.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  answerLookups(): void {
    this.slowLookups = false;
    this.slowIn = undefined;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

async function setup(outboxA?: CardOutbox) {
  const store = new MemoryRequestStore();
  const landed: Landed = [];
  const cards = new Map<string, string | undefined>();
  const log = createLogger({ level: 'silent' });
  const instance = (name: string, outbox?: CardOutbox) => {
    const adapter = new InstanceAdapter(name, landed, cards);
    const messenger = new CardMessenger(
      adapter as unknown as CloudAdapter,
      'app-1',
      store,
      log,
      undefined,
      undefined,
      outbox,
    );
    messenger.approverIdsOf = () => [APPROVER.objectId];
    return { adapter, messenger };
  };
  const { approved, executing, succeeded } = runStates(await storedWithApproverCopy(store));
  /** Stores `next` (a conditional write, as the flows do) before anyone is told of it. */
  const write = (next: AccessRequest) => store.update(next);
  return { store, landed, cards, a: instance('A', outboxA), b: instance('B'), approved, executing, succeeded, write };
}

test('instance A draws "approved" after a slow member lookup, once B showed "granted": the card ends on granted', async () => {
  const t = await setup();
  await t.write(t.approved);
  t.a.adapter.slowLookups = true;
  const told = t.a.messenger.requestChanged(t.approved);
  await t.a.adapter.lookupHeld();
  // Meanwhile the run (on instance B) starts and succeeds, and B updates the card.
  await t.write(t.executing);
  await t.write(t.succeeded);
  await t.b.messenger.requestChanged(t.succeeded);
  expect(t.landed).toEqual([{ instance: 'B', state: 'Granted' }]);
  t.a.adapter.answerLookups();
  await told;
  // A's write landed last: it shows the stored state, not the older one it was told.
  expect(t.landed).toEqual([
    { instance: 'B', state: 'Granted' },
    { instance: 'A', state: 'Granted' },
  ]);
});

test('a held "executing" of instance A that goes out after B showed "granted" shows granted', async () => {
  const holds: Array<() => void> = [];
  const outbox = new CardOutbox(undefined, {
    set: (fire) => holds.push(fire),
    clear: () => undefined,
  });
  const t = await setup(outbox);
  await t.write(t.approved);
  await t.write(t.executing);
  const told = t.a.messenger.requestChanged(t.executing);
  // The hold is set once A has read the card's copies (memory stores: a turn or two; bounded, so
  // a hold never set fails here rather than spinning); nothing goes out meanwhile.
  for (let i = 0; i < 200 && holds.length === 0; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(holds).toHaveLength(1);
  expect(t.landed).toEqual([]);
  // The run goes on on B (A stopped, B resumed it), which succeeds and updates the card.
  await t.write(t.succeeded);
  await t.b.messenger.requestChanged(t.succeeded);
  holds[0]();
  await told;
  expect(t.landed).toEqual([
    { instance: 'B', state: 'Granted' },
    { instance: 'A', state: 'Granted' },
  ]);
});

test('one change draws all its copies from one store read, the newest state on each', async () => {
  const t = await setup();
  await addCopy(t.store, t.approved.id, 'act-requester', 'requester', 'a:chat-with-riley');
  await addCopy(t.store, t.approved.id, 'act-approver-2', 'approver', '19:escalations@thread.tacv2');
  await t.write(t.approved);
  await t.write(t.executing);
  await t.write(t.succeeded);
  const get = t.store.get.bind(t.store);
  let reads = 0;
  t.store.get = async (id) => {
    reads++;
    return get(id);
  };
  await t.a.messenger.requestChanged(t.approved);
  expect(t.landed).toEqual([
    { instance: 'A', state: 'Granted' },
    { instance: 'A', state: 'Granted' },
    { instance: 'A', state: 'Granted' },
  ]);
  expect(reads).toBe(1);
});

test('a copy whose member lookup ends after B showed "granted" is drawn from a read made after it, not its sibling\'s', async () => {
  const t = await setup();
  // A second copy, in the requester's chat, where A's member lookup is slow.
  await addCopy(t.store, t.approved.id, 'act-requester', 'requester', 'a:chat-with-riley');
  await t.write(t.approved);
  const get = t.store.get.bind(t.store);
  let reads = 0;
  t.store.get = async (id) => {
    reads++;
    return get(id);
  };
  t.a.adapter.slowIn = 'a:chat-with-riley';
  const told = t.a.messenger.requestChanged(t.approved);
  await t.a.adapter.lookupHeld();
  // Let whatever A can do without the chat's lookup happen (the channel copy's lookup is answered).
  await new Promise<void>((resolve) => setImmediate(resolve));
  // Meanwhile the run (on instance B) starts and succeeds, and B updates both copies.
  await t.write(t.executing);
  await t.write(t.succeeded);
  await t.b.messenger.requestChanged(t.succeeded);
  t.a.adapter.answerLookups();
  await told;
  // Whatever landed last on each copy is the newest state.
  expect(Object.fromEntries(t.cards)).toEqual({ 'act-approver': 'Granted', 'act-requester': 'Granted' });
  expect(t.landed.at(-1)).toEqual({ instance: 'A', state: 'Granted' });
  // One read per change: A's copies waited for each other's lookups and shared theirs.
  expect(reads).toBe(2);
});

test('on a store that answers getNewer (SQLite), a change is drawn through it, never through a full read: the newer stored state, else the one given', async () => {
  const t = await setup();
  await t.write(t.approved);
  await t.write(t.executing);
  await t.write(t.succeeded);
  const get = t.store.get.bind(t.store);
  let reads = 0;
  const probes: number[] = [];
  t.store.get = async (id) => {
    reads++;
    return get(id);
  };
  // As SqliteRequestStore.getNewer answers: the stored request only when its version is above.
  (t.store as RequestStore).getNewer = async (id, version) => {
    probes.push(version);
    const stored = await get(id);
    return stored && stored.version > version ? stored : undefined;
  };
  // Told "approved" while "granted" is stored: drawn from the stored state.
  await t.a.messenger.requestChanged(t.approved);
  // Told "granted", the newest: drawn from the state given.
  await t.b.messenger.requestChanged(t.succeeded);
  expect(t.landed).toEqual([
    { instance: 'A', state: 'Granted' },
    { instance: 'B', state: 'Granted' },
  ]);
  expect(probes).toEqual([t.approved.version, t.succeeded.version]);
  expect(reads).toBe(0);
});
