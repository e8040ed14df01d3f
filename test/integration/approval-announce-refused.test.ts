/**
 * acrbot removed from the approvals channel (Teams answers 403 BotNotInConversationRoster): the
 * request's `approval.announce` job does not fail and back off every half hour until the request
 * expires (each failure reported to the approvers in that same refusing channel). The refusal is
 * audited once (`approval.card.posted` `refused`, naming the channel and Teams' code), each
 * attempt logs one error saying what to do, the requester is told once (by the turn), and the job
 * tries again hourly: acrbot added back, the next attempt posts the card.
 */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { approvalAnnounceJobId } from '../../src/flows/request-jobs';
import { type CapturingConnector, cardText } from '../helpers/capturing-connector';
import { breakGlassPolicyYaml, writePolicyFile } from '../helpers/break-glass-policy';
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

jest.setTimeout(120_000);

const START = new Date('2026-12-01T09:00:00Z');
let now = START;
const clock = { now: () => now };
const MINUTE = 60_000;
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());
beforeEach(() => {
  now = START;
});

const REFUSED_LINE =
  "Teams refused the approvers' card of a request (acrbot is not in that channel): add acrbot back or change the approvals channel; it is tried again every hour while the request waits";

/** New posts of `id`'s card in the approvals channel (not updates of one). */
function approvalPosts(connector: CapturingConnector, id: string) {
  return connector.calls.filter(
    (c) =>
      c.conversationId.startsWith(SANDBOX_APPROVAL_CHANNEL_ID) &&
      c.op !== 'update' &&
      // The card, not the message mentioning its approvers in its thread.
      (c.activity.attachments?.length ?? 0) > 0 &&
      cardText(c.activity).includes(id),
  );
}

/** Messages telling the requester the approval card could not be posted. */
function notPostedNotes(connector: CapturingConnector, id: string) {
  return connector.calls.filter(
    (c) => cardText(c.activity).includes('The approval card could not be posted') && cardText(c.activity).includes(id),
  );
}

async function runAt(h: Harness, minutes: number): Promise<void> {
  now = new Date(START.getTime() + minutes * MINUTE);
  await h.app.scheduler.runDue();
  await h.app.services.background.drain();
}

function errorsSince(h: Harness, from: number): string[] {
  return h.logs
    .entries()
    .slice(from)
    .filter((e) => (e.level as number) >= 50)
    .map((e) => String(e.msg));
}

test('a pending request whose approvals channel refuses acrbot: audited once, one error an hour, the requester told once, posted once acrbot is back', async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    expect(notPostedNotes(h.connector, request.id)).toHaveLength(1);

    const before = h.logs.entries().length;
    await runAt(h, 3);
    expect(errorsSince(h, before)).toEqual([REFUSED_LINE]);
    const line = h.logs.entries().find((e) => e.msg === REFUSED_LINE)!;
    expect(line).toMatchObject({ requestId: request.id, teamsStatus: 403, teamsCode: 'BotNotInConversationRoster' });
    expect(String(line.conversationId)).toContain(SANDBOX_APPROVAL_CHANNEL_ID);
    const job = await h.app.stores.schedule.get(approvalAnnounceJobId(request.id));
    expect(job?.dueAt).toBe(new Date(START.getTime() + 63 * MINUTE).toISOString());
    expect(job?.attempts ?? 0).toBe(0);

    // Not again at the backoff: the next attempt is an hour on.
    const quiet = h.logs.entries().length;
    await runAt(h, 40);
    expect(errorsSince(h, quiet)).toEqual([]);

    // Hourly, still refused: one line each, no job failure, no report into the refusing channel.
    const later = h.logs.entries().length;
    for (let m = 63; m <= 5 * 60; m += 60) await runAt(h, m);
    expect(errorsSince(h, later)).toEqual(Array(4).fill(REFUSED_LINE));

    // One keyed entry naming the channel and Teams' code, whoever met the refusal first (the turn).
    const entries = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'approval.card.posted');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'refused' });
    expect(entries[0]!.targetIds[0]).toContain(SANDBOX_APPROVAL_CHANNEL_ID);
    expect(entries[0]!.detail).toContain('403 BotNotInConversationRoster');
    // The turn told the requester; the job did not say it again.
    expect(notPostedNotes(h.connector, request.id)).toHaveLength(1);

    // acrbot added back: the next attempt posts the card, recorded as posted, and the job ends.
    h.connector.refusing.clear();
    const back = h.logs.entries().length;
    await runAt(h, 6 * 60 + 3);
    expect(approvalPosts(h.connector, request.id)).toHaveLength(1);
    expect(errorsSince(h, back)).toEqual([]);
    const outcomes = (await h.app.audit.forRequest(request.id))
      .filter((e) => e.action === 'approval.card.posted')
      .map((e) => e.outcome);
    expect(outcomes).toEqual(['refused', 'posted']);
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
  } finally {
    await h.stop();
  }
});

test('never added back: the attempts end with the request, at most one an hour', async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const before = h.logs.entries().length;
    for (let m = 3; m <= 3 * 24 * 60; m += 30) await runAt(h, m);
    const errors = errorsSince(h, before);
    const ttlHours = (Date.parse(request.expiresAt) - Date.parse(request.createdAt)) / 3_600_000;
    expect(errors.filter((m) => m === REFUSED_LINE).length).toBeLessThanOrEqual(Math.ceil(ttlHours));
    expect(errors).not.toContain('scheduled job failed; retrying later');
    expect(errors).not.toContain('could not report to approvers');
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
  } finally {
    await h.stop();
  }
});

