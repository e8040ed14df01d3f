/**
 * Name patterns no name could fit are refused when the policy is loaded, each at its line and
 * column: loaded, such a condition never fits, and the requests the rule was written for go on to
 * a later, perhaps looser, rule. And conditions or ids of the wrong type say what is wrong.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { APPROVER, matching } from './support/policy-matching';
import { problemsOf } from './support/policy-refusals';

const ONLY = (name: string, holds: string) =>
  `which no ${name} has, so it never fits: a ${name} holds only ${holds}, and a pattern adds * (any run of characters) and ? (one character)`;

describe('policy file: name patterns with characters their names never have', () => {
  test('character classes, negation and regular expressions are refused, saying what a pattern may hold', () => {
    expect(problemsOf(matching('cluster: "aks-[pP]rod*"'))).toEqual([
      `5:16 rules[0].match.cluster: "aks-[pP]rod*" has "[" and "]", ${ONLY('cluster name', 'letters, digits, - and _')}` +
        '; patterns have no [...] classes: case does not matter, and ? fits any one character',
    ]);
    expect(problemsOf(matching('cluster: "!aks-prod"'))).toEqual([
      `5:16 rules[0].match.cluster: "!aks-prod" has "!", ${ONLY('cluster name', 'letters, digits, - and _')}` +
        '; a pattern cannot be negated: rules are tried in order, so put a rule for the exceptions before this one',
    ]);
    expect(problemsOf(matching('cluster: [aks-dev, aks-.*]'))).toEqual([
      `5:26 rules[0].match.cluster[1]: "aks-.*" has ".", ${ONLY('cluster name', 'letters, digits, - and _')}` +
        '; patterns are not regular expressions: * alone is any run of characters (write aks-*)',
    ]);
    // A suggestion only when the translation is a pattern the name could fit.
    expect(problemsOf(matching("cluster: '^aks-\\d+$'"))).toEqual([
      `5:16 rules[0].match.cluster: "^aks-\\d+$" has "^", "\\", "+" and "$", ${ONLY('cluster name', 'letters, digits, - and _')}` +
        '; patterns are not regular expressions: * alone is any run of characters',
    ]);
    expect(problemsOf(matching('registry: "contoso_prod*"', 'namespace: "team/a"'))).toEqual([
      `5:17 rules[0].match.registry: "contoso_prod*" has "_", ${ONLY('registry name', 'letters and digits')}`,
      `6:18 rules[0].match.namespace: "team/a" has "/", ${ONLY('namespace name', 'letters, digits and -')}`,
    ]);
    expect(problemsOf(matching('clusterResourceGroup: "rg/aks"'))).toEqual([
      `5:29 rules[0].match.clusterResourceGroup: "rg/aks" has "/", ${ONLY('resource group name', 'letters, digits, _, -, ., ( and )')}`,
    ]);
  });

  test("a registry's login server is refused, naming the registry's name to write", () => {
    expect(problemsOf(matching('registry: contosoprod.azurecr.io'))).toEqual([
      '5:17 rules[0].match.registry: "contosoprod.azurecr.io" is a login server, which no registry name is, so it never fits; ' +
        "write the registry's name, not its login server: contosoprod",
    ]);
    expect(problemsOf(matching('registry: [contosodev, "contoso*.azurecr.io"]'))).toEqual([
      '5:30 rules[0].match.registry[1]: "contoso*.azurecr.io" is a login server, which no registry name is, so it never fits; ' +
        "write the registry's name, not its login server: contoso*",
    ]);
  });

  test('a subscription name where an id is meant is refused, saying the field holds ids (not to list its words)', () => {
    expect(
      problemsOf(matching('clusterSubscription: contoso-production', 'subscription: "Contoso Production*"')),
    ).toEqual([
      '5:28 rules[0].match.clusterSubscription: "contoso-production" is not a subscription id: clusterSubscription holds ids, ' +
        "compared with the cluster's subscription id (a GUID such as 1f0c2d3e-…), never a subscription's name, so it never fits; " +
        'write the id, or a pattern on it such as 1f0c2d3e-*',
      '6:21 rules[0].match.subscription: "Contoso Production*" is not a subscription id: subscription holds ids, ' +
        "compared with the registry's subscription id (a GUID such as 1f0c2d3e-…), never a subscription's name, so it never fits; " +
        'write the id, or a pattern on it such as 1f0c2d3e-*',
    ]);
  });

  test('patterns of the characters names hold load, in either case, with * and ?', () => {
    const policy = parsePolicy(
      matching(
        'cluster: [AKS-Prod_*, "aks-??"]',
        'registry: Contoso*',
        'resourceGroup: "rg-(Prod).weu*"',
        'clusterResourceGroup: "grupo-señal*"',
        'subscription: "1F0C2D3E-*"',
        'clusterSubscription: "*"',
        'namespace: Team-*',
      ),
      'p.yaml',
    );
    expect(policy.rules[0].match).toEqual({
      cluster: ['AKS-Prod_*', 'aks-??'],
      registry: ['Contoso*'],
      resourceGroup: ['rg-(Prod).weu*'],
      clusterResourceGroup: ['grupo-señal*'],
      subscription: ['1F0C2D3E-*'],
      clusterSubscription: ['*'],
      namespace: ['Team-*'],
    });
  });
});

describe('policy file: values of the wrong type say what is wrong', () => {
  test('a condition with no value or a number: must be a glob pattern or a list of them', () => {
    expect(problemsOf(matching('cluster:', 'registry: 123', 'namespace: [web, 7]'))).toEqual([
      '5:7 rules[0].match.cluster: must be a glob pattern or a list of them',
      '6:17 rules[0].match.registry: must be a glob pattern or a list of them',
      '7:24 rules[0].match.namespace[1]: must be a glob pattern (text)',
    ]);
  });

  test('an id that is not text: must be text; a missing one: every rule needs an id', () => {
    expect(
      problemsOf(`version: 1
rules:
  - id: 123
    match: { cluster: "a*" }
    approvers: { users: ["${APPROVER}"] }
  - id:
    match: { cluster: "b*" }
    approvers: { users: ["${APPROVER}"] }
  - match: { cluster: "c*" }
    approvers: { users: ["${APPROVER}"] }
`),
    ).toEqual([
      '3:9 rules[0].id: must be text',
      '6:5 rules[1].id: every rule needs an id',
      '9:5 rules[2].id: every rule needs an id',
    ]);
  });
});
