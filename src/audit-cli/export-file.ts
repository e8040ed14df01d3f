/**
 * `audit-cli verify --file`: a file `audit:export --format jsonl` wrote, read back for
 * verification. A whole export (seq 1 on, consecutive) is verified as a log, by the domain's
 * `verifyChain` and, with anchors, `verifyWithAnchors` (see main.ts). A filtered export is no
 * chain: each entry's own hash and MAC is all that can be checked ({@link checkEachEntry}).
 *
 * Messages name a line number, a seq or an action, never an entry's content: the export is
 * evidence that may hold names and reasons, and it may have been tampered with.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { VerifiableAudit } from '../domain/audit-anchor';
import {
  type AuditEntry,
  type AuditKey,
  type ChainVerdict,
  GENESIS_HASH,
  hashEntry,
  KEY_ADOPTION_ACTION,
  macOf,
  verifyChain,
} from '../domain/audit-chain';
import { counted } from '../domain/text';
import { CliError, EXIT } from './cli-error';
import { CSV_BOM, CSV_COLUMNS } from './csv';

/** What a first pass over an export file found. */
export interface ExportFile {
  kind: 'export';
  path: string;
  /** Lines (entries) in the file. */
  count: number;
  /**
   * Set when the entries are not consecutive from seq 1, in the way an export with --request,
   * --since or --until is: seqs ascending, and either without a gap (a time window) or all of one
   * request. Anything else (a gap among entries of several requests, seqs out of order) is
   * verified as a chain, which names the place as BROKEN.
   */
  filtered?: { first: number; last: number; gap?: { after: number; next: number } };
}

/**
 * Bytes read at a time: an export of any size is read in constant memory. Nothing is kept per
 * entry (a million entries held by seq took some 190 MB of heap): the few the anchors name are
 * found by reading the file again ({@link exportLookup}).
 */
const CHUNK = 64 * 1024;

/** Where a read of an export stands: the next byte to read, the bytes read but not yet split, the lines yielded. */
interface ReadPosition {
  position: number;
  pending: Buffer;
  no: number;
}

const fromStart = (): ReadPosition => ({ position: 0, pending: Buffer.alloc(0), no: 0 });

/**
 * The lines of `path`, with whether each ended with a newline (the export ends every line with
 * one), read on from `at`, which it keeps up to date: a read left off after a line goes on from
 * the next one when `at` is passed again, with nothing read twice (and no file left open between).
 */
function* lines(path: string, at: ReadPosition = fromStart()): Generator<{ text: string; no: number; ended: boolean }> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      let nl: number;
      // Split on bytes, decoded per line: a multi-byte character may straddle two chunks.
      while ((nl = at.pending.indexOf(0x0a)) >= 0) {
        const text = at.pending.subarray(0, nl).toString('utf8');
        at.pending = at.pending.subarray(nl + 1);
        yield { text, no: ++at.no, ended: true };
      }
      const n = readSync(fd, buffer, 0, CHUNK, at.position);
      if (n === 0) break;
      at.position += n;
      at.pending = Buffer.concat([at.pending, buffer.subarray(0, n)]);
    }
    if (at.pending.length > 0) {
      const text = at.pending.toString('utf8');
      at.pending = Buffer.alloc(0);
      yield { text, no: ++at.no, ended: false };
    }
  } finally {
    closeSync(fd);
  }
}

/** A line parsed, or `undefined` when it is not JSON. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isSeq(seq: unknown): seq is number {
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1;
}

const isEntryLike = (v: unknown): v is AuditEntry =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && isSeq((v as AuditEntry).seq);

/**
 * How every CSV export's header begins, this release's and older ones' alike: columns are added
 * at the end (`facts`, `idempotency_key`, …), so a whole-header match would miss an older CSV.
 * A JSONL line begins with `{`.
 */
const CSV_HEADER_START = `${CSV_COLUMNS[0]},${CSV_COLUMNS[1]},`;

/**
 * Whether `firstLine` is a CSV export's header: after the byte order mark this release's CSV
 * starts with ({@link CSV_BOM}, for Excel), or that an editor added to an older one, if any.
 */
const isCsvHeader = (firstLine: string): boolean =>
  (firstLine.startsWith(CSV_BOM) ? firstLine.slice(CSV_BOM.length) : firstLine).startsWith(CSV_HEADER_START);

/**
 * Reads `path` once and says what it is. A file that is no JSONL export (missing, a directory, a
 * CSV export, a first line that is not an entry) or one cut short (its last line not a whole JSON
 * value) is an error, exit 2: nothing in it was verified. A later line that is not JSON is left
 * to the chain check, which names it at its place in the chain, after any earlier break.
 */
