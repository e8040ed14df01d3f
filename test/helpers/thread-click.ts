/**
 * A card click from the team channel's thread where `Harness.say` talks, as Teams sends it: from
 * the conversation of the card clicked. acrbot takes over a grant form's or reminder's message
 * only for a click from the conversation it posted it in (src/bot/own-cards.ts), so a click on
 * a card `say` brought must come from there, not from the approvals channel `Harness.click` uses.
 */
import type { Harness } from './harness';
import { cardAction, postActivity, TEAM_CHANNEL, type TeamsUser } from './teams-activities';

/** Clicks `verb` on the card `replyToId` in the team channel's thread; returns status and parsed body. */
export function clickInThread(
  h: Harness,
  user: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
  replyToId?: string,
): Promise<{ status: number; body: any }> {
  return postActivity(
    h.app.url,
    cardAction(user, verb, data, {
      serviceUrl: h.serviceUrl,
      replyToId,
      conversationId: `${TEAM_CHANNEL};messageid=1`,
    }),
  );
}
