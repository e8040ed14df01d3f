/**
 * A policy file that splits approvers by cluster, for tests of what an approver of one rule only
 * may see and revoke: aks-legacy's requests are Sam's to approve (rule legacy), every other the
 * sandbox approver's (rule default).
 */
import { SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { users } from './harness';
import type { TeamsUser } from './teams-activities';

/** The sandbox's second approver ("Sam" in these tests): the only approver of rule legacy. */
export const sam = SANDBOX_USERS.secondApprover as TeamsUser;

/** The policy file's text. */
export const LEGACY_RULE_POLICY = [
  'version: 1',
  'rules:',
  `  - { id: legacy, match: { cluster: "aks-legacy" }, approvers: { users: ["${sam.objectId}"] } }`,
  `  - { id: default, match: {}, approvers: { users: ["${users.approver.objectId}"] } }`,
].join('\n');
