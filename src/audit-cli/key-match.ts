/**
 * Whether a key found by location (the sandbox's `.data/audit.key`) is the key a log was signed
 * with at all. A key that no MAC in the log matches cannot tell tampering from a mismatch: the
 * log came from elsewhere (production, a backup), and calling it BROKEN would be a false alarm.
 */
import { type AuditEntry, macOf } from '../domain/audit-chain';

/** What the log's MACs say about `key`. */
export type KeyMatch = 'matches' | 'no-mac-matches' | 'no-macs';

/**
 * Reads every entry once: `matches` as soon as one entry's MAC is the MAC of its hash under
 * `key`; `no-macs` when no entry carries one. Entries that are not entries are skipped: this
 * only asks whether the key signed anything here, the chain check names what is wrong.
 */
export async function keyMatch(entries: Iterable<unknown> | AsyncIterable<unknown>, key: Buffer): Promise<KeyMatch> {
  let signed = false;
  for await (const entry of entries) {
    if (entry === null || typeof entry !== 'object') continue;
    const { mac, hash } = entry as Partial<AuditEntry>;
    if (typeof mac !== 'string' || typeof hash !== 'string') continue;
    signed = true;
    if (mac === macOf(key, hash)) return 'matches';
  }
  return signed ? 'no-mac-matches' : 'no-macs';
}

/** The stored rows of a SQLite audit table, parsed where they parse. */
export function* parsedRows(rows: Iterable<{ entry: string }>): Generator<unknown> {
  for (const row of rows) {
    try {
      yield JSON.parse(row.entry);
    } catch {
      // Not JSON: the chain check names it; it signs nothing.
    }
  }
}
