/**
 * What approval nudges say: who is mentioned when the policy file spells an id in another case,
 * the name the reminder opens with, and user text on the waiting line shown inert. Written to kill mutants that survived
 * mutation testing.
 */
import { escalationMessage, reminderMessage } from '../../src/views/nudge-view';
import { rule, SAM } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER } from './support/requests';

describe('who a nudge mentions', () => {
  // The policy file spells object ids as the admin typed them; Entra ids compare in any case.
  const r = rule('prod', {
    approvers: {
      users: [APPROVER.objectId.toUpperCase(), SAM.objectId, REQUESTER.objectId.toUpperCase()],
      groups: [],
      name: 'Prod approvers',
    },
    approvalsRequired: 2,
  });
  const request = pendingRequest({
    policy: { ruleId: r.id, policyHash: 'h', approvalsRequired: 2, rule: r },
    approvals: [{ by: APPROVER, at: '2025-01-15T09:10:00.000Z' }],
  });

  test.each([
    ['reminder', reminderMessage],
    ['escalation', escalationMessage],
  ])('the %s leaves out the requester and who approved, whatever the case of their ids', (_kind, message) => {
    const { text, entities } = message(request, r);
    expect(entities.map((e) => e.mentioned.id)).toEqual([SAM.objectId]);
    expect(text.match(/<at>/g)).toHaveLength(1);
  });
});

describe('the name the reminder opens its ask with', () => {
  test('a name the policy gives is shown as written, even in lower case', () => {
    const r = rule('prod', { approvers: { users: [], groups: [], name: 'prod on-call' } });
    expect(reminderMessage(pendingRequest(), r).text).toContain(' prod on-call, please decide:');
  });
});

describe('the waiting line', () => {
  const HOSTILE = '[x](https://evil.example/x) <at>Everyone</at>';
  const plain = rule('prod', { approvers: { users: [], groups: [], name: 'Prod approvers' } });

  test.each([
    [
      'cluster',
      pendingRequest({ plan: { ...grantPlan(), cluster: { ...grantPlan().cluster, name: `aks${HOSTILE}` } } }),
    ],
    [
      'registry',
      pendingRequest({ plan: { ...grantPlan(), registry: { ...grantPlan().registry, name: `acr${HOSTILE}` } } }),
    ],
    ['requester', pendingRequest({ requester: { ...REQUESTER, name: `Riley ${HOSTILE}` } })],
  ])("the %s's name is inert: no link, and no mention but the entities'", (_what, request) => {
    for (const message of [reminderMessage, escalationMessage]) {
      const { text } = message(request, plain);
      expect(text).toContain('evil.example/x');
      expect(text).not.toMatch(/\]\(|https?:\/\/evil|<at>/);
    }
  });

  test('counts the approvals given of those required', () => {
    const request = pendingRequest({
      policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 3 },
      approvals: [{ by: APPROVER, at: '2025-01-15T09:10:00.000Z' }],
    });
    expect(reminderMessage(request, plain).text).toContain('is still waiting: 1 of 3 approvals.');
  });
});
