/**
 * CLI: checks an approval policy file (and with --env the whole environment) without deploying.
 *
 *   npm run policy:check -- <policy.yaml>
 *   npm run policy:check -- --env [<policy.yaml>]
 *
 * Exit codes: 0 it loads, 2 problems (printed at file:line:col, as the bot prints them) or usage.
 */
import { existsSync } from 'node:fs';
import { runPolicyCheck } from '../src/policy-check/main';

// Same settings source as `npm start`: real environment variables win over `.env`.
if (existsSync('.env')) process.loadEnvFile('.env');

process.exitCode = runPolicyCheck(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
