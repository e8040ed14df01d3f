/**
 * The tenant boundary and a re-granted assignment's ended requests: cards only count them, but a
 * count of another tenant's would tell how much access that tenant held, so a reader counts only
 * their own.
 */
import { cellOf, type AcrbotRequestRef, type RoleAssignmentPath } from '../../src/domain/access-inventory';
import { originText } from '../../src/domain/pull-diagnosis';
import { cellsShown } from '../../src/domain/tenant-boundary';
import { acrPullOnRegistry, cluster, registry } from './support/pull-diagnosis-fixtures';

const live = {
  requestId: 'R-AAAAAAAA',
  requesterName: 'Riley Requester',
  requesterId: 'a',
  approvedBy: 'Alex Approver',
  state: 'active',
  expiresAt: '2030-01-01T00:00:00.000Z',
} as unknown as AcrbotRequestRef;

/** acrbot's AcrPull for one live request, active, re-granted after `endedRequestIds` ended. */
const pathWithEnded = (endedRequestIds: string[]): RoleAssignmentPath =>
  acrPullOnRegistry({ requests: [live], endedRequestIds });

test("a reader of one tenant counts only their own tenant's ended requests behind an assignment", () => {
  const cell = cellOf(cluster, registry, [pathWithEnded(['R-BBBBBBB1', 'R-BBBBBBB2', 'R-AAAAAAA0'])]);
  const own = new Set(['R-AAAAAAAA', 'R-AAAAAAA0']);
  const [shown] = cellsShown([cell], (id) => own.has(id));
  expect(originText(shown!.paths[0]!)).toMatch(/\b1 earlier acrbot request for it ended/);
  expect(originText(shown!.paths[0]!)).not.toMatch(/\b3 earlier/);
});

test("with none of the reader's own among the ended, no count is shown at all", () => {
  const cell = cellOf(cluster, registry, [pathWithEnded(['R-BBBBBBB1', 'R-BBBBBBB2'])]);
  const [shown] = cellsShown([cell], (id) => id === 'R-AAAAAAAA');
  expect(originText(shown!.paths[0]!)).not.toMatch(/earlier acrbot requests? for it ended/);
});

test('a reader who may see every request keeps the whole count', () => {
  const cell = cellOf(cluster, registry, [pathWithEnded(['R-BBBBBBB1', 'R-BBBBBBB2'])]);
  const [shown] = cellsShown([cell], () => true);
  expect(originText(shown!.paths[0]!)).toMatch(/\b2 earlier acrbot requests for it ended/);
});
