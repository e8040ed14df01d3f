/**
 * G16: one person cannot flood acrbot, and a redelivered message is one request. Per-user caps
 * are answered clearly with no ARM call; the same activity id creates one request; dialog state
 * belongs to one user in one conversation and expires.
 */
import { REDELIVERY_MEMORY_MS } from '../../src/flows/request-gate';
import { STORE_PURGE_JOB_ID } from '../../src/flows/store-purge';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';

/** A clock tests move by hand (the per-minute window and the dialog TTL depend on it). */
class TestClock {
  constructor(private t = Date.parse('2026-11-30T12:00:05.000Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

describe('G16: per-user limits and redelivery', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  async function ask(text: string, user = users.requester) {
    const before = h.connector.calls.length;
    await h.say(user, text);
    return h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        c.op !== 'update' &&
        (c.activity as { type?: string }).type === 'message' &&
        cardText(c.activity).length > 0,
      10_000,
      `answer to ${text}`,
    );
  }

  test(`the pending cap (ACRBOT_MAX_PENDING_PER_USER) is answered clearly with 0 ARM calls`, async () => {
    h = await startHarness({ ACRBOT_MAX_PENDING_PER_USER: '2' }, { clock: new TestClock() });
    const first = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const second = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    const arm = h.app.sandbox!.arm.requests.length;
    const graph = h.app.sandbox!.graph.requests.length;
    const reply = await ask('grant aks-legacy contosoacr one request too many');
    expect(cardText(reply.activity)).toContain('You already have 2 requests waiting for approval (at most 2)');
    expect(cardText(reply.activity)).toContain(first.id);
    expect(cardText(reply.activity)).toContain(second.id);
    expect(h.app.sandbox!.arm.requests.length).toBe(arm);
    expect(h.app.sandbox!.graph.requests.length).toBe(graph);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(2);
    // Someone else is not affected by the requester's cap.
    await h.requestGrant(users.outsider, 'aks-legacy contosoacr someone else asks too');
  });

  test('two grants asked at once with one place left under the pending cap: at most the cap ends waiting, the rest told', async () => {
    h = await startHarness({ ACRBOT_MAX_PENDING_PER_USER: '1' }, { clock: new TestClock() });
    // Both pass the door (nothing waiting yet) and are planned side by side; the chat handler
    // hands the cap to the create, which counts again after its write.
    await Promise.all([
      h.say(users.requester, 'grant aks-prod contosoacr deploy payments-api'),
      h.say(users.requester, 'grant aks-dev contosoacr deploy payments-api'),
    ]);
    await h.app.services.background.drain();
    const waiting = await h.app.store.listByState(['pending']);
    expect(waiting.length).toBeLessThanOrEqual(1);
    const withdrawn = await h.app.store.listByState(['cancelled']);
    expect(waiting.length + withdrawn.length).toBe(2);
    for (const r of withdrawn)
      expect((await h.app.audit.forRequest(r.id)).map((e) => e.action)).toContain('request.refused.pending');
  });

  test('the rate limit (ACRBOT_REQUESTS_PER_MINUTE) is answered clearly with 0 ARM calls; the next minute is open again', async () => {
    const clock = new TestClock();
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '2' }, { clock });
    await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    const arm = h.app.sandbox!.arm.requests.length;
    const reply = await ask('secret aks-dev contosoacr --namespace payments third in a minute');
    expect(cardText(reply.activity)).toContain('You have started more than 2 requests in the last minute');
    expect(h.app.sandbox!.arm.requests.length).toBe(arm);
    clock.advance(60_000);
    await h.requestGrant(users.requester, 'aks-legacy contosoacr a minute later');
  });

