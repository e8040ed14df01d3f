/** A bot adapter for CardMessenger unit tests that records every proactive post instead of sending it. */
import type { Activity, ConversationReference } from 'botbuilder';

/** One proactive post: where it went and what it said. */
export interface RecordedPost {
  reference: Partial<ConversationReference>;
  activity: Partial<Activity>;
}

/**
 * An adapter that records every proactive post: where it went and what it said. `failing`: every
 * post is answered 503 instead (Teams unavailable), for tests of what a failed post undoes.
 */
export class RecordingAdapter {
  readonly posts: RecordedPost[] = [];
  failing = false;
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    if (this.failing) throw Object.assign(new Error('Teams answered 503'), { statusCode: 503 });
    await logic({
      onSendActivities: () => undefined,
      sendActivity: async (activity: Partial<Activity>) => {
        this.posts.push({ reference, activity });
        return { id: `post-${this.posts.length}` };
      },
    });
  }
}

/** The conversation id of each post, in order: where the cards went, as tests that check routing compare it. */
export function postedTo(adapter: RecordingAdapter): string[] {
  return adapter.posts.map((p) => String(p.reference.conversation?.id));
}
