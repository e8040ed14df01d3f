/**
 * G5 for every approval a quorum counts: an approver who approved and was then disabled or
 * deleted in Entra no longer counts, whether the rule names them or they approve as a group
 * member (Graph's checkMemberGroups answers alike for a disabled account). The click that would
 * count them drops them, records the drop on the request (`disabledOrGone`) and audits it; a
 * directory that refuses the read (403: no `User.Read.All`, which docs/deploy.md lets a
 * deployment leave out) counts them unchecked, warning at most once an hour, while any other
 * failed read fails that click and changes nothing; a click with no earlier approvals
 * (a single-approver rule) reads only its clicker's own account (disabled-approver-clicks.test.ts).
 * Requests are made and decided through a
 * RequestService over GraphDirectory and the Graph emulator (HTTPS), as in
 * approver-reach-named-users.test.ts.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { UserFacingOutageError } from '../../src/domain/errors';
import type { PolicyRule } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import { ApprovalEntryNet } from '../../src/flows/approval-entry-net';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import { discountedEntryKey, droppedNotice } from '../../src/flows/discounted-approvals';
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { withCorrelation } from '../../src/observability/correlation';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { graphRequestService } from '../helpers/graph-request-service';
import { directoryIds, useSandboxGraph } from '../helpers/sandbox-graph';
import { MINUTE } from '../unit/support/fake-clock';
import { rule, TENANT } from '../unit/support/policy-fixtures';
import { newGrant } from '../unit/support/requests';

let sandbox: Sandbox;
let graph: GraphClient;

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
});

const newId = directoryIds(400);

/** Three approvers, enabled in the emulated directory, named by the rule or members of its group. */
function setup(options: { approvalsRequired?: number; viaGroup?: boolean } = {}) {
  const people: Actor[] = ['Alex', 'Bea', 'Cem'].map((name) => ({ objectId: newId(), name: `${name} Approver` }));
  for (const p of people) sandbox.directory.addUser({ id: p.objectId, displayName: p.name });
  const group = newId();
  sandbox.directory.addGroup({ id: group, displayName: 'approvers', members: people.map((p) => p.objectId) });
  const approvers = options.viaGroup
    ? { users: [], groups: [group], name: 'Group approvers' }
    : { users: people.map((p) => p.objectId), groups: [], name: 'Named approvers' };
  const theRule: PolicyRule = rule('prod', { approvalsRequired: options.approvalsRequired ?? 2, approvers });
  const { clock, store, audit, lines, log, service } = graphRequestService(graph, theRule);
  const create = () => service.create(newGrant());
  const approve = (requestId: string, actor: Actor) => {
    clock.advance(MINUTE);
    return service.decide({ requestId, acting: { actor, tenantId: TENANT }, approve: true, reason: 'ok' });
  };
  const trail = (requestId: string) => audit.forRequest(requestId);
  const net = () => new ApprovalEntryNet({ store, audit, clock, log }, CLICK_GRACE_MS);
  return { people, clock, store, audit, lines, create, approve, trail, net };
}

const userReads = () => sandbox.graph.requests.filter((r) => r.operation === 'users.list');
const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

/** What an entry says, without where the chain put it. */
function content(entry: AuditEntry) {
  const { seq: _seq, ts: _ts, hash: _hash, prevHash: _prev, mac: _mac, ...rest } = entry;
  return rest;
}

