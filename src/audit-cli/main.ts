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
import {
  type AnchorAgreement,
  type AnchorLog,
  AnchorsUnavailableError,
  type VerifiableAudit,
  verifyWithAnchors,
} from '../domain/audit-anchor';
import type { ChainVerdict } from '../domain/audit-chain';
import { scrubSecrets } from '../domain/secret-text';
import { BlobAnchorLog } from '../integrations/store/blob-anchor-log';
import { normaliseProxyEnvironment, readProxyEnvironment } from '../integrations/http/outbound-proxy';
import { parseCliArgs, USAGE } from './args';
import { CliError, EXIT } from './cli-error';
import { exportAudit, exportEntries, type ExportOptions } from './export';
import { openAuditReadOnly, resolveAuditStorage, reviewKey, type ReadOnlyAudit, type ReviewKey } from './storage';
import { AuditRowError } from '../integrations/store/tables-audit-log';
import { openTablesReview, type TablesReview } from './tables-review';
import { formatVerdict, verifyAudit } from './verify';

/** Where the CLI writes. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

/**
 * Runs the CLI and returns its exit code; never throws: an operator mistake is one sentence on
 * stderr, anything else its stack (exit 2), both scrubbed of secrets. `cwd` is where the
 * sandbox's `.data/audit.key` is looked for when ACRBOT_AUDIT_KEY is unset.
 */
