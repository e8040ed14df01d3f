/**
 * A rule after a broader one is never reached: rules are tried in order and the first that fits
 * applies, so `cluster: aks-prod*` after `cluster: aks-*` never sees a request, and production
 * requests quietly go to the broader rule's approvers. The policy file refuses it at the later
 * rule's line, naming the earlier rule's line; whatever cannot be proven loads.
 */
import { writeFileSync } from 'node:fs';
import { parsePolicy } from '../../src/config/policy-file';
import { runPolicyCheck } from '../../src/policy-check/main';
import { capturedStreams } from '../helpers/captured-streams';
import { problemsOf } from './support/policy-refusals';
import { useTempDir } from './support/temp-dir';

const U1 = '0a000000-0000-4000-8000-00000000bbb2';

/** A rule of the policy (three lines): its id and its match, flow style. */
const rule = (id: string, match: string) => [
  `  - id: ${id}`,
  `    match: ${match}`,
  `    approvers: { users: ["${U1}"] }`,
];
/** Rule k (0-based) starts at line 3 + 3k. */
const policyOf = (...rules: string[][]) => ['version: 1', 'rules:', ...rules.flat(), ''].join('\n');

const ORDER = '(rules are tried in order, the first that fits applies)';
/** The message for rule `id` under the broader `by` ("rules[0] aks") starting at `line`. */
const shadowed = (id: string, by: string, line: number) =>
  `rule ${id} is never reached: ${by} (line ${line}), before it, fits every request it fits ${ORDER}; ` +
  `put the narrower rule first: move ${id} above ${by.split(' ')[1]}`;

/** Ids of the rules of a policy that loads. */
const loads = (text: string) => parsePolicy(text, 'p.yaml').rules.map((r) => r.id);