describe('an approver disabled or deleted after approving no longer counts towards the quorum', () => {
  test('a named approver disabled after approving: dropped, recorded, audited, and told the clicking approver', async () => {
    const t = setup();
    const [alex, bea, cem] = t.people;
    const request = await t.create();
    expect((await t.approve(request.id, alex)).kind).toBe('recorded');
    sandbox.directory.users.get(alex.objectId)!.accountEnabled = false;
    sandbox.graph.clearRequests();

    const second = await t.approve(request.id, bea);
    expect(second.kind).toBe('recorded');
    expect(second.request.state).toBe('pending');
    expect(second.request.approvals?.map((a) => a.by.name)).toEqual(['Bea Approver']);
    const at = second.request.approvals![0].at;
    expect(second.request.discountedApprovals).toEqual([{ by: alex, at, why: 'disabledOrGone' }]);
    expect(await t.store.get(request.id)).toMatchObject({ discountedApprovals: [{ by: alex, why: 'disabledOrGone' }] });
    // One batched read of the earlier approvers' accounts and the clicker's.
    expect(userReads()).toHaveLength(1);
    const entries = await t.trail(request.id);
    expect(actions(entries)).toEqual([
      'request.created',
      'approval.recorded',
      'approval.recorded',
      'approval.discounted',
    ]);
    expect(entries[3]).toMatchObject({
      outcome: 'discounted',
      detail: `not counted, disabled or gone from the directory: Alex Approver (${alex.objectId})`,
      idempotencyKey: discountedEntryKey(request.id, { by: alex, at }),
    });
    expect(entries[2].outcome).toBe('1 of 2');
    expect(droppedNotice(second.request, bea)).toBe(
      `No longer counted towards request ${request.id}'s approvals: Alex Approver (disabled or gone from the directory).`,
    );

    // A third, enabled approver completes the quorum with Bea.
    const third = await t.approve(request.id, cem);
    expect(third.kind).toBe('decided');
    expect(third.request.approvals?.map((a) => a.by.name)).toEqual(['Bea Approver', 'Cem Approver']);
  });

  test.each([
    ['deleted', (id: string) => void sandbox.directory.users.delete(id.toLowerCase())],
    ['disabled', (id: string) => void (sandbox.directory.users.get(id.toLowerCase())!.accountEnabled = false)],
  ])('a group approver %s after approving: dropped, though still in the group', async (_how, leave) => {
    const t = setup({ viaGroup: true });
    const [alex, bea] = t.people;
    const request = await t.create();
    expect((await t.approve(request.id, alex)).kind).toBe('recorded');
    leave(alex.objectId);

    const second = await t.approve(request.id, bea);
    expect(second.kind).toBe('recorded');
    expect(second.request.approvals?.map((a) => a.by.name)).toEqual(['Bea Approver']);
    expect(second.request.discountedApprovals).toEqual([expect.objectContaining({ by: alex, why: 'disabledOrGone' })]);
    expect((await t.trail(request.id)).filter((e) => e.action === 'approval.discounted')).toEqual([
      expect.objectContaining({
        detail: expect.stringContaining('disabled or gone from the directory: Alex Approver'),
      }),
    ]);
  });

  test('an earlier approver still enabled counts: the quorum is reached', async () => {
    const t = setup();
    const [alex, bea] = t.people;
    const request = await t.create();
    expect((await t.approve(request.id, alex)).kind).toBe('recorded');
    sandbox.graph.clearRequests();
    const second = await t.approve(request.id, bea);
    expect(second.kind).toBe('decided');
    expect(second.request.state).toBe('approved');
    expect(second.request.approvals?.map((a) => a.by.name)).toEqual(['Alex Approver', 'Bea Approver']);
    expect(second.request.discountedApprovals).toBeUndefined();
    expect(actions(await t.trail(request.id))).not.toContain('approval.discounted');
    expect(userReads()).toHaveLength(1);
  });

  test('the directory refuses the re-check (403, no User.Read.All): the earlier approver counts, unchecked, one warning an hour', async () => {
    resetUnreadNamedWarning();
    const t = setup();
    const [alex, bea, cem] = t.people;
    const first = await t.create();
    const second = await t.create();
    expect((await t.approve(first.id, alex)).kind).toBe('recorded');
    expect((await t.approve(second.id, alex)).kind).toBe('recorded');
    // Alex left, but the directory may not be asked: he counts as the rule names him.
    sandbox.directory.users.get(alex.objectId)!.accountEnabled = false;
    sandbox.graph.clearRequests();
    sandbox.graph.faults.add({ operation: 'users.list', status: 403, code: 'Authorization_RequestDenied', count: 2 });

    const decided = await t.approve(first.id, bea);
    expect(decided.kind).toBe('decided');
    expect(decided.request.state).toBe('approved');
    expect(decided.request.approvals?.map((a) => a.by.name)).toEqual(['Alex Approver', 'Bea Approver']);
    expect(decided.request.discountedApprovals).toBeUndefined();
    expect(actions(await t.trail(first.id))).not.toContain('approval.discounted');
    expect((await t.approve(second.id, cem)).kind).toBe('decided');
    expect(userReads().map((r) => r.status)).toEqual([403, 403]);
    // Not one per click: the permission stays missing until someone grants it.
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: first.id,
        err: expect.objectContaining({ status: 403, code: 'Authorization_RequestDenied' }),
        msg: expect.stringContaining("approvers' accounts could not be read at a click"),
      }),
    ]);
  });

  test('the directory unreadable at the re-check (503): the click fails with its reference, nothing changed', async () => {
    resetUnreadNamedWarning();
    const t = setup();
    const [alex, bea] = t.people;
    const request = await t.create();
    expect((await t.approve(request.id, alex)).kind).toBe('recorded');
    const before = await t.store.get(request.id);
    const trailBefore = await t.trail(request.id);
    sandbox.graph.faults.add({
      operation: 'users.list',
      status: 503,
      count: Infinity,
      headers: { 'Retry-After': '0' },
    });

    const err = await withCorrelation(() => t.approve(request.id, bea), 'ref-quorum-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingOutageError);
    expect(err).toMatchObject({
      code: 'directory.approversUnread',
      message: expect.stringMatching(
        /could not be read.*not recorded; try again in a few minutes \(reference ref-quorum-1\)\.$/,
      ),
    });
    expect(await t.store.get(request.id)).toEqual(before);
    expect(await t.trail(request.id)).toEqual(trailBefore);
    expect(t.lines).toEqual([
      expect.objectContaining({ ref: 'ref-quorum-1', msg: expect.stringContaining('the click failed') }),
    ]);
  });

  test("a click with no earlier approval to re-check reads only the clicker's account: single approver, or the first of two", async () => {
    const single = setup({ approvalsRequired: 1 });
    const one = await single.create();
    sandbox.graph.clearRequests();
    expect((await single.approve(one.id, single.people[0])).kind).toBe('decided');
    expect(userReads()).toHaveLength(1);

    const quorum = setup();
    const two = await quorum.create();
    sandbox.graph.clearRequests();
    expect((await quorum.approve(two.id, quorum.people[0])).kind).toBe('recorded');
    expect(userReads()).toHaveLength(1);
  });

  test('a drop stored without its entry (the process stopped) gets the same entry late from the net', async () => {
    const normal = setup();
    const normalRequest = await normal.create();
    await normal.approve(normalRequest.id, normal.people[0]);
    sandbox.directory.users.get(normal.people[0].objectId)!.accountEnabled = false;
    await normal.approve(normalRequest.id, normal.people[1]);
    const written = (await normal.trail(normalRequest.id)).find((e) => e.action === 'approval.discounted')!;

    const t = setup();
    const [alex, bea] = t.people;
    const request = await t.create();
    await t.approve(request.id, alex);
    sandbox.directory.users.get(alex.objectId)!.accountEnabled = false;
    const append = t.audit.append.bind(t.audit);
    const update = t.store.update.bind(t.store);
    let dead = false;
    const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
      if (event.action !== 'approval.discounted') return append(event);
      dead = true;
      throw new Error('the process died here');
    });
    const updates = jest.spyOn(t.store, 'update').mockImplementation(async (n) => {
      if (dead) throw new Error('the process is dead');
      return update(n);
    });
    // The click stands (its own entry was written first); the drop's entry is left to the net.
    expect(await t.approve(request.id, bea)).toMatchObject({ kind: 'recorded' });
    appends.mockRestore();
    updates.mockRestore();
    const left = (await t.store.get(request.id))!;
    const at = left.approvals![0].at;
    expect(left.discountedApprovals).toEqual([{ by: alex, at, why: 'disabledOrGone' }]);

    t.clock.advance(CLICK_GRACE_MS);
    expect(await t.net().pass()).toEqual({ audited: [request.id], failed: 0 });
    const late = (await t.trail(request.id)).filter((e) => e.action === 'approval.discounted');
    expect(late).toHaveLength(1);
    // The same entry as a click writes, but for whose approval it names and its time.
    const expected = content(written);
    expect(content(late[0])).toEqual({
      ...expected,
      requestId: request.id,
      detail: `not counted, disabled or gone from the directory: Alex Approver (${alex.objectId}) (written late: the approvals were dropped at ${at} but the process stopped before their entry)`,
      idempotencyKey: discountedEntryKey(request.id, { by: alex, at }),
    });
  });
});
