/**
 * Warnings a policy file that loads must still carry: an auto-approving rule scoped by cluster
 * facts alone (whatever else it says), a tag value with a zero-width joiner in it, and a
 * break-glass term that outlasts a rule's (but not one equal to it). And a zero duration written
 * with a capital unit, which must be refused as `0h` is, not loaded as no time at all.
 */
import { loadPolicy } from '../../src/config/policy-file';
import { refusalOf } from './support/policy-refusals';

const G1 = '0b000000-0000-4000-8000-0000000000a9';

const messages = (text: string) => loadPolicy(text, 'policy.yaml').warnings.map((w) => w.message);

test('an auto-approving rule on cluster facts alone is warned about even with a maxDuration of its own', () => {
  const text = [
    'version: 1',
    'rules:',
    '  - id: dev-auto',
    '    match: { cluster: "aks-dev*" }',
    '    maxDuration: 8h',
    '    autoApprove: { maxDuration: 1h }',
  ].join('\n');
  expect(messages(text)).toEqual([expect.stringContaining('rule dev-auto auto-approves on cluster facts alone')]);
});

test('a tag value with a zero-width joiner in it is warned about: it is compared as written', () => {
  const text = [
    'version: 1',
    'rules:',
    '  - id: prod',
    '    match: { registry: "contoso*", registryTags: { env: "pro\u200Dd" } }',
    `    approvers: { groups: ["${G1}"] }`,
  ].join('\n');
  expect(messages(text)).toEqual([expect.stringContaining('has an invisible character')]);
});

test('break-glass as long as a rule maxDuration is no warning; one second longer is', () => {
  const at = (breakGlass: string) =>
    [
      'version: 1',
      'rules:',
      '  - id: short',
      `    approvers: { groups: ["${G1}"] }`,
      '    maxDuration: 1h',
      'breakGlass:',
      `  groups: ["${G1}"]`,
      `  maxDuration: ${breakGlass}`,
    ].join('\n');
  expect(messages(at('60m'))).toEqual([]);
  expect(messages(at('3601s'))).toEqual([expect.stringContaining('rule short: breakGlass.maxDuration')]);
});

test.each(['0H', '0M', '0D'])('remindAfter: %s is refused as zero, not loaded', (zero) => {
  const text = [
    'version: 1',
    'rules:',
    '  - id: a',
    `    approvers: { groups: ["${G1}"] }`,
    `    remindAfter: ${zero}`,
  ].join('\n');
  expect(refusalOf(text).map((p) => `${p.path}: ${p.message}`)).toEqual([
    'rules[0].remindAfter: must be longer than 0, e.g. 30m or 8h',
  ]);
});