test('a break-glass grant whose review card is refused: tried only while its access lasts', async () => {
  const policyFile = writePolicyFile(tempDirs.make('acrbot-announce-refused-bg-'), breakGlassPolicyYaml());
  const h = await startHarness({ ACRBOT_POLICY: policyFile }, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const olive = SANDBOX_USERS.oncall as TeamsUser;
    const bg = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    await h.settle(bg.id);
    await h.app.services.background.drain();
    const before = h.logs.entries().length;
    /** When each attempt met the refusal. */
    const attempts: number[] = [];
    for (let m = 3; m <= 14 * 24 * 60; m += 30) {
      const from = h.logs.entries().length;
      await runAt(h, m);
      if (errorsSince(h, from).includes(REFUSED_LINE)) attempts.push(now.getTime());
    }
    expect(attempts.length).toBeGreaterThan(0);
    // None once its access ended (the policy's break-glass maxDuration is 4 hours).
    const end = Date.parse((await h.app.store.get(bg.id))!.access!.expiresAt!);
    expect(attempts.filter((t) => t >= end)).toEqual([]);
    expect(errorsSince(h, before)).not.toContain('scheduled job failed; retrying later');
    expect(await h.app.stores.schedule.get(approvalAnnounceJobId(bg.id))).toBeUndefined();
    const refused = (await h.app.audit.forRequest(bg.id)).filter(
      (e) => e.action === 'approval.card.posted' && e.outcome === 'refused',
    );
    expect(refused).toHaveLength(1);
  } finally {
    await h.stop();
  }
});

/** "acrbot was added" to the approvals channel's team (membersAdded naming the bot, or an installationUpdate add). */
function addedToTeam(h: Harness, how: 'membersAdded' | 'installationUpdate'): Record<string, any> {
  const {
    text: _text,
    entities: _entities,
    ...m
  } = channelMessage(users.approver, 'unused', {
    serviceUrl: h.serviceUrl,
  }) as Record<string, any>;
  const conversation = { ...m.conversation, id: '19:team@thread.tacv2' };
  return how === 'membersAdded'
    ? { ...m, type: 'conversationUpdate', conversation, membersAdded: [{ id: m.recipient.id }] }
    : { ...m, type: 'installationUpdate', action: 'add', conversation };
}

test.each(['membersAdded', 'installationUpdate'] as const)(
  'acrbot added back (%s): the refused card is tried at the next sweep, not at the next hourly attempt',
  async (how) => {
    const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
    try {
      h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
      await h.app.services.background.drain();
      await runAt(h, 3);
      expect((await h.app.stores.schedule.get(approvalAnnounceJobId(request.id)))?.dueAt).toBe(
        new Date(START.getTime() + 63 * MINUTE).toISOString(),
      );

      // Added back ten minutes later: the job is due at once, and the next sweep posts the card.
      h.connector.refusing.clear();
      now = new Date(START.getTime() + 13 * MINUTE);
      expect((await postActivity(h.app.url, addedToTeam(h, how))).status).toBe(200);
      await h.app.services.background.drain();
      expect((await h.app.stores.schedule.get(approvalAnnounceJobId(request.id)))?.dueAt).toBe(now.toISOString());
      await runAt(h, 14);
      expect(approvalPosts(h.connector, request.id)).toHaveLength(1);
      expect(await h.app.stores.schedule.get(approvalAnnounceJobId(request.id))).toBeUndefined();
    } finally {
      await h.stop();
    }
  },
);

test("acrbot added to a personal chat: a refused card's job keeps its hourly attempt", async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    await runAt(h, 3);
    const { channelData: _c, ...m } = addedToTeam(h, 'membersAdded');
    const personal = { ...m, conversation: { id: 'a:personal-chat', conversationType: 'personal' } };
    expect((await postActivity(h.app.url, personal)).status).toBe(200);
    await h.app.services.background.drain();
    expect((await h.app.stores.schedule.get(approvalAnnounceJobId(request.id)))?.dueAt).toBe(
      new Date(START.getTime() + 63 * MINUTE).toISOString(),
    );
  } finally {
    await h.stop();
  }
});

test('refused until it expired: the requester is told no approver was shown it, and what to do', async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    const expiresAfter = (Date.parse(request.expiresAt) - START.getTime()) / MINUTE;
    for (let m = 3; m <= expiresAfter + 1; m += 60) await runAt(h, m);
    await runAt(h, expiresAfter + 1);
    expect((await h.app.store.get(request.id))?.state).toBe('expired');
    const news = h.connector.calls.filter((c) => cardText(c.activity).includes(`without a decision: ${request.id}`));
    expect(news).toHaveLength(1);
    const text = cardText(news[0]!.activity);
    expect(text).toContain('no approver was shown this request');
    expect(text).toContain('add acrbot back to the approvals channel, or to name one it is in, then ask again');
  } finally {
    await h.stop();
  }
});

test('a card posted after a refusal: the expiry news keeps the usual words', async () => {
  const h = await startHarness({}, { clock, sweepIntervalMs: 0 });
  try {
    h.connector.refusing.add(SANDBOX_APPROVAL_CHANNEL_ID);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.app.services.background.drain();
    await runAt(h, 3);
    h.connector.refusing.clear();
    await runAt(h, 63);
    expect(approvalPosts(h.connector, request.id)).toHaveLength(1);
    const expiresAfter = (Date.parse(request.expiresAt) - START.getTime()) / MINUTE;
    await runAt(h, expiresAfter + 1);
    const news = h.connector.calls.filter((c) => cardText(c.activity).includes(`without a decision: ${request.id}`));
    expect(news).toHaveLength(1);
    expect(cardText(news[0]!.activity)).toContain('Nobody decided in time, so nothing was changed.');
  } finally {
    await h.stop();
  }
});
