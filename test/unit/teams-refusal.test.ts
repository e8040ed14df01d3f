/**
 * teamsRefusal reads Teams' refusal of a post (403/404) and its code, from the RestError's own
 * `code` or else from the answer's body; every other status is not a refusal.
 */
import { teamsRefusal } from '../../src/bot/teams-refusal';

const answered = (statusCode: number, body: unknown, code?: string) =>
  Object.assign(new Error('x'), { statusCode, code, response: { bodyAsText: JSON.stringify(body) } });

test('403 and 404 are refusals, with the code Teams gave', () => {
  expect(teamsRefusal(answered(403, { error: { code: 'BotNotInConversationRoster' } }))).toEqual({
    status: 403,
    code: 'BotNotInConversationRoster',
  });
  expect(teamsRefusal(answered(404, { error: { code: 'ConversationNotFound' } }, 'NotFoundCode'))).toEqual({
    status: 404,
    code: 'NotFoundCode',
  });
  expect(teamsRefusal(Object.assign(new Error('x'), { statusCode: 404 }))).toEqual({ status: 404 });
  expect(teamsRefusal(answered(403, 'not json'))).toEqual({ status: 403 });
});

test('other statuses, and errors without one, are not', () => {
  for (const status of [400, 401, 429, 500, 502])
    expect(teamsRefusal(answered(status, { error: { code: 'X' } }))).toBeUndefined();
  expect(teamsRefusal(new Error('socket hang up'))).toBeUndefined();
  expect(teamsRefusal(undefined)).toBeUndefined();
});
