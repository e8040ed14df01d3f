/**
 * Teams' refusal of the approvers' card is told apart from the store's errors around its post:
 * Azure Tables fails with the same shape and status (a RestError, 403 AuthorizationFailure), so
 * a card Teams accepted whose copy could not be recorded is not audited as refused ("acrbot is
 * not in that conversation"), neither by the turn nor by the `approval.announce` job (which
 * records the card it posted as out, and posts no second one). And the turn's refused entry says whether the
 * requester could be told.
 */
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SANDBOX_APPROVAL_CHANNEL_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

jest.setTimeout(60_000);

const START = new Date('2026-12-01T09:00:00Z');
let now = START;
const clock = { now: () => now };
beforeEach(() => {
  now = START;
});

/** What Azure Tables answers a write it is not authorized for (an @azure/core-rest-pipeline RestError). */
function tableRefusal(): Error {
  return Object.assign(new Error('This request is not authorized to perform this operation.'), {
    name: 'RestError',
    statusCode: 403,
    code: 'AuthorizationFailure',
  });
}

async function postedEntries(h: Harness, requestId: string) {
  return (await h.app.audit.forRequest(requestId)).filter((e) => e.action === 'approval.card.posted');
}

test("the approvers' card sent but its copy not recorded (a 403 from the store): not audited as refused by the turn or the job", async () => {
  const store = new MemoryRequestStore();
  const add = store.addCardCopy.bind(store);
  store.addCardCopy = (copy) => (copy.role === 'approver' ? Promise.reject(tableRefusal()) : add(copy));
  const h = await startHarness({}, { clock, sweepIntervalMs: 0, stores: { requests: store } });
  try {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    const posts = () =>
      h.connector.calls.filter(
        (c) =>
          c.conversationId.startsWith(SANDBOX_APPROVAL_CHANNEL_ID) &&
          c.op !== 'update' &&
          // The card, not the message mentioning its approvers in its thread.
          (c.activity.attachments?.length ?? 0) > 0 &&
          cardText(c.activity).includes(request.id),
      );
    // Teams took the card; only its record failed.
    expect(posts()).toHaveLength(1);
    expect(await postedEntries(h, request.id)).toEqual([]);

    // The job finds no copy and no entry and posts again; its copy fails to be recorded too, yet
    // the card is out: its entry says so, one error is logged, and no later run posts a third.
    const before = h.logs.entries().length;
    for (const minutes of [3, 63, 123, 183]) {
      now = new Date(START.getTime() + minutes * 60_000);
      await h.app.scheduler.runDue();
      await h.app.services.background.drain();
    }
    expect(posts()).toHaveLength(2);
    const entries = await postedEntries(h, request.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'posted' });
    expect(entries[0]!.detail).toContain('its copy could not be recorded');
    const refusedLines = h.logs.entries().filter((e) => String(e.msg).startsWith("Teams refused the approvers' card"));
    expect(refusedLines).toEqual([]);
    const errors = h.logs
      .entries()
      .slice(before)
      .filter((e) => (e.level as number) >= 50);
    expect(errors.map((e) => [e.msg, e.requestId])).toEqual([
      [
        "the approvers' card was posted by the approval.announce job but its copy could not be recorded; it is not posted again",
        request.id,
      ],
    ]);
    const job = await h.app.stores.schedule.get(approvalAnnounceJobId(request.id));
    expect(job).toBeUndefined();
  } finally {
    await h.stop();
  }
});

test("the approvers' card sent, its copy and its entry not recorded (Tables down): the job posts it once, then retries only the entry", async () => {
  const store = new MemoryRequestStore();
  const add = store.addCardCopy.bind(store);
  store.addCardCopy = (copy) => (copy.role === 'approver' ? Promise.reject(tableRefusal()) : add(copy));
  const h = await startHarness({}, { clock, sweepIntervalMs: 0, stores: { requests: store } });
  try {
    const append = h.app.audit.append.bind(h.app.audit);
    let auditDown = true;
    h.app.audit.append = (event) =>
      auditDown && event.action === 'approval.card.posted' ? Promise.reject(tableRefusal()) : append(event);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    const posts = () =>
      h.connector.calls.filter(
        (c) =>
          c.conversationId.startsWith(SANDBOX_APPROVAL_CHANNEL_ID) &&
          c.op !== 'update' &&
          // The card, not the message mentioning its approvers in its thread.
          (c.activity.attachments?.length ?? 0) > 0 &&
          cardText(c.activity).includes(request.id),
      );
    expect(posts()).toHaveLength(1);

    const before = h.logs.entries().length;
    for (const minutes of [3, 10, 30, 63, 123, 183, 300]) {
      now = new Date(START.getTime() + minutes * 60_000);
      await h.app.scheduler.runDue();
      await h.app.services.background.drain();
    }
    // The turn's card and the job's: never a third, though neither its copy nor its entry was written.
    expect(posts()).toHaveLength(2);
    expect(await postedEntries(h, request.id)).toEqual([]);
    const notRecorded = h.logs
      .entries()
      .slice(before)
      .filter((e) => String(e.msg).startsWith("the approvers' card was posted by the approval.announce job"));
    expect(notRecorded.map((e) => [e.level, e.requestId])).toEqual([[50, request.id]]);
    // Not a failing job either (reported to the approvers at each retry): the card is out.
    const failed = h.logs
      .entries()
      .slice(before)
      .filter((e) => String(e.msg).startsWith('scheduled job failed'));
    expect(failed).toEqual([]);
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeDefined();

    // The audit log back: the next run writes the entry (no card) and the job ends.
    auditDown = false;
    now = new Date(START.getTime() + 400 * 60_000);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    now = new Date(START.getTime() + 500 * 60_000);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    expect(posts()).toHaveLength(2);
    const entries = await postedEntries(h, request.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).toContain('its copy could not be recorded');
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
  } finally {
    await h.stop();
  }
});

