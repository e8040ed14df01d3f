/**
 * The policy check (`npm run policy:check`): an operator checks a policy file, and with --env the
 * environment, before deploying a release that would refuse them at start. The cases run its
 * entry point in-process (runPolicyCheck, as scripts/policy-check.ts calls it) with an exact
 * environment; one runs the script as operators do, a child process via run-ts, for its wiring.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runPolicyCheck } from '../../src/policy-check/main';
import { useTempDir } from '../unit/support/temp-dir';
import { type CapturedRun, capturedStreams } from '../helpers/captured-streams';
import { DEPLOYED_AZURE, spawnPolicyCheck } from '../helpers/policy-check-script';

const tmp = useTempDir('acrbot-policy-check-');
const APPROVER = '11111111-1111-1111-1111-111111111111';
const GUID = '22222222-2222-2222-2222-222222222222';

/** `policy-check <args>` in-process with exactly `env`. */
function check(env: Record<string, string | undefined>, ...args: string[]): CapturedRun {
  const io = capturedStreams();
  const code = runPolicyCheck(args, env, io.streams);
  return { code, ...io.printed() };
}

/** A policy file holding `text`. */
function policyFile(text: string): string {
  const path = tmp.path('policy.yaml');
  writeFileSync(path, text);
  return path;
}

const GOOD = `version: 1
rules:
  - id: prod
    match:
      cluster: "aks-prod-*"
    maxDuration: 60d
    approvers:
      users: [${APPROVER}]
  - id: default
    match: {}
    approvers:
      users: [${APPROVER}]
`;

/**
 * The likely offenders of an old file: a class, a login server (rule prod: it fits nothing, so
 * only its patterns are named), a rule after the catch-all (dev).
 */
const OLD = `version: 1
rules:
  - id: default
    match: {}
    approvers:
      users: [${APPROVER}]
  - id: prod
    match:
      cluster: "aks-[ab]*"
      registry: myreg.azurecr.io
    approvers:
      users: [${APPROVER}]
  - id: dev
    match: { cluster: "aks-dev*" }
    approvers:
      users: [${APPROVER}]
`;

