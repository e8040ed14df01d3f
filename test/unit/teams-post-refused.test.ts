/**
 * Teams' refusal of a post is marked where the activity is sent (sendMarkingRefusal →
 * TeamsPostRefused), so the approvers' card poster takes only that for "refused": a store error
 * of the same status (Azure Tables' 403 AuthorizationFailure) around the post is a failure.
 */
import { ApprovalCardPoster, type ApprovalCardMessenger } from '../../src/bot/approval-card-poster';
import { sendMarkingRefusal, TeamsPostRefused, teamsRefusal } from '../../src/bot/teams-refusal';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { pendingRequest } from './support/requests';

function restError(statusCode: number, code: string): Error {
  return Object.assign(new Error(code), { name: 'RestError', statusCode, code });
}

test("a send Teams refuses for good rejects with TeamsPostRefused, Teams' error its cause", async () => {
  const teams = restError(403, 'BotNotInConversationRoster');
  const err = await sendMarkingRefusal(() => Promise.reject(teams)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TeamsPostRefused);
  expect((err as TeamsPostRefused).refusal).toEqual({ status: 403, code: 'BotNotInConversationRoster' });
  expect((err as TeamsPostRefused).cause).toBe(teams);
  expect(teamsRefusal(err)).toEqual({ status: 403, code: 'BotNotInConversationRoster' });
});

test('any other failure of the send passes as it is; a send that succeeds resolves to its value', async () => {
  const other = restError(500, 'ServiceError');
  await expect(sendMarkingRefusal(() => Promise.reject(other))).rejects.toBe(other);
  await expect(sendMarkingRefusal(async () => 'activity-1')).resolves.toBe('activity-1');
});

describe('the poster', () => {
  const CHANNEL = '19:approvals@thread.tacv2';
  async function postWith(failure: unknown) {
    const store = new MemoryRequestStore();
    const request = pendingRequest();
    await store.create(request);
    // A card copy gives the poster its way to Teams.
    await store.addCardCopy({
      requestId: request.id,
      activityId: 'act-0',
      role: 'requester',
      conversation: {
        serviceUrl: 'https://smba.example/',
        bot: { id: '28:bot', name: 'acrbot' },
        conversation: { id: 'a:personal', conversationType: 'personal', tenantId: request.tenantId },
      },
    } as never);
    const messenger = {
      postApproval: () => Promise.reject(failure),
      shareRequesterCopy: async () => false,
    } as unknown as ApprovalCardMessenger;
    return new ApprovalCardPoster(messenger, store, CHANNEL, createLogger({ level: 'silent' })).postApprovalCard(
      request,
    );
  }

  test("Teams' marked refusal: refused, with its status and code", async () => {
    const post = await postWith(new TeamsPostRefused({ status: 404, code: 'ConversationNotFound' }, undefined));
    expect(post).toMatchObject({ refused: { status: 404, code: 'ConversationNotFound' } });
  });

  test("the store's 403 (recording the copy after the send): a failure, not refused", async () => {
    const table = restError(403, 'AuthorizationFailure');
    await expect(postWith(table)).rejects.toBe(table);
  });
});
