/**
 * A policy's terms against the deployment's access limits (ACRBOT_MIN/MAX_ACCESS_DURATION), and
 * durations no date can be moved by: both are load errors naming the rule, the value and the
 * setting, at start (acrbot does not start) and on reload (the previous policy stays), with the
 * limits in force passed on by the composition root.
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config/config';
import { parsePolicy, type PolicyLimits } from '../../src/config/policy-file';
import { createFlows } from '../../src/composition/flows';
import { refusalOf } from './support/policy-refusals';
import { useTempDir } from './support/temp-dir';

const U1 = '0a000000-0000-4000-8000-00000000bbb2';
const G1 = '0b000000-0000-4000-8000-0000000000a9';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The defaults: ACRBOT_MIN_ACCESS_DURATION 1h, ACRBOT_MAX_ACCESS_DURATION 90d. */
const DEFAULTS: PolicyLimits = { minAccessMs: HOUR, maxAccessMs: 90 * DAY };

/** One rule `r` with an approver, and `fields` (YAML lines, indented as rule fields). */
const oneRule = (...fields: string[]) =>
  ['version: 1', 'rules:', '  - id: r', `    approvers: { users: ["${U1}"] }`, ...fields.map((f) => `    ${f}`)].join(
    '\n',
  ) + '\n';

/** One rule and a break-glass section of this maxDuration. */
const withBreakGlass = (maxDuration: string) =>
  oneRule() + `breakGlass: { groups: ["${G1}"], maxDuration: ${maxDuration} }\n`;

/** The problems of a policy that must be refused, as "path: message". */
function problemsOf(text: string, limits?: PolicyLimits): string[] {
  return refusalOf(text, limits).map((p) => `${p.path}: ${p.message}`);
}

describe('a term below ACRBOT_MIN_ACCESS_DURATION', () => {
  test('a rule maxDuration: refused, naming the rule, its maxDuration and the minimum', () => {
    expect(problemsOf(oneRule('maxDuration: 30m'), DEFAULTS)).toEqual([
      'rules[0].maxDuration: rule r: maxDuration 30m is shorter than ACRBOT_MIN_ACCESS_DURATION (1h): ' +
        'every --for would be refused under this rule, and a request without one would get less than the minimum; ' +
        'make it at least 1h',
    ]);
    // The minimum itself is a term anyone may ask for.
    expect(parsePolicy(oneRule('maxDuration: 60m'), 'policy.yaml', DEFAULTS).rules[0].maxDurationMs).toBe(HOUR);
  });

  test('an autoApprove cap and breakGlass.maxDuration: refused too (every term they grant would be cut below it)', () => {
    const auto = ['version: 1', 'rules:', '  - id: dev', '    autoApprove: { maxDuration: 45m }'].join('\n');
    expect(problemsOf(auto, DEFAULTS)).toEqual([
      'rules[0].autoApprove.maxDuration: rule dev: autoApprove.maxDuration 45m is shorter than ' +
        'ACRBOT_MIN_ACCESS_DURATION (1h): every auto-approved request would be cut below the minimum; make it at least 1h',
    ]);
    expect(problemsOf(withBreakGlass('30m'), DEFAULTS)).toEqual([
      'breakGlass.maxDuration: maxDuration 30m is shorter than ACRBOT_MIN_ACCESS_DURATION (1h): ' +
        'every break-glass grant would be cut below the minimum; make it at least 1h',
    ]);
  });

  test('without the configured limits (a policy read on its own), the shortest minimum there can be: 1m', () => {
    expect(problemsOf(oneRule('maxDuration: 30s'))).toEqual([
      expect.stringContaining('maxDuration 30s is shorter than the shortest ACRBOT_MIN_ACCESS_DURATION (1m)'),
    ]);
    expect(parsePolicy(oneRule('maxDuration: 30m'), 'policy.yaml').rules[0].maxDurationMs).toBe(30 * 60_000);
  });
});

describe('a term above ACRBOT_MAX_ACCESS_DURATION', () => {
  test('a rule maxDuration: refused (no --for reaches it) rather than stated on the policy card and never granted', () => {
    expect(problemsOf(oneRule('maxDuration: 180d'), DEFAULTS)).toEqual([
      'rules[0].maxDuration: rule r: maxDuration 180d is longer than ACRBOT_MAX_ACCESS_DURATION (90d): ' +
        'no --for may ask for that long, so the rule would state (on its policy card) longer access than anyone gets; ' +
        'make it at most 90d',
    ]);
    expect(parsePolicy(oneRule('maxDuration: 90d'), 'policy.yaml', DEFAULTS).rules[0].maxDurationMs).toBe(90 * DAY);
  });

  test('an autoApprove cap and breakGlass.maxDuration: refused (a permanent request would be granted all of it)', () => {
    const auto = ['version: 1', 'rules:', '  - id: dev', '    autoApprove: { maxDuration: 120d }'].join('\n');
    const past =
      'no --for may ask for that long, yet a permanent request (ACRBOT_ALLOW_PERMANENT) would be granted all of it; make it at most 90d';
    expect(problemsOf(auto, DEFAULTS)).toEqual([
      `rules[0].autoApprove.maxDuration: rule dev: autoApprove.maxDuration 120d is longer than ACRBOT_MAX_ACCESS_DURATION (90d): ${past}`,
    ]);
    expect(problemsOf(withBreakGlass('1y'), DEFAULTS)).toEqual([
      `breakGlass.maxDuration: maxDuration 1y is longer than ACRBOT_MAX_ACCESS_DURATION (90d): ${past}`,
    ]);
  });

  test('an autoApprove cap above both maxDuration and the maximum is said once, as longer than maxDuration', () => {
    const text = oneRule('maxDuration: 100d', 'autoApprove: { maxDuration: 200d }').replace(/ {4}approvers: .*\n/, '');
    expect(problemsOf(text, DEFAULTS)).toEqual([
      expect.stringMatching(
        /^rules\[0\]\.maxDuration: rule r: maxDuration 100d is longer than ACRBOT_MAX_ACCESS_DURATION/,
      ),
      'rules[0].autoApprove.maxDuration: must not be longer than the rule maxDuration',
    ]);
  });

  test('without the configured limits, the longest maximum there can be: 1y', () => {
    expect(problemsOf(oneRule('maxDuration: 2y'))).toEqual([
      expect.stringContaining('maxDuration 2y is longer than the longest ACRBOT_MAX_ACCESS_DURATION (1y)'),
    ]);
  });
});

