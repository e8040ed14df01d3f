/**
 * An auto-approving rule chosen by cluster facts alone (name, tags, resource group, subscription,
 * namespace, flow, kind) lets whoever can tag a cluster `env=dev` pull from every registry with no
 * human asked. The file still loads (an organisation may mean it), with a warning naming the rule
 * and its line: logged once at start and at each reload that takes a new file, and printed by
 * `npm run policy:check`, whose exit code stays 0.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPolicy, parsePolicy } from '../../src/config/policy-file';
import { PolicySource } from '../../src/config/policy-source';
import type { PolicyWarning } from '../../src/config/policy-warnings';
import { runPolicyCheck } from '../../src/policy-check/main';
import { capturedStreams } from '../helpers/captured-streams';
import { useTempDir } from './support/temp-dir';

const ROOT = resolve(__dirname, '..', '..');
const U1 = '0a000000-0000-4000-8000-00000000bbb2';
const GUID = '22222222-2222-2222-2222-222222222222';
const tmp = useTempDir('acrbot-policy-auto-approve-');

/** A policy of one rule `id` (lines 3–6; its match on line 4) with `match`, auto-approving unless told. */
const policyOf = (match: string, { id = 'dev-auto', auto = true } = {}) =>
  [
    'version: 1',
    'rules:',
    `  - id: ${id}`,
    `    match: ${match}`,
    `    approvers: { users: ["${U1}"] }`,
    auto ? '    autoApprove: { maxDuration: 7d }' : '    maxDuration: 7d',
    '',
  ].join('\n');

/** What `rule` is told, with `star` the note on `*` conditions ("" when there are none). */
const warned = (rule: string, star = '') =>
  `rule ${rule} auto-approves on cluster facts alone${star}: anyone who can set a cluster's name or tags ` +
  'gets pull from every registry without an approver; add a registry, resourceGroup, subscription or registryTags condition';

/** The warnings of a policy that loads, as `line:col path: message`. */
const warningsOf = (text: string) =>
  loadPolicy(text, 'p.yaml').warnings.map((w) => `${w.line}:${w.col} ${w.path}: ${w.message}`);

describe('policy file: an auto-approving rule on cluster facts alone', () => {
  test('loads, with a warning naming the rule and the line of its match', () => {
    const text = policyOf('{ clusterTags: { env: dev } }');
    expect(parsePolicy(text, 'p.yaml').rules.map((r) => r.id)).toEqual(['dev-auto']);
    expect(warningsOf(text)).toEqual([`4:12 rules[0].match: ${warned('dev-auto')}`]);
    expect(loadPolicy(text, 'p.yaml').warnings[0]).toMatchObject({ ruleId: 'dev-auto', line: 4 });
  });

  test.each([
    ['cluster name', '{ cluster: "aks-dev-*" }'],
    ['cluster resource group and subscription', `{ clusterResourceGroup: rg-dev, clusterSubscription: "${GUID}" }`],
    ['namespace, flow and kind', '{ namespace: team-a, flow: secret, kind: token }'],
    ['nothing at all', '{}'],
  ])('every cluster-side condition counts as the cluster owner’s: %s', (_what, match) => {
    expect(warningsOf(policyOf(match))).toEqual([`4:12 rules[0].match: ${warned('dev-auto')}`]);
  });

  test('a rule without a match is warned about at the rule', () => {
    const text = ['version: 1', 'rules:', '  - id: all-auto', '    autoApprove: { maxDuration: 1h }', ''].join('\n');
    expect(warningsOf(text)).toEqual([`3:5 rules[0].match: ${warned('all-auto')}`]);
  });

  test('registry-side conditions that are all "*" are none, and the warning says so', () => {
    expect(warningsOf(policyOf('{ clusterTags: { env: dev }, registry: "*" }'))).toEqual([
      `4:12 rules[0].match: ${warned('dev-auto', ' (its registry condition is "*", which fits every registry)')}`,
    ]);
    expect(
      warningsOf(policyOf('{ clusterTags: { env: dev }, registry: ["acrdev*", "**"], subscription: "*" }')),
    ).toEqual([
      `4:12 rules[0].match: ${warned('dev-auto', ' (its registry and subscription conditions are "*", which fits every registry)')}`,
    ]);
    expect(warningsOf(policyOf('{ clusterTags: { env: dev }, registryTags: {} }'))).toEqual([
      `4:12 rules[0].match: ${warned('dev-auto')}`,
    ]);
  });

  test.each([
    ['registry', '{ clusterTags: { env: dev }, registry: "acrdev*" }'],
    ['resourceGroup', '{ clusterTags: { env: dev }, resourceGroup: rg-dev }'],
    ['subscription', `{ clusterTags: { env: dev }, subscription: "${GUID}" }`],
    ['registryTags', '{ clusterTags: { env: dev }, registryTags: { env: dev } }'],
    ['one real condition beside a "*"', '{ clusterTags: { env: dev }, registry: "*", resourceGroup: rg-dev }'],
  ])('no warning with a registry-side condition: %s', (_what, match) => {
    expect(warningsOf(policyOf(match))).toEqual([]);
  });

  test('no warning for a rule people approve, whatever it matches', () => {
    expect(warningsOf(policyOf('{ clusterTags: { env: dev } }', { auto: false }))).toEqual([]);
    expect(warningsOf(policyOf('{}', { id: 'default', auto: false }))).toEqual([]);
  });

  test("the example policy's dev-auto matches the registry side: no warning", () => {
    const text = readFileSync(join(ROOT, 'docs', 'policy.example.yaml'), 'utf8');
    expect(loadPolicy(text, 'policy.example.yaml').warnings).toEqual([]);
  });
});