export function readExportFile(path: string): ExportFile {
  if (!existsSync(path))
    throw new CliError(`no export file at ${path}; --file expects an audit:export --format jsonl file`);
  if (!statSync(path).isFile())
    throw new CliError(`${path} is not a file; --file expects an audit:export --format jsonl file`);
  const seqs = { first: 0, last: 0, ascending: true, gap: undefined as { after: number; next: number } | undefined };
  let request: unknown;
  let oneRequest = true;
  let allEntries = true;
  let count = 0;
  try {
    for (const line of lines(path)) {
      count++;
      if (line.no === 1 && isCsvHeader(line.text))
        throw new CliError(
          `${path} is a CSV export: verify reads the JSONL export (audit:export --format jsonl), which keeps each entry as it was hashed`,
        );
      const value = parse(line.text);
      if (!line.ended && value === undefined)
        throw new CliError(
          `${path} is cut short: its last line (line ${line.no}) is not a whole entry, so the file is truncated; nothing was verified (export again, or copy the whole file)`,
        );
      if (line.no === 1 && !isEntryLike(value))
        throw new CliError(
          `line 1 of ${path} is not ${value === undefined ? 'JSON' : 'an audit entry'}: the file is not an audit:export --format jsonl file`,
        );
      if (!isEntryLike(value)) {
        allEntries = false;
        continue;
      }
      if (count === 1) {
        seqs.first = value.seq;
        request = value.requestId;
      } else if (value.seq <= seqs.last) seqs.ascending = false;
      else if (value.seq > seqs.last + 1) seqs.gap ??= { after: seqs.last, next: value.seq };
      if (value.requestId === undefined || value.requestId !== request) oneRequest = false;
      seqs.last = value.seq;
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, EXIT.usage, { cause: err });
  }
  const whole = count === 0 || (seqs.first === 1 && !seqs.gap);
  // A gap among entries of several requests is no filter's doing: a --since/--until window is
  // consecutive, a --request export of one request. It is verified as a chain and named BROKEN.
  const filterShaped = allEntries && seqs.ascending && (!seqs.gap || oneRequest);
  const file: ExportFile = { kind: 'export', path, count };
  if (!whole && filterShaped)
    file.filtered = { first: seqs.first, last: seqs.last, ...(seqs.gap && { gap: seqs.gap }) };
  return file;
}

/** The file's lines as parsed values, in file order; a line that is not JSON is `null` (no entry). */
export function* exportedEntries(file: ExportFile): Generator<unknown> {
  for (const line of lines(file.path)) yield parse(line.text) ?? null;
}

/** An entry's hash and time, as the file states them. */
export type StatedEntry = Pick<AuditEntry, 'hash' | 'ts'>;

/**
 * The entry at a seq in the export at `path` (the first line with that seq and a hash), read from
 * the file: nothing is kept but the last one found and where the read stands. The anchors are
 * checked after the chain, in ascending seq order (checkAnchors, domain/audit-anchor.ts), so each
 * lookup reads on from the last and all of them together read the file once. A seq before the
 * last one found, or not found after it, is looked for from the start again. Without anchors it
 * is never called, and nothing is read.
 */
export function exportLookup(path: string): (seq: number) => StatedEntry | undefined {
  let last: (StatedEntry & { seq: number }) | undefined;
  let read = fromStart();
  const find = (seq: number): StatedEntry | undefined => {
    for (const line of lines(path, read)) {
      const value = parse(line.text);
      if (!isEntryLike(value) || value.seq !== seq || typeof value.hash !== 'string') continue;
      last = { seq, hash: value.hash, ts: value.ts };
      // Leaving the loop returns the generator, which closes the file; `read` keeps its place.
      return { hash: last.hash, ts: last.ts };
    }
    return undefined;
  };
  return (seq) => {
    if (last?.seq === seq) return { hash: last.hash, ts: last.ts };
    // On from the last one found: an export is in seq order (the chain check said so).
    const onward = last !== undefined && seq > last.seq;
    if (!onward) read = fromStart();
    let found = find(seq);
    if (!found && onward) {
      read = fromStart();
      found = find(seq);
    }
    // Not found, the read stands at the end: the next lookup starts again.
    if (!found) last = undefined;
    return found;
  };
}

/**
 * A whole export as a log to verify: the domain's chain check over its lines, with `key` the
 * MACs. An export carries no chain head, so a tail cut from it shows only against anchors.
 */
export function exportAsAudit(file: ExportFile, key?: AuditKey): VerifiableAudit {
  const entryAt = exportLookup(file.path);
  return {
    verify: async () => verifyChain(exportedEntries(file) as Iterable<AuditEntry>, undefined, key),
    entryAt: async (seq) => entryAt(seq),
  };
}

/**
 * What {@link checkEachEntry} found: a break, or every entry's hash (and MAC) holding. With a
 * key, `unsigned` counts the entries without a MAC, each vouched for by the adoption entry after it.
 */
export type EachVerdict = ChainVerdict & { unsigned?: number };

/** Unsigned entries, each linked by prevHash to the one before, that no signed entry has vouched for yet. */
interface UnsignedRun {
  from: number;
  count: number;
}

const NOT_VOUCHED = `the entry carries no MAC and no signed entry in this export vouches for it (the operator's ${KEY_ADOPTION_ACTION} entry, reached from it through consecutive seqs): an entry rewritten without the audit key looks like this, and so does one from before the log was signed (ACRBOT_AUDIT_ADOPT_UNSIGNED), which only the whole log tells apart (verify the store or a whole export)`;

