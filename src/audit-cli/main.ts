/**
 * Entry of the offline audit review CLI (`npm run audit:verify`, `npm run audit:export`):
 * read-only access to the bot's SQLite audit trail, for auditors who must not need the bot
 * running (G11).
 */
import type { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config/config';
import { configWarningLines, startWarnings } from '../config/config-warnings';
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
import {
  checkEachEntry,
  type ExportFile,
  exportAsAudit,
  exportedEntries,
  formatFiltered,
  readExportFile,
} from './export-file';
import { keyMatch, parsedRows } from './key-match';
import { writeOutFile } from './out-file';
import {
  inReadSnapshot,
  openAuditReadOnly,
  resolveAuditStorage,
  reviewKey,
  type ReadOnlyAudit,
  type ReviewKey,
} from './storage';
import { AuditRowError } from '../integrations/store/tables-audit-log';
import { openTablesReview, type TablesReview } from './tables-review';
import { formatVerdict, verifyAudit } from './verify';
import { counted } from '../domain/text';

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
    // The settings' warnings `npm start` logs, read as it reads them (proxies normalised first), as
    // policy:check --env prints them: a misspelt ACRBOT_AUDIT_KEY is ignored here too, and the
    // log then checked without it.
    for (const line of configWarningLines('audit-cli', startWarnings(env))) say(io.stderr, line);
    const proxyProblems = readProxyEnvironment(env).problems;
    if (proxyProblems.length > 0) throw new CliError(proxyProblems.join('; '));
    const found = reviewKey(env, cwd);
    if (cmd.command === 'verify') {
      const storage = cmd.file !== undefined ? readExportFile(cmd.file) : resolveAuditStorage(cmd.storage, env);
      if (!found && cmd.requireKey)
        throw new CliError(
          "--require-key: no ACRBOT_AUDIT_KEY (nor the sandbox's .data/audit.key), so the entry MACs cannot be checked; nothing was verified",
        );
      // A scheduled check that passes on a log cut back with its head, or wiped and restarted,
      // is worse than one that fails until anchors are set up: only they see it (docs/operations.md).
      if (cmd.requireKey && !env.ACRBOT_AUDIT_ANCHOR && !cmd.noAnchor)
        throw new CliError(
          'not verified: without ACRBOT_AUDIT_ANCHOR a log cut back or wiped and restarted passes; set it (docs/operations.md), or add --no-anchor to accept that limit',
        );
      // It changes only how the anchors are read: without them it would change nothing, silently.
      // An export is never the live log: --not-live is implied there, with or without anchors.
      if (cmd.notLive && !env.ACRBOT_AUDIT_ANCHOR && storage.kind !== 'export')
        throw new CliError(
          '--not-live changes only the check against the anchors: set ACRBOT_AUDIT_ANCHOR to the container the log was anchored in',
        );
      if (!found) say(io.stderr, 'note: no ACRBOT_AUDIT_KEY, so entry MACs are not checked (hash chain only)');
      // Found by location, not given: named, since it may be another log's key.
      if (found?.fromFile)
        say(io.stderr, `note: ACRBOT_AUDIT_KEY is unset; checking MACs with the key in ${found.path}`);
      if (storage.kind === 'export' && storage.filtered)
        return await runVerifyFiltered(storage, found, io, cmd.requireKey === true, Boolean(env.ACRBOT_AUDIT_ANCHOR));
      const anchored = anchorCheck(
        env,
        found?.key,
        io,
        cmd.notLive === true || storage.kind === 'export',
        storage.kind,
      );
      return await runVerify(storage, found, anchored, io, cmd.requireKey === true);
    }
    const storage = resolveAuditStorage(cmd.storage, env);
    const options: ExportOptions = {
      format: cmd.format,
      requestId: cmd.requestId,
      since: cmd.since,
      until: cmd.until,
    };
    if (storage.kind === 'tables') return await runOnTables(await openTablesReview(storage, found?.key), cmd, io);
    const opened = openAuditReadOnly(storage.path, found?.key);
    audit = opened;
    const warn = (line: string) => say(io.stderr, line);
    if (cmd.out === undefined) {
      await exportAudit(opened, io.stdout, options, warn);
      return EXIT.ok;
    }
    const count = await writeOutFile({ out: cmd.out, force: cmd.force === true, storePath: storage.path }, (file) =>
      exportAudit(opened, file, options, warn),
    );
    say(io.stderr, `exported ${counted(count, 'entry', 'entries')} to ${cmd.out}`);
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
/** A store, or (verify --file) an export file. */
type Storage = ReturnType<typeof resolveAuditStorage> | ExportFile;

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
  } else if (!verdict.intact && !verdict.noMacs && found?.fromFile) {
    const foreign = await foreignKeyVerdict(storage, found, io);
    if (foreign) {
      verdict = foreign;
      keyed = false;
    }
  }
  if (requireKey && verdict.intact && verdict.count === 0)
    throw new CliError(
      'not verified: the log has no entries, which is also what a wiped log looks like; --require-key passes only a log with signed entries',
    );
  say(io.stdout, formatVerdict(verdict, keyed));
  if (!verdict.intact) return EXIT.broken;
  return verdict.anchors?.prefixOf ? EXIT.prefix : EXIT.ok;
}

