/** `audit-cli verify`: checks the whole hash chain of a stored audit log (G11). */
import { type AnchorAgreement, verdictCoverage } from '../domain/audit-anchor';
import type { ChainVerdict } from '../domain/audit-chain';
import { inReadSnapshot, type ReadOnlyAudit } from './storage';
import { counted } from '../domain/text';

/**
 * Verifies the chain in one read snapshot. A row that is not JSON is reported by the store's
 * verify at its seq, in chain order: a check for such rows first would name a garbled row
 * after an earlier break (an entry modified at seq 2, a row garbled at seq 4) instead of the
 * first place the log was altered.
 */
export async function verifyAudit(audit: ReadOnlyAudit): Promise<ChainVerdict> {
  return inReadSnapshot(audit.db, () => audit.log.verify());
}

/**
 * The one-line verdict the CLI prints: `intact, N entries`, then what else was checked (MACs
 * and from which seq, when `keyed`; anchors), or `BROKEN at seq S: problem`, or (checked as not
 * live) `NOT THE WHOLE LOG: a prefix …` for a log that ends before the newest anchor.
 */
export function formatVerdict(verdict: ChainVerdict & { anchors?: AnchorAgreement }, keyed = false): string {
  if (!verdict.intact) return `BROKEN at seq ${verdict.brokenAtSeq}: ${verdict.problem}`;
  const prefixOf = verdict.anchors?.prefixOf;
  // Never "intact": what it holds agrees with the anchors, but it is not the log they vouch for.
  const head = prefixOf
    ? `NOT THE WHOLE LOG: ${verdict.count === 0 ? 'an empty log' : `a prefix ending at seq ${verdict.count}`} of a log anchored up to seq ${prefixOf.seq} (published ${prefixOf.at}): a backup or a truncated copy`
    : `intact, ${counted(verdict.count, 'entry', 'entries')}`;
  return [head, ...verdictCoverage(verdict, keyed)].join('; ');
}
