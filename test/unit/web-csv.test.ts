/**
 * The matrix's CSV export says what the drawer and the list say about how access ends: once acrbot
 * ended it, when (`ended_at`); while it is being revoked, since when (`revoking_since`). The end the
 * access had stays in `expires_at`, and the columns of the first release keep their positions.
 */
import type { Row } from '../../web/src/types';

// Loaded with require(): csv.ts also offers the download, which needs the DOM lib the root
// tsconfig has not (web/tsconfig.json checks the web code).
const { EXPORT_COLUMNS, rowsCsv } = require('../../web/src/csv') as {
  EXPORT_COLUMNS: readonly string[];
  rowsCsv(rows: readonly Row[]): string;
};

const row = (over: Partial<Row>): Row => ({
  key: 'k',
  requestId: 'R-AAAAAAA1',
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  cluster: { id: '/c', name: 'aks-a', subscriptionId: 's1' },
  registry: { id: '/r', name: 'acr-a', loginServer: 'acr-a.azurecr.io' },
  requester: { objectId: 'u', name: 'Riley' },
  reason: 'deploy the release',
  expiresAt: '2026-12-31T00:00:00Z',
  approvers: [{ objectId: 'a', name: 'Alex' }],
  ...over,
});

/** The export's lines as cells by column name (no cell here holds a comma or a quote). */
function parsed(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.split('\r\n').filter(Boolean);
  const names = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

describe('CSV export of the matrix rows', () => {
  test('the columns of the first release keep their positions; the new ones come last', () => {
    expect(EXPORT_COLUMNS.slice(0, 12)).toEqual([
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
    ]);
    expect(EXPORT_COLUMNS.slice(12)).toEqual([
      'ended_at',
      'revoking_since',
      'drift_reason',
      'not_listed_yet',
      'cluster_gone_since',
      'badge',
    ]);
    expect(rowsCsv([]).split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','));
  });

  test('access acrbot ended says when (its old end kept as expires_at); one being revoked, since when', () => {
    const [revoked, revoking, active] = parsed(
      rowsCsv([
        row({ state: 'revoked', endedAt: '2026-11-30T10:00:00Z' }),
        row({ state: 'revoking', revokingSince: '2026-12-01T08:00:00Z' }),
        row({}),
      ]),
    );
    expect(revoked).toMatchObject({
      state: 'revoked',
      expires_at: '2026-12-31T00:00:00Z',
      ended_at: '2026-11-30T10:00:00Z',
      revoking_since: '',
    });
    expect(revoking).toMatchObject({
      state: 'revoking',
      expires_at: '2026-12-31T00:00:00Z',
      ended_at: '',
      revoking_since: '2026-12-01T08:00:00Z',
    });
    expect(active).toMatchObject({ state: 'active', ended_at: '', revoking_since: '', approvers: 'Alex' });
  });

  test('a grant whose cluster is gone says since when in cluster_gone_since, its state staying as its end says', () => {
    const GONE = '2026-12-05T08:00:00Z';
    const [gone, expiring, revoking, active] = parsed(
      rowsCsv([
        row({ clusterGoneAt: GONE }),
        row({ state: 'expiring', clusterGoneAt: GONE }),
        // Being revoked: its state says how it ends, and no leftover is exported.
        row({ state: 'revoking', revokingSince: '2026-12-06T08:00:00Z', clusterGoneAt: GONE }),
        row({}),
      ]),
    );
    expect(gone).toMatchObject({ state: 'active', cluster_gone_since: GONE });
    expect(expiring).toMatchObject({ state: 'expiring', cluster_gone_since: GONE });
    expect(revoking).toMatchObject({ state: 'revoking', cluster_gone_since: '' });
    expect(active).toMatchObject({ state: 'active', cluster_gone_since: '' });
  });
});
