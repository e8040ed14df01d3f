/**
 * Every card acrbot posts or updates carries an activity `summary`, the card's title: Teams shows
 * it in notifications, the activity feed and chat previews, which said only "acrbot sent a card"
 * before. Through the real bot over HTTP: answers in a turn (replies), proactive posts (the
 * approvers' card, the requester's outcome) and updates of cards posted earlier. Never `text`,
 * which Teams may draw beside the card.
 */
import { cardText, type CapturedCall } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

type Block = { type?: unknown; text?: unknown; weight?: unknown; items?: Block[]; columns?: Block[] };

/**
 * The title as every template draws it, read here on its own terms: the first bold TextBlock,
 * not in the sandbox banner (a Container first in the body, starting "SANDBOX").
 */
function drawnTitle(card: { body?: Block[] }): string | undefined {
  const body = card.body ?? [];
  const banner = body[0]?.type === 'Container' && String(body[0].items?.[0]?.text ?? '').startsWith('SANDBOX');
  const walk = (blocks: Block[]): string | undefined => {
    for (const b of blocks) {
      if (b.type === 'TextBlock' && b.weight === 'Bolder' && typeof b.text === 'string') return b.text;
      const inner = walk([...(b.items ?? []), ...(b.columns ?? []).flatMap((c) => c.items ?? [])]);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return walk(banner ? body.slice(1) : body);
}

/** The captured calls that carry an Adaptive Card. */
function cardCalls(calls: readonly CapturedCall[]): CapturedCall[] {
  return calls.filter((c) =>
    (c.activity.attachments as Array<{ contentType?: string }> | undefined)?.some((a) => a.contentType === ADAPTIVE),
  );
}

describe('card activities carry a summary', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  test('posts, replies and updates: each summary is its card title, and none has text', async () => {
    await h.turnReplies(users.requester, 'help', 'personal');
    await h.turnReplies(users.requester, 'check aks-prod contosoacr', 'personal');
    await h.turnReplies(users.requester, 'frobnicate', 'personal');
    const granted = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.click(users.requester, 'revokeConfirm', {
      requestId: granted.id,
      reason: 'release done, no longer needed',
    });
    // The revoke's own update of the request cards (in the background of the click).
    await h.connector.waitFor((c) => c.op === 'update' && /Revoked/.test(cardText(c.activity)), 10_000, 'Revoked');

    const cards = cardCalls(h.connector.calls);
    // Not vacuous: a turn's replies, proactive posts and updates of earlier posts were all seen.
    expect(new Set(cards.map((c) => c.op))).toEqual(new Set(['reply', 'send', 'update']));
    for (const call of cards) {
      const card = (call.activity.attachments as Array<{ contentType: string; content: { body?: Block[] } }>).find(
        (a) => a.contentType === ADAPTIVE,
      )!.content;
      const title = drawnTitle(card);
      expect({ op: call.op, title }).toEqual({ op: call.op, title: expect.any(String) });
      expect({ op: call.op, summary: call.activity.summary }).toEqual({ op: call.op, summary: title });
      expect(call.activity.text ?? undefined).toBeUndefined();
    }
  });
});
