/**
 * CLI: what a store still owes before it is switched or restored (read only).
 *
 *   npm run store:owed [-- --storage sqlite:<path>|tables:<connection>]
 *
 * Exit codes: 0 nothing owed, 1 something owed (listed), 2 usage, configuration or store problem.
 */
import { loadDotEnvFile } from '../src/config/dotenv-file';
import { runStoreOwed } from './store/owed';

// Same settings source as `npm start` (src/config/dotenv-file.ts): real environment variables win
// over `.env`, a blank one is filled from it, and a byte order mark does not hide its first name.
// One that cannot be read is a configuration problem (exit 2), not Node's stack trace and exit 1.
const dotEnvProblem = loadDotEnvFile(process.env);
if (dotEnvProblem) {
  process.stderr.write(`store:owed: ${dotEnvProblem}
`);
  process.exit(2);
}

runStoreOwed(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`store:owed: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
