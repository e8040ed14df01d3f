/**
 * The operator scripts read `.env` as the bot's entry point does (src/config/dotenv.ts): a file
 * saved with a byte order mark, or naming a variable the shell holds blank, still sets it. Before,
 * they used Node's loader, which read the first name as `\uFEFFACRBOT_POLICY` and kept the blank
 * value: `policy:check --env` then checked another policy than the bot would start with. Run as
 * operators run it, a child process via run-ts, in a temp directory holding the `.env`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { useTempDir } from '../unit/support/temp-dir';

const ROOT = resolve(__dirname, '..', '..');
const tmp = useTempDir('acrbot-script-dotenv-');
const GUID = '22222222-2222-2222-2222-222222222222';

const POLICY = `version: 1
rules:
  - id: default
    match: {}
    approvers:
      users: [${GUID}]
`;

/** A deployed acrbot's settings, complete for azure mode (the check's default mode). */
const AZURE = {
  MicrosoftAppId: GUID,
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppTenantId: GUID,
  AZURE_SUBSCRIPTION_ID: GUID,
  ACRBOT_STORAGE: 'sqlite:/var/lib/acrbot/acrbot.db',
};

/** `npm run policy:check -- --env` in `cwd` with exactly `env`: its exit code and output. */
function policyCheckEnv(
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    [join(ROOT, 'scripts/run-ts.js'), join(ROOT, 'scripts/policy-check.ts'), '--env'],
    { cwd, env },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

// No policy file on the command line: the one ACRBOT_POLICY names, set only by `.env`.
test.each([
  ['a byte order mark', (file: string) => `\uFEFFACRBOT_POLICY=${file}\r\n`, {}],
  ['ACRBOT_POLICY blank in the environment', (file: string) => `ACRBOT_POLICY=${file}\n`, { ACRBOT_POLICY: '' }],
])('policy:check --env with .env holding %s checks the policy it names', async (_name, dotEnv, extra) => {
  const dir = tmp.path('cwd');
  mkdirSync(dir);
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, POLICY);
  writeFileSync(join(dir, '.env'), dotEnv(file));
  const r = await policyCheckEnv(dir, { PATH: process.env.PATH, ...AZURE, ...extra });
  expect(r.stdout).toContain(`${file}: loads (1 rule;`);
  expect(r.stdout).not.toContain('no ACRBOT_POLICY');
  expect(r.code).toBe(0);
});
