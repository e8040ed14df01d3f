/**
 * Policy files one step past a limit or a rule of the schema: each must be refused, not loaded
 * quietly. A file that loaded would bind requests to a rule its author did not write (two ids
 * one audit trail cannot tell apart, an escalation to nobody, a term past what the rule allows).
 */
import { parsePolicy } from '../../src/config/policy-file';
import { refusalOf } from './support/policy-refusals';

const G1 = '0b000000-0000-4000-8000-0000000000a9';

/** A file of the given rules (YAML, indented as list entries) and optional top-level extra. */
const file = (rules: string, extra = '') => `version: 1\nrules:\n${rules}${extra}`;
const ruleYaml = (id: string, more = '') => `  - id: ${id}\n    approvers: { groups: ["${G1}"] }\n${more}`;

/** The messages at `path`, so a refusal for another reason does not pass the test. */
const messagesAt = (text: string, path: string) =>
  refusalOf(text)
    .filter((p) => p.path === path)
    .map((p) => p.message);

test('the base file loads, so each refusal below is the change it makes', () => {
  expect(parsePolicy(file(ruleYaml('a')), 'policy.yaml').rules).toHaveLength(1);
});

test('two rule ids that differ only in case are one id twice', () => {
  expect(messagesAt(file(ruleYaml('Prod') + ruleYaml('prod')), 'rules[1].id')).toEqual(['the same id as rules[0]']);
});

test('a rule id of 65 characters is refused; 64 loads', () => {
  expect(parsePolicy(file(ruleYaml('a'.repeat(64))), 'policy.yaml').rules[0].id).toHaveLength(64);
  expect(messagesAt(file(ruleYaml('a'.repeat(65))), 'rules[0].id')).toEqual([
    'must be 1–64 letters, digits, dots, dashes or underscores',
  ]);
});

test('a rule id that starts with a character ids may not hold is refused, whatever follows', () => {
  expect(messagesAt(file(ruleYaml('"my rule"')), 'rules[0].id')).toEqual([
    'must be 1–64 letters, digits, dots, dashes or underscores',
  ]);
});

test('an empty pattern is refused, not loaded as a condition nothing fits', () => {
  expect(messagesAt(file(ruleYaml('a', '    match: { registry: "" }\n')), 'rules[0].match.registry')).toEqual([
    'must not be empty',
  ]);
});

test('a pattern of 201 characters is refused; 200 loads', () => {
  const at = (n: number) => file(ruleYaml('a', `    match: { registry: "a${'*'.repeat(n - 1)}" }\n`));
  expect(parsePolicy(at(200), 'policy.yaml').rules[0].match.registry?.[0]).toHaveLength(200);
  expect(messagesAt(at(201), 'rules[0].match.registry')).toEqual(['is longer than 200 characters']);
});

test('escalateTo with an empty group list and no channel names nobody', () => {
  const text = file(ruleYaml('a', '    escalateAfter: 2h\n    escalateTo: { groups: [] }\n'));
  expect(messagesAt(text, 'rules[0].escalateTo')).toEqual([
    'names nobody: give escalateTo a channel or at least one group',
  ]);
});

test('escalateAfter equal to remindAfter is refused: the escalation must come later', () => {
  const text = file(
    ruleYaml('a', `    remindAfter: 1h\n    escalateAfter: 60m\n    escalateTo: { groups: ["${G1}"] }\n`),
  );
  expect(messagesAt(text, 'rules[0].escalateAfter')).toEqual(['must be later than remindAfter']);
});

test('a registry tag named twice in different case is refused, as a cluster tag is', () => {
  const text = file(ruleYaml('a', '    match: { registry: "x*", registryTags: { env: dev, Env: prod } }\n'));
  expect(messagesAt(text, 'rules[0].match.registryTags.Env')).toEqual([
    'the same tag as env (tag names are compared without regard to case, as Azure does); list each tag once',
  ]);
});

test('autoApprove.maxDuration one second longer than the rule maxDuration is refused', () => {
  const text = file(
    `  - id: a\n    match: { registry: "dev*" }\n    maxDuration: 8h\n    autoApprove: { maxDuration: 28801s }\n`,
  );
  expect(messagesAt(text, 'rules[0].autoApprove.maxDuration')).toEqual([
    'must not be longer than the rule maxDuration',
  ]);
});

test('a cooldown longer than ten years is refused, not loaded as a break-glass ban for decades', () => {
  const text = file(
    ruleYaml('a'),
    `breakGlass:\n  groups: ["${G1}"]\n  maxDuration: 4h\n  cooldownAfterRejection: 4000d\n`,
  );
  expect(messagesAt(text, 'breakGlass.cooldownAfterRejection')).toEqual([
    '4000d is longer than 10 years, which no term, reminder or escalation can be; use e.g. 30m, 8h or 7d',
  ]);
});
