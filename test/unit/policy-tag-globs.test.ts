/**
 * A `*` or `?` in a tag value (`clusterTags: { env: "prod*" }`) is compared exactly, unlike every
 * other match field, so the rule fits no cluster tagged prod-eu and requests fall through to a
 * later rule. The file still loads (a tag value may really hold a `*`), with a warning at the tag.
 */
import { loadPolicy } from '../../src/config/policy-file';

const U1 = '0a000000-0000-4000-8000-00000000bbb2';

/** A policy of rule `prod` (lines 3–6) with `match` on line 4, and a catch-all after it. */
const policyOf = (match: string) =>
  [
    'version: 1',
    'rules:',
    '  - id: prod',
    `    match: ${match}`,
    `    approvers: { users: ["${U1}"] }`,
    '  - id: default',
    `    approvers: { users: ["${U1}"] }`,
    '',
  ].join('\n');

/** The warnings of a policy that loads, as `line:col path: message`. */
const warningsOf = (text: string) =>
  loadPolicy(text, 'p.yaml').warnings.map((w) => `${w.line}:${w.col} ${w.path}: ${w.message}`);

test('a glob in a tag value is named at the tag, with the rule', () => {
  expect(warningsOf(policyOf('{ clusterTags: { env: "prod*" }, registryTags: { tier: "gold?", team: a } }'))).toEqual([
    expect.stringMatching(
      /^4:34 rules\[0\]\.match\.clusterTags\.env: rule prod: the value of tag env holds \* or \?, but tag values are compared exactly/,
    ),
    expect.stringMatching(/^4:67 rules\[0\]\.match\.registryTags\.tier: rule prod: the value of tag tier holds/),
  ]);
});

test('plain tag values, and globs in the other fields, warn nothing', () => {
  expect(warningsOf(policyOf('{ cluster: ["aks-prod-*"], clusterTags: { env: prod } }'))).toEqual([]);
});
