/**
 * A bot adapter for CardMessenger unit tests whose conversations may refuse posts as Teams does
 * for a removed bot (403), a deleted conversation (404) or an outage (503).
 */
import type { Activity, ConversationReference } from 'botbuilder';

/** Records proactive posts; conversations in `refusing` (every one, with `refuseAll`) answer `status`. */
export class RefusingAdapter {
  /** Conversations a post went out to. */
  readonly posts: string[] = [];
  /** Conversations a post was tried in, refused or not. */
  readonly tried: string[] = [];
  readonly refusing = new Set<string>();
  /** How the refusing conversations answer (403: acrbot removed; 404: gone; 503: Teams down). */
  status = 403;
  constructor(private readonly options: { refuseAll?: boolean } = {}) {}
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    const id = String(reference.conversation?.id);
    await logic({
      onSendActivities: () => undefined,
      sendActivity: async (_activity: Partial<Activity>) => {
        this.tried.push(id);
        if (this.options.refuseAll || this.refusing.has(id))
          throw Object.assign(new Error('BotNotInConversationRoster'), { statusCode: this.status });
        this.posts.push(id);
        return { id: `post-${this.posts.length}` };
      },
    });
  }
}
