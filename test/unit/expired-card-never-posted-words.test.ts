/**
 * A request that expired while Teams refused its approvers' card (acrbot not in the approvals
 * channel): "Nobody decided in time" alone reads as approvers who let it lapse. Its requester is
 * told that no approver was shown it, and what to do: have acrbot added back, then ask again.
 */
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { cardTexts } from '../helpers/capturing-connector';
import { pendingRequest } from './support/requests';

const expired = pendingRequest({ state: 'expired' });

test('refused throughout: no approver saw it, and the way on names acrbot added back, then asking again', () => {
  const text = cardTexts(requesterNewsCard(expired, { kind: 'expiredUnapproved', approvalCardRefused: true })).join(
    '\n',
  );
  expect(text).toContain('no approver was shown this request');
  expect(text).toContain(
    'Ask the platform team to add acrbot back to the approvals channel, or to name one it is in, then ask again',
  );
  expect(text).toContain('"@acrbot grant');
});

test('a card that was posted: the words stay those of approvers who did not decide', () => {
  const text = cardTexts(requesterNewsCard(expired, { kind: 'expiredUnapproved' })).join('\n');
  expect(text).toContain('Nobody decided in time, so nothing was changed.');
  expect(text).not.toContain('no approver was shown');
});
