/** `audit-cli verify`: checks the whole hash chain of a stored audit log (G11). */
import { type AnchorAgreement, verdictCoverage } from '../domain/audit-anchor';
import type { ChainVerdict } from '../domain/audit-chain';
import { inReadSnapshot, type ReadOnlyAudit } from './storage';

/**
 * Verifies the chain in one read snapshot. A row that is not JSON at all is reported as a
 * break at its seq: `SqliteAuditLog.verify()` would throw on it instead of naming the seq.
 */
export async function verifyAudit(audit: ReadOnlyAudit): Promise<ChainVerdict> {
  return inReadSnapshot(audit.db, async () => {
    const garbled = audit.db.prepare('SELECT seq FROM audit WHERE json_valid(entry) = 0 ORDER BY seq LIMIT 1').get() as
      { seq: number } | undefined;
    if (garbled)
      return {
        intact: false,
        count: garbled.seq - 1,
        brokenAtSeq: garbled.seq,
        problem: 'the stored entry is not valid JSON (it was overwritten)',
      };
    return audit.log.verify();
  });
}

/**
 * The one-line verdict the CLI prints: `intact, N entries`, then what else was checked (MACs
 * and from which seq, when `keyed`; anchors), or `BROKEN at seq S: problem`.
 */
export function formatVerdict(verdict: ChainVerdict & { anchors?: AnchorAgreement }, keyed = false): string {
  if (!verdict.intact) return `BROKEN at seq ${verdict.brokenAtSeq}: ${verdict.problem}`;
  return [`intact, ${verdict.count} entries`, ...verdictCoverage(verdict, keyed)].join('; ');
}
