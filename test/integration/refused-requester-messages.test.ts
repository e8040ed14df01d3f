/**
 * A requester's conversation that refuses acrbot's messages (acrbot removed from the channel
 * after the request was made): the outcome card cannot be sent there. The run's result stands,
 * the failure is logged where it happened, and nothing is left unhandled (an unhandled rejection
 * would end the process). With the audit channel set, as its card is updated meanwhile.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TEAM_CHANNEL } from '../helpers/teams-activities';

describe("a requester's conversation that refuses acrbot's messages", () => {
  let h: Harness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = await startHarness({ ACRBOT_AUDIT_CHANNEL: '19:acrbot-audit@thread.tacv2' });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h.stop();
  });

  test('the grant succeeds, the refused outcome card is logged as such, and no rejection goes unhandled', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    h.connector.refusing.add(TEAM_CHANNEL);
    try {
      await h.click(users.approver, 'approve', { requestId: request.id });
      expect((await h.settle(request.id)).state).toBe('succeeded');
      await h.app.services.background.drain();
      // The audit channel still gets its card.
      await h.connector.waitFor(
        (c) => c.conversationId.startsWith('19:acrbot-audit') && cardText(c.activity).includes('succeeded'),
        5000,
        'the audit card updated',
      );
      // The run's last step awaited its cards (settle drains it): the refusal is logged by now.
      expect(h.logs.entries().filter((e) => e.msg === "the requester's outcome card could not be sent")).toHaveLength(
        1,
      );
      expect(unhandled).toEqual([]);
    } finally {
      h.connector.refusing.clear();
    }
  });

  test('a typing indicator Teams refuses during slow planning does not lose the request: its cards go out', async () => {
    // Planning is slow for exactly as long as it takes the indicator to go out: its first ARM
    // call is held until the Bot Connector has been asked for "typing…" (refused, 502).
    const planning = h.app.sandbox!.arm.faults.hold({ operation: '*' });
    const typing = connectorPosted(h.connector.url);
    h.connector.failTyping = true;
    try {
      const before = h.connector.calls.length;
      const said = h.say(users.requester, 'grant aks-dev contosoabac nightly deploy of payments-api', 'personal');
      await planning.arrived;
      // While planning is held no card can go out: the post the connector gets is the indicator.
      await typing.posted;
      planning.release();
      await said;
      const plan = await h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
        10_000,
        'the plan card',
      );
      expect(cardText(plan.activity)).not.toContain('nothing was changed');
      const [pending] = (await h.app.store.listByState(['pending'])).filter(
        (r) => r.reason === 'nightly deploy of payments-api',
      );
      expect(pending).toBeDefined();
      expect(h.logs.entries().some((e) => e.msg === 'typing indicator failed; the answer is sent anyway')).toBe(true);
    } finally {
      typing.stop();
      h.connector.failTyping = false;
      h.app.sandbox!.arm.faults.clear();
    }
  });
});

/**
 * Resolves `posted` at the first activity posted to the Bot Connector at `url` (seen as the
 * request starts, through Node's `http.server.request.start` diagnostics channel: a refused
 * typing indicator is answered without being recorded among the connector's calls).
 */
function connectorPosted(url: string): { posted: Promise<void>; stop(): void } {
  const port = Number(new URL(url).port);
  let seen!: () => void;
  const posted = new Promise<void>((resolve) => (seen = resolve));
  const onStart = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.socket.localPort === port && request.method === 'POST' && /\/activities\/?/.test(request.url ?? ''))
      seen();
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  return { posted, stop: () => diagnostics.unsubscribe('http.server.request.start', onStart) };
}
