/**
 * Whether enough people other than a requester could approve under a rule: named users and the
 * members read from its groups, the requester left out, ids compared without regard to case
 * (domain/approver-reach.ts); the quorum refusal built on it; and the bounded reads of the groups
 * (flows/approver-groups-read.ts).
 */
import { enoughOtherApprovers, groupReadSize, otherApprovers, withEnabledUsers } from '../../src/domain/approver-reach';
import { quorumOutOfReach, type PolicyRule } from '../../src/domain/policy';
import { MAX_APPROVER_GROUPS_READ, readApproverGroups } from '../../src/flows/approver-groups-read';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, ONCALL_GROUP, rule, SAM } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, REQUESTER } from './support/requests';

const me = REQUESTER.objectId;
const grouped = (extra: Partial<PolicyRule> = {}) => rule('prod', extra);

describe('otherApprovers / enoughOtherApprovers', () => {
  test('named users and group members, once each, never the requester, whatever the case', () => {
    const r = grouped({ approvers: { users: [me.toUpperCase(), APPROVER.objectId], groups: [APPROVERS_GROUP] } });
    const people = otherApprovers(r, REQUESTER, [[me, APPROVER.objectId.toUpperCase(), SAM.objectId]]);
    expect([...people]).toEqual([APPROVER.objectId, SAM.objectId]);
    expect(enoughOtherApprovers(r, REQUESTER, 2, [[me, APPROVER.objectId.toUpperCase(), SAM.objectId]])).toBe(true);
    expect(enoughOtherApprovers(r, REQUESTER, 3, [[me, APPROVER.objectId.toUpperCase(), SAM.objectId]])).toBe(false);
  });

  test('a group holding only the requester is nobody else', () => {
    expect(enoughOtherApprovers(grouped(), REQUESTER, 1, [[me.toUpperCase()]])).toBe(false);
    expect(enoughOtherApprovers(grouped(), REQUESTER, 1, [[me], [OUTSIDER.objectId]])).toBe(true);
    expect(enoughOtherApprovers(grouped(), REQUESTER, 1)).toBe(false);
  });

  test('reads one more than needed: a full read holds enough others even with the requester in it', () => {
    expect(groupReadSize(1)).toBe(2);
    expect(groupReadSize(3)).toBe(4);
    expect(groupReadSize(0)).toBe(2);
  });
});

describe('quorumOutOfReach with group members', () => {
  test('a quorum of 2 whose group holds the requester and one other is out of reach, and says so', () => {
    const r = grouped({ approvalsRequired: 2 });
    expect(quorumOutOfReach(r, REQUESTER, [[me, APPROVER.objectId]])).toBe(
      'Rule prod needs 2 approvals from someone other than the requester and its approver groups and named approvers hold only 1 other person, so this request could never be approved; nothing was requested. Ask the platform team to add approvers to the rule.',
    );
    expect(quorumOutOfReach(r, REQUESTER, [[me]])).toMatch(/hold nobody else/);
    expect(quorumOutOfReach(grouped({ approvalsRequired: 3 }), REQUESTER, [[APPROVER.objectId, SAM.objectId]])).toMatch(
      /hold only 2 other people/,
    );
    expect(quorumOutOfReach(r, REQUESTER, [[me, APPROVER.objectId, SAM.objectId]])).toBeUndefined();
  });

  test('named approvers the directory no longer finds are said to be gone, not that the rule names nobody', () => {
    const written = rule('named', {
      approvers: { users: [me, APPROVER.objectId, SAM.objectId.toUpperCase()], groups: [] },
    });
    const cut = withEnabledUsers(written, []);
    expect(quorumOutOfReach(cut, REQUESTER, undefined, written)).toBe(
      'Rule named needs 1 approval from someone other than the requester and names nobody else who can sign in (2 named approvers are disabled or gone from the directory), so this request could never be approved; nothing was requested. Ask the platform team to add approvers to the rule in place of those who left.',
    );
    const twoNeeded = { ...written, approvalsRequired: 2 };
    expect(quorumOutOfReach(withEnabledUsers(twoNeeded, [SAM.objectId]), REQUESTER, undefined, twoNeeded)).toMatch(
      /names only 1 other approver who can sign in \(1 named approver is disabled or gone from the directory\)/,
    );
    const withGroup = { ...written, approvers: { ...written.approvers, groups: [APPROVERS_GROUP] } };
    expect(quorumOutOfReach(withEnabledUsers(withGroup, []), REQUESTER, [[me]], withGroup)).toMatch(
      /hold nobody else who can sign in \(2 named approvers are disabled or gone from the directory\)/,
    );
    // Only the requester named: nobody left, so nothing is said of people gone.
    const self = rule('self', { approvers: { users: [me], groups: [] } });
    expect(quorumOutOfReach(withEnabledUsers(self, [me]), REQUESTER, undefined, self)).toMatch(/names nobody else, so/);
  });

  test('groups not read (the directory could not be asked) are not judged; auto-approval never is', () => {
    expect(quorumOutOfReach(grouped({ approvalsRequired: 2 }), REQUESTER)).toBeUndefined();
    expect(quorumOutOfReach(grouped({ autoApprove: { maxDurationMs: 1 } }), REQUESTER, [[]])).toBeUndefined();
  });
});

describe('readApproverGroups', () => {
  test('reads nothing when the named users are enough', async () => {
    const directory = fakeDirectory({ [APPROVERS_GROUP]: [me] });
    const r = grouped({ approvers: { users: [APPROVER.objectId], groups: [APPROVERS_GROUP] } });
    await expect(readApproverGroups(directory, r, REQUESTER, 1)).resolves.toEqual([]);
    expect(directory.reads).toEqual([]);
  });

  test('reads each group to needed + 1, one after another, and stops once enough are found', async () => {
    const directory = fakeDirectory({
      [APPROVERS_GROUP]: [me, APPROVER.objectId, SAM.objectId, OUTSIDER.objectId],
      [ONCALL_GROUP]: [SAM.objectId],
    });
    const r = grouped({ approvalsRequired: 2, approvers: { users: [], groups: [APPROVERS_GROUP, ONCALL_GROUP] } });
    await expect(readApproverGroups(directory, r, REQUESTER, 2)).resolves.toEqual([
      [me, APPROVER.objectId, SAM.objectId],
    ]);
    expect(directory.reads).toEqual([{ groupId: APPROVERS_GROUP, atMost: 3 }]);
  });

  test('a group named twice (in any case) is read once; every group is read while too few are found', async () => {
    const directory = fakeDirectory({ [APPROVERS_GROUP]: [me], [ONCALL_GROUP]: [] });
    const r = grouped({
      approvers: { users: [], groups: [APPROVERS_GROUP, APPROVERS_GROUP.toUpperCase(), ONCALL_GROUP] },
    });
    await expect(readApproverGroups(directory, r, REQUESTER, 1)).resolves.toEqual([[me], []]);
    expect(directory.reads.map((read) => read.groupId)).toEqual([APPROVERS_GROUP, ONCALL_GROUP]);
  });

  test(`a rule with more than ${MAX_APPROVER_GROUPS_READ} groups not settled by the first ones is not judged`, async () => {
    const groups = Array.from({ length: MAX_APPROVER_GROUPS_READ + 1 }, (_, i) => `g-${i}`);
    const directory = fakeDirectory();
    await expect(
      readApproverGroups(directory, grouped({ approvers: { users: [], groups } }), REQUESTER, 1),
    ).resolves.toBeUndefined();
    expect(directory.reads).toHaveLength(MAX_APPROVER_GROUPS_READ);
  });
});
