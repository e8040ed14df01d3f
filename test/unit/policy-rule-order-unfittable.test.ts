/**
 * A rule with a name pattern no name could fit is refused at that pattern, and only there: it is
 * not also reported as never reached (the pattern is the first thing to fix, and often why it
 * seems hidden: `aks-[pP]rod*` meant as `aks-prod*`). And the order check reads no such pattern as
 * fitting anything: an earlier rule's other patterns still hide later rules, its refused ones never.
 */
import { problemsOf } from './support/policy-refusals';

const U1 = '0a000000-0000-4000-8000-00000000bbb2';

/** A rule of the policy (3 lines: id, match, approvers): its id and its match. */
const rule = (id: string, match: string) => [
  `  - id: ${id}`,
  `    match: ${match}`,
  `    approvers: { users: ["${U1}"] }`,
];
const policyOf = (...rules: string[][]) => ['version: 1', 'rules:', ...rules.flat(), ''].join('\n');

const ORDER = '(rules are tried in order, the first that fits applies)';

describe('policy file: rule order and patterns that fit no name', () => {
  test('after a catch-all, a rule with such a pattern gets the pattern problem alone', () => {
    const problems = problemsOf(policyOf(rule('default', '{}'), rule('prod', '{ cluster: "aks-[ab]*" }')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^7:23 rules\[1\]\.match\.cluster: "aks-\[ab\]\*" has "\[" and "\]"/);
  });

  test('after a broader rule, the same: a pattern that starts or ends where no cluster name can, or is too long', () => {
    expect(problemsOf(policyOf(rule('aks', '{ cluster: "aks-*" }'), rule('prod', '{ cluster: "aks-prod-" }')))).toEqual(
      [
        '7:23 rules[1].match.cluster: "aks-prod-" ends with "-", and a cluster name ends with a letter or digit, ' +
          'so it never fits; write aks-prod, or aks-prod* if any characters may come after it',
      ],
    );
    const long = `aks-${'x'.repeat(70)}*`;
    const problems = problemsOf(policyOf(rule('aks', '{ cluster: "aks-*" }'), rule('prod', `{ cluster: "${long}" }`)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^7:23 rules\[1\]\.match\.cluster: ".*" fits only text of at least 74 characters/);
  });

  test('the same when only one pattern of the list fits no name', () => {
    expect(
      problemsOf(policyOf(rule('aks', '{ cluster: "aks-*" }'), rule('prod', '{ cluster: [aks-prod*, aks-prod-] }'))),
    ).toEqual([expect.stringMatching(/^7:35 rules\[1\]\.match\.cluster\[1\]: "aks-prod-" ends with "-"/)]);
  });

  test("an earlier rule's other patterns still hide a later rule, which is reported as before", () => {
    expect(
      problemsOf(policyOf(rule('aks', '{ cluster: [aks-*, "aks.*"] }'), rule('prod', '{ cluster: "aks-prod*" }'))),
    ).toEqual([
      expect.stringMatching(/^4:31 rules\[0\]\.match\.cluster\[1\]: "aks\.\*" has "\."/),
      `6:5 rules[1]: rule prod is never reached: rules[0] aks (line 3), before it, fits every request it fits ${ORDER}; ` +
        'put the narrower rule first: move prod above aks',
    ]);
  });

  test("an earlier rule's refused pattern fits nothing: with it left out, the two rules fit the same requests", () => {
    expect(
      problemsOf(policyOf(rule('aks', '{ cluster: [aks-*, "-aks*"] }'), rule('again', '{ cluster: "aks-*" }'))),
    ).toEqual([
      expect.stringMatching(/^4:31 rules\[0\]\.match\.cluster\[1\]: "-aks\*" starts with "-"/),
      `6:5 rules[1]: rule again is never reached: rules[0] aks (line 3), before it, fits exactly the requests it fits ${ORDER}; ` +
        'remove one of the two',
    ]);
  });
});
