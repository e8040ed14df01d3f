/**
 * G5 for the clicker too: an approver whose own account was disabled or deleted in Entra since
 * (named by the rule, or a member of its group: Graph's checkMemberGroups answers alike for a
 * disabled account) approves, rejects, reviews and revokes nothing from an old card or a chat
 * command (docs/policy.md: "counts for nobody"). Refused, audited, nothing changed. An approval
 * reads the clicker's account with the earlier approvers', in one read; a directory that refuses
 * the read (403) lets the click through unchecked; any other failure (Graph down) fails an approval
 * or a review's Accept, but lets through a click that only takes access away (a revoke, a reject,
 * a review's Reject), said in its audit entry and warned. Requests are made
 * and decided through a RequestService over GraphDirectory and the Graph emulator (HTTPS), as in
 * quorum-disabled-approver.test.ts.
 */
import { UserFacingError, UserFacingOutageError } from '../../src/domain/errors';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { AccessActions } from '../../src/flows/access-actions';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { withCorrelation } from '../../src/observability/correlation';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { graphRequestService } from '../helpers/graph-request-service';
import { deleteAccount, directoryIds, disableAccount, useSandboxGraph } from '../helpers/sandbox-graph';
import { MINUTE } from '../unit/support/fake-clock';
import { OLIVE, rule, TENANT } from '../unit/support/policy-fixtures';
import { newGrant } from '../unit/support/requests';

let sandbox: Sandbox;
let graph: GraphClient;

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
});

afterEach(() => resetUnreadNamedWarning());

const newId = directoryIds(700);

const disable = (who: Actor) => disableAccount(sandbox, who);
const remove = (who: Actor) => deleteAccount(sandbox, who);
const userReads = () => sandbox.graph.requests.filter((r) => r.operation === 'users.list');

/** Alex and Bea, enabled, named by the rule or members of its group, under a quorum of `required`. */
function setup(required: number, viaGroup = false) {
  const people: Actor[] = ['Alex', 'Bea'].map((name) => ({ objectId: newId(), name: `${name} Approver` }));
  for (const p of people) sandbox.directory.addUser({ id: p.objectId, displayName: p.name });
  const group = newId();
  sandbox.directory.addGroup({ id: group, displayName: 'approvers', members: people.map((p) => p.objectId) });
  const approvers = viaGroup
    ? { users: [], groups: [group], name: 'Group approvers' }
    : { users: people.map((p) => p.objectId), groups: [], name: 'Named approvers' };
  const theRule: PolicyRule = rule('prod', { approvalsRequired: required, approvers });
  const t = graphRequestService(graph, theRule);
  const decide = (requestId: string, actor: Actor, approve: boolean, reason = 'ok') => {
    t.clock.advance(MINUTE);
    return t.service.decide({ requestId, acting: { actor, tenantId: TENANT }, approve, reason });
  };
  const approve = (requestId: string, actor: Actor) => decide(requestId, actor, true);
  const trail = async (requestId: string) => (await t.audit.forRequest(requestId)).map((e) => e.action);
  return { ...t, people, decide, approve, trail };
}

