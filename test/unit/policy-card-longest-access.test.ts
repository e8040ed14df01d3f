/**
 * `policy CLUSTER REGISTRY` names the longest access a request may ask for: the rule's
 * maxDuration, or, for a rule without one, the deployment's ACRBOT_MAX_ACCESS_DURATION, which
 * applies all the same. Leaving it out read as "no limit".
 */
import type { Policy, PolicyRule } from '../../src/domain/policy';
import { policyCard } from '../../src/views/policy-view';
import { cardText } from '../helpers/capturing-connector';

const DAY_MS = 86_400_000;
const rule: PolicyRule = {
  id: 'prod',
  match: {},
  approvers: { users: ['0b000000-0000-4000-8000-0000000000a1'], groups: [] },
  approvalsRequired: 1,
  approverJustification: 'optional',
};
const policy: Policy = { version: 1, rules: [rule], hash: 'a'.repeat(64), source: 'file' };
const text = (r: PolicyRule, max?: number) =>
  cardText({
    attachments: [
      {
        content: policyCard({
          cluster: 'aks-dev',
          registry: 'contosoacr',
          policy: { ...policy, rules: [r] },
          rule: r,
          sandbox: true,
          deploymentMaxAccessMs: max,
        }),
      },
    ],
  });

test('a rule without maxDuration shows the deployment’s limit as its longest access', () => {
  expect(text(rule, 90 * DAY_MS)).toMatch(/Longest access\W+90 days, the deployment's limit/);
});

test('a rule’s own maxDuration is shown as it is', () => {
  const shown = text({ ...rule, maxDurationMs: 30 * DAY_MS }, 90 * DAY_MS);
  expect(shown).toMatch(/Longest access\W+30 days/);
  expect(shown).not.toContain("the deployment's limit");
});

test('an auto-approving rule names its own limit only (its "at most"), not the deployment’s', () => {
  const shown = text({ ...rule, approvalsRequired: 0, autoApprove: { maxDurationMs: 8 * 3_600_000 } }, 90 * DAY_MS);
  expect(shown).toMatch(/automatic \(no human needed\), for at most 8 hours/);
  expect(shown).not.toContain('Longest access');
});
