/**
 * G16 for extensions: an extension is a new request with its own approval card, so it counts
 * against the same per-user caps as one (ACRBOT_MAX_PENDING_PER_USER, ACRBOT_REQUESTS_PER_MINUTE),
 * whichever way it is asked — `extend` in chat, the Extend button of a card, Extend in the tab —
 * with the gate's own sentence, no Azure call and nothing stored; the tab answers 429. A user
 * holding many grants can no longer post an approval card for each of them at once.
 */
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;

/**
 * A clock tests move by hand (the per-minute window depends on it). It starts near the real time:
 * the sandbox issuer signs the tab's tokens with the real time, checked against this clock.
 */
class TestClock {
  private t = Date.now();
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

/**
 * A request store whose pending counts, once armed, wait until `count` of them are in flight: two
 * requests asked at once then both pass the door before either is written, every time.
 */
class BarrierRequestStore extends MemoryRequestStore {
  private waiting: (() => void)[] = [];
  private armed = 0;
  /** How many counts were held at the barrier. */
  held = 0;

  arm(count: number): void {
    this.armed = count;
  }
  override async countByRequester(requesterId: string, states: RequestState[], atMost: number): Promise<number> {
    if (this.armed > 0 && states.includes('pending')) {
      this.held++;
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (this.waiting.length >= this.armed) {
          this.armed = 0;
          for (const release of this.waiting.splice(0)) release();
        }
      });
    }
    return super.countByRequester(requesterId, states, atMost);
  }
}

