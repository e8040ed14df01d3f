/**
 * Name patterns that fit only text longer than their name can be, or (without `*`) shorter, are
 * refused at their line: loaded, such a condition never fits and the rule's requests go on to a
 * later, perhaps looser, rule. Lengths are Azure's (names.ts NAME_LENGTH); a pattern is refused
 * only when no name could fit it.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { matching } from './support/policy-matching';
import { problemsOf } from './support/policy-refusals';

const SUB = '1f0c2d3e-0000-4000-8000-000000000001';

const loads = (...lines: string[]) => expect(parsePolicy(matching(...lines), 'p.yaml').rules).toHaveLength(1);

describe('policy file: name patterns of a length their name never has', () => {
  test('longer than the longest name, wildcards or not', () => {
    const cluster = `aks-${'x'.repeat(60)}`; // 64
    expect(problemsOf(matching(`cluster: "${cluster}*"`))).toEqual([
      `5:16 rules[0].match.cluster: "${cluster.slice(0, 60)}…" fits only text of at least 64 characters, and a cluster name has at most 63 characters, so it never fits`,
    ]);
    expect(problemsOf(matching(`registry: "acr${'?'.repeat(48)}"`))).toEqual([
      `5:17 rules[0].match.registry: "acr${'?'.repeat(48)}" fits only text of at least 51 characters, and a registry name has 5 to 50 characters, so it never fits`,
    ]);
    expect(problemsOf(matching(`namespace: [pay, "${'n'.repeat(64)}"]`))).toEqual([
      `5:24 rules[0].match.namespace[1]: "${'n'.repeat(60)}…" fits only text of at least 64 characters, and a namespace name has at most 63 characters, so it never fits`,
    ]);
    expect(problemsOf(matching(`clusterSubscription: "${SUB}-*"`))).toEqual([
      `5:28 rules[0].match.clusterSubscription: "${SUB}-*" fits only text of at least 37 characters, and a cluster's subscription id has exactly 36 characters, so it never fits`,
    ]);
    expect(problemsOf(matching(`resourceGroup: "${'r'.repeat(91)}"`))[0]).toContain(
      'fits only text of at least 91 characters, and a resource group name has at most 90 characters',
    );
  });

  test('without *, shorter than the shortest name: the whole name, or a * after it', () => {
    expect(problemsOf(matching('registry: acr'))).toEqual([
      '5:17 rules[0].match.registry: "acr" has no * and fits only text of 3 characters, and a registry name has 5 to 50 characters, ' +
        'so it never fits; write the whole name, or acr* for the names that start with it',
    ]);
    expect(problemsOf(matching('subscription: 1f0c2d3e'))).toEqual([
      `5:21 rules[0].match.subscription: "1f0c2d3e" has no * and fits only text of 8 characters, and a registry's subscription id has exactly 36 characters, ` +
        'so it never fits; write the whole id, or 1f0c2d3e* for the ids that start with it',
    ]);
  });

  test('patterns some name fits load: at the limits, with *, and ? as half a letter where names hold more than ASCII', () => {
    loads(`cluster: "${'c'.repeat(63)}"`, `registry: "${'r'.repeat(50)}"`, `subscription: "${SUB}"`, 'namespace: "*"');
    loads(
      'registry: "acr*"',
      'cluster: "a"',
      'subscription: "1f0c2d3e-*"',
      'clusterSubscription: "*"',
      'resourceGroup: "*"',
    );
    loads('registry: "?????"', `resourceGroup: "${'r'.repeat(90)}"`, `clusterResourceGroup: "${'?'.repeat(180)}"`);
    expect(problemsOf(matching(`clusterResourceGroup: "${'?'.repeat(181)}"`))[0]).toContain(
      'fits only text of at least 91 characters',
    );
    expect(problemsOf(matching(`clusterResourceGroup: "${'é'.repeat(91)}"`))[0]).toContain(
      'fits only text of at least 91 characters',
    );
  });

  test('a pattern with a character its name never has is reported for that, once', () => {
    const problems = problemsOf(matching('registry: "a_b"'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"a_b" has "_"');
  });
});
