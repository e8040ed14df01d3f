/**
 * The grouped expiry reminder leaves Extend out of the row of a grant whose cluster the drift
 * check read gone (`access.clusterGoneAt`), as the single reminder does (reminder-extend.ts), and
 * says why in the note's words (cluster-gone.ts); the other rows keep theirs.
 */
import type { AccessRequest } from '../../src/domain/request';
import { groupedReminderCard } from '../../src/views/grouped-reminder-view';
import { noExtendReason } from '../../src/views/reminder-extend';
import { groupedExtends, groupedRows } from './support/grouped-reminder-card';
import { DAY, ENDS, granted, NOW, shown } from './support/reminder-lifecycle';

const gone: AccessRequest = { ...granted, access: { ...granted.access!, clusterGoneAt: '2025-02-10T08:00:00.000Z' } };
const other: AccessRequest = { ...granted, id: 'R-OTHERXX9' };
const inMs = Date.parse(ENDS) - Date.parse(NOW);

test('the row of a grant whose cluster is gone offers no Extend and says why', () => {
  expect(noExtendReason({ request: gone, credential: false, paused: false, offeredMs: 30 * DAY })).toBe('clusterGone');
  const card = groupedReminderCard(
    [
      { request: gone, inMs, at: ENDS, credential: false, offeredMs: 30 * DAY },
      { request: other, inMs, at: ENDS, credential: false, offeredMs: 30 * DAY },
    ],
    0,
  );
  const actions = shown(groupedExtends(card));
  expect(actions).not.toContain(`"requestId":"${gone.id}"`);
  expect(actions).toContain(`"requestId":"${other.id}"`);
  const row = groupedRows(card).find((f) => f.title === gone.id)!;
  expect(row.value).toContain(
    `Cluster aks-prod no longer exists (seen 2025-02-10 08:00 UTC), so ${gone.id} gives nothing and cannot be extended; its role assignment is deleted at its end.`,
  );
  expect(shown(card)).not.toContain(`Extend ${gone.id} below`);
});