  test('the same activity posted twice (Teams redelivery) creates one request; the request records its activity id', async () => {
    h = await startHarness({}, { clock: new TestClock() });
    const activity = channelMessage(users.requester, 'grant aks-prod contosoacr deploy payments-api', {
      serviceUrl: h.serviceUrl,
    });
    const [a, b] = await Promise.all([postActivity(h.app.url, activity), postActivity(h.app.url, activity)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await h.connector.waitFor((c) => /Already received/.test(cardText(c.activity)), 10_000, 'redelivery answer');
    await h.connector.waitFor((c) => /R-[2-9A-Z]{8}/.test(cardText(c.activity)), 10_000, 'plan card');
    const pending = await h.app.store.listByState(['pending']);
    expect(pending).toHaveLength(1);
    expect(pending[0].sourceActivityId).toBe(activity.id);
  });

  test('an extend message posted twice (Teams redelivery) makes one extension; the second is answered "Already received"', async () => {
    h = await startHarness({}, { clock: new TestClock() });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const activity = channelMessage(users.requester, `extend ${request.id} --for 7d release still rolling out`, {
      serviceUrl: h.serviceUrl,
    });
    expect((await postActivity(h.app.url, activity)).status).toBe(200);
    await h.connector.waitFor(
      (c) => new RegExp(`Extend ${request.id}`).test(cardText(c.activity)),
      10_000,
      'the extension card',
    );
    expect((await postActivity(h.app.url, activity)).status).toBe(200);
    await h.connector.waitFor((c) => /Already received/.test(cardText(c.activity)), 10_000, 'redelivery answer');
    const extensions = (await h.app.store.listByRequester(users.requester.objectId, ['pending'])).filter(
      (r) => r.extendsRequestId === request.id,
    );
    expect(extensions).toHaveLength(1);
  });

  test("a bystander's reply cannot finish my dialog; an abandoned dialog expires (ACRBOT_DIALOG_TTL) and is purged", async () => {
    const clock = new TestClock();
    h = await startHarness({ ACRBOT_DIALOG_TTL: '5m' }, { clock });
    const start = channelMessage(users.requester, 'grant aks-prod', { serviceUrl: h.serviceUrl });
    await postActivity(h.app.url, start);
    await h.connector.waitFor((c) => /Which registry/.test(cardText(c.activity)), 5000, 'registry question');
    const thread = (start.conversation as { id: string }).id;
    const inThread = (user: typeof users.requester, text: string) => {
      const a = channelMessage(user, text, { serviceUrl: h.serviceUrl });
      (a.conversation as { id: string }).id = thread;
      return postActivity(h.app.url, a);
    };
    // The outsider answers in the same thread: not my dialog's answer.
    h.connector.clear();
    await inThread(users.outsider, 'contosoacr');
    await h.connector.waitFor((c) => /not an acrbot command/.test(cardText(c.activity)), 5000, 'bystander answer');
    expect(h.connector.calls.some((c) => /Why is the access needed/.test(cardText(c.activity)))).toBe(false);
    // My own answer continues my dialog.
    await inThread(users.requester, 'contosoacr');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    expect(await h.app.stores.dialogs.purgeExpired(clock.now())).toBe(0);
    // Abandoned: after the TTL my answer no longer continues it, and the purge frees it.
    clock.advance(5 * 60_000 + 1);
    h.connector.clear();
    await inThread(users.requester, 'deploy payments-api please');
    await h.connector.waitFor((c) => /not an acrbot command/.test(cardText(c.activity)), 5000, 'expired dialog');
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
    await inThread(users.outsider, 'grant aks-dev');
    clock.advance(5 * 60_000 + 1);
    expect(await h.app.stores.dialogs.purgeExpired(clock.now())).toBe(1);
  });

  test('a name that can never be valid is refused before a dialog starts: nothing is stored for it', async () => {
    const clock = new TestClock();
    h = await startHarness({ ACRBOT_DIALOG_TTL: '5m' }, { clock });
    // 16 KB where a cluster name goes, registry and reason missing: the dialog would keep it.
    const reply = await ask(`grant ${'x'.repeat(16 * 1024)}`);
    expect(cardText(reply.activity)).toContain('is not a valid cluster name');
    expect(cardText(reply.activity)).not.toContain('x'.repeat(100));
    const registry = await ask(`grant aks-prod ${'y'.repeat(300)}`);
    expect(cardText(registry.activity)).toContain('is not a valid registry name');
    expect(h.connector.calls.some((c) => /Which registry|Why is the access needed/.test(cardText(c.activity)))).toBe(
      false,
    );
    clock.advance(5 * 60_000 + 1);
    expect(await h.app.stores.dialogs.purgeExpired(clock.now())).toBe(0);
    // A plausible name still starts the dialog.
    const question = await ask('grant aks-prod');
    expect(cardText(question.activity)).toContain('Which registry');
  });

  test('the store.purge job deletes expired dialogs and old redelivery sightings, one instance at a time under its lease', async () => {
    const clock = new TestClock();
    h = await startHarness({ ACRBOT_DIALOG_TTL: '5m' }, { clock });
    const { dialogs, abuse, leases, schedule } = h.app.stores;
    const purgeJob = await schedule.get(STORE_PURGE_JOB_ID);
    expect(purgeJob).toMatchObject({ kind: 'store.purge' });
    await dialogs.put({
      key: '19:c|abandoned',
      state: {},
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect(await abuse.firstSighting('activity:seen-once', clock.now(), REDELIVERY_MEMORY_MS)).toBe(true);
    clock.advance(REDELIVERY_MEMORY_MS + 1);
    await dialogs.put({
      key: '19:c|live',
      state: {},
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });

    // Another instance holds the job: this one neither runs nor purges.
    const other = await leases.acquire(`job:${STORE_PURGE_JOB_ID}`, 'other-instance', 30_000);
    expect(other).toBeDefined();
    await h.app.scheduler.runDue();
    expect((await schedule.get(STORE_PURGE_JOB_ID))?.dueAt).toBe(purgeJob!.dueAt);
    await leases.release(other!);

    expect(await h.app.scheduler.runDue()).toBeGreaterThanOrEqual(1);
    // Gone from the store (a purge now finds nothing), the live dialog kept; the sighting forgotten.
    expect(await dialogs.purgeExpired(clock.now())).toBe(0);
    expect(await dialogs.get('19:c|live', clock.now())).toBeDefined();
    expect(await abuse.forgetExpiredSightings(clock.now())).toBe(0);
    // The next run is scheduled one dialog TTL later.
    expect((await schedule.get(STORE_PURGE_JOB_ID))?.dueAt).toBe(
      new Date(clock.now().getTime() + 5 * 60_000).toISOString(),
    );
  });
});
