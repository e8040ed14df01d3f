/**
 * The entries that record the end of access carry the request ids of the DELETEs they record, as
 * the writes' entries carry theirs: ARM's `x-ms-request-id` for a role assignment, a token and
 * its scope map, Graph's `request-id` for an application and its permanent delete. An auditor
 * matches each to Azure's Activity Log or Entra's audit log by them; the ids asserted are the ones
 * the emulators sent back. Targets are full ids (a token's ARM id, an application's object id).
 * A pull secret's entries carry the Kubernetes API server's `Audit-Id` likewise: the secret's
 * DELETE (a 404's too) on `access.revoke.secret`, the service account's PATCH on
 * `access.revoke.serviceAccount`, found by it in the cluster's audit log.
 */
import { ServerResponse } from 'node:http';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { users } from '../helpers/harness';
import {
  advance,
  assignmentsOn,
  contosoId,
  DAY,
  grant,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  runDueAfter,
  secretServicePrincipal,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

/** The request ids the emulator (`arm` or `graph`) answered `operation` with, oldest first (only 2xx/404). */
function answered(emulator: 'arm' | 'graph', operation: string, pathIncludes = ''): string[] {
  return h.app
    .sandbox![emulator].requests.filter(
      (r) => r.operation === operation && r.path.includes(pathIncludes) && (r.status < 300 || r.status === 404),
    )
    .map((r) => r.requestId);
}

/** The request's one `action` entry with `outcome`. */
async function entry(id: string, action: string, outcome: string) {
  const found = (await h.app.audit.forRequest(id)).filter((e) => e.action === action && e.outcome === outcome);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Moves past a 2-minute access's end and runs the revocation; it is revoked. */
async function revokedAtItsEnd(id: string): Promise<AccessRequest> {
  advance(2 * MINUTE);
  await h.app.scheduler.runDue();
  const revoked = (await h.app.store.get(id))!;
  expect(revoked.state).toBe('revoked');
  return revoked;
}

test('a grant: the role assignment deleted carries the DELETE’s x-ms-request-id', async () => {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
  const [assignment] = assignmentsOn(contosoId);
  await revokedAtItsEnd(request.id);
  const ids = answered('arm', 'roleAssignments.delete');
  expect(ids).toHaveLength(1);
  expect(await entry(request.id, 'access.revoke.roleAssignment', 'deleted')).toMatchObject({
    targetIds: [assignment.id],
    correlationIds: ids,
  });
});

test('a grant whose assignment ARM answers gone (404) at the DELETE: absent, not deleted, with that answer’s request id', async () => {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
  h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 404, code: 'RoleAssignmentNotFound' });
  await revokedAtItsEnd(request.id);
  const gone = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.delete');
  expect(gone.map((r) => r.status)).toEqual([404]);
  const { correlationIds } = await entry(request.id, 'access.revoke.roleAssignment', 'absent');
  expect(correlationIds).toEqual([gone[0].requestId]);
});

test('a token secret: the credential deleted carries the token’s and scope map’s DELETE request ids, and names their ARM ids', async () => {
  const { id } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --repositories team/app --for 2m pull for payments-api',
  );
  await revokedAtItsEnd(id);
  const token = answered('arm', 'tokens.delete');
  const scopeMap = answered('arm', 'scopeMaps.delete');
  expect([token, scopeMap].map((ids) => ids.length)).toEqual([1, 1]);
  const name = `acrbot-${id.toLowerCase()}`;
  expect(await entry(id, 'access.revoke.credential', 'deleted')).toMatchObject({
    targetIds: [`${contosoId}/tokens/${name}`, `${contosoId}/scopeMaps/${name}`],
    correlationIds: [...token, ...scopeMap],
  });
});

test('an sp secret: the credential deleted carries the role assignment’s x-ms-request-id and Graph’s request-ids of the application’s delete and purge', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
  );
  const { appId, directory, sp } = secretServicePrincipal(k8s);
  const app = directory.getApplicationByAppId(appId)!;
  const assignment = assignmentsOn(contosoId).find((a: { principalId: string }) => a.principalId === sp.id)!;
  await revokedAtItsEnd(id);
  const ids = [
    ...answered('arm', 'roleAssignments.delete'),
    ...answered('graph', 'applications.delete'),
    ...answered('graph', 'directory.deletedItems.delete', app.id),
  ];
  expect(ids).toHaveLength(3);
  const deleted = await entry(id, 'access.revoke.credential', 'deleted');
  expect(deleted.correlationIds).toEqual(ids);
  expect(deleted.targetIds).toEqual([app.id, expect.stringMatching(/\/roleAssignments\/[^/]+$/)]);
  expect(deleted.targetIds[1].toLowerCase()).toBe(assignment.id.toLowerCase());
});

