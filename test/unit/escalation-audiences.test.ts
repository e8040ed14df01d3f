/**
 * An escalation names both audiences: who was asked (the rule's approvers: named users
 * mentioned, groups named) and who is told now (`escalateTo`), in every channel it is posted in.
 * When a reminder and the escalation came due together only the escalation goes out, so it is
 * the only nudge the approvers get; and readers in the escalation channel must learn who was
 * supposed to decide. The reminder stays as it was.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { PolicyRule } from '../../src/domain/policy';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { HOUR } from './support/fake-clock';
import { APPROVERS_GROUP, ONCALL_GROUP, rule, SAM } from './support/policy-fixtures';
import { pendingRequest } from './support/requests';

const RULE_CHANNEL = '19:prod@thread.tacv2';
const ESCALATION_CHANNEL = '19:escalation@thread.tacv2';

/** Records each proactive post with the conversation it went to. */
class RecordingAdapter {
  readonly posts: Array<{ to: string; activity: Partial<Activity> }> = [];
  async continueConversationAsync(
    _appId: string,
    reference: Partial<ConversationReference>,
    logic: (ctx: unknown) => Promise<void>,
  ): Promise<void> {
    await logic({
      onSendActivities: () => undefined,
      sendActivity: async (activity: Partial<Activity>) => {
        this.posts.push({ to: String(reference.conversation?.id), activity });
        return { id: `post-${this.posts.length}` };
      },
    });
  }
}

async function setup() {
  const adapter = new RecordingAdapter();
  const store = new MemoryRequestStore();
  const request = pendingRequest();
  await store.create(request);
  await store.addCardCopy({
    requestId: request.id,
    activityId: 'act-1',
    role: 'requester',
    conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:riley', tenantId: 't' } },
  });
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
  );
  return { adapter, messenger, request };
}

const escalating = (extra: Partial<PolicyRule> = {}): PolicyRule =>
  rule('prod', {
    channel: RULE_CHANNEL,
    approvers: { users: [SAM.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' },
    remindAfterMs: 2 * HOUR,
    escalateAfterMs: 8 * HOUR,
    escalateTo: { channel: ESCALATION_CHANNEL, groups: [ONCALL_GROUP] },
    ...extra,
  });

const SAM_MENTION = {
  type: 'mention',
  text: '<at>approver 1</at>',
  mentioned: { id: SAM.objectId, name: 'approver 1' },
};

describe('the escalation message', () => {
  test('names who was asked (mentions, groups) and who is told now, in the rule channel and the escalation channel', async () => {
    const t = await setup();
    await t.messenger.nudgeApprovers(t.request, escalating(), 'escalate');
    expect(t.adapter.posts.map((p) => p.to)).toEqual([RULE_CHANNEL, ESCALATION_CHANNEL]);
    for (const { activity } of t.adapter.posts) {
      expect(activity.text).toContain(
        `No decision after 8 hours. Asked: Platform Approvers (<at>approver 1</at>, members of ${APPROVERS_GROUP}); ` +
          `now also: members of ${ONCALL_GROUP} and the escalation channel. Please decide.`,
      );
      expect(activity.text).toMatch(/^Escalation: request R-\S+ \(aks-prod → contosoacr, from Riley Requester\)/);
      // The named approver is a real mention; groups are named, never mentioned.
      expect(activity.entities).toEqual([SAM_MENTION]);
    }
  });

  test('escalation groups the policy names are called by that name, their ids after it; the name is inert', async () => {
    const t = await setup();
    const r = escalating({
      escalateTo: { channel: ESCALATION_CHANNEL, groups: [ONCALL_GROUP], name: 'Payments on-call <at>Alex</at>' },
    });
    await t.messenger.nudgeApprovers(t.request, r, 'escalate');
    expect(t.adapter.posts).toHaveLength(2);
    for (const { activity } of t.adapter.posts) {
      expect(activity.text?.replace(/\u200b/g, '')).toContain(
        `now also: Payments on-call &lt;at&gt;Alex&lt;/at&gt; (members of ${ONCALL_GROUP}) and the escalation channel. Please decide.`,
      );
      expect(activity.entities).toEqual([SAM_MENTION]);
    }
  });

  test('a rule without named users or escalation groups still says who was asked and where it went', async () => {
    const t = await setup();
    const r = escalating({
      approvers: { users: [], groups: [APPROVERS_GROUP] },
      escalateTo: { channel: ESCALATION_CHANNEL, groups: [] },
    });
    await t.messenger.nudgeApprovers(t.request, r, 'escalate');
    expect(t.adapter.posts).toHaveLength(2);
    for (const { activity } of t.adapter.posts) {
      expect(activity.text).toContain(
        `Asked: the approvers of rule prod (members of ${APPROVERS_GROUP}); now also: the escalation channel. Please decide.`,
      );
      expect(activity.entities).toEqual([]);
    }
  });

  test("the approvers' name from the policy file is inert: its only mentions are the entities", async () => {
    const t = await setup();
    const r = escalating({
      approvers: {
        users: [SAM.objectId],
        groups: [],
        name: '[Ops](https://evil.example/x) <at>Everyone</at>',
      },
    });
    await t.messenger.nudgeApprovers(t.request, r, 'escalate');
    const text = String(t.adapter.posts[0].activity.text);
    expect(text).toContain('Ops');
    expect(text).not.toMatch(/\]\(|https?:\/\/evil/);
    expect(text.match(/<at>/g)).toHaveLength(1);
  });
});

describe('the reminder', () => {
  test('is unchanged: the rule channel only, its approvers mentioned and its groups named', async () => {
    const t = await setup();
    await t.messenger.nudgeApprovers(t.request, escalating(), 'remind');
    expect(t.adapter.posts.map((p) => p.to)).toEqual([RULE_CHANNEL]);
    expect(t.adapter.posts[0].activity).toEqual({
      type: 'message',
      text:
        `Reminder: request ${t.request.id} (aks-prod → contosoacr, from Riley Requester) is still waiting: 0 of 1 approvals. ` +
        `<at>approver 1</at> Members of ${APPROVERS_GROUP}, please decide.`,
      entities: [SAM_MENTION],
    });
  });
});