describe('an approver whose account was disabled or deleted since', () => {
  test.each([false, true])('approves nothing alone (quorum 1, via a group: %s)', async (viaGroup) => {
    const t = setup(1, viaGroup);
    const [alex] = t.people;
    const request = await t.service.create(newGrant());
    disable(alex);
    sandbox.graph.clearRequests();

    const result = await t.approve(request.id, alex);
    expect(result).toMatchObject({
      kind: 'refused',
      reason: 'disabledOrGone',
      message: `Your account is disabled or gone from the directory, so you can no longer approve request ${request.id}; nothing was changed.`,
    });
    const stored = (await t.store.get(request.id))!;
    expect(stored.state).toBe('pending');
    expect(stored.approvals ?? []).toEqual([]);
    expect(await t.trail(request.id)).toEqual(['request.created', 'approval.refused.disabledOrGone']);
    // One read of the clicker's account (a single approver's click costs it).
    expect(userReads()).toHaveLength(1);
  });

  test('dropped by a later click, cannot approve again from the old card (quorum 2)', async () => {
    const t = setup(2);
    const [alex, bea] = t.people;
    const request = await t.service.create(newGrant());
    expect((await t.approve(request.id, alex)).kind).toBe('recorded');
    disable(alex);
    const second = await t.approve(request.id, bea);
    expect(second.kind).toBe('recorded');
    expect(second.request.discountedApprovals).toEqual([expect.objectContaining({ by: alex, why: 'disabledOrGone' })]);
    sandbox.graph.clearRequests();

    const again = await t.approve(request.id, alex);
    expect(again).toMatchObject({ kind: 'refused', reason: 'disabledOrGone' });
    const stored = (await t.store.get(request.id))!;
    expect(stored.state).toBe('pending');
    expect(stored.approvals?.map((a) => a.by.name)).toEqual(['Bea Approver']);
    // Bea's approval re-checked and the clicker's account: one batched read.
    expect(userReads()).toHaveLength(1);
    expect((await t.trail(request.id)).at(-1)).toBe('approval.refused.disabledOrGone');
  });

  test('deleted, cannot complete a quorum of 2; nothing is dropped by the refused click', async () => {
    const t = setup(2);
    const [alex, bea] = t.people;
    const request = await t.service.create(newGrant());
    expect((await t.approve(request.id, alex)).kind).toBe('recorded');
    remove(bea);

    expect(await t.approve(request.id, bea)).toMatchObject({ kind: 'refused', reason: 'disabledOrGone' });
    const stored = (await t.store.get(request.id))!;
    expect(stored.state).toBe('pending');
    expect(stored.approvals?.map((a) => a.by.name)).toEqual(['Alex Approver']);
    expect(stored.discountedApprovals).toBeUndefined();
  });

  test('rejects nothing', async () => {
    const t = setup(1, true);
    const [alex] = t.people;
    const request = await t.service.create(newGrant());
    disable(alex);

    expect(await t.decide(request.id, alex, false, 'not this week')).toMatchObject({
      kind: 'refused',
      reason: 'disabledOrGone',
      message: `Your account is disabled or gone from the directory, so you can no longer reject request ${request.id}; nothing was changed.`,
    });
    expect((await t.store.get(request.id))!.state).toBe('pending');
    expect(await t.trail(request.id)).toEqual(['request.created', 'approval.refused.disabledOrGone']);
  });

  test('reviews no break-glass grant; the review stays owed', async () => {
    const t = setup(1);
    const [alex] = t.people;
    const granted = await succeeded(t, await t.service.create({ ...newGrant(OLIVE), breakGlass: true }));
    disable(alex);

    const result = await t.decide(granted.id, alex, true, 'fine');
    expect(result).toMatchObject({
      kind: 'refused',
      reason: 'disabledOrGone',
      message: `Your account is disabled or gone from the directory, so you can no longer review break-glass request ${granted.id}; nothing was changed.`,
    });
    expect((await t.store.get(granted.id))!.policy?.review?.outcome).toBeUndefined();
    expect((await t.trail(granted.id)).at(-1)).toBe('breakglass.review.refused.disabledOrGone');
  });

  test('revokes nothing of others; its requester still revokes their own', async () => {
    const t = setup(1);
    const [alex, bea] = t.people;
    const requester: Actor = { objectId: newId(), name: 'Rae Requester' };
    const granted = await succeeded(t, await t.service.create(newGrant(requester)), bea);
    const actions = new AccessActions(t.service as never, {} as never, {} as never);
    const mayRevoke = (actor: Actor) =>
      actions.mayRevoke({ actor, tenantId: TENANT }, granted).then(
        (target) => target.id,
        (err: unknown) => err,
      );
    // Enabled, Alex may; the requester is not read at all (not in the directory here).
    expect(await mayRevoke(alex)).toBe(granted.id);
    sandbox.graph.clearRequests();
    expect(await mayRevoke(requester)).toBe(granted.id);
    expect(userReads()).toEqual([]);

    disable(alex);
    const refusal = await mayRevoke(alex);
    expect(refusal).toBeInstanceOf(UserFacingError);
    expect(refusal).toMatchObject({
      code: 'revoke.disabledOrGone',
      message: `Your account is disabled or gone from the directory, so you can no longer revoke ${granted.id} as an approver of its rule; nothing was changed.`,
    });
    expect(
      (await t.audit.forRequest(granted.id)).filter((e) => e.action === 'revoke.refused').map((e) => e.outcome),
    ).toEqual(['revoke.disabledOrGone']);
  });
});

describe("the clicker's account unread", () => {
  test('refused (403, no User.Read.All): the click goes on unchecked, as for earlier approvers', async () => {
    const t = setup(1);
    const [alex] = t.people;
    const request = await t.service.create(newGrant());
    disable(alex);
    sandbox.graph.faults.add({ operation: 'users.list', status: 403, code: 'Authorization_RequestDenied', count: 1 });

    const result = await t.approve(request.id, alex);
    expect(result.kind).toBe('decided');
    expect(result.request.state).toBe('approved');
    expect(t.lines).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringContaining("approvers' accounts could not be read") }),
    ]);
  });

  test('unreadable otherwise (503): the review fails with its reference, nothing changed', async () => {
    const t = setup(1);
    const [alex] = t.people;
    const granted = await succeeded(t, await t.service.create({ ...newGrant(OLIVE), breakGlass: true }));
    const before = await t.store.get(granted.id);
    sandbox.graph.faults.add({
      operation: 'users.list',
      status: 503,
      count: Infinity,
      headers: { 'Retry-After': '0' },
    });
    const err = await withCorrelation(() => t.decide(granted.id, alex, true, 'fine'), 'ref-review-1').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingOutageError);
    expect(err).toMatchObject({
      code: 'directory.approversUnread',
      message: expect.stringMatching(
        /could not be read to check that your account is still enabled, so your review was not recorded; try again in a few minutes \(reference ref-review-1\)\.$/,
      ),
    });
    expect(await t.store.get(granted.id)).toEqual(before);
  });
});

