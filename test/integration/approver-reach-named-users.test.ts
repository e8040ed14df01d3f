/**
 * A rule's named approvers count towards its quorum only as Graph finds them: a user deleted or
 * disabled since the policy named them approves nothing, as a disabled group member does not.
 * Requests are made through a RequestService over GraphDirectory and the Graph emulator (HTTPS):
 * one whose only other named approver cannot sign in is refused when it is made, a break-glass
 * grant nobody else could review is refused, and a Graph failure blocks no normal request.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { PolicyRule } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { graphRequestService } from '../helpers/graph-request-service';
import { useSandboxGraph } from '../helpers/sandbox-graph';
import { MINUTE } from '../unit/support/fake-clock';
import { OLIVE, rule } from '../unit/support/policy-fixtures';
import { newGrant, REQUESTER } from '../unit/support/requests';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';

const id = (n: number) => `0c000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** Disabled in the directory: cannot sign in, so approves nothing. */
const DISABLED = id(301);
/** An ordinary, enabled account. */
const ENABLED = id(302);
/** Named by the policy, gone from the directory (never added to the emulator's). */
const DELETED = id(303);
/** A group holding only Olive. */
const OLIVE_ONLY = id(304);

let sandbox: Sandbox;
let graph: GraphClient;

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
  sandbox.directory.addUser({ id: DISABLED, displayName: 'Left the company', accountEnabled: false });
  sandbox.directory.addUser({ id: ENABLED, displayName: 'Still here' });
  sandbox.directory.addGroup({ id: OLIVE_ONLY, displayName: 'olive alone', members: [OLIVE.objectId] });
});

/** A service over the emulated Graph with one rule naming `users` and `groups`. */
function setup(users: string[], groups: string[] = []) {
  const theRule: PolicyRule = rule('named', { approvers: { users, groups, name: 'Named approvers' } });
  const { clock, store, audit, lines, service } = graphRequestService(graph, theRule);
  const create = (requester: Actor, breakGlass = false) =>
    service.create({ ...newGrant(requester), ...(breakGlass && { breakGlass: true }) });
  const stored = () => store.listByState(['pending', 'approved', 'executing', 'succeeded', 'failed']);
  const actions = async () => (await audit.latest(20)).map((e) => e.action);
  return { clock, lines, create, stored, actions };
}

const userReads = () => sandbox.graph.requests.filter((r) => r.operation === 'users.list');

describe('a rule’s named approvers count only when Graph finds them enabled', () => {
  test('the only other named approver disabled, or deleted: refused when it is made, nothing stored', async () => {
    for (const gone of [DISABLED, DELETED]) {
      const t = setup([REQUESTER.objectId, gone]);
      const err = await t.create(REQUESTER).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserFacingError);
      expect(err).toMatchObject({
        code: 'policy.quorumOutOfReach',
        message:
          // Said as people gone, not as a rule that names nobody (break-glass's refusal says it so too).
          'Rule named needs 1 approval from someone other than the requester and names nobody else who can sign in (1 named approver is disabled or gone from the directory), so this request could never be approved; nothing was requested. Ask the platform team to add approvers to the rule in place of those who left.',
      });
      expect(await t.stored()).toEqual([]);
      expect(await t.actions()).toEqual(['policy.refused.quorum']);
    }
    expect(userReads().map((r) => r.status)).toEqual([200, 200]);
  });

  test('an enabled second approver: the request is made, after one read of the named users', async () => {
    const t = setup([REQUESTER.objectId, DISABLED, ENABLED.toUpperCase()]);
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending', policy: { ruleId: 'named' } });
    expect(await t.actions()).toEqual(['request.created']);
    expect(userReads()).toHaveLength(1);
    expect(t.lines).toEqual([]);
  });

  test('Graph unreadable (no User.Read.All): the request is made as before, with one warning an hour', async () => {
    resetUnreadNamedWarning();
    sandbox.graph.faults.add({ operation: 'users.list', status: 403, count: 2 });
    const t = setup([REQUESTER.objectId, DISABLED]);
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
    expect(await t.actions()).toEqual(['request.created', 'request.created']);
    // Not one per request: a deployment without approver groups was never asked for the permission.
    expect(t.lines).toHaveLength(1);
    expect(t.lines[0]).toMatchObject({
      level: 40,
      ruleId: 'named',
      err: { status: 403, code: 'Authorization_RequestDenied' },
      msg: expect.stringContaining('named approvers could not be read'),
    });
  });

  test('a read is reused for five minutes; one that would refuse is read again, so someone re-enabled counts', async () => {
    const user = sandbox.directory.users.get(DISABLED)!;
    try {
      const t = setup([REQUESTER.objectId, DISABLED]);
      await expect(t.create(REQUESTER)).rejects.toMatchObject({ code: 'policy.quorumOutOfReach' });
      user.accountEnabled = true;
      expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
      expect(userReads()).toHaveLength(2);
      // Disabled again within five minutes: the kept "enabled" read is reused (nobody is let in:
      // who may approve is asked at the click).
      user.accountEnabled = false;
      t.clock.advance(4 * MINUTE);
      expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
      expect(userReads()).toHaveLength(2);
      t.clock.advance(MINUTE);
      await expect(t.create(REQUESTER)).rejects.toMatchObject({ code: 'policy.quorumOutOfReach' });
      expect(userReads()).toHaveLength(3);
    } finally {
      user.accountEnabled = false;
    }
  });
});

