/**
 * The policy check's verdict as a CI pipeline reads it (runPolicyCheck, in-process, with an exact
 * environment): the file named on the command line is the one checked, a problem found outside
 * the configuration (the telemetry connection string) still fails the check, a malformed
 * ACRBOT_MODE is checked as the mode the bot would start in, and the arguments are held to the
 * usage.
 */
import { writeFileSync } from 'node:fs';
import { runPolicyCheck } from '../../src/policy-check/main';
import { useTempDir } from '../unit/support/temp-dir';
import { type CapturedRun, capturedStreams } from '../helpers/captured-streams';
import { DEPLOYED_AZURE } from '../helpers/policy-check-script';

const tmp = useTempDir('acrbot-policy-check-verdicts-');
const APPROVER = '11111111-1111-1111-1111-111111111111';

function check(env: Record<string, string | undefined>, ...args: string[]): CapturedRun {
  const io = capturedStreams();
  const code = runPolicyCheck(args, env, io.streams);
  return { code, ...io.printed() };
}

function policyFile(name: string, text: string): string {
  const path = tmp.path(name);
  writeFileSync(path, text);
  return path;
}

const GOOD = `version: 1
rules:
  - id: default
    match: {}
    approvers:
      users: [${APPROVER}]
`;

test('--env checks the file named on the command line, not the one ACRBOT_POLICY names', () => {
  const good = policyFile('good.yaml', GOOD);
  const broken = policyFile('broken.yaml', 'version: 2\n');
  const r = check({ ...DEPLOYED_AZURE, ACRBOT_POLICY: broken }, '--env', good);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`${good}: loads`);
});

test('--env fails on a telemetry connection string the bot would refuse, even when the rest loads', () => {
  const r = check(
    {
      ...DEPLOYED_AZURE,
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
    },
    '--env',
    policyFile('good.yaml', GOOD),
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey');
  expect(r.stdout).toBe('');
});

test.each([
  ['an ACRBOT_MODE that does not parse, under the image’s NODE_ENV=production', { ACRBOT_MODE: 'prod' }],
  [
    'an ACRBOT_MODE that does not parse, under NODE_ENV=production with a blank after it',
    { ACRBOT_MODE: 'prod', NODE_ENV: 'production ' },
  ],
  [
    'an ACRBOT_MODE that reads as azure, under a developer’s NODE_ENV',
    { ACRBOT_MODE: 'AZURE', NODE_ENV: 'development' },
  ],
])('%s: its problems are checked as azure mode’s', (_what, env) => {
  const r = check({ ...DEPLOYED_AZURE, ...env }, '--env', policyFile('good.yaml', GOOD));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('ACRBOT_MODE');
  expect(r.stderr).not.toContain('checked in sandbox mode');
  expect(r.stderr).toMatch(/Checked in azure mode\.\n$/);
});

describe('the arguments', () => {
  test('two files: a usage error, not a check of the first alone', () => {
    const r = check({}, policyFile('a.yaml', GOOD), policyFile('b.yaml', 'version: 2\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name one policy file');
    expect(r.stdout).toBe('');
  });

  test('a one-dash option is an unknown option, not a file name', () => {
    const r = check({}, '-v', policyFile('good.yaml', GOOD));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option -v');
  });

  test('-h prints the usage, as --help does', () => {
    expect(check({}, '-h')).toMatchObject({ code: 0, stdout: expect.stringContaining('usage:') });
  });
});
