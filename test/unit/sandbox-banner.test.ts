/**
 * One test of the sandbox banner (card-summary.ts' hasSandboxBanner), used by the card's summary
 * (past the banner) and by the short card sent in place of one too large (turn-cards.ts), which
 * keeps the banner of the card it replaces.
 */
import type { TurnContext } from 'botbuilder';
import { sendCard } from '../../src/bot/turn-cards';
import { createLogger } from '../../src/observability/logger';
import { hasSandboxBanner } from '../../src/views/card-summary';
import { CARD_MAX_BYTES, messageCard } from '../../src/views/message-view';

test('a template drawn in the sandbox has the banner; drawn outside it, or a card without a body, not', () => {
  expect(hasSandboxBanner(messageCard({ title: 'Note', text: 'x', sandbox: true }))).toBe(true);
  expect(hasSandboxBanner(messageCard({ title: 'Note', text: 'x', sandbox: false }))).toBe(false);
  expect(hasSandboxBanner(messageCard({ title: 'SANDBOX notes', text: 'x', sandbox: false }))).toBe(false);
  expect(hasSandboxBanner({ type: 'AdaptiveCard' })).toBe(false);
});

test('the short card sent in place of one too large keeps its banner, or its absence', async () => {
  const big = 'x'.repeat(CARD_MAX_BYTES);
  for (const sandbox of [true, false]) {
    const sent: Array<Record<string, any>> = [];
    const ctx = {
      activity: { type: 'message', text: 'access aks-prod' },
      sendActivity: async (activity: Record<string, any>) => {
        sent.push(activity);
        return { id: 'act-1' };
      },
    } as unknown as TurnContext;
    await sendCard(ctx, messageCard({ title: 'Access', text: big, sandbox }), createLogger({ level: 'silent' }));
    const card = sent[0]!.attachments[0].content;
    expect(JSON.stringify(card)).not.toContain(big);
    expect(hasSandboxBanner(card)).toBe(sandbox);
  }
});
