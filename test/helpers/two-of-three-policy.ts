/**
 * A policy whose one rule needs two approvals from three named approvers (Alex Approver, Sam and
 * Adele), for the suites of a quorum: approvals counted, withdrawn, dropped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from './harness';
import type { TeamsUser } from './teams-activities';
import type { TempDirs } from './temp-dirs';

/** The second and third approvers of {@link TWO_OF_THREE_POLICY}. */
export const sam = SANDBOX_USERS.secondApprover as TeamsUser;
export const adele = SANDBOX_USERS.oncall as TeamsUser;

/** The policy file's text: rule `prod-two-of-three`, every pair, 2 of 3 approvals. */
export const TWO_OF_THREE_POLICY = `version: 1
rules:
  - id: prod-two-of-three
    match: {}
    approvers: { name: Platform Approvers, users: ["${users.approver.objectId}", "${sam.objectId}", "${adele.objectId}"] }
    approvalsRequired: 2
`;

/** A harness on {@link TWO_OF_THREE_POLICY}, written into a folder of `temp`; `env` adds settings. */
export async function startTwoOfThree(temp: TempDirs, env: Record<string, string> = {}): Promise<Harness> {
  const policy = join(temp.make('acrbot-two-of-three-'), 'policy.yaml');
  writeFileSync(policy, TWO_OF_THREE_POLICY);
  return startHarness({ ACRBOT_POLICY: policy, ...env });
}