/**
 * `verify --file` on a filtered export: each entry's hash and MAC (exit 3 when they hold, 1 at the
 * first that does not; never "intact"). With a key, an entry without a MAC holds only where the
 * file links it to the operator's signed adoption entry (checkEachEntry): else it is BROKEN, as a
 * log's would be, since dropping the MAC is how an entry is edited without the key. The sandbox's
 * key file is used only if some MAC matches it (as {@link foreignKeyVerdict} decides for a log):
 * otherwise every MAC would read as a forgery.
 */
async function runVerifyFiltered(
  file: ExportFile,
  found: ReviewKey | undefined,
  io: CliIo,
  requireKey: boolean,
  anchorsSet: boolean,
): Promise<number> {
  let key = found?.key;
  if (found?.fromFile && (await keyMatch(exportedEntries(file), found.key)) !== 'matches') {
    const why = `${found.path} is not this export's key (no entry's MAC matches it)`;
    if (requireKey)
      throw new CliError(`not verified: ${why}; set ACRBOT_AUDIT_KEY to the key the log was written with`);
    say(io.stderr, `note: ${why}; MACs not checked (hashes only)`);
    key = undefined;
  }
  const verdict = checkEachEntry(file, key);
  say(io.stdout, verdict.intact ? formatFiltered(file, verdict, anchorsSet) : formatVerdict(verdict));
  return verdict.intact ? EXIT.prefix : EXIT.broken;
}

/**
 * A log that breaks under the sandbox's key file although no MAC in it matches that key (one
 * from production, a backup): the key is not the log's, so nothing about its MACs is known. Its
 * hash chain alone is then checked: BROKEN there is BROKEN whatever the key; intact is "not
 * verified" (exit 2), never a false tamper alarm. Undefined when some MAC matches the key: the
 * key is the log's and its verdict stands.
 */
async function foreignKeyVerdict(storage: Storage, found: ReviewKey, io: CliIo): Promise<Verdict | undefined> {
  if ((await signedWith(storage, found.key)) !== 'no-mac-matches') return undefined;
  const chain = await verifyStore(storage, undefined, (audit) => audit.verify());
  if (chain.intact)
    throw new CliError(
      `not verified: ${found.path} is not this log's key (no entry's MAC matches it); set ACRBOT_AUDIT_KEY to the key the log was written with`,
    );
  say(
    io.stderr,
    `note: ${found.path} is not this log's key (no entry's MAC matches it); MACs not checked (hash chain only)`,
  );
  return chain;
}

/** Whether any MAC in the store is one under `key`; a read that fails leaves the verdict as it was. */
async function signedWith(storage: Storage, key: Buffer): Promise<ReturnType<typeof keyMatch>> {
  if (storage.kind === 'export') return keyMatch(exportedEntries(storage), key);
  if (storage.kind === 'tables') {
    const review = await openTablesReview(storage, undefined);
    return keyMatch(review.log.entries(), key).catch(() => 'matches' as const);
  }
  const audit = openAuditReadOnly(storage.path);
  try {
    return await inReadSnapshot(audit.db, () =>
      keyMatch(parsedRows(audit.db.prepare('SELECT entry FROM audit').iterate() as Iterable<{ entry: string }>), key),
    );
  } finally {
    audit.close();
  }
}

/** Opens the store read-only with `key` (MACs checked when given) and runs the check on it. */
async function verifyStore(storage: Storage, key: Buffer | undefined, anchored: AnchorCheck): Promise<Verdict> {
  if (storage.kind === 'export') return anchored(exportAsAudit(storage, key));
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
function anchorCheck(
  env: Record<string, string | undefined>,
  key: Buffer | undefined,
  io: CliIo,
  notLive: boolean,
  source: Storage['kind'],
): AnchorCheck {
  if (!env.ACRBOT_AUDIT_ANCHOR) {
    // "intact" from the chain alone cannot see a cut tail whose head row was moved back with it;
    // an export has no head at all.
    say(
      io.stderr,
      source === 'export'
        ? 'note: no ACRBOT_AUDIT_ANCHOR, and an export carries no chain head, so entries cut from its end would not show'
        : 'note: no ACRBOT_AUDIT_ANCHOR, so newest entries removed together with the chain head would not show (checked against the stored head only)',
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
    if (err instanceof ConfigError) throw new CliError(err.problems.join('\n'), EXIT.usage, { cause: err });
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
        throw new CliError(`cannot read the anchors in ${blob.location}: ${(err as Error).message}`, EXIT.usage, {
          cause: err,
        });
      }),
  };
  // The same function chat `audit verify` runs: one implementation, one verdict.
  return async (audit) => {
    try {
      // The bot's interval (the same setting): entries left unanchored far longer mean it stopped.
      return await verifyWithAnchors(audit, anchors, key, { intervalMs, now: new Date() }, { notLive });
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
  const options: ExportOptions = { format: cmd.format, requestId: cmd.requestId, since: cmd.since, until: cmd.until };
  const run = (out: Writable) =>
    exportEntries(review.log.entries(), out, options).catch((err: unknown) => {
      throw tablesReadFailure(err);
    });
  if (cmd.out === undefined) {
    await run(io.stdout);
    return EXIT.ok;
  }
  const count = await writeOutFile({ out: cmd.out, force: cmd.force === true }, run);
  say(io.stderr, `exported ${counted(count, 'entry', 'entries')} to ${cmd.out}`);
  return EXIT.ok;
}
