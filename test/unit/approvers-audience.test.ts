/**
 * Where a request's card may be posted by a read (`pending`, `pending R-…`, an approver's
 * `status R-…`): where approvers alone read (a chat with acrbot, an approvers' channel), or the
 * conversation that request's own approval card went to. Without ACRBOT_APPROVAL_CHANNEL and a
 * rule channel, that is the request's own channel (a thread counting as its channel) or group
 * chat, where its card, reason included, is already; never another request's conversation.
 */
import type { TurnContext } from 'botbuilder';
import { approvalConversationOf, readByApprovers, readByApproversOf } from '../../src/bot/approvers-audience';
import type { BotServices } from '../../src/bot/bot-services';
import type { AccessRequest } from '../../src/domain/request';
import { policy, rule } from './support/policy-fixtures';
import { pendingRequest } from './support/requests';

const REQUESTS_CHANNEL = '19:requests@thread.tacv2';
const OTHER_CHANNEL = '19:other-team@thread.tacv2';
const GROUP_CHAT = '19:group-chat-1@thread.v2';
const RULE_CHANNEL = '19:prod@thread.tacv2';

/** The services the audience rule reads: the setting and a policy without rule channels. */
function services(approvalChannelId?: string): Pick<BotServices, 'settings' | 'requests'> {
  const current = { ...policy([rule('default')]), breakGlass: undefined };
  return {
    settings: { sandbox: true, allowedTenantIds: [], approvalChannelId },
    requests: { currentPolicy: () => current } as unknown as BotServices['requests'],
  };
}

/** A turn in conversation `id` of Teams type `type`. */
function turnIn(id: string, type: string): TurnContext {
  return { activity: { conversation: { id, conversationType: type } } } as unknown as TurnContext;
}

const madeIn = (conversationId: string, conversationType: string, extra: Partial<AccessRequest> = {}) =>
  pendingRequest({ origin: { conversationId, conversationType }, ...extra });

describe('approvalConversationOf', () => {
  test("without a channel set: the request's own channel (not its thread) or group chat", () => {
    expect(approvalConversationOf(madeIn(`${REQUESTS_CHANNEL};messageid=17`, 'channel'), undefined)).toBe(
      REQUESTS_CHANNEL,
    );
    expect(approvalConversationOf(madeIn(GROUP_CHAT, 'groupChat'), undefined)).toBe(GROUP_CHAT);
  });

  test('a request made in a chat with acrbot, no channel set: none (no approval card was posted)', () => {
    expect(approvalConversationOf(madeIn('a:personal-1', 'personal'), undefined)).toBeUndefined();
  });

  test("the rule's channel first, then ACRBOT_APPROVAL_CHANNEL", () => {
    const bound = madeIn(REQUESTS_CHANNEL, 'channel', {
      policy: {
        ruleId: 'prod',
        policyHash: 'h',
        approvalsRequired: 1,
        rule: { ...rule('prod'), channel: RULE_CHANNEL },
      },
    });
    expect(approvalConversationOf(bound, '19:approvals@thread.tacv2')).toBe(RULE_CHANNEL);
    expect(approvalConversationOf(madeIn(REQUESTS_CHANNEL, 'channel'), '19:approvals@thread.tacv2')).toBe(
      '19:approvals@thread.tacv2',
    );
  });
});

describe('readByApproversOf, without ACRBOT_APPROVAL_CHANNEL', () => {
  const noChannel = services(undefined);

  test("a request's own channel, in any thread of it: its approval card is there", () => {
    const request = madeIn(`${REQUESTS_CHANNEL};messageid=17`, 'channel');
    const ctx = turnIn(`${REQUESTS_CHANNEL};messageid=99`, 'channel');
    expect(readByApprovers(ctx, noChannel)).toBe(false);
    expect(readByApproversOf(ctx, noChannel, request)).toBe(true);
  });

  test("a request's own group chat", () => {
    expect(readByApproversOf(turnIn(GROUP_CHAT, 'groupChat'), noChannel, madeIn(GROUP_CHAT, 'groupChat'))).toBe(true);
  });

  test("another channel or group chat than the request's: no", () => {
    const request = madeIn(REQUESTS_CHANNEL, 'channel');
    expect(readByApproversOf(turnIn(`${OTHER_CHANNEL};messageid=5`, 'channel'), noChannel, request)).toBe(false);
    expect(readByApproversOf(turnIn(GROUP_CHAT, 'groupChat'), noChannel, request)).toBe(false);
    expect(readByApproversOf(turnIn(REQUESTS_CHANNEL, 'channel'), noChannel, madeIn(GROUP_CHAT, 'groupChat'))).toBe(
      false,
    );
  });

  test('a request made in a chat with acrbot: only where approvers alone read', () => {
    const request = madeIn('a:personal-1', 'personal');
    expect(readByApproversOf(turnIn('a:personal-2', 'personal'), noChannel, request)).toBe(true);
    expect(readByApproversOf(turnIn(REQUESTS_CHANNEL, 'channel'), noChannel, request)).toBe(false);
  });
});

describe('readByApproversOf, with ACRBOT_APPROVAL_CHANNEL', () => {
  test("the request's own channel is not where its approval card went: no", () => {
    const withChannel = services('19:approvals@thread.tacv2');
    const request = madeIn(REQUESTS_CHANNEL, 'channel');
    expect(readByApproversOf(turnIn(`${REQUESTS_CHANNEL};messageid=3`, 'channel'), withChannel, request)).toBe(false);
    expect(readByApproversOf(turnIn('19:approvals@thread.tacv2', 'channel'), withChannel, request)).toBe(true);
  });
});