test("the turn's refused entry says the requester could not be told when telling them failed", async () => {
  const store = new MemoryRequestStore();
  const add = store.addCardCopy.bind(store);
  let h: Harness | undefined;
  // Once the requester's copy is placed, the requester's channel fails every post (the note too).
  store.addCardCopy = async (copy) => {
    await add(copy);
    if (copy.role === 'requester') h?.connector.failing.add(TEAM_CHANNEL);
  };
  h = await startHarness({}, { clock, sweepIntervalMs: 0, stores: { requests: store } });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    const entries = await postedEntries(h, request.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'refused' });
    expect(entries[0]!.detail).toContain('by the announcement; the requester could not be told');
    expect(entries[0]!.detail).not.toContain('the requester was told');
  } finally {
    await h.stop();
  }
});

test("the turn's refused entry says the requester was told when they were", async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    const entries = await postedEntries(h, request.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).toContain('by the announcement; the requester was told');
  } finally {
    await h.stop();
  }
});

/** Messages to the requester's channel (not updates) whose text includes `words`. */
function toRequester(h: Harness, words: string) {
  return h.connector.calls.filter(
    (c) => c.conversationId.startsWith(TEAM_CHANNEL) && c.op !== 'update' && cardText(c.activity).includes(words),
  );
}

test('a card Teams accepted whose copy the store failed to record: the requester is not told it could not be posted; one error line', async () => {
  const store = new MemoryRequestStore();
  const add = store.addCardCopy.bind(store);
  store.addCardCopy = (copy) => (copy.role === 'approver' ? Promise.reject(tableRefusal()) : add(copy));
  const h = await startHarness({}, { clock, sweepIntervalMs: 0, stores: { requests: store } });
  try {
    const before = h.logs.entries().length;
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    expect(toRequester(h, 'could not be posted')).toEqual([]);
    const notes = toRequester(h, `The approval card of request ${request.id} was posted to the approvals channel`);
    expect(notes).toHaveLength(1);
    expect(cardText(notes[0]!.activity)).toContain('approvers may see the card a second time');
    const lines = h.logs
      .entries()
      .slice(before)
      .filter((e) => (e.level as number) >= 40 && e.requestId === request.id);
    expect(lines.map((e) => [e.level, e.msg])).toEqual([
      [50, "the approvers' card was posted but could not be recorded; its approval.announce job may post it again"],
    ]);
    // The reference the requester is given is the line's correlation id.
    const reference = lines[0]!.correlationId as string;
    expect(reference).toMatch(/^turn-/);
    expect(cardText(notes[0]!.activity)).toContain(`reference for the platform team: ${reference})`);
  } finally {
    await h.stop();
  }
});

test("a card Teams accepted whose entry the audit log failed to write: not 'could not be posted' either", async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    const append = h.app.audit.append.bind(h.app.audit);
    h.app.audit.append = (event) =>
      event.action === 'approval.card.posted' ? Promise.reject(tableRefusal()) : append(event);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    expect(toRequester(h, 'could not be posted')).toEqual([]);
    expect(toRequester(h, `The approval card of request ${request.id} was posted`)).toHaveLength(1);
  } finally {
    await h.stop();
  }
});

test('the turn met the refusal and could not tell the requester: the next attempt of the job tells them, once', async () => {
  const store = new MemoryRequestStore();
  const add = store.addCardCopy.bind(store);
  let h: Harness | undefined;
  // Once the requester's copy is placed, the requester's channel fails every post (the note too).
  store.addCardCopy = async (copy) => {
    await add(copy);
    if (copy.role === 'requester') h?.connector.failing.add(TEAM_CHANNEL);
  };
  h = await startHarness({}, { clock, sweepIntervalMs: 0, stores: { requests: store } });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    const notPosted = () =>
      toRequester(h!, 'The approval card could not be posted').filter((c) => cardText(c.activity).includes(request.id));
    expect(notPosted()).toEqual([]);

    // The requester's channel works again; the card is still refused: the job tells them.
    h.connector.failing.clear();
    for (const minutes of [3, 63, 123]) {
      now = new Date(START.getTime() + minutes * 60_000);
      await h.app.scheduler.runDue();
      await h.app.services.background.drain();
    }
    expect(notPosted()).toHaveLength(1);
    const entries = await postedEntries(h, request.id);
    expect(entries.map((e) => e.outcome)).toEqual(['refused', 'refused']);
    expect(entries[1]!.detail).toContain('was told by the approval.announce job');
  } finally {
    await h.stop();
  }
});