describe('npm run policy:check', () => {
  test('a file that loads: exit 0, its rules counted, and a pointer to --env', () => {
    const r = check({}, policyFile(GOOD));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/policy\.yaml: loads \(2 rules; sha256 [0-9a-f]{12}\)/);
    expect(r.stdout).toContain('add --env');
  });

  test("an old file this release refuses: exit 2, every problem at file:line:col in the bot's words", () => {
    const file = policyFile(OLD);
    const r = check({}, file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`The approval policy ${file} has 3 problems:`);
    expect(lines[1]).toContain(`${file}:9:16 rules[1].match.cluster: "aks-[ab]*" has "[" and "]"`);
    expect(lines[2]).toContain(`${file}:10:17 rules[1].match.registry: "myreg.azurecr.io" is a login server`);
    expect(lines[3]).toMatch(
      new RegExp(`^  ${file}:13:5 rules\\[2\\]: rule dev is never reached: .*move default last$`),
    );
    expect(lines).toHaveLength(4);
  });

  test('a file that is not there: exit 2, the problem at line 0', () => {
    const file = join(tmp.path('gone'), 'policy.yaml');
    const r = check({}, file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:0:0 (file): cannot read the file (ENOENT)`);
  });

  test('no file and no --env, or an unknown option: usage, exit 2', () => {
    expect(check({})).toMatchObject({ code: 2, stderr: expect.stringContaining('name the policy file') });
    expect(check({}, '--envv', 'x.yaml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--envv') });
    expect(check({}, '--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('usage:') });
  });

  test('--env with a usable environment: exit 0', () => {
    const r = check(DEPLOYED_AZURE, '--env', policyFile(GOOD));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("The environment's settings are usable.");
  });

  test('--env prints the warnings the bot would log at start (a misspelt ACRBOT_ name), and still loads', () => {
    const r = check({ ...DEPLOYED_AZURE, ACRBOT_MAX_ACCES_DURATION: '30d' }, '--env', policyFile(GOOD));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('policy-check: warning: configuration: ACRBOT_MAX_ACCES_DURATION');
    expect(r.stderr).toContain('ACRBOT_MAX_ACCESS_DURATION');
    expect(r.stdout).toContain("The environment's settings are usable.");
  });

  test('--env holds the terms to ACRBOT_MAX_ACCESS_DURATION, which the file alone is not', () => {
    const file = policyFile(GOOD);
    expect(check({ ...DEPLOYED_AZURE, ACRBOT_MAX_ACCESS_DURATION: '30d' }, file).code).toBe(0);
    const r = check({ ...DEPLOYED_AZURE, ACRBOT_MAX_ACCESS_DURATION: '30d' }, '--env', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:6:18 rules[0].maxDuration: rule prod: maxDuration 60d is longer than`);
  });

  test('--env names a quoted proxy and connection string, never their values', () => {
    const r = check(
      {
        ...DEPLOYED_AZURE,
        https_proxy: '"http://acrbot:s3cret-pw@proxy.contoso.com:3128"',
        NO_PROXY: "'localhost'",
        APPLICATIONINSIGHTS_CONNECTION_STRING: `"InstrumentationKey=${GUID}"`,
      },
      '--env',
      policyFile(GOOD),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('https_proxy is in quotes');
    expect(r.stderr).toContain('NO_PROXY is in quotes');
    expect(r.stderr).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING is in quotes');
    expect(r.stderr).not.toContain('s3cret-pw');
    expect(r.stderr).not.toContain(GUID);
  });

  test('--env checks azure mode, as the image runs, when ACRBOT_MODE is unset', () => {
    const r = check({}, '--env', policyFile(GOOD));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MicrosoftAppId is required in azure mode');
  });

  test('--env prints the mode it checked; a sandbox mode from the shell or .env is warned about, naming why', () => {
    const azure = check(DEPLOYED_AZURE, '--env', policyFile(GOOD));
    expect(azure.stdout).toContain('Checked in azure mode.');
    expect(azure.stderr).toBe('');
    // A developer's NODE_ENV alone: still azure (the image's ACRBOT_MODE), no warning.
    const dev = check({ ...DEPLOYED_AZURE, NODE_ENV: 'development' }, '--env', policyFile(GOOD));
    expect(dev.stdout).toContain('Checked in azure mode.');
    expect(dev.stderr).toBe('');
    // An empty ACRBOT_MODE (a .env line "ACRBOT_MODE=") and a developer's NODE_ENV: sandbox, which loads.
    const blank = check({ ...DEPLOYED_AZURE, ACRBOT_MODE: '', NODE_ENV: 'development' }, '--env', policyFile(GOOD));
    expect(blank.code).toBe(0);
    expect(blank.stdout).toContain('Checked in sandbox mode.');
    expect(blank.stderr).toMatch(
      /warning: checked in sandbox mode, not the azure mode .*NODE_ENV .* is not production/,
    );
    const sandbox = check({ ACRBOT_MODE: 'sandbox', NODE_ENV: 'development' }, '--env', policyFile(GOOD));
    expect(sandbox.stdout).toContain('Checked in sandbox mode.');
    expect(sandbox.stderr).toMatch(
      /warning: checked in sandbox mode, .*\(ACRBOT_MODE in the environment or \.env sets it\)/,
    );
    // With problems the mode is said too, after them.
    const broken = check({ ACRBOT_MODE: 'sandbox', ACRBOT_MAX_ACCESS_DURATION: 'soon' }, '--env', policyFile(GOOD));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /warning: checked in sandbox mode[\s\S]*ACRBOT_MAX_ACCESS_DURATION[\s\S]*Checked in sandbox mode\.\n$/,
    );
    const unset = check({}, '--env', policyFile(GOOD));
    expect(unset.stderr).toMatch(/Checked in azure mode\.\n$/);
    expect(unset.stderr).not.toContain('warning');
  });

  test('the script, spawned: exit 2 and the problems on stderr', async () => {
    const file = policyFile(OLD);
    // In the temp directory: no .env of the checkout is read.
    const r = await spawnPolicyCheck(dirname(file), { PATH: process.env.PATH }, file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:13:5 rules[2]: rule dev is never reached`);
  });
});
