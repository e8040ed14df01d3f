/**
 * An escalation names both audiences: who was asked (the rule's approvers: named users
 * mentioned, groups named) and who is told now (`escalateTo`), in every channel it is posted in.
 * When a reminder and the escalation came due together only the escalation goes out, so it is
 * the only nudge the approvers get; and readers in the escalation channel must learn who was
 * supposed to decide. Both mention only those still waited on (not the requester, nor an
 * approver whose approval counts already) and lead with the name the policy gives the approvers,
 * never a group's id alone. One post per channel.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { PolicyRule } from '../../src/domain/policy';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { escalationMessage } from '../../src/views/nudge-view';
import { createLogger } from '../../src/observability/logger';
import { HOUR } from './support/fake-clock';
import { APPROVERS_GROUP, ONCALL_GROUP, rule, SAM } from './support/policy-fixtures';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

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
  return { adapter, messenger, request, store };
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
          `now also: members of ${ONCALL_GROUP} and the escalation channel. Those asked: please decide ("@acrbot pending ${t.request.id}" shows it with Approve and Reject). Those told now cannot approve or reject: please see that it is decided.`,
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
        `now also: Payments on-call &lt;at&gt;Alex&lt;/at&gt; (members of ${ONCALL_GROUP}) and the escalation channel. Those asked: please decide ("@acrbot pending ${t.request.id}" shows it with Approve and Reject). Those told now cannot approve or reject: please see that it is decided.`,
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
        `Asked: the approvers of rule prod (members of ${APPROVERS_GROUP}); now also: the escalation channel. Those asked: please decide ("@acrbot pending ${t.request.id}" shows it with Approve and Reject). Those told now cannot approve or reject: please see that it is decided.`,
      );
      expect(activity.entities).toEqual([]);
    }
  });

  test('told to nobody else, it asks the approvers alone and names where they decide', () => {
    const request = pendingRequest();
    const text = escalationMessage(request, escalating({ escalateTo: undefined })).text;
    expect(text).toMatch(
      new RegExp(
        `Asked: Platform Approvers \\(.*\\)\\. Please decide: "@acrbot pending ${request.id}" shows it with Approve and Reject\\.$`,
      ),
    );
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
  test('the rule channel only, the approvers by their name, then its users mentioned and its groups named', async () => {
    const t = await setup();
    await t.messenger.nudgeApprovers(t.request, escalating(), 'remind');
    expect(t.adapter.posts.map((p) => p.to)).toEqual([RULE_CHANNEL]);
    expect(t.adapter.posts[0].activity).toEqual({
      type: 'message',
      text:
        `Reminder: request ${t.request.id} (aks-prod → contosoacr, from Riley Requester) is still waiting: 0 of 1 approvals. ` +
        `Platform Approvers (<at>approver 1</at>, members of ${APPROVERS_GROUP}), please decide: "@acrbot pending ${t.request.id}" shows it with Approve and Reject.`,
      entities: [SAM_MENTION],
    });
  });

  test('a rule without a name is called by its id, at the start of the sentence', async () => {
    const t = await setup();
    await t.messenger.nudgeApprovers(
      t.request,
      escalating({ approvers: { users: [], groups: [APPROVERS_GROUP] } }),
      'remind',
    );
    expect(t.adapter.posts[0].activity.text).toContain(
      `approvals. The approvers of rule prod (members of ${APPROVERS_GROUP}), please decide: "@acrbot pending ${t.request.id}" shows it with Approve and Reject.`,
    );
  });
});

describe('who a nudge mentions', () => {
  // Riley asked, Alex approved towards a quorum of 2: only Sam is still waited on.
  const quorum = (users: string[]) =>
    escalating({ approvers: { users, groups: [], name: 'Prod approvers' }, approvalsRequired: 2 });
  const alexApproved = (r: PolicyRule) =>
    pendingRequest({
      policy: { ruleId: r.id, policyHash: 'h', approvalsRequired: 2, rule: r },
      approvals: [{ by: APPROVER, at: '2025-01-15T09:10:00.000Z' }],
    });

  test.each(['remind', 'escalate'] as const)(
    'the %s leaves out the requester and an approver whose approval counts already',
    async (kind) => {
      const t = await setup();
      const r = quorum([APPROVER.objectId, SAM.objectId, REQUESTER.objectId]);
      await t.messenger.nudgeApprovers(alexApproved(r), r, kind);
      expect(t.adapter.posts.length).toBeGreaterThan(0);
      for (const { activity } of t.adapter.posts) {
        expect(activity.entities).toEqual([SAM_MENTION]);
        expect(activity.text).toContain('Prod approvers (<at>approver 1</at>)');
        expect(activity.text!.match(/<at>/g)).toHaveLength(1);
      }
    },
  );

  test('a rule whose named users are all left out still says whose decision it waits for', async () => {
    const t = await setup();
    const r = quorum([APPROVER.objectId, REQUESTER.objectId]);
    await t.messenger.nudgeApprovers(alexApproved(r), r, 'remind');
    expect(t.adapter.posts[0].activity.entities).toEqual([]);
    expect(t.adapter.posts[0].activity.text).toMatch(
      /is still waiting: 1 of 2 approvals\. Prod approvers, please decide: "@acrbot pending R-\S+" shows it with Approve and Reject\.$/,
    );
  });
});

describe('an escalation channel that is where the approvers are asked already', () => {
  test('the same channel as the rule’s: posted once', async () => {
    const t = await setup();
    await t.messenger.nudgeApprovers(
      t.request,
      escalating({ escalateTo: { channel: RULE_CHANNEL, groups: [ONCALL_GROUP] } }),
      'escalate',
    );
    expect(t.adapter.posts.map((p) => p.to)).toEqual([RULE_CHANNEL]);
  });

  test('a rule without a channel whose approval card is in the escalation channel: posted once', async () => {
    const t = await setup();
    await t.store.addCardCopy({
      requestId: t.request.id,
      activityId: 'act-2',
      role: 'approver',
      conversation: {
        serviceUrl: 'https://smba.example/emea/',
        conversation: { id: ESCALATION_CHANNEL, tenantId: 't', conversationType: 'channel' },
      },
    });
    await t.messenger.nudgeApprovers(t.request, escalating({ channel: undefined }), 'escalate');
    expect(t.adapter.posts.map((p) => p.to)).toEqual([ESCALATION_CHANNEL]);
  });
});