describe('G16: extensions count against the per-user caps, from chat, a card and the tab', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** A grant asked for by the requester and approved; it succeeded. */
  async function granted(args: string): Promise<AccessRequest> {
    const request = await h.requestGrant(users.requester, args);
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    return done;
  }

  /** `extend …` said in chat; the text of the bot's answer. */
  async function extendInChat(id: string, args: string): Promise<string> {
    const before = h.connector.calls.length;
    await h.say(users.requester, `extend ${id} ${args}`);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity).length > 0,
      10_000,
      `the answer to extend ${id}`,
    );
    return cardText(reply.activity);
  }

  /** The Extend button of a reminder card, pressed; the text of the card it answers with. */
  async function extendByCard(id: string): Promise<string> {
    const res = await h.click(users.requester, 'extend', {
      requestId: id,
      duration: '2d',
      reason: 'release still rolling out',
    });
    expect(res.status).toBe(200);
    // The approvers' card follows the answer (G16): posted before the next step looks for replies.
    await h.app.services.background.drain();
    return cardText({ attachments: [{ content: res.body?.value }] });
  }

  /** Extend in the tab, as the requester: the status, the JSON body and the Retry-After header. */
  async function extendInTab(id: string): Promise<{ status: number; body: any; retryAfter: string | null }> {
    const token = await h.app.sandbox!.identity.issue({ user: 'requester', audience: AUDIENCE });
    const res = await fetch(`${h.app.url}/api/tab/requests/${id}/extend`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ duration: '2d', reason: 'release still rolling out' }),
    });
    return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
  }

  const extensionsOf = async (id: string) =>
    (await h.app.store.listByRequester(users.requester.objectId, ['pending', 'approved', 'executing'])).filter(
      (r) => r.extendsRequestId === id,
    );

  test('the pending cap: a third extension waiting is refused in chat, on a card and in the tab (429), with 0 ARM calls', async () => {
    h = await startHarness({ ACRBOT_MAX_PENDING_PER_USER: '2' }, { clock: new TestClock() });
    const a = await granted('aks-prod contosoacr --for 1d deploy payments-api');
    const b = await granted('aks-dev contosoacr --for 1d nightly test pulls');
    const c = await granted('aks-legacy contosoacr --for 1d batch pulls');
    // Two extensions waiting: one asked in chat, one with a card's Extend button.
    expect(await extendInChat(a.id, '--for 2d release still running')).toContain('Extends');
    expect(await extendByCard(b.id)).toContain('Extends');
    const [waitingA] = await extensionsOf(a.id);
    const [waitingB] = await extensionsOf(b.id);
    expect([waitingA?.state, waitingB?.state]).toEqual(['pending', 'pending']);

    const arm = h.app.sandbox!.arm.requests.length;
    const graph = h.app.sandbox!.graph.requests.length;
    const cap = 'You already have 2 requests waiting for approval (at most 2)';
    const chat = await extendInChat(c.id, '--for 2d release still running');
    expect(chat).toContain('Too many requests');
    expect(chat).toContain(cap);
    expect(chat).toContain(waitingA!.id);
    expect(chat).toContain(waitingB!.id);
    const card = await extendByCard(c.id);
    expect(card).toContain('Too many requests');
    expect(card).toContain(cap);
    const tab = await extendInTab(c.id);
    expect(tab.status).toBe(429);
    expect(tab.body).toMatchObject({ error: 'limits.pending' });
    expect(tab.retryAfter).toBeNull();
    expect(tab.body.message).toContain(cap);
    expect(tab.body.message).toContain('Nothing was requested');
    // Nothing asked of Azure (not even the tags an extension reads again), nothing stored.
    expect(h.app.sandbox!.arm.requests.length).toBe(arm);
    expect(h.app.sandbox!.graph.requests.length).toBe(graph);
    expect(await extensionsOf(c.id)).toEqual([]);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(2);
    // The same caps as a new request: extensions waiting count for new requests too.
    expect(await h.ask(users.requester, 'grant aks-prod contosoabac deploy payments-api')).toContain(cap);

    // One withdrawn: the extension may be asked (from the tab).
    await h.say(users.requester, `cancel ${waitingA!.id}`);
    expect((await h.app.store.get(waitingA!.id))!.state).toBe('cancelled');
    const asked = await extendInTab(c.id);
    expect(asked.status).toBe(202);
    expect((await extensionsOf(c.id)).map((r) => r.id)).toEqual([asked.body.requestId]);
  });

  test('two extensions asked at once with one place left under the pending cap: at most the cap ends waiting', async () => {
    const requests = new BarrierRequestStore();
    h = await startHarness({ ACRBOT_MAX_PENDING_PER_USER: '1' }, { clock: new TestClock(), stores: { requests } });
    const a = await granted('aks-prod contosoacr --for 1d deploy payments-api');
    const b = await granted('aks-dev contosoacr --for 1d nightly test pulls');
    // Both pass the door (the door's counts are held until both have counted: nothing waiting
    // yet) and are planned side by side; the count after the write withdraws what is over the
    // cap (G16 across turns and instances).
    requests.arm(2);
    const answers = await Promise.all([extendInTab(a.id), extendInTab(b.id)]);
    expect(requests.held).toBe(2);
    const waiting = await h.app.store.listByState(['pending']);
    expect(waiting.length).toBeLessThanOrEqual(1);
    // Each answer is an extension asked, or the cap's refusal: none is lost without a word.
    expect(answers.filter((r) => r.status === 202)).toHaveLength(waiting.length);
    for (const refused of answers.filter((r) => r.status !== 202)) {
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: 'limits.pending' });
    }
  });

  test('the rate limit: an extension is a request started; over the minute’s limit it is refused everywhere (the tab: 429, Retry-After), the next minute is open', async () => {
    const clock = new TestClock();
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '3' }, { clock });
    // Two requests started this minute, then one extension: three.
    const a = await granted('aks-prod contosoacr --for 1d deploy payments-api');
    const b = await granted('aks-dev contosoacr --for 1d nightly test pulls');
    expect((await extendInTab(a.id)).status).toBe(202);

    const arm = h.app.sandbox!.arm.requests.length;
    const limit = 'You have started more than 3 requests in the last minute';
    const chat = await extendInChat(b.id, '--for 2d release still running');
    expect(chat).toContain('Too many requests');
    expect(chat).toContain(limit);
    expect(await extendByCard(b.id)).toContain(limit);
    const tab = await extendInTab(b.id);
    expect(tab.status).toBe(429);
    expect(tab.body).toMatchObject({ error: 'limits.rate' });
    expect(tab.retryAfter).toBe('60');
    expect(tab.body.message).toContain(limit);
    expect(h.app.sandbox!.arm.requests.length).toBe(arm);
    expect(await extensionsOf(b.id)).toEqual([]);
    // No audit entry per refused attempt, as for a new request's (a flood would write one each).
    expect((await h.app.audit.forRequest(b.id)).map((e) => e.action)).not.toContain('extend.refused');

    clock.advance(60_000);
    const later = await extendInTab(b.id);
    expect(later.status).toBe(202);
    expect((await extensionsOf(b.id)).map((r) => r.id)).toEqual([later.body.requestId]);
  });
});
