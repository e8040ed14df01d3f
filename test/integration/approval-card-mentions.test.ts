/**
 * A new request's named approvers are @mentioned as soon as its approvers' card is out, so Teams
 * notifies them at once (a channel's new post raises no banner or feed item under its usual
 * settings): a reply in the card's thread, never `text` on the card's own activity (Teams would
 * split it into two messages and answer the post with no id). Those still waited on only (not the
 * requester, nor an approver the directory finds disabled), by display name, from the one read a
 * reminder makes too; a rule with only groups gets no message and no read. A directory that
 * cannot be read leaves the card posted and mentions them by number. A request made where its
 * approvers are asked gets the reply in its own thread; the `approval.announce` job's post gets
 * it too. The real app over HTTP, its Bot Connector the capturing one, Graph the sandbox emulator.
 */
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_APPROVER_GROUP_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { type CapturedCall, cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

jest.setTimeout(60_000);

const MINUTE = 60_000;
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

/** A named approver whose account the directory has disabled. */
const DISABLED = '0a000000-0000-4000-8000-0000000d15a1';

const START = new Date('2026-12-02T09:00:00Z');
let now = START;
const clock = { now: () => now };

/** A policy of one catch-all rule whose approvers are `approvers` (YAML), asked in `channel`. */
function policy(approvers: string, channel: string): string {
  return `version: 1
rules:
  - id: prod
    match: {}
    approvers: ${approvers}
    channel: "${channel}"
`;
}

const ids = (list: string[]) => `[${list.map((id) => `"${id}"`).join(', ')}]`;

async function start(yaml: string): Promise<Harness> {
  now = START;
  const h = await startHarness(
    { ACRBOT_POLICY: writePolicyFile(tempDirs.make('acrbot-card-mentions-'), yaml) },
    { clock, sweepIntervalMs: 0 },
  );
  h.app.sandbox!.directory.addUser({
    id: DISABLED,
    displayName: 'Dana Disabled',
    userPrincipalName: 'dana@sandbox.onmicrosoft.com',
    accountEnabled: false,
  });
  return h;
}

/** Text messages (no card) acrbot sent that mention someone, new or replies, not updates. */
const mentionMessages = (h: Harness): CapturedCall[] =>
  h.connector.calls.filter(
    (c) => c.op !== 'update' && !c.activity.attachments?.length && (c.activity.entities ?? []).length > 0,
  );

/** New posts of `id`'s approvers' card in `channel` (its card, not a message beside it). */
const cardPosts = (h: Harness, channel: string, id: string): CapturedCall[] =>
  h.connector.calls.filter(
    (c) =>
      c.op !== 'update' &&
      c.conversationId === channel &&
      (c.activity.attachments?.length ?? 0) > 0 &&
      cardText(c.activity).includes(id),
  );

const mentioned = (call: CapturedCall) =>
  (call.activity.entities as Array<{ type: string; mentioned: { id: string; name: string } }>)
    .filter((e) => e.type === 'mention')
    .map((e) => e.mentioned);

const usersListReads = (h: Harness) => h.app.sandbox!.graph.requests.filter((r) => r.operation === 'users.list').length;

afterEach(() => resetUnreadNamedWarning());

test("a new request's card is followed in its thread by a message mentioning its named approvers still waited on, by name", async () => {
  const h = await start(
    policy(
      `{ users: ${ids([SANDBOX_USERS.approver.objectId, SANDBOX_USERS.requester.objectId, DISABLED, SANDBOX_USERS.secondApprover.objectId])} }`,
      SANDBOX_APPROVAL_CHANNEL_ID,
    ),
  );
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const [card] = cardPosts(h, SANDBOX_APPROVAL_CHANNEL_ID, request.id);
    expect(cardPosts(h, SANDBOX_APPROVAL_CHANNEL_ID, request.id)).toHaveLength(1);
    // The card's own activity stays a card alone: Teams would split text and card in two.
    expect(card!.activity.text).toBeUndefined();
    expect(card!.activity.entities).toBeUndefined();

    const messages = mentionMessages(h);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    // A reply in the card's thread: the notification opens on the card.
    expect(message!.conversationId).toBe(`${SANDBOX_APPROVAL_CHANNEL_ID};messageid=${card!.activityId}`);
    // Not the requester (who cannot approve), nor the disabled approver; the others by display name.
    expect(mentioned(message!)).toEqual([
      { id: SANDBOX_USERS.approver.objectId, name: 'Alex Approver' },
      { id: SANDBOX_USERS.secondApprover.objectId, name: 'Megan Developer' },
    ]);
    expect(message!.activity.text).toBe(
      `<at>Alex Approver</at>, <at>Megan Developer</at>: request ${request.id} (aks-prod → contosoacr) waits for your decision.`,
    );

    // A decision redraws the card in place: no mention added to it, none sent again.
    const approved = await h.click(users.approver, 'approve', { requestId: request.id }, card!.activityId);
    expect(approved.status).toBe(200);
    await h.settle(request.id);
    await h.app.services.background.drain();
    const updates = h.connector.calls.filter((c) => c.op === 'update' && c.activityId === card!.activityId);
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) {
      expect(u.activity.text).toBeUndefined();
      expect(u.activity.entities).toBeUndefined();
    }
    expect(mentionMessages(h)).toHaveLength(1);
  } finally {
    await h.stop();
  }
});

