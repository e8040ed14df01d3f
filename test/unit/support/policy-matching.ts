/** The one-rule policy files the policy file tests write a match condition into. */

/** The approver the one rule names. */
export const APPROVER = '0a000000-0000-4000-8000-00000000bbb2';

/**
 * A one-rule policy (rule id `prod`) whose match, in block style, is `lines`. With no `head`, the
 * match starts at line 5, so a problem with the first condition is reported at `5:<col>`.
 */
export function oneRulePolicy(lines: string[], head: string[] = []): string {
  return [
    ...head,
    'version: 1',
    'rules:',
    '  - id: prod',
    '    match:',
    ...lines.map((l) => `      ${l}`),
    `    approvers:`,
    `      users: ["${APPROVER}"]`,
    '',
  ].join('\n');
}

/** {@link oneRulePolicy} of the match `lines`, given one per argument. */
export const matching = (...lines: string[]): string => oneRulePolicy(lines);
