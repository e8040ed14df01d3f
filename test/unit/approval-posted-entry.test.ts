/**
 * The `approval.card.posted` entry the announcement, the tab's extension and the
 * `approval.announce` job write through one builder: the same fields in the same order as each
 * wrote by hand before, and no `detail` key at all when there is nothing to say.
 */
import { approvalPostedEntry } from '../../src/flows/approval-posted-entry';
import { ACRBOT_ACTOR } from '../../src/domain/request';
import { pendingRequest } from './support/requests';

const request = pendingRequest({ id: 'R-POSTED01', tenantId: 'tenant-1' });

test('without a detail: no detail key', () => {
  const entry = approvalPostedEntry(request, '19:approvals@thread.tacv2');
  expect(JSON.stringify(entry)).toBe(
    '{"actor":{"objectId":"acrbot","name":"acrbot"},"tenantId":"tenant-1","action":"approval.card.posted",' +
      '"requestId":"R-POSTED01","targetIds":["19:approvals@thread.tacv2"],"outcome":"posted"}',
  );
  expect('detail' in entry).toBe(false);
});

test('with a detail: last, as written', () => {
  expect(JSON.stringify(approvalPostedEntry(request, 'conv-1', 'posted by a later run'))).toBe(
    '{"actor":{"objectId":"acrbot","name":"acrbot"},"tenantId":"tenant-1","action":"approval.card.posted",' +
      '"requestId":"R-POSTED01","targetIds":["conv-1"],"outcome":"posted","detail":"posted by a later run"}',
  );
});

test("the entry's actor is its own object, not the shared constant", () => {
  expect(approvalPostedEntry(request, 'conv-1').actor).not.toBe(ACRBOT_ACTOR);
});
