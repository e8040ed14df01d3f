/**
 * A request is checked against the members of its rule's approver groups when it is made: a
 * break-glass grant whose only possible reviewer is its own user is refused (nobody could ever
 * review it), as is a request whose quorum the groups and named users could never gather besides
 * its requester. A directory failure blocks no normal request (it is logged once and the request
 * goes on; who may approve is asked at the click, G5); break-glass fails with it, granting nothing.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { PolicyRule } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { OLIVE, ONCALL_GROUP, policy, rule, SAM, settings, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER, REQUESTER } from './support/requests';

const TEAM_GROUP = '0b000000-0000-4000-8000-0000000000c7';

function setup(members: Record<string, readonly string[]>, ruleExtra: Partial<PolicyRule> = {}) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const directory = fakeDirectory({ [ONCALL_GROUP]: [OLIVE.objectId], ...members });
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'warn',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const theRule = rule('prod', { approvers: { users: [], groups: [TEAM_GROUP] }, ...ruleExtra });
  const service = new RequestService(
    store,
    audit,
    directory,
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
    undefined,
    { current: () => policy([theRule]) },
  );
  const create = (requester: Actor, breakGlass = false) =>
    service.create({
      requester,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      ...(breakGlass && { breakGlass: true }),
    });
  const stored = () => store.listByState(['pending', 'approved', 'executing', 'succeeded', 'failed']);
  const actions = async () => (await audit.latest(20)).map((e) => e.action);
  return { clock, directory, lines, create, stored, actions };
}

describe('break-glass needs someone other than its user in the rule’s approvers', () => {
  test('the sole member of the rule’s approver group is refused; nothing is stored or granted', async () => {
    const t = setup({ [TEAM_GROUP]: [OLIVE.objectId.toUpperCase()] });
    const err = await t.create(OLIVE, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({
      code: 'breakglass.noReviewer',
      message:
        "The approver groups of rule prod hold nobody but you, and nobody reviews their own break-glass grant, so nobody could review it. Run the command without --break-glass, or ask the platform team to add someone else to the rule's approvers.",
    });
    expect(await t.stored()).toEqual([]);
    expect(await t.actions()).toEqual(['breakglass.refused.noReviewer']);
    expect(t.directory.reads).toEqual([{ groupId: TEAM_GROUP, atMost: 2 }]);
  });

  test('so is one the rule also names, when its groups hold nobody else', async () => {
    const t = setup(
      { [TEAM_GROUP]: [OLIVE.objectId] },
      { approvers: { users: [OLIVE.objectId], groups: [TEAM_GROUP] } },
    );
    await expect(t.create(OLIVE, true)).rejects.toThrow(/hold nobody but you, and it names no other approver/);
    expect(await t.stored()).toEqual([]);
  });

  test('with a second member in the group, it runs at once', async () => {
    const t = setup({ [TEAM_GROUP]: [OLIVE.objectId, SAM.objectId] });
    expect(await t.create(OLIVE, true)).toMatchObject({ state: 'approved', policy: { breakGlass: true } });
    expect(await t.actions()).toEqual(['request.created', 'request.approved']);
  });

  test('a directory failure fails it: nothing is stored, granted or audited as approved', async () => {
    const t = setup({ [TEAM_GROUP]: [OLIVE.objectId, SAM.objectId] });
    t.directory.failReadsWith = new Error('Graph 503 serviceNotAvailable');
    await expect(t.create(OLIVE, true)).rejects.toThrow('Graph 503 serviceNotAvailable');
    expect(await t.stored()).toEqual([]);
    expect(await t.actions()).toEqual([]);
  });
});

describe('a quorum the approver groups could never gather is refused when the request is made', () => {
  test('quorum 2, the group holding the requester and one other: refused up front, nothing stored', async () => {
    const t = setup({ [TEAM_GROUP]: [REQUESTER.objectId, APPROVER.objectId] }, { approvalsRequired: 2 });
    const err = await t.create(REQUESTER).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'policy.quorumOutOfReach',
      message: expect.stringContaining(
        'Rule prod needs 2 approvals from someone other than the requester and its approver groups and named approvers hold only 1 other person',
      ),
    });
    expect(await t.stored()).toEqual([]);
    expect(await t.actions()).toEqual(['policy.refused.quorum']);
    expect(t.directory.reads).toEqual([{ groupId: TEAM_GROUP, atMost: 3 }]);
    // Someone else under the same rule has two people to ask.
    expect(await t.create(OUTSIDER)).toMatchObject({ state: 'pending' });
  });

  test('a directory failure does not block it: one warning, and the request waits as before', async () => {
    const t = setup({ [TEAM_GROUP]: [REQUESTER.objectId, APPROVER.objectId] }, { approvalsRequired: 2 });
    t.directory.failReadsWith = Object.assign(new Error('Graph 429 TooManyRequests'), { requestId: 'graph-req-1' });
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
    expect(await t.actions()).toEqual(['request.created']);
    expect(t.lines).toHaveLength(1);
    expect(t.lines[0]).toMatchObject({
      level: 40,
      ruleId: 'prod',
      err: { message: 'Graph 429 TooManyRequests', requestId: 'graph-req-1' },
      msg: expect.stringContaining('approver groups could not be read'),
    });
  });
});

describe('group reads are reused by the next requests for five minutes (not by break-glass)', () => {
  test('two requests under one rule read the group once; after five minutes it is read again', async () => {
    const t = setup({ [TEAM_GROUP]: [APPROVER.objectId, SAM.objectId] });
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
    t.clock.advance(5 * MINUTE - SECOND);
    expect(await t.create(OUTSIDER)).toMatchObject({ state: 'pending' });
    expect(t.directory.reads).toEqual([{ groupId: TEAM_GROUP, atMost: 2 }]);
    t.clock.advance(SECOND);
    expect(await t.create(OLIVE)).toMatchObject({ state: 'pending' });
    expect(t.directory.reads).toEqual([
      { groupId: TEAM_GROUP, atMost: 2 },
      { groupId: TEAM_GROUP, atMost: 2 },
    ]);
  });

  test('a request the reused read would refuse is judged on a fresh one: someone added since is counted', async () => {
    const team = [REQUESTER.objectId, APPROVER.objectId];
    const t = setup({ [TEAM_GROUP]: team }, { approvalsRequired: 2 });
    await expect(t.create(REQUESTER)).rejects.toMatchObject({ code: 'policy.quorumOutOfReach' });
    // The platform team adds someone, as the refusal asked; the requester asks again at once.
    team.push(SAM.objectId);
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
    expect(t.directory.reads).toEqual([
      { groupId: TEAM_GROUP, atMost: 3 },
      { groupId: TEAM_GROUP, atMost: 3 },
    ]);
  });

  test('break-glass reads the group afresh, whatever a request read just before', async () => {
    const team = [OLIVE.objectId, SAM.objectId];
    const t = setup({ [TEAM_GROUP]: team });
    expect(await t.create(REQUESTER)).toMatchObject({ state: 'pending' });
    // SAM leaves the group: nobody but OLIVE could review her break-glass grant.
    team.pop();
    await expect(t.create(OLIVE, true)).rejects.toMatchObject({ code: 'breakglass.noReviewer' });
    expect(t.directory.reads).toEqual([
      { groupId: TEAM_GROUP, atMost: 2 },
      { groupId: TEAM_GROUP, atMost: 2 },
    ]);
  });
});