describe('break-glass needs a reviewer Graph finds enabled', () => {
  test('the rule’s only other approver disabled: refused, nothing stored or granted', async () => {
    const t = setup([OLIVE.objectId, DISABLED]);
    const err = await t.create(OLIVE, true).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'breakglass.noReviewer',
      message:
        "Rule named names no other approver who can sign in (the others are disabled or gone from the directory), and nobody reviews their own break-glass grant, so nobody could review it. Run the command without --break-glass, or ask the platform team to add someone else to the rule's approvers.",
    });
    expect(await t.stored()).toEqual([]);
    expect(await t.actions()).toEqual(['breakglass.refused.noReviewer']);
  });

  test('with an enabled one it runs at once; it never reuses a normal request’s read', async () => {
    const t = setup([OLIVE.objectId, ENABLED]);
    expect(await t.create(OLIVE, true)).toMatchObject({ state: 'approved', policy: { breakGlass: true } });
    const user = sandbox.directory.users.get(ENABLED)!;
    try {
      const u = setup([OLIVE.objectId, ENABLED]);
      expect(await u.create(OLIVE)).toMatchObject({ state: 'pending' });
      // Disabled moments after that read: break-glass asks Graph again and is refused.
      user.accountEnabled = false;
      await expect(u.create(OLIVE, true)).rejects.toMatchObject({ code: 'breakglass.noReviewer' });
      expect(userReads()).toHaveLength(3);
    } finally {
      user.accountEnabled = true;
    }
  });

  test('a group holding only its user and a disabled named approver: refused, saying so', async () => {
    const t = setup([DISABLED], [OLIVE_ONLY]);
    await expect(t.create(OLIVE, true)).rejects.toMatchObject({
      code: 'breakglass.noReviewer',
      message: expect.stringMatching(
        /^The approver groups of rule named hold nobody but you, and no other approver it names can sign in, and nobody reviews/,
      ),
    });
    expect(await t.stored()).toEqual([]);
  });

  test('Graph unreadable (no User.Read.All): the named approvers count as the rule names them, as before', async () => {
    resetUnreadNamedWarning();
    sandbox.graph.faults.add({ operation: 'users.list', status: 403, count: 1 });
    const t = setup([OLIVE.objectId, DISABLED]);
    expect(await t.create(OLIVE, true)).toMatchObject({ state: 'approved', policy: { breakGlass: true } });
    expect(t.lines).toEqual([
      expect.objectContaining({ msg: expect.stringContaining('named approvers could not be read') }),
    ]);
  });
});

describe('GraphDirectory.enabledUserIds', () => {
  test('many named users are asked for 14 at a time; only enabled users found are answered', async () => {
    const many = [ENABLED, DISABLED, DELETED, ...Array.from({ length: 17 }, (_, i) => id(400 + i)), 'not-a-guid'];
    await expect(new GraphDirectory(graph).enabledUserIds(many)).resolves.toEqual([ENABLED]);
    expect(userReads().map((r) => r.status)).toEqual([200, 200]);
  });

  test('the emulator refuses an `in` list longer than Graph allows', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `'${id(500 + i)}'`).join(',');
    await expect(
      graph.listAll(`/users?$filter=${encodeURIComponent(`id in (${ids})`)}&$select=id`),
    ).rejects.toMatchObject({
      status: 400,
      code: 'Request_UnsupportedQuery',
    });
  });
});
