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
  macOf,
  verifyChain,
} from '../domain/audit-chain';
import { counted } from '../domain/text';
import { CliError, EXIT } from './cli-error';
import { CSV_HEADER } from './csv';

/** What a first pass over an export file found. */
export interface ExportFile {
  kind: 'export';
  path: string;
  /** Lines (entries) in the file. */
  count: number;
  /** The hash and time of each entry by seq, as the file states them (read after the chain check). */
  index: Map<number, Pick<AuditEntry, 'hash' | 'ts'>>;
  /**
   * Set when the entries are not consecutive from seq 1, in the way an export with --request,
   * --since or --until is: seqs ascending, and either without a gap (a time window) or all of one
   * request. Anything else (a gap among entries of several requests, seqs out of order) is
   * verified as a chain, which names the place as BROKEN.
   */
  filtered?: { first: number; last: number; gap?: { after: number; next: number } };
}

/** Bytes read at a time: an export of any size is read in constant memory (but the index). */
const CHUNK = 64 * 1024;

/** The lines of `path`, with whether each ended with a newline (the export ends every line with one). */
function* lines(path: string): Generator<{ text: string; no: number; ended: boolean }> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    let pending = Buffer.alloc(0);
    let no = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      pending = Buffer.concat([pending, buffer.subarray(0, n)]);
      let at: number;
      // Split on bytes, decoded per line: a multi-byte character may straddle two chunks.
      while ((at = pending.indexOf(0x0a)) >= 0) {
        yield { text: pending.subarray(0, at).toString('utf8'), no: ++no, ended: true };
        pending = pending.subarray(at + 1);
      }
    }
    if (pending.length > 0) yield { text: pending.toString('utf8'), no: ++no, ended: false };
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
  const index = new Map<number, Pick<AuditEntry, 'hash' | 'ts'>>();
  const seqs = { first: 0, last: 0, ascending: true, gap: undefined as { after: number; next: number } | undefined };
  let request: unknown;
  let oneRequest = true;
  let allEntries = true;
  let count = 0;
  try {
    for (const line of lines(path)) {
      count++;
      if (line.no === 1 && line.text.replace(/\r$/, '') === CSV_HEADER.replace(/\r\n$/, ''))
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
      if (typeof value.hash === 'string') index.set(value.seq, { hash: value.hash, ts: value.ts });
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
  const file: ExportFile = { kind: 'export', path, count, index };
  if (!whole && filterShaped)
    file.filtered = { first: seqs.first, last: seqs.last, ...(seqs.gap && { gap: seqs.gap }) };
  return file;
}

/** The file's lines as parsed values, in file order; a line that is not JSON is `null` (no entry). */
export function* exportedEntries(file: ExportFile): Generator<unknown> {
  for (const line of lines(file.path)) yield parse(line.text) ?? null;
}

/**
 * A whole export as a log to verify: the domain's chain check over its lines, with `key` the
 * MACs. An export carries no chain head, so a tail cut from it shows only against anchors.
 */
export function exportAsAudit(file: ExportFile, key?: AuditKey): VerifiableAudit {
  return {
    verify: async () => verifyChain(exportedEntries(file) as Iterable<AuditEntry>, undefined, key),
    entryAt: async (seq) => file.index.get(seq),
  };
}

/** What {@link checkEachEntry} found: a break, or every entry's hash (and MAC) holding. */
export type EachVerdict = ChainVerdict & { unsigned?: number };

/**
 * A filtered export's check: each entry's hash recomputed from its content, its MAC (with `key`),
 * and the prevHash link wherever two seqs follow each other. What lies between is not in the file,
 * so entries left out of it, or deleted from it, do not show: never called intact.
 */
export function checkEachEntry(file: ExportFile, key?: AuditKey): EachVerdict {
  let count = 0;
  let unsigned = 0;
  let signed = false;
  let previous: AuditEntry | undefined;
  // readExportFile made sure every line is an entry with a seq, ascending.
  for (const entry of exportedEntries(file) as Iterable<AuditEntry>) {
    count++;
    const broken = (problem: string): EachVerdict => ({ intact: false, count, brokenAtSeq: entry.seq, problem });
    const { hash, ...content } = entry;
    let computed: string;
    try {
      computed = hashEntry(content);
    } catch (err) {
      return broken(`the entry cannot be hashed (${(err as Error).message}): it holds values acrbot never writes`);
    }
    if (computed !== hash) return broken('content does not match its hash (the entry was modified)');
    const before = previous?.seq === entry.seq - 1 ? previous.hash : entry.seq === 1 ? GENESIS_HASH : undefined;
    if (before !== undefined && entry.prevHash !== before) return broken('prevHash does not match the previous entry');
    if (key) {
      if (entry.mac === undefined) {
        // A bot with the key signs every append: an unsigned entry after a signed one is forged.
        if (signed)
          return broken('the entry has no MAC although earlier entries have one (written without the audit key)');
        unsigned++;
      } else if (entry.mac !== macOf(key, hash)) {
        return broken('the MAC does not match (the entry was rewritten without the audit key, or this is not its key)');
      } else signed = true;
    }
    previous = entry;
  }
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
    const macd = verdict.count - verdict.unsigned;
    parts.push(
      `MACs checked on ${counted(macd, 'entry', 'entries')}${verdict.unsigned ? `, ${verdict.unsigned === 1 ? '1 entry carries' : `${verdict.unsigned} entries carry`} none (not vouched for)` : ''}`,
    );
  } else
    parts.push(
      'hashes only (no ACRBOT_AUDIT_KEY): whoever edits an entry can recompute its hash, so this shows damage, not tampering',
    );
  if (anchorsSet) parts.push('anchors not checked (they vouch for the whole chain)');
  return parts.join('; ');
}
