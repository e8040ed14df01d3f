/**
 * The requester's news that their access ended speaks to them: a requester who revoked their
 * own access reads "You revoked your access …", never their own name in the third person; and
 * "your access" goes on with what it reaches ("to contosoacr through secret …").
 */
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { cardText } from '../helpers/capturing-connector';
import { pendingRequest, REQUESTER, secretPlan } from './support/requests';

const revoked = pendingRequest({
  plan: secretPlan(),
  state: 'revoked',
  access: {
    durationMs: 86_400_000,
    expiresAt: '2025-01-16T10:00:00.000Z',
    revokedAt: '2025-01-15T12:00:00.000Z',
    revokedBy: REQUESTER,
  },
});
const text = (card: unknown) => cardText({ attachments: [{ content: card }] });

test('a requester who revoked their own access is told "You revoked your access"', () => {
  const shown = text(requesterNewsCard(revoked, { kind: 'ended', by: REQUESTER, expired: false }));
  expect(shown).toContain('You revoked your access to contosoacr through secret payments/acr-auth in aks-prod');
  expect(shown).not.toContain(`${REQUESTER.name} revoked`);
});

test('someone else who revoked it is named', () => {
  const approver = { objectId: '0b000000-0000-4000-8000-0000000000a1', name: 'Alex Approver' };
  const shown = text(requesterNewsCard(revoked, { kind: 'ended', by: approver, expired: false }));
  expect(shown).toContain('Alex Approver revoked your access to contosoacr through secret payments/acr-auth');
});
