/**
 * CLI: a consistent copy of the bot's SQLite file, safe while the bot runs.
 *
 *   npm run store:backup -- <database file> <copy to make>
 *
 * Exit codes: 0 copied, 2 usage or file problem.
 */
import { runStoreBackup } from './store/backup';

runStoreBackup(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`store:backup: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
