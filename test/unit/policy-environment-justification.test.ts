/**
 * Without a policy file, the single rule built from the environment carries
 * ACRBOT_APPROVER_JUSTIFICATION: `required` must reach the rule approvals are checked against,
 * not only the setting beside it.
 */
import { loadConfig } from '../../src/config/config';

test.each([
  ['required', 'required'],
  ['optional', 'optional'],
] as const)('ACRBOT_APPROVER_JUSTIFICATION=%s gives the environment rule %s', (setting, expected) => {
  const config = loadConfig({ ACRBOT_APPROVER_JUSTIFICATION: setting });
  expect(config.policy.source).toBe('environment');
  expect(config.policy.rules.map((r) => r.approverJustification)).toEqual([expected]);
});
