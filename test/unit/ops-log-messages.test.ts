/**
 * docs/operations.md tells operators which log lines to alert on, quoting each message. A quoted
 * message that no code logs any more (reworded, removed) sends an operator searching for a line
 * that never comes: every message quoted in the first column of its alert table must be text
 * that src/ still holds, word for word.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sourceText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceText(path);
      return entry.name.endsWith('.ts') ? readFileSync(path, 'utf8') : '';
    })
    .join('\n');
}

/**
 * Messages built from a template (`${what} as the run resumed; …`): quoted in the table as the
 * text one of their callers makes, each checked as its parts.
 */
const TEMPLATED: Record<string, string[]> = {
  'the audit log could not be written as the run resumed': [
    "'the audit log could not be written'",
    '${what} as the run resumed',
  ],
  'the end of the access could not be scheduled as the run resumed': [
    "'the end of the access could not be scheduled'",
    '${what} as the run resumed',
  ],
  'recording drift noticed by extension failed': ["'extension'", 'recording drift noticed by ${noticedBy} failed'],
  'scheduled job still running after 10 min; the sweep goes on without it': [
    'scheduled job still running after ${limitText(limitMs)}; the sweep goes on without it',
    '10 * 60_000',
  ],
  "a grant made less than 15 minutes ago is not in Azure's listing yet; not marked as removed, a later drift check looks again":
    [
      'a grant made less than ${LISTING_LAG_GRACE_MS / 60_000} minutes ago',
      "is not in Azure's listing yet; not marked as removed, a later drift check looks again",
      'LISTING_LAG_GRACE_MS = 15 * 60_000',
    ],
  // lease-guard.ts names its lease by `what`, 'execution lease' unless its caller says otherwise.
  'execution lease lapsed before it was renewed (the process stalled?); the run stops as for a lost lease': [
    "this.what = options.what ?? 'execution lease'",
    '${this.what} lapsed before it was renewed (the process stalled?); the run stops as for a lost lease',
  ],
  'execution lease expired while the store failed its renewals; the run stops as for a lost lease': [
    "this.what = options.what ?? 'execution lease'",
    '${this.what} expired while the store failed its renewals; the run stops as for a lost lease',
  ],
  'execution lease renewal failed': ["this.what = options.what ?? 'execution lease'", '${this.what} renewal failed'],
};

/** The backquoted messages of the alert table's first column: long enough to be a message, not elided. */
function quotedMessages(doc: string): string[] {
  const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) =>
    [...row.split(' | ')[0].matchAll(/`([^`]+)`/g)]
      .map((m) => m[1])
      .filter((text) => text.length >= 20 && !/…|\.\.\./.test(text)),
  );
}

test('every message the alert table of docs/operations.md quotes is logged word for word by src/', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
  const src = sourceText(join(ROOT, 'src'));
  const quoted = quotedMessages(doc);
  // The table is there and read: dozens of messages, among them the rows added for the reviewer.
  expect(quoted.length).toBeGreaterThan(50);
  expect(quoted).toEqual(
    expect.arrayContaining([
      'grant failed in Azure',
      'job of a kind no instance knows; kept, reported once',
      "the credential clean-up job could not be stored; the next start's sweep stores it",
    ]),
  );
  const missing = quoted.filter((text) =>
    TEMPLATED[text] ? !TEMPLATED[text].every((part) => src.includes(part)) : !src.includes(text),
  );
  expect(missing).toEqual([]);
});
