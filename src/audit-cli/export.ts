/**
 * `audit-cli export`: writes entries in seq order as JSONL or CSV, streamed row by row so a
 * log of any size needs constant memory. Entries keep prevHash and hash, so a reviewer can
 * re-verify a full JSONL export with `verifyChain`; a filtered export (--request, --since, --until) is
 * not a whole chain, but each entry's own hash can still be recomputed with `hashEntry`.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { AuditEntry } from '../domain/audit-chain';
import type { ExportFormat } from './args';
import { CliError, EXIT } from './cli-error';
import { CSV_BOM, CSV_HEADER, entryCsvLine } from './csv';
import { inReadSnapshot, type ReadOnlyAudit } from './storage';

/** Which entries to export. */
export interface ExportOptions {
  format: ExportFormat;
  requestId?: string;
  /** Normalised ISO timestamp; entries with `ts >= since` are kept. */
  since?: string;
  /** Normalised ISO timestamp; entries with `ts < until` are kept (exclusive, so days tile). */
  until?: string;
}

/** Bytes gathered before each write: one syscall per row would dominate a large export. */
const CHUNK = 64 * 1024;

/**
 * Streams the selected entries to `out`, honouring backpressure; returns how many were written.
 * Selected on the parsed entry, the text the hash covers, never on the request_id column or a
 * json_extract of the stored text: those can be changed (or given a second "ts" key that SQLite
 * reads and JSON.parse does not) without breaking the chain, and would hide entries.
 */
export async function exportAudit(
  audit: ReadOnlyAudit,
  out: Writable,
  options: ExportOptions,
  warn: (line: string) => void = () => {},
): Promise<number> {
  return inReadSnapshot(audit.db, async () => {
    const head = audit.db.prepare('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined;
    const rows = audit.db.prepare('SELECT seq, entry FROM audit ORDER BY seq').iterate() as IterableIterator<{
      seq: number;
      entry: string;
    }>;
    const past = { count: 0 };
    const count = await writeEntries(
      selectedNow(parsed(checkedSeqs(rows, head?.seq ?? 0, past)), options),
      out,
      options.format,
    );
    // In one snapshot the bot's appends move the head with the row, so rows past it were written
    // by someone else (or the head was rolled back): the export is not of an intact chain.
    if (past.count > 0)
      warn(
        `warning: ${past.count} stored rows lie past the recorded chain head (${head ? `seq ${head.seq}` : 'none recorded'}) and were read by this export: the log was altered; run audit:verify`,
      );
    return count;
  });
}

/**
 * Passes `rows` (in seq order) on, counting those past the head's seq into `past`, and stops the
 * export, naming the seq, where the chain up to the head has a gap: a row deleted from the middle
 * (or the first) would otherwise leave an export that reads as complete, as the Tables export
 * refuses to write (tables-audit-log.ts, entries). Thrown, not warned: the file is the trail
 * handed on, and `--out` then writes nothing.
 */
function* checkedSeqs<T extends { seq: number }>(rows: Iterable<T>, headSeq: number, past: { count: number }) {
  let next = 1;
  const missing = () => new CliError(`the entry at seq ${next} is missing; run audit:verify`, EXIT.broken);
  for (const row of rows) {
    if (row.seq > headSeq) {
      if (next <= headSeq) throw missing();
      past.count++;
    } else if (row.seq > next) throw missing();
    else if (row.seq < next)
      // Sorted and unique (the primary key), so only a seq below 1 comes here.
      throw new CliError(
        `the row at seq ${row.seq} is no entry of the chain (seqs start at 1); run audit:verify`,
        EXIT.broken,
      );
    else next++;
    yield row;
  }
  if (next <= headSeq) throw missing();
}

/**
 * The stored rows as entries; a row that is not JSON, or JSON that is no entry (a null, a number:
 * the filters and the CSV read its fields), stops the export and names its seq, as the Tables
 * export and verify do.
 */
function* parsed(rows: Iterable<{ seq: number; entry: string }>): Generator<AuditEntry> {
  for (const row of rows) {
    let entry: unknown;
    try {
      entry = JSON.parse(row.entry);
    } catch {
      throw new CliError(`the entry at seq ${row.seq} is not valid JSON; run audit:verify`, EXIT.broken);
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new CliError(`the entry at seq ${row.seq} is not an audit entry; run audit:verify`, EXIT.broken);
    yield entry as AuditEntry;
  }
}

/** Whether `options` selects the entry (request id, from `since` on, before `until`). */
function selects(entry: AuditEntry, options: ExportOptions): boolean {
  if (options.requestId && entry.requestId !== options.requestId) return false;
  if (options.until && !(entry.ts < options.until)) return false;
  return !options.since || entry.ts >= options.since;
}

function* selectedNow(entries: Iterable<AuditEntry>, options: ExportOptions): Generator<AuditEntry> {
  for (const entry of entries) if (selects(entry, options)) yield entry;
}

/**
 * Writes entries as JSONL or CSV in chunks, honouring backpressure; returns how many were written.
 * A CSV starts with the UTF-8 byte order mark ({@link CSV_BOM}), as the tab's download does, so
 * Excel shows names and reasons as written; `verify --file` reads past it to name the file a CSV.
 */
async function writeEntries(
  entries: Iterable<AuditEntry> | AsyncIterable<AuditEntry>,
  out: Writable,
  format: ExportFormat,
): Promise<number> {
  let buffer = format === 'csv' ? CSV_BOM + CSV_HEADER : '';
  let count = 0;
  for await (const entry of entries) {
    // Re-serialised rather than copied: guarantees one line per entry even if a stored row
    // was rewritten with line breaks; the hash covers content, not formatting.
    buffer += format === 'csv' ? entryCsvLine(entry) : `${jsonLine(entry)}\n`;
    count++;
    if (buffer.length >= CHUNK) {
      await write(out, buffer);
      buffer = '';
    }
  }
  if (buffer) await write(out, buffer);
  return count;
}

/**
 * DEL and C1 (U+009B is a whole CSI), which JSON.stringify leaves raw, unlike the rest of C0.
 * JSON's structure is ASCII, so they can only stand inside strings.
 */
const RAW_IN_JSON = /[\u007F-\u009F]/g;

/**
 * An entry as one JSON line, with DEL and C1 written as `\uXXXX` escapes: the same string once
 * parsed, so the export still re-verifies, but no terminal escape sequence reaches the screen of
 * whoever pages through it (an entry stored before the audit escaped them may hold them raw).
 */
function jsonLine(entry: AuditEntry): string {
  return JSON.stringify(entry).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Streams entries from any store (Azure Tables) with the same filters and formats as {@link exportAudit}. */
export async function exportEntries(
  entries: AsyncIterable<AuditEntry>,
  out: Writable,
  options: ExportOptions,
): Promise<number> {
  return writeEntries(selected(entries, options), out, options.format);
}

/** The entries `options` selects, for stores that cannot filter themselves. */
async function* selected(entries: AsyncIterable<AuditEntry>, options: ExportOptions): AsyncGenerator<AuditEntry> {
  for await (const entry of entries) if (selects(entry, options)) yield entry;
}
