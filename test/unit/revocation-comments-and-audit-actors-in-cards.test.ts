/**
 * User text on the revocation cards and the audit card (a revocation's or rejection's comment,
 * the Teams name of who revoked, an audit entry's actor) is shown inert: no live link, image
 * or mention.
 */
import { chainEntry } from '../../src/domain/audit-chain';
import { requesterNewsCard, revokePairConfirmCard } from '../../src/views/lifecycle-view';
import { auditCard } from '../../src/views/message-view';
import { APPROVER, auditEvent, pendingRequest } from './support/requests';

const HOSTILE = 'see [the runbook](https://evil.example/x) <at>Everyone</at>';

function expectInert(json: string): void {
  expect(json).toContain('evil.example/x');
  expect(json).not.toContain('https://evil');
  expect(json).not.toContain('<at>');
}

const granted = pendingRequest({
  state: 'succeeded',
  decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
});

test("a pair revocation's reason is inert on its confirmation card", () => {
  const card = revokePairConfirmCard({ cluster: 'aks-prod', registry: 'contosoacr', sandbox: true, reason: HOSTILE }, [
    { request: granted, lines: [{ what: 'role assignment', target: 'AcrPull', action: 'delete' }] },
  ]);
  expectInert(JSON.stringify(card.body));
});

test("the requester's news of a rejection shows the approver's comment inert", () => {
  const rejected = pendingRequest({
    state: 'rejected',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: false, reason: HOSTILE },
  });
  expectInert(JSON.stringify(requesterNewsCard(rejected, { kind: 'rejected' })));
});

test("the requester's news of a revocation shows its reason and who revoked inert", () => {
  const revoked = pendingRequest({
    state: 'revoked',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    access: { revokedAt: '2025-01-16T09:00:00.000Z' },
  });
  const by = { objectId: '0a000000-0000-4000-8000-00000000eee5', name: 'Eve [me](https://evil.example/x)' };
  const json = JSON.stringify(requesterNewsCard(revoked, { kind: 'ended', by, expired: false, reason: HOSTILE }));
  expectInert(json);
  expect(json).not.toContain('](');
});

test("an audit entry's actor is inert on the audit card", () => {
  const entry = chainEntry(
    auditEvent(1, { actor: { objectId: APPROVER.objectId, name: 'Mallory [x](https://evil.example/x)' } }),
    undefined,
    new Date('2025-01-15T10:00:00.000Z'),
  );
  expectInert(JSON.stringify(auditCard('Audit', 'one entry', [entry], true)));
});
