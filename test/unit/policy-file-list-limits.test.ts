/**
 * A rule's lists of ids (`approvers.users`, `approvers.groups`, `escalateTo.groups`) hold at most
 * MAX_RULE_IDS, and a rule as a whole at most MAX_RULE_CHARS as JSON: every request keeps the rule
 * it was made under in its one store document (Azure Tables: 480,000 characters), so a rule past
 * that loaded, and every request under it then failed with a generic error after its creation was
 * audited. Refused at load instead, naming the limit and what to name instead.
 */
import { MAX_RULE_CHARS, MAX_RULE_IDS, parsePolicy } from '../../src/config/policy-file';
import { problemsOf } from './support/policy-refusals';

/** `n` distinct GUIDs, quoted, comma-separated (a YAML flow list's items). */
function guids(n: number, kind: 'a' | 'b'): string {
  return Array.from({ length: n }, (_, i) => `"0${kind}000000-0000-4000-8000-${String(i).padStart(12, '0')}"`).join(
    ',',
  );
}

/** A one-rule policy whose rule has `lines` (indented under it). */
function rule(...lines: string[]): string {
  return ['version: 1', 'rules:', '  - id: big', ...lines.map((l) => `    ${l}`), ''].join('\n');
}

const TOO_MANY = `the most a rule may name (every request keeps the rule it was made under)`;

describe('policy file: the longest lists and rules', () => {
  test(`${MAX_RULE_IDS} ids in each list load`, () => {
    const policy = parsePolicy(
      rule(
        `approvers: { users: [${guids(MAX_RULE_IDS, 'a')}], groups: [${guids(MAX_RULE_IDS, 'b')}] }`,
        'escalateAfter: 2h',
        `escalateTo: { groups: [${guids(MAX_RULE_IDS, 'b')}] }`,
      ),
      'p.yaml',
    );
    expect(policy.rules[0].approvers.users).toHaveLength(MAX_RULE_IDS);
    expect(policy.rules[0].escalateTo?.groups).toHaveLength(MAX_RULE_IDS);
  });

  test('one more in a list is refused at that list, saying what to name instead', () => {
    expect(problemsOf(rule(`approvers: { users: [${guids(MAX_RULE_IDS + 1, 'a')}] }`))).toEqual([
      `4:25 rules[0].approvers.users: lists more than 1,000 users, ${TOO_MANY}; put them in an Entra group and name it in approvers.groups`,
    ]);
    expect(problemsOf(rule(`approvers: { groups: [${guids(MAX_RULE_IDS + 1, 'b')}] }`))).toEqual([
      `4:26 rules[0].approvers.groups: lists more than 1,000 groups, ${TOO_MANY}; nest them in fewer groups`,
    ]);
    expect(
      problemsOf(
        rule(
          `approvers: { users: ["0a000000-0000-4000-8000-00000000bbb2"] }`,
          'escalateAfter: 2h',
          `escalateTo: { groups: [${guids(MAX_RULE_IDS + 1, 'b')}] }`,
        ),
      ),
    ).toEqual([
      `6:27 rules[0].escalateTo.groups: lists more than 1,000 groups, ${TOO_MANY}; nest them in fewer groups`,
    ]);
  });

  test('a rule longer than MAX_RULE_CHARS as stored (its patterns and tags have no count of their own) is refused', () => {
    const text = rule(
      `match: { clusterTags: { team: "${'x'.repeat(MAX_RULE_CHARS)}" } }`,
      'approvers: { users: ["0a000000-0000-4000-8000-00000000bbb2"] }',
    );
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^3:5 rules\[0\]: rule big is [\d,]+ characters as every request under it keeps it, more than 200,000; name fewer patterns, tags or ids \(a group rather than its people\)$/,
    );
    expect(MAX_RULE_CHARS).toBe(200_000);
  });
});
