/**
 * The words of the access lifecycle's cards: the requester's end notice and the revoke
 * confirmation. Written to kill mutants that survived mutation testing.
 */
import type { AccessRequest } from '../../src/domain/request';
import { requesterNewsCard, revokeConfirmCard, type RevocationLine } from '../../src/views/lifecycle-view';
import { cardText } from '../helpers/capturing-connector';
import { APPROVER, REGISTRY_ID, pendingRequest } from './support/requests';

const text = (card: unknown) => cardText({ attachments: [{ content: card }] });

/** A grant whose access reached its end and was revoked. */
function endedGrant(extra: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    state: 'revoked',
    decision: { by: APPROVER, at: '2025-01-15T09:30:00.000Z', approved: true },
    access: { durationMs: 600_000, expiresAt: '2025-01-15T10:10:00.000Z', revokedAt: '2025-01-15T10:10:00.000Z' },
    ...extra,
  });
}

const HELD_OUTSIDE = 'the role assignment it uses was there before acrbot and stays';

describe("the requester's end notice", () => {
  test('a grant that met an assignment made outside acrbot says the cluster can still pull', () => {
    const met = endedGrant({ outcome: { summary: 'Already in place', azureRequestIds: [], alreadyPresent: true } });
    expect(text(requesterNewsCard(met, { kind: 'ended', by: APPROVER, expired: true }))).toContain(HELD_OUTSIDE);
  });

  test("an extension's flag of its original's assignment does not read as access held outside acrbot", () => {
    // An extension re-creates nothing: its "already present" is its original's own assignment,
    // which the end deletes.
    const extension = endedGrant({
      id: 'R-EXTENSN2',
      extendsRequestId: 'R-ORIGINAL',
      outcome: { summary: 'Extended', azureRequestIds: [], alreadyPresent: true },
    });
    expect(text(requesterNewsCard(extension, { kind: 'ended', by: APPROVER, expired: true }))).not.toContain(
      HELD_OUTSIDE,
    );
  });

  test('an assignment outside acrbot with a host-like custom role name is listed, and is no link', () => {
    const card = text(
      requesterNewsCard(endedGrant(), {
        kind: 'ended',
        by: APPROVER,
        expired: true,
        outsidePulls: [{ role: 'www.evil.example', scope: REGISTRY_ID }],
      }),
    );
    expect(card).toContain('The cluster can still pull from contosoacr');
    expect(card).toContain('registry contosoacr itself');
    expect(card).not.toContain('www.evil.example');
  });

  test('the sentence of an assignment kept for other grants is neutralised as a whole', () => {
    const card = text(
      requesterNewsCard(endedGrant(), {
        kind: 'ended',
        by: APPROVER,
        expired: true,
        kept: { why: 'still used by https://evil.example/login', complete: true },
      }),
    );
    expect(card).toContain('The cluster can still pull through the same role assignment: still used by https:');
    expect(card).not.toContain('https://evil.example');
  });
});

describe('the revoke confirmation', () => {
  const granted = pendingRequest({
    state: 'succeeded',
    access: { durationMs: 600_000, expiresAt: '2025-01-15T10:10:00.000Z' },
  });
  const lines: RevocationLine[] = [{ what: 'role assignment', target: 'AcrPull on contosoacr', action: 'delete' }];
  const CHANGED = 'This changed since the card was drawn; review again. Nothing was revoked yet.';

  test('drawn again because what it listed changed, it warns that nothing was revoked yet', () => {
    expect(text(revokeConfirmCard(granted, lines, 'done', { changed: true }))).toContain(CHANGED);
    expect(text(revokeConfirmCard(granted, lines, 'done'))).not.toContain(CHANGED);
  });

  test('asked by an extension of the access, it says first that the original and its extensions end', () => {
    const extension = pendingRequest({ id: 'R-EXTENSN2', extendsRequestId: granted.id, state: 'succeeded' });
    expect(text(revokeConfirmCard(granted, lines, 'done', { asked: extension }))).toContain(
      `R-EXTENSN2 extends ${granted.id}: revoking ends ${granted.id}'s access and its extensions. This ends the access now`,
    );
    // Asked by its own id: nothing to explain.
    expect(text(revokeConfirmCard(granted, lines, 'done', { asked: granted }))).not.toContain('extends');
  });
});
