/**
 * `audit-cli export --out <file>`: where an export may be written. Never over the audit database
 * (or its -wal/-shm/-journal files: the evidence under review), and never over an existing file
 * unless `--force` says so; the file appears whole or not at all.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  constants,
  copyFileSync,
  createWriteStream,
  existsSync,
  linkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CliError, EXIT } from './cli-error';

/** Files SQLite keeps beside a database: writing over any of them damages it. */
const SQLITE_SIDE_FILES = ['', '-wal', '-shm', '-journal'] as const;

/** Where `--out` goes, and what it must not replace. */
export interface OutTarget {
  out: string;
  /** Replace an existing `out`. */
  force: boolean;
  /** The SQLite file under review (undefined for Azure Tables). */
  storePath?: string;
}

/** `path` with every symlink resolved, also when the file itself does not exist yet. */
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/** The same file on disk (a hard link, say), when both exist. */
function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Refuses an `--out` that is the store's database or one of its side files, by path (symlinks
 * resolved) or by inode (a hard link): an export written there replaces the evidence, even with
 * `--force`.
 */
export function refuseStoreFile(target: OutTarget): void {
  if (target.storePath === undefined) return;
  const out = canonical(target.out);
  const stores = [resolve(target.storePath), canonical(target.storePath)];
  for (const store of stores)
    for (const suffix of SQLITE_SIDE_FILES)
      if (out === `${store}${suffix}` || sameFile(target.out, `${store}${suffix}`))
        throw new CliError(
          `--out ${target.out} is the audit database under review (or one of its -wal/-shm/-journal files); nothing was written. Choose another file`,
        );
}

const exists = (out: string) =>
  new CliError(`${out} already exists; nothing was written (add --force to replace it, or choose another file)`);

/**
 * Writes to a side file and moves it into place only when complete, so a failed export never
 * leaves a truncated file that looks whole. Mode 0600: the trail names people. Without `force`
 * the move is a hard link, which fails if `out` exists (also one created while the export ran);
 * with `force`, a rename that replaces it.
 */
export async function writeOutFile(target: OutTarget, write: (file: Writable) => Promise<number>): Promise<number> {
  const { out, force } = target;
  refuseStoreFile(target);
  // Early, so an export of a large log is not run only to be refused; the link below decides.
  if (!force && existsSync(out)) throw exists(out);
  // A name no earlier run left behind (a pid repeats across containers), opened with 'wx': the
  // side file is never someone else's file, and only a side file this run opened is removed.
  const partial = `${out}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
  const file = createWriteStream(partial, { mode: 0o600, flags: 'wx' });
  let opened = false;
  try {
    await once(file, 'open');
    opened = true;
    const count = await write(file);
    file.end();
    await finished(file);
    if (force) renameSync(partial, out);
    else placeExclusively(partial, out);
    return count;
  } catch (err) {
    file.destroy();
    if (opened) rmSync(partial, { force: true });
    if (err instanceof CliError) throw err;
    // Named after `out`, not the side file, which the operator never asked for.
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (err as Error).message;
    throw new CliError(`cannot write ${out}: ${reason}`, EXIT.usage, { cause: err });
  }
}

/** Moves `partial` to `out` only if `out` does not exist; `partial` is removed by the caller's cleanup. */
function placeExclusively(partial: string, out: string): void {
  try {
    linkSync(partial, out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(out);
    // A filesystem without hard links (some network shares): a copy that also refuses an existing file.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    try {
      copyFileSync(partial, out, constants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') throw exists(out);
      throw copyErr;
    }
  }
  rmSync(partial, { force: true });
}
