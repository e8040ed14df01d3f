/**
 * ApproverAuthority's own answers at its edges, asked directly (the handlers and the decision
 * policy check some of them again, so a hole here would otherwise go unseen): the requester is
 * never an approver of their request whatever the case of their object id (G4), another tenant's
 * request has no approvers here (the tenant boundary), a group the directory answers but nobody
 * asked about makes no one an approver (G5), and an auditor is found whatever the case of the id.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { DirectoryPort } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { ApproverAuthority } from '../../src/flows/approver-authority';
import type { FlowSettings } from '../../src/flows/settings';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { APPROVERS_GROUP, policy, rule, settings } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, REQUESTER, pendingRequest } from './support/requests';

const OTHER_TENANT = '7c2f0000-0000-4000-8000-00000000b0b0';
const UNASKED_GROUP = '0b000000-0000-4000-8000-0000000000ff';

/** A directory that puts everyone in `answered` groups, whatever groups it is asked about. */
function directoryAnswering(answered: string[]): DirectoryPort {
  return {
    servicePrincipalObjectId: async () => undefined,
    memberGroupsAmong: async () => answered,
    groupUserIds: async () => [],
    enabledUserIds: async (ids) => [...ids],
    enabledUsers: async (ids) => ids.map((id) => ({ id: id.toLowerCase() })),
  };
}

function authority(theRule: PolicyRule, opts: { directory?: DirectoryPort; settings?: FlowSettings } = {}) {
  const log = createLogger({ level: 'error', destination: { write: () => undefined } });
  return new ApproverAuthority(
    opts.directory ?? directoryAnswering([]),
    new FakeClock('2026-11-30T09:00:00.000Z'),
    opts.settings ?? settings,
    log,
    { current: () => policy([theRule]) },
  );
}

function boundTo(theRule: PolicyRule, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    policy: { ruleId: theRule.id, policyHash: 'hash-1', approvalsRequired: 1, rule: theRule },
    ...overrides,
  });
}

describe('ApproverAuthority at its edges', () => {
  test('a requester the rule names is no approver of their own request, whatever the case of their id', async () => {
    const theRule = rule('prod', { approvers: { users: [REQUESTER.objectId, APPROVER.objectId], groups: [] } });
    const roles = authority(theRule);
    const request = boundTo(theRule);
    const shouting = { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() };
    await expect(roles.isApproverOf(shouting, request)).resolves.toBe(false);
    await expect(roles.isApproverOf(REQUESTER, request)).resolves.toBe(false);
    await expect(roles.isApproverOf(APPROVER, request)).resolves.toBe(true);
  });

  test("given the actor's tenant, an approver of the rule is no approver of another tenant's request", async () => {
    const theRule = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] } });
    const roles = authority(theRule);
    const request = boundTo(theRule);
    await expect(roles.isApproverOf(APPROVER, request, OTHER_TENANT)).resolves.toBe(false);
    // Their own tenant, in whichever case Teams prints it, and no tenant given (asked of their own already).
    await expect(roles.isApproverOf(APPROVER, request, request.tenantId.toUpperCase())).resolves.toBe(true);
    await expect(roles.isApproverOf(APPROVER, request)).resolves.toBe(true);
  });

  test('a group the directory answers but nobody asked about makes no one an approver', async () => {
    const theRule = rule('prod');
    const request = boundTo(theRule);
    const stray = authority(theRule, { directory: directoryAnswering([UNASKED_GROUP]) });
    await expect(stray.isApproverOf(OUTSIDER, request)).resolves.toBe(false);
    await expect(stray.isApprover(OUTSIDER)).resolves.toBe(false);
    await expect(stray.mayReadAudit(OUTSIDER)).resolves.toBe(false);
    // The rule's own group, answered in upper case, does count.
    const member = authority(theRule, { directory: directoryAnswering([APPROVERS_GROUP.toUpperCase()]) });
    await expect(member.isApproverOf(OUTSIDER, request)).resolves.toBe(true);
  });

  test('an auditor listed in upper case may read the audit log; someone else may not', async () => {
    const theRule = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] } });
    const auditor = { ...OUTSIDER, objectId: OUTSIDER.objectId.toLowerCase() };
    const roles = authority(theRule, { settings: { ...settings, auditorIds: [OUTSIDER.objectId.toUpperCase()] } });
    await expect(roles.mayReadAudit(auditor)).resolves.toBe(true);
    await expect(roles.mayReadAudit(REQUESTER)).resolves.toBe(false);
    await expect(roles.mayReadAudit(APPROVER)).resolves.toBe(true);
  });
});