/**
 * A filtered export's check: each entry's hash recomputed from its content, its MAC (with `key`),
 * and the prevHash link wherever two seqs follow each other. What lies between is not in the file,
 * so entries left out of it, or deleted from it, do not show: never called intact.
 *
 * With a key, an entry without a MAC holds only as a whole log's would (verifyChain): as part of
 * the unsigned prefix that the operator's adoption entry, signed, vouches for through prevHash.
 * That entry must be in the file, reached from the unsigned one through consecutive seqs, each
 * linked to the one before; otherwise the entry is BROKEN, since whoever edits an entry and drops
 * its MAC can recompute its hash without the key. An entry from before the log was signed that
 * the file does not link to the adoption entry (a --request export of old entries) is BROKEN for
 * the same reason: the file cannot tell it from a forgery, the whole log can.
 */
export function checkEachEntry(file: ExportFile, key?: AuditKey): EachVerdict {
  let count = 0;
  let unsigned = 0;
  let signed = false;
  let run: UnsignedRun | undefined;
  let previous: AuditEntry | undefined;
  // readExportFile made sure every line is an entry with a seq, ascending.
  for (const entry of exportedEntries(file) as Iterable<AuditEntry>) {
    count++;
    const broken = (problem: string, at = entry.seq): EachVerdict => ({
      intact: false,
      count,
      brokenAtSeq: at,
      problem,
    });
    const consecutive = previous?.seq === entry.seq - 1;
    // The run's seqs stop before an entry that could vouch for it: nothing in the file does.
    if (run && !consecutive) return broken(NOT_VOUCHED, run.from);
    const { hash, ...content } = entry;
    let computed: string;
    try {
      computed = hashEntry(content);
    } catch (err) {
      return broken(`the entry cannot be hashed (${(err as Error).message}): it holds values acrbot never writes`);
    }
    if (computed !== hash) return broken('content does not match its hash (the entry was modified)');
    const before = consecutive ? previous!.hash : entry.seq === 1 ? GENESIS_HASH : undefined;
    if (before !== undefined && entry.prevHash !== before) return broken('prevHash does not match the previous entry');
    if (key) {
      if (entry.mac === undefined) {
        // A bot with the key signs every append: an unsigned entry after a signed one is forged.
        if (signed)
          return broken('the entry has no MAC although earlier entries have one (written without the audit key)');
        run ??= { from: entry.seq, count: 0 };
        run.count++;
      } else if (entry.mac !== macOf(key, hash)) {
        return broken('the MAC does not match (the entry was rewritten without the audit key, or this is not its key)');
      } else {
        // As in a whole log: only the operator's adoption entry, signed right after an unsigned
        // prefix, vouches for it; a bot with the key signing on after a rewrite is the forgery.
        if (run && entry.action !== KEY_ADOPTION_ACTION)
          return broken(
            `the entry carries no MAC, and the first signed entry after it (seq ${entry.seq}) is not the operator's ${KEY_ADOPTION_ACTION} entry, so nothing vouches for it (a rewrite that left the MACs out looks like this)`,
            run.from,
          );
        unsigned += run?.count ?? 0;
        run = undefined;
        signed = true;
      }
    }
    previous = entry;
  }
  if (run) return { intact: false, count, brokenAtSeq: run.from, problem: NOT_VOUCHED };
  return { intact: true, count, ...(key && { unsigned }) };
}

/**
 * The verdict line of a filtered export that held: never "intact" (exit 3, as a prefix: what it
 * holds checks, but it is not the whole log), and what was and was not checked.
 */
export function formatFiltered(file: ExportFile, verdict: EachVerdict, anchorsSet: boolean): string {
  const { first, last, gap } = file.filtered!;
  const where = first !== 1 ? `it starts at seq ${first}` : `seq ${gap!.next} follows seq ${gap!.after}`;
  const parts = [
    `NOT THE WHOLE LOG: a filtered export (--request, --since or --until), ${counted(verdict.count, 'entry', 'entries')} from seq ${first} to ${last} that are not consecutive from seq 1 (${where}): the hash chain cannot be checked, only each entry's own hash, and its MAC with the audit key; entries left out of it or deleted from it do not show`,
  ];
  if (verdict.intact && verdict.unsigned !== undefined) {
    const { count, unsigned } = verdict;
    // checkEachEntry holds an unsigned entry only when the adoption entry after it vouches for it.
    const none =
      unsigned === 1
        ? `, 1 entry carries none (from before the key, vouched for by the signed ${KEY_ADOPTION_ACTION} entry after it)`
        : `, ${unsigned} entries carry none (from before the key, vouched for by the signed ${KEY_ADOPTION_ACTION} entry after them)`;
    parts.push(`MACs checked on ${counted(count - unsigned, 'entry', 'entries')}${unsigned ? none : ''}`);
  } else
    parts.push(
      'hashes only (no ACRBOT_AUDIT_KEY): whoever edits an entry can recompute its hash, so this shows damage, not tampering',
    );
  if (anchorsSet) parts.push('anchors not checked (they vouch for the whole chain)');
  return parts.join('; ');
}
