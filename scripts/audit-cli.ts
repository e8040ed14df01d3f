/**
 * CLI: offline review of the audit trail (G11). Opens the bot's SQLite file read-only.
 *
 *   npm run audit:verify [-- --storage sqlite:<path>]
 *   npm run audit:export -- --format jsonl|csv [--out file] [--request R-XXXXXXXX] [--since ISO]
 *
 * Exit codes: 0 ok / intact, 1 chain broken, 2 usage, configuration or file problem.
 */
import { loadDotEnvFile } from '../src/config/dotenv-file';
import { runAuditCli } from '../src/audit-cli/main';

// Same settings source as `npm start` (src/config/dotenv-file.ts): real environment variables win
// over `.env`, a blank one is filled from it, and a byte order mark does not hide its first name.
// One that cannot be read is a configuration problem (exit 2), not Node's stack trace and exit 1.
const dotEnvProblem = loadDotEnvFile(process.env);
if (dotEnvProblem) {
  process.stderr.write(`audit-cli: ${dotEnvProblem}
`);
  process.exit(2);
}

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
