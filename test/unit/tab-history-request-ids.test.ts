/**
 * The tab drawer's "Azure request ids" are Azure's (ARM's, Graph's): a pull secret's revocation
 * entries carry the cluster API server's Audit-Id, which Azure's Activity Log does not know.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { requestHistory } from '../../src/tab/tab-rows';
import { pendingRequest, REQUESTER, secretPlan } from './support/requests';

const NOW = new Date('2026-12-01T10:00:00.000Z');

const request = { ...pendingRequest({ id: 'R-SECRET01', plan: secretPlan() }), requester: REQUESTER };

function entry(seq: number, action: string, outcome: string, correlationIds: string[]): AuditEntry {
  return {
    seq,
    ts: NOW.toISOString(),
    prevHash: '',
    hash: `h${seq}`,
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: request.tenantId,
    action,
    requestId: 'R-SECRET01',
    targetIds: [],
    outcome,
    correlationIds,
  };
}

test("a pull secret's Audit-Ids are not listed as Azure request ids; the token's DELETE id is", () => {
  const history = requestHistory(
    request,
    [
      entry(1, 'access.revoke.secret', 'deleted', ['k8s-audit-secret']),
      entry(2, 'access.revoke.serviceAccount', 'patched', ['k8s-audit-patch']),
      entry(3, 'access.revoke.credential', 'deleted', ['arm-delete-id']),
    ],
    NOW,
  );
  expect(history.azureRequestIds).toEqual(['arm-delete-id']);
});