describe('policy file: a rule after a broader one', () => {
  test('is refused at its line, naming the broader rule and its line; narrower first loads', () => {
    const broad = rule('aks', '{ cluster: "aks-*" }');
    const narrow = [...rule('aks-prod', '{ cluster: "aks-prod*" }'), '    approvalsRequired: 1'];
    expect(problemsOf(policyOf(broad, narrow))).toEqual([`6:5 rules[1]: ${shadowed('aks-prod', 'rules[0] aks', 3)}`]);
    expect(loads(policyOf(narrow, broad))).toEqual(['aks-prod', 'aks']);
  });

  test('the same match twice: the second is never reached, and moving it would hide the first', () => {
    expect(
      problemsOf(
        policyOf(
          rule('a', '{ cluster: "aks-*", registry: acrprod }'),
          rule('b', '{ registry: ACRPROD, cluster: "AKS-*" }'),
        ),
      ),
    ).toEqual([
      `6:5 rules[1]: rule b is never reached: rules[0] a (line 3), before it, fits exactly the requests it fits ${ORDER}; remove one of the two`,
    ]);
  });

  test('more conditions make a later rule narrower; an earlier rule with a condition the later lacks hides nothing', () => {
    const text = policyOf(
      rule('aks', '{ cluster: "aks-*" }'),
      rule('prod-tagged', '{ cluster: "aks-prod*", clusterTags: { env: prod }, registry: "acr*", namespace: "pay*" }'),
      rule('pair', '{ cluster: "gke-*", registry: "acr*" }'),
      rule('gke', '{ cluster: "gke-prod*" }'),
      rule('rest', '{}'),
    );
    expect(problemsOf(text)).toEqual([`6:5 rules[1]: ${shadowed('prod-tagged', 'rules[0] aks', 3)}`]);
  });

  test('names compare as the matcher does: case folded, ? one character, lists as their union', () => {
    expect(problemsOf(policyOf(rule('a', '{ cluster: "AKS-*" }'), rule('b', '{ cluster: aks-prod }')))).toEqual([
      `6:5 rules[1]: ${shadowed('b', 'rules[0] a', 3)}`,
    ]);
    expect(problemsOf(policyOf(rule('a', '{ cluster: "aks-*" }'), rule('b', '{ cluster: "aks-???" }')))).toEqual([
      `6:5 rules[1]: ${shadowed('b', 'rules[0] a', 3)}`,
    ]);
    expect(
      problemsOf(
        policyOf(rule('a', '{ cluster: ["aks-*", "gke-*"] }'), rule('b', '{ cluster: [aks-prod, gke-prod] }')),
      ),
    ).toEqual([`6:5 rules[1]: ${shadowed('b', 'rules[0] a', 3)}`]);
    // Not inside: "aks-" itself, another prefix, a list with a name outside, `*x*` against `*`.
    expect(loads(policyOf(rule('a', '{ cluster: "aks-?*" }'), rule('b', '{ cluster: "aks-*" }')))).toEqual(['a', 'b']);
    expect(loads(policyOf(rule('a', '{ cluster: "aks-*" }'), rule('b', '{ cluster: "gke-*" }')))).toEqual(['a', 'b']);
    expect(loads(policyOf(rule('a', '{ cluster: "aks-*" }'), rule('b', '{ cluster: [aks-1, eks-1] }')))).toEqual([
      'a',
      'b',
    ]);
    expect(loads(policyOf(rule('a', '{ cluster: "*x*" }'), rule('b', '{ cluster: "*" , registry: acrprod }')))).toEqual(
      ['a', 'b'],
    );
  });

  test('tags: an earlier rule hides a later one asking for its tags with the same values (names in any case)', () => {
    expect(
      problemsOf(
        policyOf(
          rule('prod', '{ clusterTags: { env: prod } }'),
          rule('pay', '{ clusterTags: { ENV: prod, team: pay }, cluster: "aks-*" }'),
        ),
      ),
    ).toEqual([`6:5 rules[1]: ${shadowed('pay', 'rules[0] prod', 3)}`]);
    // Values are exact; cluster and registry tags are different things; a tag the later rule lacks.
    for (const later of ['{ clusterTags: { env: Prod } }', '{ registryTags: { env: prod } }', '{ cluster: "aks-*" }'])
      expect(loads(policyOf(rule('prod', '{ clusterTags: { env: prod } }'), rule('later', later)))).toEqual([
        'prod',
        'later',
      ]);
  });

  test('flow, kind and namespace: hidden only when every kind of request the later rule fits is the earlier one’s', () => {
    const earlier = (match: string) => rule('first', match);
    const hides = (first: string, later: string) =>
      problemsOf(policyOf(earlier(first), rule('later', later))).length === 1;
    const accepts = (first: string, later: string) =>
      expect(loads(policyOf(earlier(first), rule('later', later)))).toEqual(['first', 'later']);
    // A secret rule does not hide grants, a grant rule not pull secrets, a namespace rule not grants.
    accepts('{ cluster: "aks-*", flow: secret }', '{ cluster: "aks-prod*" }');
    accepts('{ cluster: "aks-*", kind: roleAssignment }', '{ cluster: "aks-prod*", flow: "*" }');
    accepts('{ cluster: "aks-*", namespace: "*" }', '{ cluster: "aks-prod*" }');
    accepts('{ cluster: "aks-*", namespace: "pay*" }', '{ cluster: "aks-prod*", flow: secret }');
    accepts('{ cluster: "aks-*", kind: token }', '{ cluster: "aks-prod*", flow: secret }');
    expect(hides('{ cluster: "aks-*", flow: secret }', '{ cluster: "aks-prod*", kind: token }')).toBe(true);
    expect(hides('{ cluster: "aks-*", namespace: "*" }', '{ cluster: "aks-prod*", flow: secret }')).toBe(true);
    expect(hides('{ cluster: "aks-*", namespace: "pay*" }', '{ cluster: "aks-prod*", namespace: payments }')).toBe(
      true,
    );
    expect(hides('{ cluster: "aks-*", kind: [token, sp] }', '{ cluster: "aks-prod*", namespace: x }')).toBe(true);
  });

  test('each rule is reported once: a catch-all before it is named first, else the first broader rule', () => {
    const text = policyOf(
      rule('aks', '{ cluster: "aks-*" }'),
      rule('grants', '{ flow: grant }'),
      rule('prod-grants', '{ cluster: "aks-prod*", flow: grant }'),
      rule('aks-again', '{ cluster: "aks-*", registry: "acr*" }'),
      rule('prod', '{ cluster: "aks-prod*", registry: "acr*" }'),
    );
    expect(problemsOf(text)).toEqual([
      `9:5 rules[2]: rule prod-grants is never reached: rules[1] grants (line 6), before it, fits every grant ${ORDER}; move grants last`,
      `12:5 rules[3]: ${shadowed('aks-again', 'rules[0] aks', 3)}`,
      `15:5 rules[4]: ${shadowed('prod', 'rules[0] aks', 3)}`,
    ]);
  });

  test('a condition that cannot be compared hides nothing (its own problem is reported, not a guess)', () => {
    expect(
      problemsOf(policyOf(rule('a', '{ cluster: "aks-*", nodePool: gpu }'), rule('b', '{ cluster: "aks-prod*" }'))),
    ).toEqual(['4:32 rules[0].match.nodePool: unknown field (check the spelling)']);
    expect(
      problemsOf(
        policyOf(
          rule('a', '{ cluster: "aks-*", clusterTags: { n: 1 } }'),
          rule('b', '{ cluster: "aks-prod*", clusterTags: { n: 1 } }'),
        ),
      ).every((p) => !p.includes('never reached')),
    ).toBe(true);
  });
});

describe('npm run policy:check', () => {
  const tmp = useTempDir('acrbot-policy-shadow-');

  test('reports a rule after a broader one at its line, exit 2', () => {
    const file = tmp.path('policy.yaml');
    writeFileSync(file, policyOf(rule('aks', '{ cluster: "aks-*" }'), rule('aks-prod', '{ cluster: "aks-prod*" }')));
    const io = capturedStreams();
    expect(runPolicyCheck([file], {}, io.streams)).toBe(2);
    expect(io.printed().stderr).toContain(`${file}:6:5 rules[1]: ${shadowed('aks-prod', 'rules[0] aks', 3)}`);
  });
});
