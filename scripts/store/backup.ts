/**
 * `npm run store:backup`: a consistent copy of the bot's SQLite file, safe while the bot runs.
 * Copying the `.db` file alone is not: the bot checkpoints on its own schedule, so its latest
 * writes (all of them, on a young store) may be only in the `-wal` file beside it, and the copy
 * opens without a word as an older or empty store. SQLite's online backup (better-sqlite3's
 * `backup()`, the same as the `sqlite3` tool's `.backup`, which the image does not install)
 * copies what a reader sees: the file and its `-wal`, as of one moment.
 *
 * Exit codes: 0 copied, 2 usage or file problem (nothing left under the target's name).
 */
import Database from 'better-sqlite3';
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CliError, EXIT } from '../../src/audit-cli/cli-error';
import { scrubSecrets } from '../../src/domain/secret-text';

export const USAGE = `usage: npm run store:backup -- <database file> <copy to make>

A consistent copy of the bot's SQLite file (with what its -wal holds), safe while the bot runs.
The source is opened read-only; an existing target, or one with a -wal, -shm or -journal file
beside it, is refused. Restore by stopping the bot, removing the old file's -wal, -shm and
-journal, and putting the copy at its ACRBOT_STORAGE path (docs/operations.md).
exit codes: 0 copied, 2 usage or file problem`;

/** Where the CLI writes. */
export interface BackupIo {
  stdout: Writable;
  stderr: Writable;
}

/** Runs the backup and returns its exit code; never throws. */
export async function runStoreBackup(argv: string[], io: BackupIo): Promise<number> {
  try {
    if (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0] ?? '')) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const [from, to, ...rest] = argv;
    if (!from || !to || rest.length > 0) throw new CliError(USAGE);
    const source = resolve(from.replace(/^sqlite:/, ''));
    const target = resolve(to);
    const head = await backup(source, target);
    io.stdout.write(`copied ${source} to ${target}: a consistent copy, its audit log ending at seq ${head}\n`);
    return EXIT.ok;
  } catch (err) {
    const text = err instanceof CliError ? err.message : `unexpected error: ${(err as Error).stack ?? String(err)}`;
    io.stderr.write(`${scrubSecrets(`store:backup: ${text}`)}\n`);
    return err instanceof CliError ? err.exitCode : EXIT.usage;
  }
}

/** Copies `source` to `target` through a temporary name beside it; resolves the copy's audit head seq. */
async function backup(source: string, target: string): Promise<number> {
  if (!existsSync(source) || !statSync(source).isFile())
    throw new CliError(`no database file at ${source} (nothing was created)`);
  if (existsSync(target)) throw new CliError(`${target} already exists; name a new file`);
  if (!existsSync(dirname(target))) throw new CliError(`no directory ${dirname(target)} for the copy`);
  // Never the store itself, nor its side files, under another spelling of the path.
  const real = realpathSync(source);
  const realTarget = join(realpathSync(dirname(target)), basename(target));
  if ([real, `${real}-wal`, `${real}-shm`, `${real}-journal`].includes(realTarget))
    throw new CliError('the copy cannot be the database or one of its files');
  refuseStaleSideFiles(target, realTarget);
  const partial = `${target}.partial-${process.pid}`;
  let db: Database.Database | undefined;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
    // A reader waits briefly while the bot checkpoints instead of failing.
    db.pragma('busy_timeout = 5000');
    await db.backup(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new CliError(`cannot copy ${source}: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
  // Checked before it takes the target's name: a copy that does not open is no backup.
  let head: number;
  try {
    // Read-write (the copy is this run's own file): its close then removes the -wal/-shm it opened.
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const ok = copy.pragma('quick_check', { simple: true });
      if (ok !== 'ok') throw new Error(`quick_check: ${String(ok)}`);
      head = (copy.prepare('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined)?.seq ?? 0;
    } finally {
      copy.close();
    }
  } catch (err) {
    rmSync(partial, { force: true });
    throw new CliError(`the copy of ${source} does not check out (not an acrbot database?): ${(err as Error).message}`);
  }
  renameSync(partial, target);
  return head;
}

/**
 * Refuses a target with a `-wal`, `-shm` or `-journal` file already beside it (left there by a
 * killed process on a database that had the name before). SQLite takes such a file as the new
 * copy's own whenever the copy is opened: a `-wal` from another database is replayed into it, so
 * the copy would open as that database's state, not the one this run reports.
 */
function refuseStaleSideFiles(target: string, realTarget: string): void {
  for (const suffix of ['-wal', '-shm', '-journal']) {
    const stale = [`${target}${suffix}`, `${realTarget}${suffix}`].find((file) => existsSync(file));
    if (stale)
      throw new CliError(
        `${stale} exists (left by an earlier database of that name, whose process was killed?): SQLite would read it into the copy whenever the copy is opened (nothing was copied). Name a new file, or move the -wal, -shm and -journal files of that name away first`,
      );
  }
}
