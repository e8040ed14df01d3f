/**
 * A bot adapter for CardMessenger unit tests that records posts and card updates by
 * conversation, and answers Teams' member lookup for the members it is given (object id →
 * Teams id; anyone else is "not a member", 404), as the per-user views of a card need.
 */
import type { Activity, ConversationReference } from 'botbuilder';

/** One post or update: the conversation id it went to and the activity. */
export interface ConversationActivity {
  to: string;
  activity: Partial<Activity>;
}

/** Records posts and updates by conversation; Teams names the members given. */
export class MemberAwareAdapter {
  readonly posts: ConversationActivity[] = [];
  readonly updates: ConversationActivity[] = [];
  constructor(private readonly members: Record<string, string> = {}) {}
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    const to = String(reference.conversation?.id);
    const getConversationMember = async (_conversationId: string, id: string) => {
      if (this.members[id]) return { id: this.members[id], aadObjectId: id };
      throw Object.assign(new Error('not a member'), { statusCode: 404 });
    };
    await logic({
      activity: { conversation: reference.conversation, serviceUrl: reference.serviceUrl },
      adapter: { createConnectorClient: () => ({ conversations: { getConversationMember } }) },
      turnState: new Map(),
      onSendActivities: () => undefined,
      sendActivity: async (activity: Partial<Activity>) => {
        this.posts.push({ to, activity });
        return { id: `post-${this.posts.length}` };
      },
      updateActivity: async (activity: Partial<Activity>) => void this.updates.push({ to, activity }),
    });
  }
}
