/**
 * Command-line parsing for `audit-cli verify|export`. Strict: an unknown flag or a flag
 * without its value is an error rather than silently ignored, because a mistyped
 * `--reqest` would otherwise export the whole log.
 */
import { parseArgs } from 'node:util';
import { isRequestId } from '../domain/identifiers';
import { CliError, EXIT } from './cli-error';

/** Export formats the CLI writes. */
export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the CLI was asked to do. */
export type CliCommand =
  | { command: 'help' }
  | {
      command: 'verify';
      storage?: string;
      /**
       * An `audit:export --format jsonl` file, verified instead of a store; never the live log,
       * so it is always read as `notLive`.
       */
      file?: string;
      /**
       * No audit key, or a log that carries no MAC, is not verified (exit 2 or 1), never "intact"
       * by hashes alone; nor is an empty log, nor (unless `noAnchor`) a log checked without
       * ACRBOT_AUDIT_ANCHOR, since a log cut back or wiped and restarted passes the chain check.
       */
      requireKey?: boolean;
      /** With `requireKey`: a log checked without ACRBOT_AUDIT_ANCHOR is accepted (a cut tail goes unseen). */
      noAnchor?: boolean;
      /**
       * The log is no bot's live log (a backup, a retired log); with ACRBOT_AUDIT_ANCHOR, stopped
       * anchoring is not checked and a log ending before the anchors is a prefix (exit 3).
       */
      notLive?: boolean;
    }
  | {
      command: 'export';
      storage?: string;
      format: ExportFormat;
      out?: string;
      /** Replace an existing `out` (never the audit database itself). */
      force?: boolean;
      requestId?: string;
      since?: string;
      until?: string;
    };

export const USAGE = `usage:
  npm run audit:verify [-- --storage sqlite:<path> | --file <export.jsonl>] [--require-key [--no-anchor]] [--not-live]
  npm run audit:export -- --format jsonl|csv [--out <file> [--force]] [--request R-XXXXXXXX]
                          [--since <ISO date or time>] [--until <ISO date or time>] [--storage sqlite:<path>]

Without --storage, ACRBOT_STORAGE (environment or .env) is used, as the bot does.
The key is ACRBOT_AUDIT_KEY; when it is unset, the sandbox's .data/audit.key (stderr names it).
--require-key: verify the entries' MACs or fail (for scheduled checks): without ACRBOT_AUDIT_KEY
(or the sandbox's .data/audit.key) nothing is verified, exit 2, rather than the hash chain alone;
an empty log is not verified either (exit 2). It also needs ACRBOT_AUDIT_ANCHOR (exit 2 without):
without anchors a log cut back, or wiped and restarted, passes. --no-anchor accepts that limit.
--not-live (with ACRBOT_AUDIT_ANCHOR): the log is not the one a running bot writes to (a backup, a
log retired by a store switch). Anchoring that stopped is not checked, entries after the newest
anchor within the log are named as vouched for by none, and a log that ends before the newest
anchor is a prefix (exit 3), not BROKEN. Never on the live log: there that is a cut tail.
--file: verify an audit:export --format jsonl file instead of a store: its hash chain, MACs with
the key, and (with ACRBOT_AUDIT_ANCHOR) its anchors as --not-live does. It has no chain head, so
without anchors entries cut from its end do not show. A filtered export (--request, --since,
--until: not consecutive from seq 1) is no chain: each entry's hash and MAC is checked, exit 3.
--since (inclusive) and --until (exclusive): a date alone is midnight UTC of that day.
--out refuses an existing file (--force replaces it) and never writes over the audit database.
The database is opened read-only and never created.
exit codes: 0 ok/intact, 1 chain broken, 2 usage or file problem, or not verified (anchors missing),
3 not the whole log: (--not-live, --file) a prefix of the anchored log (a backup or a copy cut
short), or (--file) a filtered export whose entries' hashes and MACs hold`;

// A date, or a date-time with an explicit offset: a bare "2025-01-15T09:00" would mean
// local time in JS, which differs between the operator's laptop and the server.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i;

/**
 * Whether the date of an {@link ISO} text is a day of the calendar: `Date.parse` rolls a day the
 * month lacks over into the next month (2025-02-30 is 2 March), and an export from there would
 * leave out the days between without a word.
 */
function onCalendar(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Parses `argv` (without node and script); throws {@link CliError} on any problem. */
export function parseCliArgs(argv: string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command !== 'verify' && command !== 'export')
    throw new CliError(`unknown command "${command}"; use verify or export\n${USAGE}`);
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options:
        command === 'verify'
          ? {
              storage: { type: 'string' },
              'require-key': { type: 'boolean' },
              'no-anchor': { type: 'boolean' },
              'not-live': { type: 'boolean' },
              file: { type: 'string' },
              help: { type: 'boolean', short: 'h' },
            }
          : {
              storage: { type: 'string' },
              format: { type: 'string' },
              out: { type: 'string' },
              force: { type: 'boolean' },
              request: { type: 'string' },
              since: { type: 'string' },
              until: { type: 'string' },
              help: { type: 'boolean', short: 'h' },
            },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, EXIT.usage, { cause: err });
  }
  if (values.help) return { command: 'help' };
  const storage = values.storage as string | undefined;
  if (command === 'verify') {
    // Only --require-key fails without anchors, so only it has a limit to accept.
    if (values['no-anchor'] === true && values['require-key'] !== true)
      throw new CliError('--no-anchor goes with --require-key (it accepts checking that without ACRBOT_AUDIT_ANCHOR)');
    const file = values.file as string | undefined;
    if (file !== undefined && storage !== undefined)
      throw new CliError('--file and --storage name two logs: verify one (--file reads an export, --storage a store)');
    if (file === '') throw new CliError('--file is empty; give the path of an audit:export --format jsonl file');
    return {
      command,
      storage,
      ...(file !== undefined && { file }),
      ...(values['require-key'] === true && { requireKey: true }),
      ...(values['no-anchor'] === true && { noAnchor: true }),
      ...(values['not-live'] === true && { notLive: true }),
    };
  }
  const format = values.format as string | undefined;
  if (format === undefined) throw new CliError(`--format is required: ${EXPORT_FORMATS.join(' or ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new CliError(`--format "${format}" is not supported; use ${EXPORT_FORMATS.join(' or ')}`);
  const requestId = values.request as string | undefined;
  if (requestId !== undefined && !isRequestId(requestId))
    throw new CliError(`--request "${requestId}" is not a request id (R- and 8 characters, e.g. R-7KQ2M9XD)`);
  const since = isoBound('--since', values.since as string | undefined);
  const until = isoBound('--until', values.until as string | undefined);
  if (since !== undefined && until !== undefined && until <= since)
    throw new CliError(`--until (${until}) is not after --since (${since}): no entry could be selected`);
  if (values.force === true && values.out === undefined) throw new CliError('--force goes with --out <file>');
  return {
    command,
    storage,
    format: format as ExportFormat,
    out: values.out as string | undefined,
    ...(values.force === true && { force: true }),
    requestId: requestId?.toUpperCase(),
    since,
    until,
  };
}

/**
 * A `--since`/`--until` value as the normalised ISO time entries store (toISOString(), so the
 * bound compares correctly as text); a date alone is midnight UTC, as `Date.parse` reads it.
 */
function isoBound(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = ISO.test(text) && onCalendar(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms))
    throw new CliError(
      `${flag} "${text}" is not an ISO 8601 date (2025-01-15) or date-time with offset (2025-01-15T09:00:00Z)`,
    );
  return new Date(ms).toISOString();
}
