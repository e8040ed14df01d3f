/**
 * Warnings about a policy file that loads: something the operator may well not mean, but that
 * some organisations do (policy-auto-approve-scope.ts), or YAML the parser reads as written but
 * warns about (policy-yaml-warnings.ts), so the file is used and the warning is
 * logged once at start and at each reload that takes a new file, and printed by
 * `npm run policy:check`. Problems, by contrast, refuse the file (PolicyFileError).
 *
 * Returned beside the loaded Policy ({@link PolicyLoad}) rather than in it: domain/policy.ts's
 * Policy is the rules in force, compared and bound to requests; a warning is about the file that
 * was read, and goes once it is replaced. The policy is read at start by config.ts, before any
 * logger exists, so the configuration carries them (policyWarnings) to whoever logs them.
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

/** A policy file that loaded, and its warnings in file order (none for a file without any). */
export interface PolicyLoad {
  policy: Policy;
  warnings: readonly PolicyWarning[];
}

/** A warning as problems are printed: `file:line:col path: message`. */
export function policyWarningLine(file: string, warning: PolicyWarning): string {
  return `${file}:${warning.line}:${warning.col} ${warning.path || '(file)'}: ${warning.message}`;
}
