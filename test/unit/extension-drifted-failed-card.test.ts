/**
 * An extension approved before its original's drift was seen fails when it runs (extend.drifted,
 * drifted-access.ts). Its error says to ask for the access again, with a command without a term;
 * its failed card names one command, the new request's with the extension's term, not two.
 */
import { driftedExtensionRefusal, EXTEND_DRIFTED } from '../../src/domain/drifted-access';
import { outcomeCard } from '../../src/views/request-view';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

test('the failed card of an extension refused by a drift names one command to ask again', () => {
  const plan = { ...grantPlan(), typed: { cluster: 'name', registry: 'name' } as const };
  const original = pendingRequest({
    id: 'R-AAAAAAAA',
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: {
      durationMs: 86_400_000,
      expiresAt: '2025-01-16T09:00:00.000Z',
      driftDetectedAt: '2025-01-15T09:00:00.000Z',
    },
  });
  const refusal = driftedExtensionRefusal(original)!;
  expect(refusal.code).toBe(EXTEND_DRIFTED);
  const extension = pendingRequest({
    id: 'R-EXTENSN1',
    plan,
    state: 'failed',
    extendsRequestId: original.id,
    access: { durationMs: 2 * 86_400_000 },
    decision: { by: APPROVER, at: '2025-01-15T08:00:00.000Z', approved: true },
    outcome: { summary: 'Failed', azureRequestIds: [], error: refusal.message, errorCode: EXTEND_DRIFTED },
  });

  const words = JSON.stringify(outcomeCard(extension));
  expect(words).toContain(
    'nothing was extended. If you still need the access, make a new request: \\"@acrbot grant aks-prod contosoacr --for 2d REASON…\\".',
  );
  expect(words.match(/@acrbot grant/g)).toHaveLength(1);
  expect(words).not.toContain('Ask for the access again');
});