describe('the warning at start and on reload', () => {
  test('told once at start, not again for the same file, and for each new file a reload takes', async () => {
    const file = tmp.path('policy.yaml');
    const clusterOnly = policyOf('{ clusterTags: { env: dev } }');
    writeFileSync(file, clusterOnly);
    const told: string[] = [];
    const warn = (w: PolicyWarning, from: string) => told.push(`${from}:${w.line} ${w.ruleId}`);
    const source = new PolicySource(loadPolicy(clusterOnly, file), file, undefined, {
      sleep: () => Promise.resolve(),
      warn,
    });
    expect(told).toEqual([`${file}:4 dev-auto`]);
    // The same file again (a watcher event, a SIGHUP): nothing new to say.
    expect(await source.reload()).toMatchObject({ ok: true, changed: false });
    expect(told).toHaveLength(1);
    // A new file: its own warnings, once.
    writeFileSync(file, `# edited\n${policyOf('{ cluster: "aks-dev-*" }', { id: 'aks-dev' })}`);
    expect(await source.reload()).toMatchObject({ ok: true, changed: true });
    expect(told).toEqual([`${file}:4 dev-auto`, `${file}:5 aks-dev`]);
    // Fixed: loads quietly.
    writeFileSync(file, policyOf('{ clusterTags: { env: dev }, registryTags: { env: dev } }'));
    expect(await source.reload()).toMatchObject({ ok: true, changed: true });
    expect(told).toHaveLength(2);
  });
});

describe('npm run policy:check', () => {
  const check = (env: Record<string, string | undefined>, ...args: string[]) => {
    const io = capturedStreams();
    const code = runPolicyCheck(args, env, io.streams);
    return { code, ...io.printed() };
  };

  test('prints the warning at file:line:col on stderr, and still exits 0', () => {
    const file = tmp.path('policy.yaml');
    writeFileSync(file, policyOf('{ clusterTags: { env: dev } }'));
    const r = check({}, file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: loads (1 rule;`);
    expect(r.stderr).toBe(
      `policy-check: warning: the approval policy ${file} loads, with 1 warning (acrbot logs it at start and on reload):\n` +
        `  ${file}:4:12 rules[0].match: ${warned('dev-auto')}\n`,
    );
  });

  test('with --env too; a file with a registry-side condition prints none', () => {
    const env = {
      MicrosoftAppId: GUID,
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: GUID,
      AZURE_SUBSCRIPTION_ID: GUID,
      ACRBOT_STORAGE: 'sqlite:/var/lib/acrbot/acrbot.db',
    };
    const file = tmp.path('policy.yaml');
    writeFileSync(file, policyOf('{ clusterTags: { env: dev } }'));
    const warnedRun = check(env, '--env', file);
    expect(warnedRun.code).toBe(0);
    expect(warnedRun.stdout).toContain("The environment's settings are usable.");
    expect(warnedRun.stderr).toContain(`  ${file}:4:12 rules[0].match: ${warned('dev-auto')}\n`);
    const fixed = tmp.path('policy.yaml');
    writeFileSync(fixed, policyOf('{ clusterTags: { env: dev }, registryTags: { env: dev } }'));
    expect(check({}, fixed)).toMatchObject({ code: 0, stderr: '' });
    expect(check(env, '--env', fixed)).toMatchObject({ code: 0, stderr: '' });
  });
});
