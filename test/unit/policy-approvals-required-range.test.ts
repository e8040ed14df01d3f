/**
 * A rule's `approvalsRequired` (config/policy-file.ts): a whole number from 1 to 10. Past that no
 * team gathers the approvals in time, and a typo (`approvalsRequired: 20` for 2) would leave every
 * request under the rule waiting until it expires; refused at load, at the field.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { problemsOf } from './support/policy-refusals';

const GROUP = '66666666-6666-4666-8666-666666666666';

/** A one-rule policy needing `required` approvals from a group. */
const policy = (required: string) =>
  [
    'version: 1',
    'rules:',
    '  - id: prod',
    `    approvalsRequired: ${required}`,
    `    approvers: { groups: ["${GROUP}"] }`,
    '',
  ].join('\n');

test.each(['1', '10'])('approvalsRequired: %s loads', (required) => {
  expect(parsePolicy(policy(required), 'policy.yaml').rules[0].approvalsRequired).toBe(Number(required));
});

test.each([
  ['11', 'must be at most 10'],
  ['20', 'must be at most 10'],
  ['0', 'must be at least 1'],
  ['1.5', 'must be a whole number'],
])('approvalsRequired: %s is refused (%s)', (required, message) => {
  expect(problemsOf(policy(required))).toEqual([`4:24 rules[0].approvalsRequired: ${message}`]);
});
