/**
 * Entry of the policy check (`npm run policy:check -- <file>`): loads an approval policy file with
 * the loader the bot starts with (readPolicyFile) and prints its problems as the bot would, at
 * `file:line:col`, so an operator can check a file before deploying it. A release that tightens
 * the policy rules otherwise shows them first as a bot that will not start.
 *
 * With `--env`, the whole configuration is checked as `npm start` reads it (the settings, the
 * proxy variables, the telemetry connection string, and the file under ACRBOT_APPROVAL_TTL and
 * ACRBOT_MIN/MAX_ACCESS_DURATION), with the container image's defaults (azure mode).
 *
 * Warnings (a file that loads but may not say what its author means, config/policy-warnings.ts),
 * returned by the loader beside the policy, are printed on stderr as the bot logs them at start;
 * they leave the exit code 0.
 *
 * Exit codes: 0 = it loads, 2 = problems (or a usage error). Never repeats a setting's value:
 * the configuration's own messages name settings, not what they hold.
 */
import type { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config/config';
import { configWarningLines } from '../config/config-warnings';
import { PolicyFileError, readPolicyFile } from '../config/policy-file';
import { type PolicyWarning, policyWarningLine } from '../config/policy-warnings';
import { readSettingValue } from '../config/setting-value';
import type { Policy } from '../domain/policy';
import { telemetryConnectionStringProblem } from '../observability/telemetry-connection-string';

/** Where the check writes. */
export interface PolicyCheckIo {
  stdout: Writable;
  stderr: Writable;
}

/** Exit codes: the policy (and with --env the configuration) loads, or it does not. */
export const POLICY_CHECK_EXIT = { ok: 0, problems: 2 } as const;

/** The `--help` text, also printed after a usage error. */
export const POLICY_CHECK_USAGE = `usage: npm run policy:check -- [--env] <policy.yaml>

  Loads the approval policy file as acrbot does at start and on SIGHUP, and prints every
  problem at file:line:col. Exit 0 when it loads, 2 otherwise. Warnings (the file loads,
  and acrbot logs them at start and on reload) are printed too and leave the exit code 0.

  --env  Also check the environment as 'npm start' reads it (variables, then .env), in azure
         mode as the container image runs: every setting, HTTPS_PROXY/NO_PROXY and their
         kin, APPLICATIONINSIGHTS_CONNECTION_STRING, and the file's terms against
         ACRBOT_APPROVAL_TTL and ACRBOT_MIN/MAX_ACCESS_DURATION. Without a file, the one
         ACRBOT_POLICY names. Prints the mode it checked; warns when ACRBOT_MODE or NODE_ENV
         in the shell or .env make that sandbox mode.`;

/** What the container image sets (Dockerfile): the environment a deployed acrbot starts in. */
const IMAGE_DEFAULTS = { NODE_ENV: 'production', ACRBOT_MODE: 'azure' } as const;

/** One line saying what loaded. */
function loaded(policy: Policy, file: string | undefined): string {
  const rules = `${policy.rules.length} rule${policy.rules.length === 1 ? '' : 's'}`;
  const breakGlass = policy.breakGlass ? ', break-glass' : '';
  const source = file
    ? `${file}: loads`
    : 'no ACRBOT_POLICY: the single rule from ACRBOT_APPROVERS/ACRBOT_APPROVER_GROUP';
  return `${source} (${rules}${breakGlass}; sha256 ${policy.hash.slice(0, 12)})`;
}

/**
 * Prints the warnings of a policy read from `file` on stderr, as a PolicyFileError lists problems
 * (one per line, at file:line:col); nothing when it has none.
 */
function printWarnings(warnings: readonly PolicyWarning[], file: string | undefined, io: PolicyCheckIo): void {
  if (!file || warnings.length === 0) return;
  const count = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  io.stderr.write(
    `policy-check: warning: the approval policy ${file} loads, with ${count} (acrbot logs ${warnings.length === 1 ? 'it' : 'them'} at start and on reload):\n` +
      warnings.map((w) => `  ${policyWarningLine(file, w)}\n`).join(''),
  );
}

/**
 * The mode loadConfig checks `settings` in when they do not load (when they do, its `mode` says):
 * a valid ACRBOT_MODE; unset, azure under NODE_ENV=production; one that does not parse, azure
 * when it reads as azure or under NODE_ENV=production (config.ts lists its problems as azure's).
 */
function modeChecked(settings: Record<string, string | undefined>): 'azure' | 'sandbox' {
  const mode = readSettingValue('ACRBOT_MODE', settings.ACRBOT_MODE).value;
  const production = readSettingValue('NODE_ENV', settings.NODE_ENV).value === 'production';
  if (mode === 'azure' || mode === 'sandbox') return mode;
  return production || mode?.trim().toLowerCase() === 'azure' ? 'azure' : 'sandbox';
}

/**
 * The line naming the mode the environment was checked in, and when it is not azure (what the
 * image runs, what the docs promise) which setting made it so: the shell's or .env's ACRBOT_MODE,
 * or a NODE_ENV other than production without one. Names settings, not their values.
 */
function modeLines(
  mode: 'azure' | 'sandbox',
  env: Record<string, string | undefined>,
): { note: string; warning?: string } {
  const note = `Checked in ${mode} mode.`;
  if (mode === 'azure') return { note };
  const why =
    readSettingValue('ACRBOT_MODE', env.ACRBOT_MODE).value !== undefined
      ? 'ACRBOT_MODE in the environment or .env sets it'
      : 'NODE_ENV in the environment or .env is not production, so ACRBOT_MODE defaults to sandbox';
  return {
    note,
    warning: `policy-check: warning: checked in sandbox mode, not the azure mode the container image runs (${why}); unset it to check the settings as deployed.`,
  };
}

/** The configuration check: every problem `npm start` would list, or the policy it would use. */
function checkEnvironment(
  file: string | undefined,
  env: Record<string, string | undefined>,
): {
  policy?: Policy;
  policyWarnings?: readonly PolicyWarning[];
  policyFile?: string;
  /** The settings' start warnings (config.ts `warnings`); absent when they do not load. */
  warnings?: readonly string[];
  problems: string[];
  mode: 'azure' | 'sandbox';
} {
  const settings: Record<string, string | undefined> = {
    ...IMAGE_DEFAULTS,
    ...env,
    ...(file ? { ACRBOT_POLICY: file } : {}),
  };
  // As src/index.ts reads it, before the configuration (and with the same words).
  const { value, quotedProblem } = readSettingValue(
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    settings.APPLICATIONINSIGHTS_CONNECTION_STRING,
  );
  const problems = [quotedProblem ?? telemetryConnectionStringProblem(value)].filter((p): p is string => !!p);
  try {
    const config = loadConfig(settings);
    return {
      policy: config.policy,
      policyWarnings: config.policyWarnings,
      policyFile: config.policyFile,
      warnings: config.warnings ?? [],
      problems,
      mode: config.mode,
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { problems: [...problems, ...err.problems], mode: modeChecked(settings) };
  }
}

/** Runs the check and returns its exit code; never throws. */
export function runPolicyCheck(argv: string[], env: Record<string, string | undefined>, io: PolicyCheckIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${POLICY_CHECK_USAGE}\n`);
    return POLICY_CHECK_EXIT.ok;
  }
  const withEnv = argv.includes('--env');
  const rest = argv.filter((a) => a !== '--env');
  const unknown = rest.find((a) => a.startsWith('-'));
  if (unknown || rest.length > 1 || (rest.length === 0 && !withEnv)) {
    const why = unknown
      ? `unknown option ${unknown}`
      : rest.length > 1
        ? 'name one policy file'
        : 'name the policy file';
    io.stderr.write(`policy-check: ${why}\n${POLICY_CHECK_USAGE}\n`);
    return POLICY_CHECK_EXIT.problems;
  }
  const file = rest[0];
  try {
    if (!withEnv) {
      const { policy, warnings } = readPolicyFile(file!);
      printWarnings(warnings, file, io);
      io.stdout.write(
        `${loaded(policy, file)}\n` +
          'Checked against the widest limits; add --env to hold its terms to ACRBOT_APPROVAL_TTL and ACRBOT_MIN/MAX_ACCESS_DURATION and check the other settings.\n',
      );
      return POLICY_CHECK_EXIT.ok;
    }
    const { policy, policyWarnings, policyFile, problems, mode, warnings } = checkEnvironment(file, env);
    const { note, warning } = modeLines(mode, env);
    if (warning) io.stderr.write(`${warning}\n`);
    // The settings' warnings the bot logs at start (a misspelt ACRBOT_ name, a proxy or tenant
    // left out), in its words: the check is where an operator should meet them first.
    for (const line of configWarningLines('policy-check', warnings ?? [])) io.stderr.write(`${line}\n`);
    if (problems.length > 0 || !policy) {
      io.stderr.write(`${new ConfigError(problems).message}\n${note}\n`);
      return POLICY_CHECK_EXIT.problems;
    }
    printWarnings(policyWarnings ?? [], policyFile, io);
    io.stdout.write(`${loaded(policy, policyFile)}\nThe environment's settings are usable. ${note}\n`);
    return POLICY_CHECK_EXIT.ok;
  } catch (err) {
    // The bot's own words, file:line:col per problem.
    if (err instanceof PolicyFileError) io.stderr.write(`${err.message}\n`);
    else io.stderr.write(`policy-check: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return POLICY_CHECK_EXIT.problems;
  }
}
