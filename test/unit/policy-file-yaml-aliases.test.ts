/**
 * What the YAML parser throws while it turns the document into data (too many alias uses, a
 * YAML 1.1 merge of something other than a map) is a problem of the file, listed as the others
 * are (and so exit code 2 at start and in the policy check), never a stack trace. A real policy
 * sharing one anchor among a few hundred rules loads; a "billion laughs" file does not.
 */
import { parsePolicy, PolicyFileError } from '../../src/config/policy-file';
import { checkPolicyText } from './support/policy-check-run';
import { refusalOf } from './support/policy-refusals';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';

/** `count` rules after the first all sharing its approvers through one anchor, then a catch-all. */
function sharedApprovers(count: number): string {
  const lines = [
    'version: 1',
    'rules:',
    '  - id: r0',
    '    match: { cluster: "aks-r0*" }',
    '    approvers: &prod',
    '      name: Platform',
    `      users: ["${U1}"]`,
  ];
  for (let i = 1; i <= count; i++)
    lines.push(`  - id: r${i}`, `    match: { cluster: "aks-r${i}x*" }`, '    approvers: *prod');
  lines.push('  - id: last', '    approvers: *prod', '');
  return lines.join('\n');
}

/** Nine levels of nine aliases of the level below: 9^9 values once expanded. */
function billionLaughs(): string {
  const lines = ['version: 1', 'l0: &l0 ["lol"]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('rules:', '  - id: a', `    approvers: { users: ["${U1}"] }`, '');
  return lines.join('\n');
}

const MERGE_OF_TEXT = [
  '%YAML 1.1',
  '---',
  'version: 1',
  'x: &s hello',
  'rules:',
  '  - id: a',
  '    <<: *s',
  `    approvers: { users: ["${U1}"] }`,
  '',
].join('\n');

/** Runs the policy check on `text` written to a temporary file: its exit code and what it printed. */
const check = (text: string) => checkPolicyText(text, 'acrbot-policy-aliases-');

describe('policy file: YAML aliases and merges', () => {
  test('a policy of 150 rules sharing one approvers anchor loads', () => {
    const policy = parsePolicy(sharedApprovers(150), 'policy.yaml');
    expect(policy.rules).toHaveLength(152);
    expect(policy.rules[150].approvers).toEqual({ users: [U1], groups: [], name: 'Platform' });
  });

  test('a group list shared by 300 rules and by an anchored approvers block used 5 times loads', () => {
    const G = '0a000000-0000-4000-8000-00000000ccc1';
    const lines = ['version: 1', 'rules:'];
    lines.push(
      '  - id: r0',
      '    match: { cluster: "aks-r0*" }',
      `    approvers: { users: ["${U1}"], groups: &g ["${G}"] }`,
    );
    for (let i = 1; i <= 300; i++)
      lines.push(`  - id: r${i}`, `    match: { cluster: "aks-r${i}x*" }`, '    approvers: { groups: *g }');
    lines.push('  - id: s0', '    match: { cluster: "aks-s0*" }', '    approvers: &std { name: Std, groups: *g }');
    for (let i = 1; i <= 4; i++)
      lines.push(`  - id: s${i}`, `    match: { cluster: "aks-s${i}x*" }`, '    approvers: *std');
    lines.push('  - id: last', '    approvers: *std', '');
    const policy = parsePolicy(lines.join('\n'), 'policy.yaml');
    expect(policy.rules.at(-1)!.approvers).toEqual({ users: [], groups: [G], name: 'Std' });
  });

  test('few alias uses of a large anchored value: refused by the expanded size before any check walks it', () => {
    const users = Array.from(
      { length: 3000 },
      (_, i) => `"0a000000-0000-4000-8000-${String(i).padStart(12, '0')}"`,
    ).join(', ');
    const lines = [
      'version: 1',
      'rules:',
      '  - id: r0',
      '    match: { registry: "reg-0*" }',
      `    approvers: &a { users: [${users}] }`,
    ];
    for (let i = 1; i <= 200; i++)
      lines.push(`  - id: r${i}`, `    match: { registry: "reg-${i}x*" }`, '    approvers: *a');
    expect(refusalOf(lines.join('\n') + '\n')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/aliases \(\*name\) stand for more than 500,000 values once expanded/),
      }),
    ]);
  });

  test('a billion-laughs file is a problem of the file, not a crash', () => {
    expect(refusalOf(billionLaughs())).toEqual([
      {
        line: 0,
        col: 0,
        path: '',
        message: expect.stringMatching(
          /^the file uses its anchors \(&name\) through aliases \(\*name\) more than 10000 times, .*write the repeated values out/,
        ),
      },
    ]);
  });

  test('what yaml threw is kept as the cause', () => {
    let thrown: unknown;
    try {
      parsePolicy(billionLaughs(), 'policy.yaml');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolicyFileError);
    expect((thrown as Error).cause).toBeInstanceOf(ReferenceError);
  });

  test('a YAML 1.1 merge of text is refused at its <<', () => {
    expect(refusalOf(MERGE_OF_TEXT)).toEqual([
      {
        line: 7,
        col: 5,
        path: '',
        message: 'a YAML merge (<<) may only merge maps (<<: *anchor of a map, or a list of them)',
      },
    ]);
  });

  test('the policy check lists them at file:line and exits 2, with no "unexpected error"', () => {
    const laughs = check(billionLaughs());
    expect(laughs.code).toBe(2);
    expect(laughs.err).toContain(`${laughs.file}:0:0 (file): the file uses its anchors`);
    expect(laughs.err).not.toContain('unexpected error');
    const merge = check(MERGE_OF_TEXT);
    expect(merge.code).toBe(2);
    expect(merge.err).toContain(`${merge.file}:7:5 (file): a YAML merge (<<) may only merge maps`);
    const shared = check(sharedApprovers(150));
    expect(shared).toMatchObject({ code: 0, err: '' });
  });
});