test('the orphan watch: the left-behind role assignment it deletes carries the DELETE’s x-ms-request-id', async () => {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  const plan = request.plan as GrantPlan;
  const state = h.app.sandbox!.arm.state;
  const reg = state.getRegistry(contosoId)!;
  // The registry is gone at the grant's end (its assignment left at the old scope), then made
  // again under the same name: the watch's next look deletes the assignment.
  state.removeRegistry(contosoId);
  await runDueAfter(61 * MINUTE);
  await runDueAfter(2 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  expect(answered('arm', 'roleAssignments.delete')).toEqual([]);
  state.addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  const [assignment] = assignmentsOn(contosoId);
  await runDueAfter(DAY);
  expect(state.hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  const ids = answered('arm', 'roleAssignments.delete');
  expect(ids).toHaveLength(1);
  expect(await entry(request.id, 'access.revoke.roleAssignment', 'deleted')).toMatchObject({
    targetIds: [assignment.id],
    correlationIds: ids,
  });
});

/**
 * The Audit-Ids asserted are the ones the emulator answered: its request log keeps no headers,
 * so they are read off the answers as it writes them (a pass-through spy on `writeHead`, which
 * changes nothing it sends).
 */
describe('a pull secret: the Kubernetes API server’s Audit-Id', () => {
  /** An answer the emulator wrote with an `Audit-Id`. */
  interface Answered {
    method: string;
    path: string;
    status: number;
    auditId: string;
  }

  let answers: Answered[] = [];

  beforeEach(() => {
    answers = [];
    const writeHead = ServerResponse.prototype.writeHead;
    jest.spyOn(ServerResponse.prototype, 'writeHead').mockImplementation(function (
      this: ServerResponse,
      ...args: unknown[]
    ) {
      const headers = args.find((a): a is Record<string, unknown> => !!a && typeof a === 'object' && !Array.isArray(a));
      const auditId = headers?.['Audit-Id'];
      if (typeof auditId === 'string')
        answers.push({
          method: this.req.method ?? '',
          path: this.req.url ?? '',
          status: args[0] as number,
          auditId,
        });
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  /** The Audit-Ids of the answers to `method` on a path under `path`, oldest first. */
  function auditIds(method: string, path: string): string[] {
    return answers.filter((a) => a.method === method && a.path.startsWith(path)).map((a) => a.auditId);
  }

  const SECRET = '/api/v1/namespaces/payments/secrets/acr-auth';
  const SERVICE_ACCOUNT = '/api/v1/namespaces/payments/serviceaccounts/default';

  test('the secret deleted carries the DELETE’s Audit-Id, the service account’s entry the PATCH’s', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    answers = [];
    await revokedAtItsEnd(id);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    const deleted = auditIds('DELETE', SECRET);
    const patched = auditIds('PATCH', SERVICE_ACCOUNT);
    expect([deleted.length, patched.length]).toEqual([1, 1]);
    expect((await entry(id, 'access.revoke.secret', 'deleted')).correlationIds).toEqual(deleted);
    expect((await entry(id, 'access.revoke.serviceAccount', 'patched')).correlationIds).toEqual(patched);
  });

  test('a secret gone between the read and the DELETE (404): that answer’s Audit-Id is recorded', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    k8s.faults.inject({
      verb: 'delete',
      resource: 'secrets',
      name: 'acr-auth',
      meanwhile: () => k8s.deleteObject('secrets', 'payments', 'acr-auth'),
    });
    answers = [];
    await revokedAtItsEnd(id);
    const gone = answers.filter((a) => a.method === 'DELETE' && a.path.startsWith(SECRET));
    expect(gone.map((a) => a.status)).toEqual([404]);
    expect((await entry(id, 'access.revoke.secret', 'absent')).correlationIds).toEqual([gone[0].auditId]);
  });
});
