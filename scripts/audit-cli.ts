/**
 * CLI: offline review of the audit trail (G11). Opens the bot's SQLite file read-only.
 *
 *   npm run audit:verify [-- --storage sqlite:<path>]
 *   npm run audit:export -- --format jsonl|csv [--out file] [--request R-XXXXXXXX] [--since ISO]
 *
 * Exit codes: 0 ok / intact, 1 chain broken, 2 usage, configuration or file problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { applyDotEnv } from '../src/config/dotenv';
import { runAuditCli } from '../src/audit-cli/main';

// Same settings source as `npm start` (src/config/dotenv.ts): real environment variables win
// over `.env`, a blank one is filled from it, and a byte order mark does not hide its first name.
if (existsSync('.env')) applyDotEnv(readFileSync('.env', 'utf8'), process.env);

// A reader that closes the pipe early (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

runAuditCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `audit-cli: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 2;
  },
);
