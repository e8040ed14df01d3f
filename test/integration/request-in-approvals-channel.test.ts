/**
 * A request typed in the channel where its approvers are asked (ACRBOT_APPROVAL_CHANNEL, or its
 * rule's channel, is the requester's own) gets one card there: the requester's copy in the
 * request's thread is the approvers' copy too, not a second top-level card with Approve/Reject
 * beside it. Approve, reject and every later update work on that one card.
 */
import { SANDBOX_APPROVER_GROUP_ID } from '../../src/sandbox/fixtures';
import { writePolicyFile } from '../helpers/break-glass-policy';
import { cardText, type CapturedCall } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { actions, h, start, useLifecycleHooks } from '../helpers/lifecycle';
import { TEAM_CHANNEL } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';
import { clickInThread } from '../helpers/thread-click';

const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());
useLifecycleHooks();

/** Request cards posted (not updated) in the team channel, its threads included. */
const requestCardsPosted = (id: string): CapturedCall[] =>
  h.connector.calls.filter(
    (c) =>
      c.op !== 'update' &&
      c.conversationId.split(';')[0] === TEAM_CHANNEL &&
      /Pending approval/.test(cardText(c.activity)) &&
      cardText(c.activity).includes(id),
  );

/** The latest update of activity `activityId`, once one says `what`. */
const updated = (activityId: string, what: RegExp) =>
  h.connector.waitFor(
    (c) => c.op === 'update' && c.activityId === activityId && what.test(cardText(c.activity)),
    10_000,
    `card ${activityId} updated to ${what}`,
  );

test('ACRBOT_APPROVAL_CHANNEL is the requester’s channel: one card there, approved on it', async () => {
  await start({ ACRBOT_APPROVAL_CHANNEL: TEAM_CHANNEL });
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
  const posted = requestCardsPosted(request.id);
  expect(posted.map((c) => c.op)).toEqual(['reply']);
  // The thread's card is the one copy, and the approval card is audited as there.
  const copies = await h.app.store.listCardCopies(request.id);
  expect(copies.filter((c) => c.role !== 'audit').map((c) => [c.role, c.activityId])).toEqual([
    ['requester', posted[0].activityId],
  ]);
  expect(await actions(request.id)).toContain('approval.card.posted:posted');

  const res = await clickInThread(h, users.approver, 'approve', { requestId: request.id }, posted[0].activityId);
  expect(res.status).toBe(200);
  expect((await h.settle(request.id)).state).toBe('succeeded');
  await updated(posted[0].activityId, /Granted/);
  expect(requestCardsPosted(request.id)).toHaveLength(1);
});

test('the rule’s channel is the requester’s, approvers only by group: one card, with Approve/Reject for all, rejected on it', async () => {
  const dir = tempDirs.make('acrbot-request-in-approvals-');
  const policy = `version: 1
rules:
  - id: default
    match: {}
    channel: "${TEAM_CHANNEL}"
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"], name: "Platform Approvers" }
`;
  await start({ ACRBOT_POLICY: writePolicyFile(dir, policy) });
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
  const posted = requestCardsPosted(request.id);
  expect(posted.map((c) => c.op)).toEqual(['reply']);
  // No named approver has a view of their own: the one card shows Approve/Reject to everyone
  // there, as the approvers' copy did.
  const asApprovers = await updated(posted[0].activityId, /Pending approval/);
  expect(JSON.stringify(asApprovers.activity)).toContain('"verb":"approve"');

  const reason = { requestId: request.id, comment: 'use the staging registry instead' };
  const res = await clickInThread(h, users.approver, 'reject', reason, posted[0].activityId);
  expect(res.status).toBe(200);
  expect((await h.app.store.get(request.id))!.state).toBe('rejected');
  await updated(posted[0].activityId, /Rejected/);
  expect(requestCardsPosted(request.id)).toHaveLength(1);
});
