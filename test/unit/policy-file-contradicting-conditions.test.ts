/**
 * A rule whose flow, kind and namespace conditions contradict each other fits no request: it
 * would load, never apply, and send the requests it was written for on to a later, perhaps
 * looser, rule. The loader refuses it at its match, saying what each condition leaves; the
 * policy check, which uses the same loader, says the same.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { checkPolicyText } from './support/policy-check-run';
import { problemsOf } from './support/policy-refusals';

const U1 = '0a000000-0000-4000-8000-00000000bbb1';
const U2 = '0a000000-0000-4000-8000-00000000bbb2';

/** A strict rule with `match`, then a looser one the strict one's requests would fall to. */
const policyOf = (match: string) =>
  [
    'version: 1',
    'rules:',
    '  - id: strict',
    `    match: ${match}`,
    `    approvers: { users: ["${U1}", "${U2}"] }`,
    '    approvalsRequired: 2',
    '  - id: loose',
    '    match: { registry: "acr*" }',
    '    autoApprove: { maxDuration: 1h }',
    '',
  ].join('\n');

const TAIL =
  'so this rule never applies and the requests it was written for go on to a later, perhaps looser, rule; ' +
  'remove the condition that does not belong, or write a rule for each';

describe('policy file: flow, kind and namespace conditions that fit no request', () => {
  test.each([
    [
      '{ flow: grant, namespace: "team-*" }',
      'flow grant fits only grants, and namespace fits only pull secrets (a grant has no namespace)',
    ],
    [
      '{ kind: roleAssignment, namespace: "*" }',
      'kind roleAssignment fits only grants, and namespace fits only pull secrets (a grant has no namespace)',
    ],
    [
      '{ flow: secret, kind: roleAssignment }',
      'flow secret fits only pull secrets, and kind roleAssignment fits only grants',
    ],
    ['{ flow: grant, kind: [token, sp] }', 'flow grant fits only grants, and kind [token, sp] fits only pull secrets'],
    ['{ flow: grant, kind: token }', 'flow grant fits only grants, and kind token fits only token pull secrets'],
    [
      '{ cluster: "aks-prod*", flow: "gr*", kind: "r*", namespace: [team-a, team-b] }',
      'flow gr* fits only grants, and kind r* fits only grants, and namespace fits only pull secrets (a grant has no namespace)',
    ],
  ])('%s is refused at the match, saying why', (match, why) => {
    expect(problemsOf(policyOf(match))).toEqual([`4:12 rules[0].match: fits no request: ${why}, ${TAIL}`]);
  });

  test.each([
    '{ flow: secret, namespace: "team-*" }',
    '{ kind: [token, roleAssignment], namespace: "*" }',
    '{ flow: "*", kind: sp, namespace: team-a }',
    '{ flow: [grant, secret], kind: token }',
    '{ flow: grant, kind: "*" }',
  ])('%s fits some request and loads', (match) => {
    expect(parsePolicy(policyOf(match), 'policy.yaml').rules.map((r) => r.id)).toEqual(['strict', 'loose']);
  });

  test('a flow pattern that fits no value is refused at itself alone (the first thing to fix)', () => {
    expect(problemsOf(policyOf('{ flow: [grant, secrets], namespace: "team-*" }'))).toEqual([
      expect.stringMatching(/^4:28 rules\[0\]\.match\.flow\[1\]: "secrets" fits no flow/),
    ]);
  });

  test('npm run policy:check reports it at file:line and exits 2', () => {
    const { code, out, err, file } = checkPolicyText(
      policyOf('{ flow: secret, kind: roleAssignment }'),
      'acrbot-policy-kinds-',
    );
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`${file}:4:12 rules[0].match: fits no request: flow secret fits only pull secrets`);
  });
});
