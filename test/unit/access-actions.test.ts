/**
 * `AccessActions.revocable`, the revoke rule for list rows: exactly {@link AccessActions.mayRevoke}'s
 * answer for each request, with the approver question asked once per distinct set of approvers
 * (not once per row).
 */
import { AccessActions } from '../../src/flows/access-actions';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { APPROVER, OUTSIDER, REQUESTER, pendingRequest } from './support/requests';

const rule = (id: string, users: string[], groups: string[] = []) =>
  ({ id, approvers: { users, groups } }) as unknown as PolicyRule;

describe('AccessActions.revocable', () => {
  const rules: Record<string, PolicyRule> = {
    a: rule('a', [APPROVER.objectId]),
    // Same approvers under another id and name: the same answer, asked once.
    a2: { ...rule('a2', [APPROVER.objectId]), approvers: { users: [APPROVER.objectId], groups: [], name: 'A' } },
    b: rule('b', [OUTSIDER.objectId], ['group-b']),
  };
  const asked: string[] = [];
  const requests = {
    ruleOf: (r: AccessRequest) => rules[r.policy!.ruleId],
    async isApproverOf(actor: Actor, r: AccessRequest) {
      asked.push(r.id);
      if (actor.objectId === r.requester.objectId) return false;
      return rules[r.policy!.ruleId]!.approvers.users.includes(actor.objectId);
    },
  };
  const actions = new AccessActions(requests as never, {} as never, {} as never);
  const active = (id: string, ruleId: string, overrides: Partial<AccessRequest> = {}) =>
    pendingRequest({
      id,
      state: 'succeeded',
      policy: { ruleId, policyHash: 'h', approvalsRequired: 1 },
      ...overrides,
    });

  beforeEach(() => asked.splice(0));

  test('the same answers as mayRevoke, one approver question per distinct approver set', async () => {
    const rows = [
      active('R-AAAAAAA1', 'a'),
      active('R-AAAAAAA2', 'a'),
      active('R-AAAAAAA3', 'a2'),
      active('R-BBBBBBB1', 'b'),
      active('R-BBBBBBB2', 'b'),
      active('R-CCCCCCC1', 'b', { state: 'revoked' }),
      active('R-DDDDDDD1', 'b', { requester: APPROVER }),
    ];
    const answers = await actions.revocable(APPROVER, rows);
    expect(answers).toEqual([true, true, true, false, false, false, true]);
    expect(asked.sort()).toEqual(['R-AAAAAAA1', 'R-BBBBBBB1']);
    const one = await Promise.all(
      rows.map((r) =>
        actions.mayRevoke(APPROVER, r).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(one).toEqual(answers);
  });

  test('the requester may revoke their own active access without any approver question', async () => {
    expect(await actions.revocable(REQUESTER, [active('R-EEEEEEE1', 'b')])).toEqual([true]);
    expect(asked).toEqual([]);
  });
});
