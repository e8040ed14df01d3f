/**
 * Policy files that loaded but meant something other than they read: a tag condition that
 * vanished (so the rule fit everything), durations without a unit read as seconds, and an
 * approvers' name that could carry line breaks and invisible characters onto every card.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { factsFor, selectRule } from '../../src/domain/policy';
import { problemsOf } from './support/policy-refusals';

const U1 = '0a000000-0000-4000-8000-00000000bbb2';

describe('policy file: a tag condition never vanishes', () => {
  const prod = { name: 'contosoacr', resourceGroup: 'rg', subscriptionId: 'sub', tags: { env: 'prod' } };

  test('a tag named __proto__ is refused, not dropped (the rule would fit every registry)', () => {
    const text = [
      'version: 1',
      'rules:',
      '  - id: dev-auto',
      '    match: { registryTags: { __proto__: dev } }',
      '    autoApprove: { maxDuration: 1h }',
      '  - id: default',
      `    approvers: { users: ["${U1}"] }`,
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      '4:41 rules[0].match.registryTags.__proto__: acrbot cannot match a tag named __proto__; use another tag',
    ]);
  });

  test('other tag names that are names of object members are kept as conditions', () => {
    const text = [
      'version: 1',
      'rules:',
      '  - id: dev-auto',
      '    match: { registryTags: { constructor: dev, toString: dev } }',
      '    autoApprove: { maxDuration: 1h }',
      '  - id: default',
      `    approvers: { users: ["${U1}"] }`,
      '',
    ].join('\n');
    const policy = parsePolicy(text, 'policy.yaml');
    expect(policy.rules[0].match.registryTags).toEqual({ constructor: 'dev', toString: 'dev' });
    expect(selectRule(policy, factsFor(prod, prod))?.id).toBe('default');
  });
});

describe('policy file: durations need a unit', () => {
  const withRule = (...lines: string[]) =>
    ['version: 1', 'rules:', '  - id: prod', `    approvers: { users: ["${U1}"] }`, ...lines, ''].join('\n');

  test.each([
    ['maxDuration: 8', '5:18 rules[0].maxDuration'],
    ['maxDuration: "30"', '5:18 rules[0].maxDuration'],
    ['remindAfter: 30', '5:18 rules[0].remindAfter'],
  ])('%s is refused with the fix, not read as seconds', (line, where) => {
    const value = /\d+/.exec(line)![0];
    expect(problemsOf(withRule(`    ${line}`))).toEqual([
      `${where}: ${value} has no unit; write it with one, e.g. ${value}m, ${value}h or ${value}d (${value}s for seconds)`,
    ]);
  });

  test('a bare number is not read as seconds by the checks across fields either', () => {
    // Read as 2 s and 1 h, "escalateAfter must be later than remindAfter" would not be said; read as
    // 7200 s and 1 h it would be, about a value the engineer never meant as seconds.
    const problems = problemsOf(
      withRule('    remindAfter: 7200', '    escalateAfter: 1h', '    escalateTo: { channel: "19:x@thread.tacv2" }'),
    );
    expect(problems).toEqual([
      '5:18 rules[0].remindAfter: 7200 has no unit; write it with one, e.g. 7200m, 7200h or 7200d (7200s for seconds)',
    ]);
  });

  test('durations with a unit, seconds included, still load', () => {
    const policy = parsePolicy(withRule('    maxDuration: 8h', '    remindAfter: 90s'), 'policy.yaml');
    expect(policy.rules[0]).toMatchObject({ maxDurationMs: 8 * 3_600_000, remindAfterMs: 90_000 });
  });
});

describe('policy file: the approvers name is one line of visible text', () => {
  const named = (name: string) =>
    ['version: 1', 'rules:', '  - id: prod', `    approvers: { users: ["${U1}"], name: ${name} }`, ''].join('\n');

  test('line breaks and invisible characters are taken out', () => {
    const policy = parsePolicy(named('"Platform\\n\\nApprovers\\u202E"'), 'policy.yaml');
    expect(policy.rules[0].approvers.name).toBe('Platform Approvers');
  });

  test('a name that shows nothing is refused', () => {
    expect(problemsOf(named('"  \\u200B "'))).toEqual([
      '4:73 rules[0].approvers.name: must name the approvers in visible text',
    ]);
  });
});

describe('policy file: the escalation audience name is one line of visible text', () => {
  const named = (name: string) =>
    [
      'version: 1',
      'rules:',
      '  - id: prod',
      `    approvers: { users: ["${U1}"] }`,
      '    remindAfter: 1h',
      '    escalateAfter: 4h',
      `    escalateTo: { groups: ["${U1}"], name: ${name} }`,
      '',
    ].join('\n');

  test('is kept, with line breaks and invisible characters taken out', () => {
    const policy = parsePolicy(named('"Payments\\non-call\\u202E"'), 'policy.yaml');
    expect(policy.rules[0].escalateTo).toEqual({ groups: [U1], name: 'Payments on-call' });
  });

  test('a name that shows nothing, or runs past 80 characters, is refused', () => {
    expect(problemsOf(named('"\\u200B"'))).toEqual([
      '7:75 rules[0].escalateTo.name: must name who is escalated to in visible text',
    ]);
    expect(problemsOf(named('x'.repeat(81)))).toEqual(['7:75 rules[0].escalateTo.name: is longer than 80 characters']);
  });
});

describe('policy file: a name pattern no name could have', () => {
  const matching = (match: string) =>
    ['version: 1', 'rules:', '  - id: prod', `    match: ${match}`, `    approvers: { users: ["${U1}"] }`, ''].join(
      '\n',
    );

  test('a list written as one string is refused with the list to write', () => {
    expect(problemsOf(matching('{ cluster: "aks-prod, aks-staging" }'))).toEqual([
      '4:23 rules[0].match.cluster: "aks-prod, aks-staging" has a comma, which no cluster name has, so it never fits; ' +
        'list the patterns instead: cluster: [aks-prod, aks-staging]',
    ]);
  });

  test('a space, in a list entry, is refused too', () => {
    expect(problemsOf(matching('{ namespace: [web, "payments "] }'))).toEqual([
      '4:31 rules[0].match.namespace[1]: "payments " has a space at its start or end, which no namespace name has, ' +
        'so it never fits; write payments',
    ]);
  });

  test('tag values may hold spaces and commas (they are text)', () => {
    const policy = parsePolicy(matching('{ cluster: aks-*, clusterTags: { owner: "Team A, Platform" } }'), 'p.yaml');
    expect(policy.rules[0].match).toEqual({ cluster: ['aks-*'], clusterTags: { owner: 'Team A, Platform' } });
  });
});