export async function runAuditCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo,
  cwd: string = process.cwd(),
): Promise<number> {
  let audit: ReadOnlyAudit | undefined;
  try {
    const cmd = parseCliArgs(argv);
    if (cmd.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    // As the bot reads them (outbound-proxy.ts): a blank proxy variable is unset for the Azure SDK
    // too (Tables, Blob anchors), and a quoted one is refused by name, never echoed (its URL may
    // carry a password, which the SDK's own "Invalid URL" error would print in full).
    normaliseProxyEnvironment(env);
    const proxyProblems = readProxyEnvironment(env).problems;
    if (proxyProblems.length > 0) throw new CliError(proxyProblems.join('; '));
    const storage = resolveAuditStorage(cmd.storage, env);
    const found = reviewKey(env, cwd);
    if (!found && cmd.command === 'verify' && cmd.requireKey)
      throw new CliError(
        "--require-key: no ACRBOT_AUDIT_KEY (nor the sandbox's .data/audit.key), so the entry MACs cannot be checked; nothing was verified",
      );
    if (!found && cmd.command === 'verify')
      say(io.stderr, 'note: no ACRBOT_AUDIT_KEY, so entry MACs are not checked (hash chain only)');
    if (cmd.command === 'verify')
      return await runVerify(storage, found, anchorCheck(env, found?.key, io), io, cmd.requireKey === true);
    if (storage.kind === 'tables') return await runOnTables(await openTablesReview(storage, found?.key), cmd, io);
    audit = openAuditReadOnly(storage.path, found?.key);
    const options: ExportOptions = { format: cmd.format, requestId: cmd.requestId, since: cmd.since };
    if (cmd.out === undefined) {
      await exportAudit(audit, io.stdout, options);
      return EXIT.ok;
    }
    const count = await exportToFile(audit, cmd.out, options);
    say(io.stderr, `exported ${count} entries to ${cmd.out}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      say(io.stderr, `audit-cli: ${err.message}`);
      return err.exitCode;
    }
    // Printed here rather than thrown to the script, so it is scrubbed too: a storage SDK's
    // error (a read of Azure Tables failing mid-verify) can quote the request's URL.
    say(io.stderr, `audit-cli: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.usage;
  } finally {
    audit?.close();
  }
}

/**
 * Writes one line for the operator, secrets inside it scrubbed (G12): every message and verdict
 * the CLI prints goes through here, and many quote an SDK's error (a RestError's text can carry
 * a SAS URL or a connection-string fragment). Exported entries are written as stored, not here.
 */
function say(out: Writable, line: string): void {
  out.write(`${scrubSecrets(line)}\n`);
}

type Verdict = ChainVerdict & { anchors?: AnchorAgreement };
type AnchorCheck = (audit: VerifiableAudit) => Promise<Verdict>;
type Storage = ReturnType<typeof resolveAuditStorage>;

/**
 * `verify`: prints the verdict (exit 0 intact, 1 broken). The sandbox's `.data/audit.key` is
 * found, not named by the operator: a log in which no entry carries a MAC (a store written
 * without any key, such as a test's, or copied from elsewhere) was never signed with it, so
 * that log is checked again by its hash chain alone, and stderr says so. A key given in
 * ACRBOT_AUDIT_KEY is never dropped: there such a log is reported broken, since a rewrite
 * that leaves out every MAC looks exactly the same. With `--require-key` the found key is never
 * dropped either (a scheduled check must not pass on hashes alone).
 */
async function runVerify(
  storage: Storage,
  found: ReviewKey | undefined,
  anchored: AnchorCheck,
  io: CliIo,
  requireKey: boolean,
) {
  let verdict = await verifyStore(storage, found?.key, anchored);
  let keyed = found !== undefined;
  // With --require-key a found key is never dropped either: a log without MACs stays BROKEN.
  if (!verdict.intact && verdict.noMacs && found?.fromFile && !requireKey) {
    say(
      io.stderr,
      'note: no entry carries a MAC, so this log was not written with .data/audit.key; MACs not checked (hash chain only). Set ACRBOT_AUDIT_KEY to require them',
    );
    verdict = await verifyStore(storage, undefined, anchored);
    keyed = false;
  }
  say(io.stdout, formatVerdict(verdict, keyed));
  return verdict.intact ? EXIT.ok : EXIT.broken;
}

/** Opens the store read-only with `key` (MACs checked when given) and runs the check on it. */
async function verifyStore(storage: Storage, key: Buffer | undefined, anchored: AnchorCheck): Promise<Verdict> {
  if (storage.kind === 'tables') {
    const review = await openTablesReview(storage, key);
    return anchored(review.log).catch((err: unknown) => {
      throw tablesReadFailure(err);
    });
  }
  const audit = openAuditReadOnly(storage.path, key);
  try {
    return await anchored({ verify: () => verifyAudit(audit), entryAt: (seq) => audit.log.entryAt(seq) });
  } finally {
    audit.close();
  }
}

/**
 * With ACRBOT_AUDIT_ANCHOR (and the key that signed the anchors) the store is also checked
 * against every published anchor; without, the chain alone is checked and stderr says so.
 * Anchors that cannot be read (a missing container, none published, an unreachable account)
 * are an error, exit 2: the store is then not verified, never "intact".
 */
function anchorCheck(env: Record<string, string | undefined>, key: Buffer | undefined, io: CliIo): AnchorCheck {
  if (!env.ACRBOT_AUDIT_ANCHOR) {
    // "intact" from the chain alone cannot see a cut tail whose head row was moved back with it.
    say(
      io.stderr,
      'note: no ACRBOT_AUDIT_ANCHOR, so newest entries removed together with the chain head would not show (checked against the stored head only)',
    );
    return (audit) => audit.verify();
  }
  let setting;
  try {
    setting = loadConfig({
      ACRBOT_AUDIT_ANCHOR: env.ACRBOT_AUDIT_ANCHOR,
      ACRBOT_AUDIT_ANCHOR_INTERVAL: env.ACRBOT_AUDIT_ANCHOR_INTERVAL,
    }).auditAnchor;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join('\n'));
    throw err;
  }
  if (!setting) return (audit) => audit.verify();
  const { target, intervalMs } = setting;
  // Anchors the operator named but that cannot be checked leave the store unverified: without
  // the key, someone who can write the store could have rewritten all of it (docs/storage.md).
  if (!key)
    throw new CliError(
      'NOT VERIFIED against anchors: ACRBOT_AUDIT_ANCHOR is set but ACRBOT_AUDIT_KEY is not, and the anchors are checked by their signatures under that key; set it (or unset ACRBOT_AUDIT_ANCHOR to check the hash chain alone)',
    );
  const blob = new BlobAnchorLog(target, () => new Date());
  const anchors: Pick<AnchorLog, 'lines' | 'location'> = {
    location: blob.location,
    lines: () =>
      blob.lines().catch((err: unknown) => {
        if (err instanceof AnchorsUnavailableError) throw err;
        // The SDK's message names the endpoint or the service's answer (secrets in it are
        // scrubbed where it is printed: say).
        throw new CliError(`cannot read the anchors in ${blob.location}: ${(err as Error).message}`);
      }),
  };
  // The same function chat `audit verify` runs: one implementation, one verdict.
  return async (audit) => {
    try {
      // The bot's interval (the same setting): entries left unanchored far longer mean it stopped.
      return await verifyWithAnchors(audit, anchors, key, { intervalMs, now: new Date() });
    } catch (err) {
      if (err instanceof AnchorsUnavailableError) throw new CliError(`NOT VERIFIED against anchors: ${err.message}`);
      throw err;
    }
  };
}

/**
 * A failure while reading the log from Azure Tables, as the operator is told it: a row that is not
 * acrbot's is the log's problem (exit 1, as verify's BROKEN); anything else (the account not
 * answering, throttling, a refused read) says nothing about the log (exit 2, one sentence).
 */
function tablesReadFailure(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof AuditRowError) return new CliError(`${err.message}; run audit:verify`, EXIT.broken);
  return new CliError(`cannot read the audit log from Azure Tables: ${(err as Error).message}`);
}

/** `export` from Azure Tables. */
async function runOnTables(
  review: TablesReview,
  cmd: Extract<ReturnType<typeof parseCliArgs>, { command: 'export' }>,
  io: CliIo,
): Promise<number> {
  const options: ExportOptions = { format: cmd.format, requestId: cmd.requestId, since: cmd.since };
  const run = (out: Writable) =>
    exportEntries(review.log.entries(), out, options).catch((err: unknown) => {
      throw tablesReadFailure(err);
    });
  if (cmd.out === undefined) {
    await run(io.stdout);
    return EXIT.ok;
  }
  const count = await toFile(cmd.out, run);
  say(io.stderr, `exported ${count} entries to ${cmd.out}`);
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
