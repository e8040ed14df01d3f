/**
 * The message mentioning a new request's named approvers beside its card
 * (views/new-request-mention-view.ts): the reminder's mentions (those still waited on, by display
 * name), a break-glass grant asked for its review, nothing when nobody is left to mention, and the
 * request's words inert in an HTML message. The post and the directory read are tested through
 * the app (test/integration/approval-card-mentions.test.ts).
 */
import { newRequestMentionMessage } from '../../src/views/new-request-mention-view';
import { breakGlassRequest } from './support/break-glass';
import { rule } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const AT = '2026-12-06T08:00:00.000Z';
const named = rule('prod', {
  approvers: { users: [APPROVER.objectId, REQUESTER.objectId, OUTSIDER.objectId], groups: [] },
});
const names = new Map([
  [APPROVER.objectId.toLowerCase(), 'Alex Approver'],
  [OUTSIDER.objectId.toLowerCase(), 'Oscar Outsider'],
]);

test('a pending request: its named approvers still waited on, by name, then what waits', () => {
  const request = pendingRequest({ id: 'R-MENTION1', plan: grantPlan() });
  expect(newRequestMentionMessage(request, named, { cannotSignIn: new Set(), names })).toEqual({
    text: '<at>Alex Approver</at>, <at>Oscar Outsider</at>: request R-MENTION1 (aks-prod → contosoacr) waits for your decision.',
    entities: [
      { type: 'mention', text: '<at>Alex Approver</at>', mentioned: { id: APPROVER.objectId, name: 'Alex Approver' } },
      {
        type: 'mention',
        text: '<at>Oscar Outsider</at>',
        mentioned: { id: OUTSIDER.objectId, name: 'Oscar Outsider' },
      },
    ],
  });
});

test('one who cannot sign in is left out; without a read, everyone still waited on by number', () => {
  const request = pendingRequest({ id: 'R-MENTION2', plan: grantPlan() });
  const disabled = { cannotSignIn: new Set([OUTSIDER.objectId.toLowerCase()]), names };
  expect(newRequestMentionMessage(request, named, disabled)!.entities.map((e) => e.mentioned.id)).toEqual([
    APPROVER.objectId,
  ]);
  expect(newRequestMentionMessage(request, named)!.text).toBe(
    '<at>approver 1</at>, <at>approver 2</at>: request R-MENTION2 (aks-prod → contosoacr) waits for your decision.',
  );
});

test('a break-glass grant asks for its review', () => {
  const request = breakGlassRequest(REQUESTER, AT, { dueAt: '2026-12-07T08:00:00.000Z' }, { id: 'R-GLASS001' });
  expect(newRequestMentionMessage(request, named, { cannotSignIn: new Set(), names })!.text).toBe(
    '<at>Alex Approver</at>, <at>Oscar Outsider</at>: break-glass request R-GLASS001 (aks-prod → contosoacr) runs without approval; review it once it has run.',
  );
});

test('nobody left to mention (groups only, or only the requester named): no message', () => {
  const request = pendingRequest({ id: 'R-MENTION3', plan: grantPlan() });
  expect(newRequestMentionMessage(request, rule('g', { approvers: { users: [], groups: ['group-1'] } }))).toBe(
    undefined,
  );
  expect(
    newRequestMentionMessage(request, rule('self', { approvers: { users: [REQUESTER.objectId], groups: [] } })),
  ).toBe(undefined);
});

test("the request's words are inert in the HTML message: the mentions' tags are its only markup", () => {
  const plan = grantPlan();
  const request = pendingRequest({
    id: 'R-MENTION4',
    plan: { ...plan, cluster: { ...plan.cluster, name: 'my_<b>cluster</b>' } },
  });
  const { text } = newRequestMentionMessage(request, named, { cannotSignIn: new Set(), names })!;
  expect(text).toContain('(my\\_&lt;b&gt;cluster&lt;/b&gt; → contosoacr)');
  expect(text.split('<')).toHaveLength(2 * 2 + 1);
});
