/**
 * A grant whose end kept its role assignment (another grant holds it, or holders could not all
 * be read): the requester's notice says the cluster still pulls through it, and the end's audit
 * entry says which of the two reasons applied (the revocation's `kept` step's words).
 */
import { askOwners, grantEndWords, outsidePullWords } from '../../src/domain/audit-end-words';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { cardText } from '../helpers/capturing-connector';
import { APPROVER, pendingRequest } from './support/requests';

const ended = pendingRequest({
  state: 'revoked',
  access: { durationMs: 600_000, expiresAt: '2025-01-15T10:10:00.000Z', revokedAt: '2025-01-15T10:10:00.000Z' },
});
const text = (card: unknown) => cardText({ attachments: [{ content: card }] });
const kept = (detail?: string) => ({ action: 'access.revoke.roleAssignment', outcome: 'kept', detail });
const UNREAD =
  'registry contosoacr has 1000 or more active acrbot requests, so acrbot cannot rule out another holder; left in place';

test('the entry says which reason kept the assignment: the step\u2019s words, or both when it has none', () => {
  expect(grantEndWords(ended, [kept('still used by R-B')], false)).toMatch(
    /^nothing deleted: .* is kept, still used by R-B$/,
  );
  expect(grantEndWords(ended, [kept(UNREAD)], false)).toMatch(new RegExp(`is kept, ${UNREAD}$`));
  expect(grantEndWords(ended, [kept()], false)).toMatch(
    /is kept, as another grant holds it or holders could not all be read$/,
  );
});

test('the notice: held until the holder ends, or left in place when holders could not all be read', () => {
  const held = text(
    requesterNewsCard(ended, {
      kind: 'ended',
      by: APPROVER,
      expired: true,
      kept: { why: 'still used by R-B', until: '2025-01-16T10:00:00.000Z', complete: true },
    }),
  );
  expect(held).toContain(
    'The cluster can still pull through the same role assignment: still used by R-B until 2025-01-16 10:00 UTC; acrbot deletes it when the last grant holding it ends.',
  );
  const unread = text(
    requesterNewsCard(ended, { kind: 'ended', by: APPROVER, expired: true, kept: { why: UNREAD, complete: false } }),
  );
  // No date to wait for, and nobody deletes it for acrbot: who must is said.
  expect(unread).toContain(
    `The cluster can still pull through the same role assignment: ${UNREAD}; it stays until the platform team removes it once no grant needs it (acrbot could not read every grant that uses it, so it leaves it in place).`,
  );
  expect(unread).not.toMatch(/until \d{4}-/);
});

test('assignments outside acrbot with and without a condition: all of the registry, and some repositories', () => {
  expect(
    outsidePullWords('acr', [
      { role: 'AcrPull', scope: '/subscriptions/s1' },
      { role: 'AcrPull', scope: '/subscriptions/s1/resourceGroups/rg', conditioned: true },
    ]),
  ).toBe(
    'the cluster can still pull from acr: AcrPull on /subscriptions/s1; and some repositories: AcrPull on /subscriptions/s1/resourceGroups/rg (with a condition), granted outside acrbot',
  );
});

test('the notice asks the owners of what it names: one assignment "its owners … it", two "their owners … them"', () => {
  const notice = (outsidePulls: { role: string; scope: string }[]) =>
    text(requesterNewsCard(ended, { kind: 'ended', by: APPROVER, expired: true, outsidePulls }));
  expect(notice([{ role: 'AcrPull', scope: '/subscriptions/s1' }])).toContain(
    'granted outside acrbot; ask its owners to remove it if it should not stay.',
  );
  expect(
    notice([
      { role: 'AcrPull', scope: '/subscriptions/s1/resourceGroups/rg' },
      { role: 'Pullers', scope: '/subscriptions/s1' },
    ]),
  ).toContain(
    'Pullers on /subscriptions/s1, granted outside acrbot; ask their owners to remove them if they should not stay.',
  );
  expect(askOwners(2)).toBe('ask their owners to remove them if they should not stay');
});
