/**
 * A rule after one that fits every request it could fit is never reached (rules are tried in
 * order, the first that fits applies): the policy file refuses it, since a catch-all written first
 * would quietly give every production request the catch-all's one approval.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../src/config/policy-file';
import { factsFor, selectRule } from '../../src/domain/policy';
import { problemsOf } from './support/policy-refusals';

const U1 = '0a000000-0000-4000-8000-00000000bbb2';
const U2 = '0a000000-0000-4000-8000-00000000ccc3';

/** A rule of the policy: its id, and its match (omitted when undefined). */
const rule = (id: string, match?: string) => [
  `  - id: ${id}`,
  ...(match === undefined ? [] : [`    match: ${match}`]),
  `    approvers: { users: ["${U1}", "${U2}"] }`,
];
const policyOf = (...rules: string[][]) => ['version: 1', 'rules:', ...rules.flat(), ''].join('\n');

/** The message for rule `id` hidden by the catch-all `by` ("rules[0] default") starting at `line`. */
const hidden = (id: string, by: string, line: number, what = 'every request') =>
  `rule ${id} is never reached: ${by} (line ${line}), before it, fits ${what} (rules are tried in order, the first that fits applies); ` +
  `move ${by.split(' ')[1]} last`;

describe('policy file: rules that are never reached', () => {
  test('a catch-all first hides every rule after it, each reported at its rule', () => {
    const text = policyOf(
      rule('default'),
      [...rule('prod', '{ cluster: "*prod*" }'), '    approvalsRequired: 2'],
      rule('dev', '{ clusterTags: { env: dev } }'),
    );
    expect(problemsOf(text)).toEqual([
      `5:5 rules[1]: ${hidden('prod', 'rules[0] default', 3)}`,
      `9:5 rules[2]: ${hidden('dev', 'rules[0] default', 3)}`,
    ]);
    // In the order the message asks for, prod requests need prod's two approvals.
    const reordered = parsePolicy(
      policyOf(
        [...rule('prod', '{ cluster: "*prod*" }'), '    approvalsRequired: 2'],
        rule('dev', '{ clusterTags: { env: dev } }'),
        rule('default'),
      ),
      'p.yaml',
    );
    const resource = (name: string) => ({ name, resourceGroup: 'rg', subscriptionId: 'sub' });
    expect(selectRule(reordered, factsFor(resource('aks-prod-1'), resource('contoso')))).toMatchObject({
      id: 'prod',
      approvalsRequired: 2,
    });
  });

  test('match: {}, all-* patterns and empty tag maps fit everything too; a later catch-all is reported once, by the first', () => {
    for (const match of [
      '{}',
      '{ cluster: "*", registry: ["x*", "**"], clusterTags: {} }',
      '{ namespace: "*", flow: "*" }',
    ])
      expect(
        problemsOf(policyOf(rule('all', match), rule('prod', '{ cluster: "aks-prod*", namespace: "pay*" }'))),
      ).toEqual([
        `6:5 rules[1]: ${hidden('prod', 'rules[0] all', 3, match.includes('namespace') ? 'every pull secret' : 'every request')}`,
      ]);
    expect(problemsOf(policyOf(rule('a', '{}'), rule('b'), rule('c', '{ cluster: x }')))).toEqual([
      `6:5 rules[1]: ${hidden('b', 'rules[0] a', 3)}`,
      `8:5 rules[2]: ${hidden('c', 'rules[0] a', 3)}`,
    ]);
  });

  test('a rule for one flow or kind hides only later rules of that flow or kind', () => {
    const text = policyOf(
      rule('grants', '{ flow: grant }'),
      rule('prod-grants', '{ cluster: "aks-prod*", kind: roleAssignment }'),
      rule('prod', '{ cluster: "aks-prod*" }'),
      rule('tokens', '{ kind: token, cluster: "*" }'),
      rule('prod-tokens', '{ cluster: "aks-prod*", flow: secret, kind: token }'),
      // prod-tokens is also under prod (cluster aks-prod*): the catch-all of its kind is named.
      rule('stage-secrets', '{ cluster: "aks-stage*", namespace: "pay*" }'),
      rule('rest'),
    );
    expect(problemsOf(text)).toEqual([
      `6:5 rules[1]: ${hidden('prod-grants', 'rules[0] grants', 3, 'every grant')}`,
      `15:5 rules[4]: ${hidden('prod-tokens', 'rules[3] tokens', 12, 'every token pull secret')}`,
    ]);
  });

  test('rules narrowed by a name, a tag or a namespace hide nothing', () => {
    const text = policyOf(
      rule('some', '{ cluster: "aks-*" }'),
      rule('tagged', '{ clusterTags: { env: prod } }'),
      rule('payments', '{ namespace: "pay*" }'),
      rule('either', '{ cluster: ["*", "aks-*"], registry: "contoso*" }'),
      rule('rest', '{}'),
    );
    expect(parsePolicy(text, 'p.yaml').rules.map((r) => r.id)).toEqual([
      'some',
      'tagged',
      'payments',
      'either',
      'rest',
    ]);
  });

  test("the project's example policy has no hidden rule", () => {
    const example = readFileSync(join(__dirname, '../../docs/policy.example.yaml'), 'utf8');
    expect(parsePolicy(example, 'docs/policy.example.yaml').rules).toHaveLength(3);
  });
});
