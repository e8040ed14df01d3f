/**
 * How a new request's approver reach is read (approver-groups-read.ts `readApproverReach`): the
 * rule's named users are looked up even when they are fewer than the quorum if it has groups
 * (its group members may make up the rest); the groups are then read against the rule naming
 * only the users found enabled, so a disabled named approver never stops the reads early; a
 * group read that fails leaves the rule unjudged (no reads), never "read, and nobody"; and only
 * a refusal first down an error's causes (403) counts as the directory refusing the read.
 */
import { isAccountReadRefused, readApproverReach, resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import { createLogger } from '../../src/observability/logger';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, rule, SAM } from './support/policy-fixtures';
import { APPROVER, REQUESTER } from './support/requests';

const log = createLogger({ level: 'silent' });
afterEach(() => resetUnreadNamedWarning());

describe('readApproverReach', () => {
  test('fewer named users than the quorum, with groups: the named are still looked up, and the groups read', async () => {
    const directory = fakeDirectory({ [APPROVERS_GROUP]: [SAM.objectId] });
    const asked: string[][] = [];
    directory.enabledUserIds = async (ids) => {
      asked.push([...ids]);
      return [...ids];
    };
    const r = rule('prod', {
      approvers: { users: [APPROVER.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' },
    });
    const reach = await readApproverReach(directory, r, REQUESTER, 2, log);
    expect(asked).toEqual([[APPROVER.objectId]]);
    expect(reach.groupUsers).toEqual([[SAM.objectId]]);
  });

  test('a named approver found disabled does not count towards stopping the group reads', async () => {
    const directory = fakeDirectory({ [APPROVERS_GROUP]: [SAM.objectId] });
    directory.enabledUserIds = async () => [];
    const r = rule('prod', {
      approvers: { users: [APPROVER.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' },
    });
    const reach = await readApproverReach(directory, r, REQUESTER, 1, log);
    expect(reach.rule.approvers.users).toEqual([]);
    expect(reach.groupUsers).toEqual([[SAM.objectId]]);
    expect(directory.reads).toHaveLength(1);
  });

  test('a group read that fails leaves the groups unread, not read empty', async () => {
    const directory = fakeDirectory({ [APPROVERS_GROUP]: [SAM.objectId] });
    directory.failReadsWith = Object.assign(new Error('Graph is down'), { statusCode: 503 });
    const r = rule('prod', { approvers: { users: [], groups: [APPROVERS_GROUP], name: 'Platform Approvers' } });
    const reach = await readApproverReach(directory, r, REQUESTER, 1, log);
    expect(reach).toEqual({ rule: r });
    expect(reach).not.toHaveProperty('groupUsers');
  });
});

describe('isAccountReadRefused', () => {
  test('the first status down the causes decides: a 503 wrapping a 403 is no refusal', () => {
    const forbidden = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    expect(isAccountReadRefused(new Error('read failed', { cause: forbidden }))).toBe(true);
    const down = Object.assign(new Error('Service unavailable', { cause: forbidden }), { statusCode: 503 });
    expect(isAccountReadRefused(down)).toBe(false);
    expect(isAccountReadRefused(new Error('no answer'))).toBe(false);
  });
});
