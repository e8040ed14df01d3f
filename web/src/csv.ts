/**
 * CSV export of the rows shown, with the same cells as the audit export (`src/audit-cli/csv.ts`
 * `csvCell`): formula-injection-safe (a cell starting with = + - @ tab or CR, or with their
 * full-width forms ＝＋－＠, or with the sign behind spaces or characters that show nothing such as
 * a zero-width space or a BOM, gets a leading '), bidi controls dropped and control characters
 * written as `\uXXXX`; the file starts with the same UTF-8 byte order mark (`CSV_BOM`), so
 * Excel reads it as UTF-8.
 */
import { CSV_BOM, csvLine } from '../../src/audit-cli/csv';
import { clusterGoneOf, driftReasonOf, rowBadge } from './format';
import type { Row } from './types';

/**
 * Columns of the export. New ones go at the end: a sheet or script that reads columns by position
 * keeps working. `expires_at` stays the end the access had (the term's, or a pull secret's
 * credential expiry); once acrbot ended it, `ended_at` says when, and while a revocation runs,
 * `revoking_since` since when, as the drawer and the list do; a drifted row's `drift_reason`
 * says why it reads drifted (empty for any other state), and `not_listed_yet` is `yes` on a
 * drifted row that is only a grant younger than 15 minutes Azure's listing does not show yet (its
 * `state` stays `drifted`, as the filters count it, so a script that reads `state` keeps working).
 * `cluster_gone_since` is when the drift check read a live grant's cluster gone (`clusterGoneAt`),
 * which only My access's rows carry: the matrix has no row for a deleted cluster, so it stays
 * empty there. `badge` is what the row's badge says, as the list and the drawer say it (format.ts
 * rowBadge): "Removed outside acrbot", "No longer gives pull", "Being revoked", …, with ", review
 * owed" while a break-glass review is owed, where `state` keeps the one word a script compares.
 */
export const EXPORT_COLUMNS = [
  'cluster',
  'cluster_subscription',
  'registry',
  'login_server',
  'how',
  'detail',
  'state',
  'expires_at',
  'requester',
  'request_id',
  'reason',
  'approvers',
  'ended_at',
  'revoking_since',
  'drift_reason',
  'not_listed_yet',
  'cluster_gone_since',
  'badge',
] as const;

/** The CSV text of `rows`, header first. */
export function rowsCsv(rows: readonly Row[]): string {
  return (
    csvLine(EXPORT_COLUMNS) +
    rows
      .map((r) =>
        csvLine([
          r.cluster.name,
          r.cluster.subscriptionId,
          r.registry.name,
          r.registry.loginServer,
          r.how,
          r.howText,
          r.state,
          r.expiresAt,
          r.requester?.name,
          r.requestId,
          r.reason,
          r.approvers.map((a) => a.name).join('; '),
          r.endedAt,
          r.revokingSince,
          driftReasonOf(r),
          r.state === 'drifted' && r.notListedYet ? 'yes' : '',
          clusterGoneOf(r),
          rowBadge(r).label,
        ]),
      )
      .join('')
  );
}

/** Offers `text` as a download. */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([`${CSV_BOM}${text}`], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
