/**
 * Entry of the offline audit review CLI (`npm run audit:verify`, `npm run audit:export`):
 * read-only access to the bot's SQLite audit trail, for auditors who must not need the bot
 * running (G11).
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { parseCliArgs, USAGE } from './args';
import { CliError, EXIT } from './cli-error';
import { exportAudit, type ExportOptions } from './export';
import { openAuditReadOnly, resolveAuditPath, type ReadOnlyAudit } from './storage';
import { formatVerdict, verifyAudit } from './verify';

/** Where the CLI writes. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

/** Runs the CLI and returns its exit code; never throws for an operator mistake. */
export async function runAuditCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let audit: ReadOnlyAudit | undefined;
  try {
    const cmd = parseCliArgs(argv);
    if (cmd.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    audit = openAuditReadOnly(resolveAuditPath(cmd.storage, env));
    if (cmd.command === 'verify') {
      const verdict = await verifyAudit(audit);
      io.stdout.write(`${formatVerdict(verdict)}\n`);
      return verdict.intact ? EXIT.ok : EXIT.broken;
    }
    const options: ExportOptions = { format: cmd.format, requestId: cmd.requestId, since: cmd.since };
    if (cmd.out === undefined) {
      await exportAudit(audit, io.stdout, options);
      return EXIT.ok;
    }
    const count = await exportToFile(audit, cmd.out, options);
    io.stderr.write(`exported ${count} entries to ${cmd.out}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`audit-cli: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  } finally {
    audit?.close();
  }
}

/**
 * Writes to a side file and renames it into place only when complete, so a failed export
 * never leaves a truncated file that looks whole. Mode 0600: the trail names people.
 */
async function exportToFile(audit: ReadOnlyAudit, out: string, options: ExportOptions): Promise<number> {
  const partial = `${out}.partial-${process.pid}`;
  const file = createWriteStream(partial, { mode: 0o600 });
  try {
    await once(file, 'open');
    const count = await exportAudit(audit, file, options);
    file.end();
    await finished(file);
    renameSync(partial, out);
    return count;
  } catch (err) {
    file.destroy();
    rmSync(partial, { force: true });
    if (err instanceof CliError) throw err;
    // Named after `out`, not the side file, which the operator never asked for.
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (err as Error).message;
    throw new CliError(`cannot write ${out}: ${reason}`);
  }
}
