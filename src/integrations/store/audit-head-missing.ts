/**
 * The verdict for a log that has entries but no chain head, one wording for SQLite and Tables.
 * Every acrbot version writes the head in the transaction of every entry (SQLite's `audit_head`
 * row since the first release, Tables' `head` row likewise), so entries without a head were
 * never written by acrbot: the head was deleted, and with it the check that catches a cut tail.
 * Such a log is BROKEN, never "intact", once its entries themselves verified.
 */
import type { BrokenVerdict } from '../../domain/audit-chain';

/** The log's `count` entries verified as a chain, but its head is missing. */
export function headMissing(count: number): BrokenVerdict {
  return {
    intact: false,
    count,
    // Past the last entry, as for a tail cut below the head: what cannot be checked is the end.
    brokenAtSeq: count + 1,
    problem: `the log has entries up to seq ${count} but no chain head, so entries deleted from the end would not show (acrbot writes the head with every entry, in the same transaction: it was deleted)`,
  };
}