describe('Graph down (503): a click that only takes access away goes on', () => {
  const graphDown = () =>
    sandbox.graph.faults.add({
      operation: 'users.list',
      status: 503,
      count: Infinity,
      headers: { 'Retry-After': '0' },
    });
  const unreadWarnings = (t: ReturnType<typeof setup>) =>
    t.lines.filter((l) => String(l.msg).includes("an approver's account could not be read at a click"));

  test('a reject is recorded, its audit entry saying the account was not read; warned once an hour', async () => {
    const t = setup(1, true);
    const [alex, bea] = t.people;
    const first = await t.service.create(newGrant());
    const second = await t.service.create(newGrant());
    graphDown();

    const result = await t.decide(first.id, alex, false, 'not this week');
    expect(result.kind).toBe('decided');
    expect(result.request.state).toBe('rejected');
    const entry = (await t.audit.forRequest(first.id)).find((e) => e.action === 'request.rejected');
    expect(entry?.detail).toBe(
      "not this week (the approver's account could not be read in the directory to check that it is still enabled)",
    );
    expect((await t.decide(second.id, bea, false, 'not needed now')).request.state).toBe('rejected');
    expect(unreadWarnings(t)).toHaveLength(1);
  });

  test('an approval still fails, nothing changed', async () => {
    const t = setup(1);
    const [alex] = t.people;
    const request = await t.service.create(newGrant());
    graphDown();

    await expect(t.approve(request.id, alex)).rejects.toMatchObject({
      code: 'directory.approversUnread',
      message: expect.stringMatching(/so your approval was not recorded; try again in a few minutes/),
    });
    expect((await t.store.get(request.id))!.state).toBe('pending');
  });

  test("a break-glass review's Reject is recorded (its Accept fails: see above)", async () => {
    const t = setup(1);
    const [alex] = t.people;
    const granted = await succeeded(t, await t.service.create({ ...newGrant(OLIVE), breakGlass: true }));
    graphDown();

    const result = await t.decide(granted.id, alex, false, 'not an emergency');
    expect(result).toMatchObject({ kind: 'reviewed', outcome: 'rejected' });
    expect((await t.store.get(granted.id))!.policy?.review?.outcome).toBe('rejected');
    const entry = (await t.audit.forRequest(granted.id)).find((e) => e.action === 'breakglass.review.rejected');
    expect(entry?.detail).toBe(
      "not an emergency (the approver's account could not be read in the directory to check that it is still enabled)",
    );
    expect(unreadWarnings(t)).toHaveLength(1);
  });

  test("a revoke by an approver of others' access is allowed", async () => {
    const t = setup(1);
    const [alex, bea] = t.people;
    const requester: Actor = { objectId: newId(), name: 'Rae Requester' };
    const granted = await succeeded(t, await t.service.create(newGrant(requester)), bea);
    const actions = new AccessActions(t.service as never, {} as never, {} as never);
    graphDown();

    expect((await actions.mayRevoke({ actor: alex, tenantId: TENANT }, granted)).id).toBe(granted.id);
    expect(unreadWarnings(t)).toHaveLength(1);
  });

  test('a reject of an expired request is told expired, the account not read', async () => {
    const t = setup(1);
    const [alex] = t.people;
    const request = await t.service.create(newGrant());
    t.clock.advance(30 * 24 * 60 * MINUTE);
    graphDown();
    sandbox.graph.clearRequests();

    expect(await t.decide(request.id, alex, false, 'too late')).toMatchObject({ kind: 'refused', reason: 'expired' });
    expect(userReads()).toEqual([]);
  });
});

/** `request` as its grant left it: succeeded, with a day of access (approved by `by` unless break-glass). */
async function succeeded(t: ReturnType<typeof setup>, request: AccessRequest, by?: Actor): Promise<AccessRequest> {
  if (by) expect((await t.approve(request.id, by)).kind).toBe('decided');
  const current = (await t.store.get(request.id))!;
  expect(current.state).toBe('approved');
  const next: AccessRequest = {
    ...current,
    state: 'succeeded',
    version: current.version + 1,
    access: { durationMs: 86_400_000, expiresAt: '2026-12-01T09:00:00.000Z' },
  };
  await t.store.update(next);
  return next;
}
