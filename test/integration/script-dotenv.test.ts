/**
 * The operator scripts read `.env` as the bot's entry point does (src/config/dotenv.ts): a file
 * saved with a byte order mark, or naming a variable the shell holds blank, still sets it. Before,
 * they used Node's loader, which read the first name as `\uFEFFACRBOT_POLICY` and kept the blank
 * value: `policy:check --env` then checked another policy than the bot would start with. Run as
 * operators run it, a child process via run-ts, in a temp directory holding the `.env`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../unit/support/temp-dir';
import { DEPLOYED_AZURE, spawnPolicyCheck, spawnScript } from '../helpers/policy-check-script';

const tmp = useTempDir('acrbot-script-dotenv-');
const GUID = '22222222-2222-2222-2222-222222222222';

const POLICY = `version: 1
rules:
  - id: default
    match: {}
    approvers:
      users: [${GUID}]
`;

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
  const r = await spawnPolicyCheck(dir, { PATH: process.env.PATH, ...DEPLOYED_AZURE, ...extra }, '--env');
  expect(r.stdout).toContain(`${file}: loads (1 rule;`);
  expect(r.stdout).not.toContain('no ACRBOT_POLICY');
  expect(r.code).toBe(0);
});

// A `.env` that cannot be read (a directory here) is each script's configuration problem, exit 2,
// in one sentence: before, Node's stack trace and exit 1, which for audit:verify means "the chain
// is broken" and for store:owed "something is owed".
test.each([['policy-check.ts', '--env'], ['audit-cli.ts', 'verify'], ['store-owed.ts']])(
  '%s with an unreadable .env: exit 2 and the sentence, no stack trace',
  async (script, ...args) => {
    const dir = tmp.path('cwd');
    mkdirSync(join(dir, '.env'), { recursive: true });
    const r = await spawnScript(script, dir, { PATH: process.env.PATH }, ...args);
    expect(r.stderr).toMatch(
      new RegExp(`^[a-z:-]+: \\.env in .* cannot be read \\(it is a directory\\): make it a readable file`),
    );
    expect(r.stderr).not.toContain('    at ');
    expect(r.code).toBe(2);
  },
);
