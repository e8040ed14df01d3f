/**
 * Whether someone is in one of a rule's approver groups is asked of the directory at every click
 * (G5): in one batched call (memberGroupsAmong; Graph: one checkMemberGroups per 20 groups), not
 * one call per group. A failure of that call is the click's error, never "not an approver".
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { DirectoryPort } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { ApproverAuthority } from '../../src/flows/approver-authority';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { policy, rule, settings } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';

const GROUPS = Array.from({ length: 15 }, (_, i) => `0b000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`);
const LAST = GROUPS[14];

/** A directory counting the membership calls it gets; APPROVER is in LAST only. */
function countingDirectory(options: { failBatchWith?: Error } = {}) {
  const calls = { batched: 0 };
  const isMember = (objectId: string, groupId: string) =>
    objectId === APPROVER.objectId && groupId.toLowerCase() === LAST.toLowerCase();
  const directory: DirectoryPort = {
    servicePrincipalObjectId: async () => undefined,
    memberGroupsAmong: async (objectId, groupIds) => {
      calls.batched++;
      if (options.failBatchWith) throw options.failBatchWith;
      return groupIds.filter((g) => isMember(objectId, g)).map((g) => g.toLowerCase());
    },
    groupUserIds: async () => [],
    enabledUserIds: async (ids) => [...ids],
    enabledUsers: async (ids) => ids.map((id) => ({ id: id.toLowerCase() })),
  };
  return { directory, calls };
}

function authority(directory: DirectoryPort, theRule: PolicyRule) {
  const log = createLogger({ level: 'error', destination: { write: () => undefined } });
  return new ApproverAuthority(directory, new FakeClock('2026-11-30T09:00:00.000Z'), settings, log, {
    current: () => policy([theRule]),
  });
}

const theRule = rule('prod', { approvers: { users: [], groups: GROUPS } });
const request: AccessRequest = pendingRequest({
  policy: { ruleId: 'prod', policyHash: 'hash-1', approvalsRequired: 1, rule: theRule },
});

describe('approver groups asked in one batched call', () => {
  test('an approver in the 15th of 15 groups is recognised with one directory call', async () => {
    const { directory, calls } = countingDirectory();
    const roles = authority(directory, theRule);
    await expect(roles.isApproverOf(APPROVER, request)).resolves.toBe(true);
    expect(calls).toEqual({ batched: 1 });
    // So is the listing question (every rule's groups), and someone in none is not an approver.
    await expect(roles.isApprover(APPROVER)).resolves.toBe(true);
    await expect(roles.isApproverOf(OUTSIDER, request)).resolves.toBe(false);
    expect(calls).toEqual({ batched: 3 });
  });

  test('a failing batched call is the error, not "not an approver", and is not re-asked group by group', async () => {
    const throttled = new Error('Graph throttled the request (429)');
    const { directory, calls } = countingDirectory({ failBatchWith: throttled });
    await expect(authority(directory, theRule).isApproverOf(APPROVER, request)).rejects.toBe(throttled);
    expect(calls).toEqual({ batched: 1 });
  });

  test('no groups asks nothing', async () => {
    const { directory, calls } = countingDirectory();
    await expect(authority(directory, theRule).inAnyGroup(APPROVER, [])).resolves.toBe(false);
    expect(calls).toEqual({ batched: 0 });
  });
});
