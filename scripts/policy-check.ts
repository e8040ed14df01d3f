/**
 * CLI: checks an approval policy file (and with --env the whole environment) without deploying.
 *
 *   npm run policy:check -- <policy.yaml>
 *   npm run policy:check -- --env [<policy.yaml>]
 *
 * Exit codes: 0 it loads, 2 problems (printed at file:line:col, as the bot prints them) or usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { applyDotEnv } from '../src/config/dotenv';
import { runPolicyCheck } from '../src/policy-check/main';

// Same settings source as `npm start` (src/config/dotenv.ts): real environment variables win
// over `.env`, a blank one is filled from it, and a byte order mark does not hide its first name.
if (existsSync('.env')) applyDotEnv(readFileSync('.env', 'utf8'), process.env);

process.exitCode = runPolicyCheck(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
