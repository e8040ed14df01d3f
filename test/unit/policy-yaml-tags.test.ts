/**
 * What the `yaml` parser only warns about (it stops at errors alone): a tag it does not know is
 * dropped and the value read without it, so `cluster: !foo "x"` would load as the text "x". The
 * policy file refuses such a tag at its line and column, as it refuses text that reads differently
 * from what was meant; the parser's other warnings (a directive it does not know, an ambiguous
 * anchor) leave the values as written and are policy warnings: the file loads, acrbot logs them
 * at start and on reload, and `npm run policy:check` prints them with exit code 0.
 */
import { writeFileSync } from 'node:fs';
import { loadPolicy, parsePolicy } from '../../src/config/policy-file';
import { PolicySource } from '../../src/config/policy-source';
import type { PolicyWarning } from '../../src/config/policy-warnings';
import { runPolicyCheck } from '../../src/policy-check/main';
import { capturedStreams } from '../helpers/captured-streams';
import { APPROVER, oneRulePolicy } from './support/policy-matching';
import { problemsOf } from './support/policy-refusals';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir('acrbot-policy-yaml-tags-');

const DROPPED =
  'acrbot would read the value as if it had no tag, which is not what the tag was written for; ' +
  'remove the tag (and write the value itself, quoted if it is text)';

/** The warnings of a policy that loads, as `line:col path: message`. */
const warningsOf = (text: string) =>
  loadPolicy(text, 'p.yaml').warnings.map((w) => `${w.line}:${w.col} ${w.path}: ${w.message}`);

describe('policy file: YAML tags acrbot does not know', () => {
  test('an unknown tag on a value is refused at the tag, naming it and the field it is on', () => {
    expect(problemsOf(oneRulePolicy(['cluster: !foo "x"']))).toEqual([
      `5:16 rules[0].match.cluster: unknown YAML tag !foo: ${DROPPED}`,
    ]);
    // On a list entry, a list, a key; a verbatim tag; each at its own place.
    expect(problemsOf(oneRulePolicy(['cluster: [aks-dev, !env PROD_CLUSTER]', 'registry: !<tag:x> contoso']))).toEqual([
      `5:26 rules[0].match.cluster[1]: unknown YAML tag !env: ${DROPPED}`,
      `6:17 rules[0].match.registry: unknown YAML tag !<tag:x>: ${DROPPED}`,
    ]);
    expect(problemsOf(oneRulePolicy(['cluster: !regex', '  - "aks-*"']))).toEqual([
      `5:16 rules[0].match.cluster: unknown YAML tag !regex: ${DROPPED}`,
    ]);
    // On a map and on one of its values: the path names the node the tag is on.
    expect(problemsOf(oneRulePolicy(['clusterTags: !foo', '  env: dev']))).toEqual([
      `5:20 rules[0].match.clusterTags: unknown YAML tag !foo: ${DROPPED}`,
    ]);
    expect(problemsOf(oneRulePolicy(['clusterTags: { env: !foo dev }']))).toEqual([
      `5:27 rules[0].match.clusterTags.env: unknown YAML tag !foo: ${DROPPED}`,
    ]);
    expect(problemsOf(oneRulePolicy(['!Ref cluster: aks-prod']))).toEqual([
      `5:7 rules[0].match.cluster: unknown YAML tag !Ref: ${DROPPED}`,
    ]);
  });

  test('a standard tag on the wrong kind of value is dropped too, and refused', () => {
    expect(problemsOf(oneRulePolicy(['cluster: !!set [aks-dev]']))).toEqual([
      `5:16 rules[0].match.cluster: the YAML tag !!set is for a map, not a list: ${DROPPED}`,
    ]);
  });

  test('the tag alone is reported, not what the value left without it gets wrong, and in file order with syntax errors', () => {
    // `!foo 2` would be the text "2", which approvalsRequired refuses: that would only repeat the tag.
    const text = oneRulePolicy(['cluster: aks-prod'], []).replace(
      '    approvers:',
      '    approvalsRequired: !foo 2\n    approvers:',
    );
    expect(problemsOf(text)).toEqual([`6:24 rules[0].approvalsRequired: unknown YAML tag !foo: ${DROPPED}`]);
    const both = problemsOf(oneRulePolicy(['cluster: !foo "x"', 'registry: [contoso']));
    expect(both[0]).toBe(`5:16 rules[0].match.cluster: unknown YAML tag !foo: ${DROPPED}`);
    // The unclosed list's syntax errors follow, from line 6 on.
    expect(both.length).toBeGreaterThan(1);
    expect(both.slice(1).map((p) => Number(p.split(':')[0]) >= 6)).toEqual(both.slice(1).map(() => true));
  });

  test("YAML's own tags still load: !!str makes text of what would be a number", () => {
    const { policy, warnings } = loadPolicy(oneRulePolicy(['clusterTags: { costcenter: !!str 0123 }']), 'p.yaml');
    expect(policy.rules[0].match.clusterTags).toEqual({ costcenter: '0123' });
    expect(warnings).toEqual([]);
  });
});

describe("policy file: the parser's other warnings are policy warnings", () => {
  test('a directive the parser does not know, and an ambiguous anchor: the file loads, warned at line:col', () => {
    expect(warningsOf(oneRulePolicy(['cluster: aks-prod'], ['%FOO bar', '---']))).toEqual([
      '1:1 : YAML: Unknown directive %FOO',
    ]);
    const anchored = oneRulePolicy(['cluster: &a: aks-prod']);
    expect(parsePolicy(anchored, 'p.yaml').rules[0].match.cluster).toEqual(['aks-prod']);
    expect(warningsOf(anchored)).toEqual(['5:18 : YAML: Anchor ending in : is ambiguous']);
    expect(loadPolicy(anchored, 'p.yaml').warnings[0]?.ruleId).toBeUndefined();
  });

  test('in file order with the rule warnings', () => {
    const text = [
      '%YAML 1.3',
      '---',
      'version: 1',
      'rules:',
      '  - id: dev-auto',
      '    match: { clusterTags: { env: dev } }',
      `    approvers: { users: ["${APPROVER}"] }`,
      '    autoApprove: { maxDuration: 7d }',
      '',
    ].join('\n');
    expect(warningsOf(text).map((w) => w.split(': ')[0])).toEqual(['1:7 ', '6:12 rules[0].match']);
    expect(warningsOf(text)[0]).toBe('1:7 : YAML: Unsupported YAML version 1.3');
  });

  test('told at start through PolicySource, and printed by policy:check with exit 0', async () => {
    const file = tmp.path('policy.yaml');
    const text = oneRulePolicy(['cluster: aks-prod'], ['%FOO bar', '---']);
    writeFileSync(file, text);
    const told: string[] = [];
    const warn = (w: PolicyWarning, from: string) => told.push(`${from}:${w.line}:${w.col} ${w.message}`);
    const source = new PolicySource(loadPolicy(text, file), file, undefined, { sleep: () => Promise.resolve(), warn });
    expect(told).toEqual([`${file}:1:1 YAML: Unknown directive %FOO`]);
    expect(await source.reload()).toMatchObject({ ok: true, changed: false });
    expect(told).toHaveLength(1);

    const io = capturedStreams();
    const code = runPolicyCheck([file], {}, io.streams);
    const { stdout, stderr } = io.printed();
    expect(code).toBe(0);
    expect(stdout).toContain(`${file}: loads (1 rule;`);
    expect(stderr).toContain(`  ${file}:1:1 (file): YAML: Unknown directive %FOO\n`);
  });
});
