/**
 * The approval policy the bot starts with: ACRBOT_POLICY's file, held to the access limits and
 * the approval TTL in force, or without one the single rule built from the approver settings.
 * A file's load errors are listed with the other settings' problems.
 */
import type { Policy } from '../domain/policy';
import { PolicyFileError, type PolicyLimits, policyFromEnvironment, readPolicyFile } from './policy-file';
import type { PolicyWarning } from './policy-warnings';
import { MAX_APPROVAL_TTL_MS, MIN_APPROVAL_TTL_MS } from './duration';
import type { ReadSettings } from './read-settings';

/**
 * Settings that build the environment's single rule and that a policy file replaces: with
 * ACRBOT_POLICY nothing reads them (the file's rules name the approvers), so an operator who
 * set them would believe in approvers or a justification rule that do not apply.
 */
function unusedWithPolicy(env: Record<string, string | undefined>): string[] {
  const set = ['ACRBOT_APPROVERS', 'ACRBOT_APPROVER_GROUP', 'ACRBOT_APPROVER_JUSTIFICATION'].filter(
    (name) => env[name] !== undefined,
  );
  if (set.length === 0) return [];
  const names = set.length === 1 ? set[0] : `${set.slice(0, -1).join(', ')} and ${set[set.length - 1]}`;
  const [verb, them] = set.length === 1 ? ['is', 'it'] : ['are', 'them'];
  return [
    `${names} ${verb} not used when ACRBOT_POLICY is set: the policy file decides who approves and whether approvals need a justification. ` +
      `Move ${them} into the file (a rule's approvers.users and approvers.groups, approverJustification: required) and unset ${them}`,
  ];
}

/** The policy at start, its file's warnings, and the problems that keep it from loading. */
export interface PolicyAtStart {
  policy: Policy;
  policyWarnings: readonly PolicyWarning[] | undefined;
  problems: string[];
}

/**
 * The policy of `read`'s settings. `approverIds` and `approvalChannelId` build the environment's
 * rule; `accessLimits` (bound-problems.ts) are the terms a file is held to.
 */
export function policyAtStart(
  { cleaned, e, parsedOk }: ReadSettings,
  { approverIds, approvalChannelId }: { approverIds: string[]; approvalChannelId: string | undefined },
  accessLimits: Pick<PolicyLimits, 'minAccessMs' | 'maxAccessMs'>,
): PolicyAtStart {
  const environmentPolicy = policyFromEnvironment({
    approverIds,
    approverGroupId: e.ACRBOT_APPROVER_GROUP,
    approvalChannelId,
    approverJustificationRequired: e.ACRBOT_APPROVER_JUSTIFICATION === 'required',
  });
  let policy = environmentPolicy;
  const problems: string[] = [];
  let policyWarnings: readonly PolicyWarning[] | undefined;
  if (e.ACRBOT_POLICY) {
    problems.push(...unusedWithPolicy(cleaned));
    // The policy's reminders must come before requests expire: the TTL in force when it is valid.
    const approvalTtlMs =
      parsedOk('ACRBOT_APPROVAL_TTL') &&
      e.ACRBOT_APPROVAL_TTL >= MIN_APPROVAL_TTL_MS &&
      e.ACRBOT_APPROVAL_TTL <= MAX_APPROVAL_TTL_MS
        ? e.ACRBOT_APPROVAL_TTL
        : undefined;
    try {
      // Its terms are held to ACRBOT_MIN/MAX_ACCESS_DURATION, each when it is valid.
      const loaded = readPolicyFile(e.ACRBOT_POLICY, { approvalTtlMs, ...accessLimits });
      policy = loaded.policy;
      policyWarnings = loaded.warnings;
    } catch (err) {
      if (!(err instanceof PolicyFileError)) throw err;
      problems.push(err.message);
    }
  }
  return { policy, policyWarnings, problems };
}
