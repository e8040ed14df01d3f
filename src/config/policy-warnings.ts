/**
 * Warnings about a policy file that loads: something the operator may well not mean, but that
 * some organisations do (policy-auto-approve-scope.ts), or YAML the parser reads as written but
 * warns about (policy-yaml-warnings.ts), so the file is used and the warning is
 * logged once at start and at each reload that takes a new file, and printed by
 * `npm run policy:check`. Problems, by contrast, refuse the file (PolicyFileError).
 *
 * Kept beside the loaded Policy rather than in it: the policy is read at start by config.ts,
 * before any logger exists, and domain/policy.ts's Policy is the rules in force, compared and
 * bound to requests; a warning is about the file that was read, and goes once it is replaced.
 */
import type { Policy } from '../domain/policy';

/**
 * One warning, at `line:col` of the file (1-based), `path` in the document ('' for the file),
 * about rule `ruleId`, or about the file's YAML when it has none (policy-yaml-warnings.ts).
 */
export interface PolicyWarning {
  line: number;
  col: number;
  path: string;
  ruleId?: string;
  message: string;
}

const warningsOf = new WeakMap<Policy, readonly PolicyWarning[]>();

/** Records the warnings of a policy just parsed; returns the policy. */
export function withPolicyWarnings(policy: Policy, warnings: readonly PolicyWarning[]): Policy {
  if (warnings.length > 0) warningsOf.set(policy, warnings);
  return policy;
}

/** The warnings found when `policy` was read from its file, in file order; none for any other. */
export function policyWarnings(policy: Policy): readonly PolicyWarning[] {
  return warningsOf.get(policy) ?? [];
}

/** A warning as problems are printed: `file:line:col path: message`. */
export function policyWarningLine(file: string, warning: PolicyWarning): string {
  return `${file}:${warning.line}:${warning.col} ${warning.path || '(file)'}: ${warning.message}`;
}
