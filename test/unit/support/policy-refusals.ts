/** What parsePolicy says when it refuses a policy file, as the policy file tests compare it. */
import { parsePolicy, PolicyFileError, type PolicyLimits, type PolicyProblem } from '../../../src/config/policy-file';

/** The problems of a policy that must be refused (against `limits` when given); an accepted one fails the test. */
export function refusalOf(text: string, limits?: PolicyLimits): PolicyProblem[] {
  try {
    parsePolicy(text, 'policy.yaml', limits);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyFileError);
    return (err as PolicyFileError).problems;
  }
  throw new Error('expected the policy to be refused');
}

/** The problems of a policy that must be refused, as "line:col path: message". */
export function problemsOf(text: string): string[] {
  return refusalOf(text).map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
}
