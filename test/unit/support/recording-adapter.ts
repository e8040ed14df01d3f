/** A bot adapter for CardMessenger unit tests that records every proactive post instead of sending it. */
import type { Activity, ConversationReference } from 'botbuilder';

/** One proactive post: where it went and what it said. */
export interface RecordedPost {
  reference: Partial<ConversationReference>;
  activity: Partial<Activity>;
}

/** An adapter that records every proactive post: where it went and what it said. */
export class RecordingAdapter {
  readonly posts: RecordedPost[] = [];
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
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
