/**
 * A pull secret with two owners (a request and its extension) whose cluster step fails: acrbot
 * deleted the credential of one, and found the other's gone already. The report says acrbot
 * deleted the credential (the access has ended by its doing), never only that it "was already gone".
 */
import { RevocationLeftError } from '../../src/flows/revocation-left';
import { revokeSecrets } from '../../src/flows/secret-revocation';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { APPROVER, auditEvent, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';
import { unreachableClusterDeps } from './support/unreachable-cluster-deps';

const plan = secretPlan();

/** A succeeded secret request `id` that recorded making ACR token `token`. */
const owner = (id: string, token: string) =>
  pendingRequest({
    id,
    state: 'succeeded',
    plan,
    created: [
      { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${token}`, name: token, recordedAt: '2025-01-15T09:00:00.000Z' },
    ],
  });

test('one credential deleted, the other already gone: the report says acrbot deleted the credential', async () => {
  const audit = new MemoryAuditLog(new FakeClock());
  const request = owner('R-AAAAAAAA', 'acrbot-r-aaaaaaaa');
  const extension = owner('R-BBBBBBBB', 'acrbot-r-bbbbbbbb');
  // Earlier attempts of this revocation: the request's credential deleted, the extension's not found.
  await audit.append(auditEvent(1, { requestId: request.id, action: 'access.revoke.credential', outcome: 'deleted' }));
  await audit.append(auditEvent(2, { requestId: extension.id, action: 'access.revoke.credential', outcome: 'absent' }));
  const deps = unreachableClusterDeps(audit);

  const err = await revokeSecrets(deps, request, [extension], APPROVER, new Set()).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(RevocationLeftError);
  expect((err as Error).message).toContain('; its credential is deleted, the clean-up is retried');
  expect((err as Error).message).not.toContain('already gone');
  // And each owner's trail says what this attempt found of its own credential.
  const outcomes = async (id: string) =>
    (await audit.forRequest(id)).filter((e) => e.action === 'access.revoke.credential').map((e) => e.outcome);
  expect(await outcomes(request.id)).toEqual(['deleted', 'alreadyDeleted']);
  expect(await outcomes(extension.id)).toEqual(['absent', 'absent']);
});
