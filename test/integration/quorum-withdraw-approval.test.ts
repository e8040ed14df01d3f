/**
 * Withdraw my approval under a 2-of-3 rule (G18), through the real card handler and request
 * service: an approver whose approval counts takes it back while the request is pending (it stays
 * pending, 0 of 2 counted, audited `approval.withdrawn`, every copy redrawn) and may approve again.
 * Refused, audited, nothing changed: after the quorum (the way is revoke), by a bystander, by an
 * approver whose approval does not count, and the second of two withdraws made at once (one
 * `approval.withdrawn` entry, whether the serialiser or the conditional write orders them).
 */
import { CARD_VERBS } from '../../src/bot/card-invoke';
import { DecisionHandler } from '../../src/bot/handlers/decision-handler';
import type { TurnIdentity } from '../../src/bot/turn-identity';
import { countedApprovals } from '../../src/domain/policy';
import type { RequestDecisions } from '../../src/flows/request-decision';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { invokeText, refreshView, verbs } from '../helpers/card-views';
import { type Harness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import { adele, sam, startTwoOfThree } from '../helpers/two-of-three-policy';
import type { TeamsUser } from '../helpers/teams-activities';

let h: Harness;
const temp = new TempDirs();
afterEach(async () => {
  try {
    await h?.stop();
  } finally {
    temp.removeAll();
  }
});

async function start(): Promise<Harness> {
  return startTwoOfThree(temp);
}

function identityOf(user: TeamsUser): TurnIdentity {
  return { actor: { objectId: user.objectId, name: user.name }, tenantId: SANDBOX_TENANT_ID };
}

/**
 * `user` clicks Withdraw my approval with `data`: through the bot's invoke like any click once its
 * verb is routed (card-invoke.ts CARD_VERBS, acr-bot.ts), else straight to the handler it reaches.
 */
async function withdraw(user: TeamsUser, data: Record<string, unknown>): Promise<AdaptiveCardJson> {
  if ((CARD_VERBS as readonly string[]).includes('withdrawApproval')) {
    const res = await h.click(user, 'withdrawApproval', data);
    expect(res.status).toBe(200);
    return res.body.value as AdaptiveCardJson;
  }
  const handler = new DecisionHandler(h.app.services);
  const parsed = handler.parse(data);
  if (!parsed) throw new Error('card data refused');
  return handler.withdraw(identityOf(user), parsed);
}

const answered = (card: AdaptiveCardJson) => ({ body: { value: card } });
const cardVerbs = (card: AdaptiveCardJson) => verbs(answered(card));
const text = (card: AdaptiveCardJson) => invokeText(answered(card));

async function actions(requestId: string): Promise<string[]> {
  return (await h.app.audit.forRequest(requestId)).map((e) => e.action);
}

test('approve, withdraw (still pending, none counted, audited, copies redrawn), approve again', async () => {
  h = await start();
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
  expect(request.policy).toMatchObject({ ruleId: 'prod-two-of-three', approvalsRequired: 2 });
  const approved = await h.click(users.approver, 'approve', { requestId: request.id });
  // Their own view offers the withdraw, with Reject, and no Approve.
  expect(verbs(approved)).toEqual(['withdrawApproval', 'reject']);
  expect(invokeText(approved)).toContain(
    `You can withdraw your approval (or type "@acrbot withdraw ${request.id}"), or still reject it.`,
  );
  const button = (approved.body.value.actions as Array<{ verb: string; data: object }>).find(
    (a) => a.verb === 'withdrawApproval',
  )!;

  h.connector.clear();
  const answer = await withdraw(users.approver, button.data as Record<string, unknown>);
  expect(text(answer)).toContain(
    `Your approval of request ${request.id} is withdrawn; it stays pending, and you can approve it again.`,
  );
  // Approve offered to them again.
  expect(cardVerbs(answer)).toEqual(['approve', 'reject']);
  const stored = (await h.app.store.get(request.id))!;
  expect(stored.state).toBe('pending');
  expect(countedApprovals(stored)).toEqual([]);
  const entries = await h.app.audit.forRequest(request.id);
  const withdrawn = entries.filter((e) => e.action === 'approval.withdrawn');
  expect(withdrawn).toHaveLength(1);
  expect(withdrawn[0]).toMatchObject({ outcome: '0 of 2', ruleId: 'prod-two-of-three' });
  expect(withdrawn[0].actor.objectId).toBe(users.approver.objectId);
  // Every copy is redrawn with the count gone down.
  await h.connector.waitFor(
    (c) => c.op === 'update' && cardText(c.activity).includes('0 of 2 so far'),
    5000,
    'a copy redrawn with 0 of 2',
  );
  expect(verbs(await refreshView(h, users.approver, request.id))).toEqual(['approve', 'reject']);

  // They may approve again; with Sam's the quorum is reached.
  const again = await h.click(users.approver, 'approve', { requestId: request.id });
  expect(invokeText(again)).toContain('Your approval is recorded');
  expect(countedApprovals((await h.app.store.get(request.id))!)).toHaveLength(1);
  await h.click(sam, 'approve', { requestId: request.id });
  expect((await h.settle(request.id)).state).toBe('succeeded');
  expect((await actions(request.id)).filter((a) => a === 'approval.recorded')).toHaveLength(2);
});

test('refused after the quorum (the way is revoke), by a bystander, and by an approver whose approval does not count', async () => {
  h = await start();
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy billing-api');
  await h.click(users.approver, 'approve', { requestId: request.id });

  // Oscar approves nothing: his click is refused and audited, nothing changed.
  const before = (await h.app.store.get(request.id))!;
  const bystander = await withdraw(users.outsider, { requestId: request.id });
  expect(text(bystander)).toContain('there is none to withdraw; nothing was changed');
  expect(JSON.stringify(bystander)).not.toContain('withdrawApproval');
  // Adele is an approver who has not approved: the same.
  const notCounted = await withdraw(adele, { requestId: request.id });
  expect(text(notCounted)).toContain(`You have no approval of request ${request.id} that counts`);
  expect(cardVerbs(notCounted)).toEqual(['approve', 'reject']);
  // The requester neither.
  await withdraw(users.requester, { requestId: request.id });
  const after = (await h.app.store.get(request.id))!;
  expect(after.version).toBe(before.version);
  expect(countedApprovals(after).map((a) => a.by.objectId)).toEqual([users.approver.objectId]);
  expect((await actions(request.id)).filter((a) => a === 'approval.refused.notCounted')).toHaveLength(3);

  await h.click(sam, 'approve', { requestId: request.id });
  await h.settle(request.id);
  const late = await withdraw(users.approver, { requestId: request.id });
  expect(text(late)).toContain('so approvals of it can no longer be withdrawn; nothing was changed.');
  expect(text(late)).toContain(`"@acrbot revoke ${request.id} REASON…"`);
  expect(cardVerbs(late)).toEqual([]);
  const trail = await actions(request.id);
  expect(trail).toContain('approval.refused.stale');
  expect(trail).not.toContain('approval.withdrawn');
  expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
});

test('forged card data is refused before any handler work, and only the request id is read', async () => {
  h = await start();
  const handler = new DecisionHandler(h.app.services);
  expect(handler.parse({ requestId: 'not-an-id' })).toBeUndefined();
  expect(handler.parse({ requestId: 42 })).toBeUndefined();
  expect(handler.parse({})).toBeUndefined();
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy orders-api');
  await h.click(users.approver, 'approve', { requestId: request.id });
  // Card data naming the approver does not make Oscar's click theirs.
  const forged = await withdraw(users.outsider, { requestId: request.id, by: users.approver, approvals: [] });
  expect(text(forged)).toContain('there is none to withdraw; nothing was changed');
  expect(countedApprovals((await h.app.store.get(request.id))!)).toHaveLength(1);
  if ((CARD_VERBS as readonly string[]).includes('withdrawApproval')) {
    // Through the bot: refused as every card without a valid request id is, and audited.
    const bad = await h.click(users.approver, 'withdrawApproval', { requestId: 'R-<script>' });
    expect(invokeText(bad)).toContain('The card did not carry a valid request id');
    const latest = await h.app.audit.latest(5);
    expect(latest.some((e) => e.action === 'validation.failed' && e.detail?.includes('withdrawApproval'))).toBe(true);
  }
});

test('two withdraw clicks at once: one approval.withdrawn, the other refused', async () => {
  h = await start();
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy worker-api');
  await h.click(users.approver, 'approve', { requestId: request.id });
  // Two clicks in this process: the serialiser orders them.
  const [a, b] = await Promise.all([
    withdraw(users.approver, { requestId: request.id }),
    withdraw(users.approver, { requestId: request.id }),
  ]);
  expect([text(a), text(b)].filter((t) => t.includes('is withdrawn;'))).toHaveLength(1);
  expect([text(a), text(b)].filter((t) => t.includes('there is none to withdraw'))).toHaveLength(1);
  expect((await actions(request.id)).filter((x) => x === 'approval.withdrawn')).toHaveLength(1);

  // Two at once past the serialiser (two instances): the conditional write picks one; the loser
  // is judged again on the version that won and finds nothing to withdraw.
  await h.click(users.approver, 'approve', { requestId: request.id });
  const decisions = (h.app.services.requests as unknown as { decisions: RequestDecisions }).decisions;
  const click = { requestId: request.id, acting: identityOf(users.approver), approve: false, withdraw: true };
  const results = await Promise.all([decisions.decideNow(click), decisions.decideNow(click)]);
  expect(results.map((r) => r.kind).sort()).toEqual(['refused', 'withdrawn']);
  expect((await actions(request.id)).filter((x) => x === 'approval.withdrawn')).toHaveLength(2);
  const stored = (await h.app.store.get(request.id))!;
  expect(stored.state).toBe('pending');
  expect(countedApprovals(stored)).toEqual([]);
});
