/**
 * Entry of the offline audit review CLI (`npm run audit:verify`, `npm run audit:export`):
 * read-only access to the bot's SQLite audit trail, for auditors who must not need the bot
 * running (G11).
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config/config';
import { type VerifiableAudit, verifyWithAnchors } from '../domain/audit-anchor';
import type { ChainVerdict } from '../domain/audit-chain';
import { BlobAnchorLog } from '../integrations/store/blob-anchor-log';
import { parseCliArgs, USAGE } from './args';
import { CliError, EXIT } from './cli-error';
import { exportAudit, exportEntries, type ExportOptions } from './export';
import { openAuditReadOnly, resolveAuditStorage, reviewKey, type ReadOnlyAudit } from './storage';
import { openTablesReview, type TablesReview } from './tables-review';
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
    const storage = resolveAuditStorage(cmd.storage, env);
    const key = reviewKey(env);
    if (!key && cmd.command === 'verify')
      io.stderr.write('note: no ACRBOT_AUDIT_KEY, so entry MACs are not checked (hash chain only)\n');
    const anchored = anchorCheck(env, key, io);
    if (storage.kind === 'tables') return await runOnTables(await openTablesReview(storage, key), cmd, io, anchored);
    audit = openAuditReadOnly(storage.path, key);
    if (cmd.command === 'verify') {
      const opened = audit;
      const verdict = await anchored({ verify: () => verifyAudit(opened), entryAt: (seq) => opened.log.entryAt(seq) });
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

type AnchorCheck = (audit: VerifiableAudit) => Promise<ChainVerdict>;

/**
 * With ACRBOT_AUDIT_ANCHOR (and the key that signed the anchors) the store is also checked
 * against every published anchor; without, the chain alone is checked and stderr says so.
 */
function anchorCheck(env: Record<string, string | undefined>, key: Buffer | undefined, io: CliIo): AnchorCheck {
  if (!env.ACRBOT_AUDIT_ANCHOR) return (audit) => audit.verify();
  let target;
  try {
    target = loadConfig({ ACRBOT_AUDIT_ANCHOR: env.ACRBOT_AUDIT_ANCHOR }).auditAnchor?.target;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join('\n'));
    throw err;
  }
  if (!target || !key) {
    io.stderr.write('note: anchors not checked (they need ACRBOT_AUDIT_KEY to check their signatures)\n');
    return (audit) => audit.verify();
  }
  const anchors = new BlobAnchorLog(target, () => new Date());
  // The same function chat `audit verify` runs: one implementation, one verdict.
  return (audit) => verifyWithAnchors(audit, anchors, key);
}

async function runOnTables(
  review: TablesReview,
  cmd: Exclude<ReturnType<typeof parseCliArgs>, { command: 'help' }>,
  io: CliIo,
  anchored: AnchorCheck,
): Promise<number> {
  if (cmd.command === 'verify') {
    const verdict = await anchored(review.log);
    io.stdout.write(`${formatVerdict(verdict)}\n`);
    return verdict.intact ? EXIT.ok : EXIT.broken;
  }
  const options: ExportOptions = { format: cmd.format, requestId: cmd.requestId, since: cmd.since };
  const run = (out: Writable) =>
    exportEntries(review.log.entries(), out, options).catch((err: unknown) => {
      throw new CliError(`${(err as Error).message}; run audit:verify`, EXIT.broken);
    });
  if (cmd.out === undefined) {
    await run(io.stdout);
    return EXIT.ok;
  }
  const count = await toFile(cmd.out, run);
  io.stderr.write(`exported ${count} entries to ${cmd.out}\n`);
  return EXIT.ok;
}

/**
 * Writes to a side file and renames it into place only when complete, so a failed export
 * never leaves a truncated file that looks whole. Mode 0600: the trail names people.
 */
async function exportToFile(audit: ReadOnlyAudit, out: string, options: ExportOptions): Promise<number> {
  return toFile(out, (file) => exportAudit(audit, file, options));
}

async function toFile(out: string, write: (file: Writable) => Promise<number>): Promise<number> {
  const partial = `${out}.partial-${process.pid}`;
  const file = createWriteStream(partial, { mode: 0o600 });
  try {
    await once(file, 'open');
    const count = await write(file);
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
