/**
 * CSV rendering of audit entries (RFC 4180 quoting), safe to open in a spreadsheet or print to a
 * terminal: actor names, details and ids come from users, so a cell that a spreadsheet would
 * treat as a formula gets a leading `'` (OWASP "CSV Injection") and control characters are
 * written as `\uXXXX`, and bidi controls dropped (an entry stored before they were cleaned may
 * hold a U+202E that makes "aks-\u202Edorp" read "aks-prod"). JSONL is the exact, re-verifiable
 * export; CSV is for reading, which is why it may alter such cells. The tab's CSV
 * (web/src/csv.ts) is written by the same functions.
 */
import type { AuditEntry } from '../domain/audit-chain';
import { ZERO_WIDTH } from '../domain/invisible-characters';
import { withoutBidiControls } from '../domain/text';

/**
 * The UTF-8 byte order mark a CSV file starts with: Excel, opening a CSV by double-click, reads
 * it as UTF-8 only then (without it, in the machine's legacy code page: "Zoë" shows as "ZoÃ«").
 * The tab's download starts with it too (web/src/csv.ts).
 */
export const CSV_BOM = '\ufeff';

/** Column order of the CSV export. */
export const CSV_COLUMNS = [
  'seq',
  'ts',
  'actor_object_id',
  'actor_name',
  'tenant_id',
  'action',
  'request_id',
  'target_ids',
  'outcome',
  'detail',
  'correlation_ids',
  'prev_hash',
  'hash',
  // Added after the first release: at the end, so existing column positions stay where they were.
  'rule_id',
  'policy_hash',
  'idempotency_key',
  // JSON, as the JSONL export has it: which ids sit under which name is the point of the field.
  'facts',
] as const;

/**
 * A cell Excel, LibreOffice or Sheets may evaluate: one starting with = + - @ tab or CR, or their
 * full-width forms (＝＋－＠, which a spreadsheet in an East Asian locale, or a normalisation on
 * the way, may read as the ASCII sign), the sign
 * also behind leading spaces (NBSP too) or zero-width characters ({@link ZERO_WIDTH}: soft
 * hyphen, zero-width space or joiners, word joiner, BOM) that a reader does not see and an import
 * may trim; bidi controls are gone before this is asked ({@link csvCell}). Guarding a harmless
 * cell costs one `'`; missing a formula costs a command run on the reader's machine.
 */
const FORMULA_START = new RegExp(String.raw`^(?:[\t\r]|[\s${ZERO_WIDTH}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])`);
/**
 * Characters that force a cell into quotes: RFC 4180's, and the other separators spreadsheets
 * split on (`;` where the decimal mark is a comma, as Excel does in much of Europe, and tab): an
 * unquoted `ok;=1+2` is two cells there, the second a formula the leading-character check never saw.
 */
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * Control characters but tab, CR and LF (which quoting keeps inside the cell): the rest of C0
 * (ESC, BEL, backspace), DEL and C1 (U+009B is a whole CSI). The audit trail escapes them when an
 * entry is written (domain/audit-chain.ts `auditText`), but an entry stored before that, or a
 * field it does not cover (an actor's name), would put terminal escape sequences on the screen
 * of whoever reads the export. Kept here, not imported: the tab's bundle loads this file.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * One CSV cell: bidi controls dropped (domain/text.ts `withoutBidiControls`, as cards and the
 * tab drop them), control characters written as `\uXXXX`, formula-neutralised, then quoted if
 * needed. Bidi controls go first, so that one before a sign (U+061C then `=`) hides no formula.
 */
export function csvCell(value: unknown): string {
  let text = withoutBidiControls(value === undefined || value === null ? '' : String(value)).replace(
    CONTROL_CHARACTERS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (CRLF-terminated, as RFC 4180 says). */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Header line. */
export const CSV_HEADER = csvLine(CSV_COLUMNS);

// A stored entry is untrusted input here (it may have been tampered with), so fields are
// read defensively rather than assumed to match AuditEntry.
const list = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(';') : v === undefined ? '' : String(v));
/** A JSON field as its JSON text (empty when absent); the cell is then neutralised like any other. */
const json = (v: unknown): string => (v === undefined || v === null ? '' : JSON.stringify(v));

/** The CSV line of one entry, in {@link CSV_COLUMNS} order. */
export function entryCsvLine(entry: AuditEntry): string {
  return csvLine([
    entry.seq,
    entry.ts,
    entry.actor?.objectId,
    entry.actor?.name,
    entry.tenantId,
    entry.action,
    entry.requestId,
    list(entry.targetIds),
    entry.outcome,
    entry.detail,
    list(entry.correlationIds),
    entry.prevHash,
    entry.hash,
    entry.ruleId,
    entry.policyHash,
    entry.idempotencyKey,
    json(entry.facts),
  ]);
}
