/**
 * CLI: checks an approval policy file (and with --env the whole environment) without deploying.
 *
 *   npm run policy:check -- <policy.yaml>
 *   npm run policy:check -- --env [<policy.yaml>]
 *
 * Exit codes: 0 it loads, 2 problems (printed at file:line:col, as the bot prints them) or usage.
 */
import { loadDotEnvFile } from '../src/config/dotenv-file';
import { runPolicyCheck } from '../src/policy-check/main';

// Same settings source as `npm start` (src/config/dotenv-file.ts): real environment variables win
// over `.env`, a blank one is filled from it, and a byte order mark does not hide its first name.
// One that cannot be read is a configuration problem (exit 2), not Node's stack trace and exit 1.
const dotEnvProblem = loadDotEnvFile(process.env);
if (dotEnvProblem) {
  process.stderr.write(`policy-check: ${dotEnvProblem}
`);
  process.exit(2);
}

process.exitCode = runPolicyCheck(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