test('a rule whose approvers are only a group gets its card and no mention, and no read of named accounts', async () => {
  const h = await start(policy(`{ groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }`, SANDBOX_APPROVAL_CHANNEL_ID));
  try {
    const before = usersListReads(h);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(cardPosts(h, SANDBOX_APPROVAL_CHANNEL_ID, request.id)).toHaveLength(1);
    expect(mentionMessages(h)).toEqual([]);
    expect(h.connector.calls.filter((c) => c.conversationId.includes(';messageid=act-'))).toEqual([]);
    expect(usersListReads(h)).toBe(before);
  } finally {
    await h.stop();
  }
});

test('a directory that cannot be read leaves the card posted and its approvers mentioned by number, with one warning', async () => {
  const h = await start(
    policy(
      `{ users: ${ids([SANDBOX_USERS.approver.objectId, SANDBOX_USERS.secondApprover.objectId])} }`,
      SANDBOX_APPROVAL_CHANNEL_ID,
    ),
  );
  try {
    h.app.sandbox!.graph.faults.add({
      operation: 'users.list',
      status: 403,
      code: 'Authorization_RequestDenied',
      count: 100,
    });
    const first = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const second = await h.requestGrant(users.outsider, 'aks-dev contosoacr run the nightly tests');
    for (const request of [first, second])
      expect(cardPosts(h, SANDBOX_APPROVAL_CHANNEL_ID, request.id)).toHaveLength(1);
    const messages = mentionMessages(h);
    expect(messages).toHaveLength(2);
    for (const m of messages) {
      expect(mentioned(m)).toEqual([
        { id: SANDBOX_USERS.approver.objectId, name: 'approver 1' },
        { id: SANDBOX_USERS.secondApprover.objectId, name: 'approver 2' },
      ]);
      expect(m.activity.text).toMatch(/^<at>approver 1<\/at>, <at>approver 2<\/at>: request R-/);
    }
    const warned = h.logs
      .entries()
      .filter(
        (e) =>
          e['msg'] ===
          "a new request's approvers could not be read in the directory; the message beside its card mentions every named approver still waited on, by number",
      );
    // At most hourly: two requests, one line.
    expect(warned).toHaveLength(1);
  } finally {
    await h.stop();
  }
});

test("a request made where its approvers are asked gets the mention as a reply in its own card's thread", async () => {
  const h = await start(
    policy(`{ users: ${ids([SANDBOX_USERS.approver.objectId, SANDBOX_USERS.requester.objectId])} }`, TEAM_CHANNEL),
  );
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // No new post: the requester's copy in the request's thread is the approvers' copy.
    expect(cardPosts(h, TEAM_CHANNEL, request.id)).toEqual([]);
    const [copy] = (await h.app.store.listCardCopies(request.id)).filter((c) => c.role === 'requester');
    const thread = String((copy!.conversation as { conversation: { id: string } }).conversation.id);
    expect(thread).toMatch(new RegExp(`^${TEAM_CHANNEL.replace(/[.]/g, '\\.')};messageid=`));
    const messages = mentionMessages(h);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.conversationId).toBe(thread);
    expect(mentioned(messages[0]!)).toEqual([{ id: SANDBOX_USERS.approver.objectId, name: 'Alex Approver' }]);
    expect(messages[0]!.activity.text).toBe(
      `<at>Alex Approver</at>: request ${request.id} (aks-prod → contosoacr) waits for your decision.`,
    );
  } finally {
    await h.stop();
  }
});

test("the approval.announce job's post of a card the announcement could not post mentions them too", async () => {
  const h = await start(policy(`{ users: ${ids([SANDBOX_USERS.approver.objectId])} }`, SANDBOX_APPROVAL_CHANNEL_ID));
  try {
    h.connector.failing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(cardPosts(h, SANDBOX_APPROVAL_CHANNEL_ID, request.id)).toEqual([]);
    expect(mentionMessages(h)).toEqual([]);
    h.connector.failing.delete(SANDBOX_APPROVAL_CHANNEL_ID);

    now = new Date(START.getTime() + 3 * MINUTE);
    await h.app.scheduler.runDue();
    const [card] = cardPosts(h, SANDBOX_APPROVAL_CHANNEL_ID, request.id);
    expect(card).toBeDefined();
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
    const messages = mentionMessages(h);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.conversationId).toBe(`${SANDBOX_APPROVAL_CHANNEL_ID};messageid=${card!.activityId}`);
    expect(mentioned(messages[0]!)).toEqual([{ id: SANDBOX_USERS.approver.objectId, name: 'Alex Approver' }]);
  } finally {
    await h.stop();
  }
});
