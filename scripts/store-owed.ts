/**
 * CLI: what a store still owes before it is switched or restored (read only).
 *
 *   npm run store:owed [-- --storage sqlite:<path>|tables:<connection>]
 *
 * Exit codes: 0 nothing owed, 1 something owed (listed), 2 usage, configuration or store problem.
 */
import { existsSync } from 'node:fs';
import { runStoreOwed } from './store/owed';

// Same settings source as `npm start`: real environment variables win over `.env`.
if (existsSync('.env')) process.loadEnvFile('.env');

runStoreOwed(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`store:owed: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
