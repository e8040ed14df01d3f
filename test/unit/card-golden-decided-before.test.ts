/**
 * Golden file (see ./support/golden.ts) for a pending grant's approvers' card whose pair was
 * decided against recently (`decidedBefore`): the "Before" fact naming a rejection and a
 * revocation by people, with who, when and why (the comment's link made inert). Fixed ids, names
 * and times.
 */
import { requestCard } from '../../src/views/request-view';
import { expectGolden } from './support/golden';
import { APPROVER, pendingRequest } from './support/requests';

test('request-pending-decided-before', () => {
  const request = pendingRequest({
    decidedBefore: [
      {
        requestId: 'R-REJECT22',
        how: 'rejected',
        by: APPROVER,
        at: '2025-01-15T08:40:00.000Z',
        text: 'not this week, see https://wiki.example/freeze',
      },
      {
        requestId: 'R-REVOKE33',
        how: 'revoked',
        by: { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Megan Developer' },
        at: '2025-01-10T17:05:00.000Z',
        text: 'incident INC-4711',
        secretNamespace: 'payments',
      },
    ],
  });
  expectGolden('request-pending-decided-before', requestCard(request, { showActions: true }));
});