describe('durations no date can be moved by', () => {
  const absurd = '99999999999999999999d';
  const huge = `${'9'.repeat(400)}d`; // Infinity once in ms

  test.each([
    ['maxDuration', oneRule(`maxDuration: ${absurd}`)],
    ['remindAfter', oneRule(`remindAfter: ${absurd}`)],
    ['escalateAfter', oneRule('remindAfter: 1h', `escalateAfter: ${absurd}`, `escalateTo: { groups: ["${G1}"] }`)],
  ])('%s: one load error, "longer than 10 years", whatever the limits', (field, text) => {
    const problem = `rules[0].${field}: ${absurd} is longer than 10 years, which no term, reminder or escalation can be; use e.g. 30m, 8h or 7d`;
    expect(problemsOf(text, DEFAULTS)).toEqual([problem]);
    expect(problemsOf(text)).toEqual([problem]);
  });

  test('autoApprove and breakGlass caps, and a value past Number: the same, the value cut short', () => {
    const auto = ['version: 1', 'rules:', '  - id: dev', `    autoApprove: { maxDuration: ${huge} }`].join('\n');
    expect(problemsOf(auto, DEFAULTS)).toEqual([
      `rules[0].autoApprove.maxDuration: ${'9'.repeat(40)}… is longer than 10 years, which no term, reminder or escalation can be; use e.g. 30m, 8h or 7d`,
    ]);
    expect(problemsOf(withBreakGlass(absurd))).toEqual([
      `breakGlass.maxDuration: ${absurd} is longer than 10 years, which no term, reminder or escalation can be; use e.g. 30m, 8h or 7d`,
    ]);
  });
});

describe('at start and on reload, with the limits in force', () => {
  const dir = useTempDir('acrbot-policy-limits-');

  test('at start: held to the configured ACRBOT_MIN/MAX_ACCESS_DURATION; acrbot does not start', () => {
    const file = dir.path('start.yaml');
    writeFileSync(file, oneRule('maxDuration: 2h'));
    expect(loadConfig({ ACRBOT_POLICY: file }).policy.rules[0].maxDurationMs).toBe(2 * HOUR);
    expect(() => loadConfig({ ACRBOT_POLICY: file, ACRBOT_MIN_ACCESS_DURATION: '4h' })).toThrow(
      `${file}:5:18 rules[0].maxDuration: rule r: maxDuration 2h is shorter than ACRBOT_MIN_ACCESS_DURATION (4h)`,
    );
    writeFileSync(file, oneRule('maxDuration: 60d'));
    expect(() => loadConfig({ ACRBOT_POLICY: file, ACRBOT_MAX_ACCESS_DURATION: '30d' })).toThrow(
      `${file}:5:18 rules[0].maxDuration: rule r: maxDuration 60d is longer than ACRBOT_MAX_ACCESS_DURATION (30d)`,
    );
  });

  test('at start, limits that contradict each other are the only problem: the policy is not blamed for them', () => {
    const file = dir.path('contradiction.yaml');
    writeFileSync(file, oneRule('maxDuration: 90m'));
    let error: unknown;
    try {
      loadConfig({ ACRBOT_POLICY: file, ACRBOT_MIN_ACCESS_DURATION: '2h', ACRBOT_MAX_ACCESS_DURATION: '1h' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'ACRBOT_MIN_ACCESS_DURATION is longer than ACRBOT_MAX_ACCESS_DURATION',
    ]);
  });

  test('on reload (the source the composition root builds): refused with the limits in force; the previous policy stays', async () => {
    const file = dir.path('reload.yaml');
    writeFileSync(file, oneRule('maxDuration: 8h'));
    const config = loadConfig({ ACRBOT_POLICY: file, ACRBOT_MIN_ACCESS_DURATION: '4h' });
    const log = { error: () => undefined, info: () => undefined, warn: () => undefined, debug: () => undefined };
    // Only the policy source is used: the other flows are built around ports this test never calls.
    const deps = {
      stores: {},
      azure: { secrets: {} },
      notifier: {},
      scheduler: {},
      clock: { now: () => new Date() },
      log,
    };
    const { policies } = createFlows(config, deps as unknown as Parameters<typeof createFlows>[1], {});
    const good = policies.current().hash;
    writeFileSync(file, oneRule('maxDuration: 2h'));
    const reload = await policies.reload();
    expect(reload.ok).toBe(false);
    expect(!reload.ok && reload.error.message).toContain(
      'rules[0].maxDuration: rule r: maxDuration 2h is shorter than ACRBOT_MIN_ACCESS_DURATION (4h)',
    );
    expect(policies.current().hash).toBe(good);
    writeFileSync(file, oneRule('maxDuration: 91d'));
    const longer = await policies.reload();
    expect(!longer.ok && longer.error.message).toContain(
      'maxDuration 91d is longer than ACRBOT_MAX_ACCESS_DURATION (90d)',
    );
    expect(policies.current().rules[0].maxDurationMs).toBe(8 * HOUR);
  });
});
