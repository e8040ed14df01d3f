/**
 * `npm run policy:check` as operators run it: scripts/policy-check.ts spawned through run-ts, and
 * the settings of a deployed acrbot its `--env` checks against.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const GUID = '22222222-2222-2222-2222-222222222222';

/**
 * A deployed acrbot's settings, complete for azure mode. ACRBOT_MODE is left out: the image sets
 * it, and the check's default mode is azure.
 */
export const DEPLOYED_AZURE: Readonly<Record<string, string>> = {
  MicrosoftAppId: GUID,
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppTenantId: GUID,
  AZURE_SUBSCRIPTION_ID: GUID,
  ACRBOT_STORAGE: 'sqlite:/var/lib/acrbot/acrbot.db',
};

/** How a spawned check ended. */
export interface PolicyCheckScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run policy:check -- <args>` in `cwd` (a temp directory: the `.env` there is the one read)
 * with exactly `env`: its exit code and output.
 */
export function spawnPolicyCheck(
  cwd: string,
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<PolicyCheckScriptRun> {
  return spawnScript('policy-check.ts', cwd, env, ...args);
}

/** Any of the operator scripts (`scripts/<script>`) spawned as `npm run` runs it, in `cwd` with exactly `env`. */
export function spawnScript(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<PolicyCheckScriptRun> {
  return promisify(execFile)(
    process.execPath,
    [join(ROOT, 'scripts/run-ts.js'), join(ROOT, 'scripts', script), ...args],
    {
      cwd,
      env,
    },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: PolicyCheckScriptRun) => err,
  );
}
