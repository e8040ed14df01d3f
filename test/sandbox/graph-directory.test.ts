/**
 * The Graph emulator over HTTPS: service principal lookups, application and service principal
 * creation (with replication delay), passwords, deletion, group membership, errors and faults.
 */
import {
  SANDBOX_APPROVER_GROUP_ID,
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_USERS,
} from '../../src/sandbox/fixtures';
import { httpsJson, type JsonResponse } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.graph.clearRequests();
  sandbox.graph.faults.clear();
  sandbox.directory.replicationDelay = 0;
  sandbox.directory.readReplicationDelay = 0;
  sandbox.graph.applicationPermission = 'OwnedBy';
});

function graph(
  path: string,
  opts: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  return httpsJson(`${sandbox.graphUrl}/v1.0${path}`, {
    ca: sandbox.tls.caPem,
    token: opts.token ?? sandbox.tokens.graph,
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
}

describe('service principal lookup', () => {
  const legacy = SANDBOX_CLUSTERS.legacy;

  it("resolves the legacy cluster's app id to its service principal object id (key form)", async () => {
    const res = await graph(`/servicePrincipals(appId='${legacy.servicePrincipalAppId}')`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(legacy.servicePrincipalObjectId);
    expect(res.body.appId).toBe(legacy.servicePrincipalAppId);
    expect(sandbox.graph.requests[0]).toMatchObject({
      operation: 'servicePrincipals.getByAppId',
      status: 200,
      apiVersion: 'v1.0',
    });
  });

  it('resolves it through $filter too, wrapped in value', async () => {
    const res = await graph(
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${legacy.servicePrincipalAppId}'`)}&$select=id,appId`,
    );
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([{ id: legacy.servicePrincipalObjectId, appId: legacy.servicePrincipalAppId }]);
  });

  it('gets kubelet identities by object id', async () => {
    const res = await graph(`/servicePrincipals/${SANDBOX_CLUSTERS.prod.kubeletObjectId}`);
    expect(res.status).toBe(200);
    expect(res.body.servicePrincipalType).toBe('ManagedIdentity');
    expect(res.body.appId).toBe(SANDBOX_CLUSTERS.prod.kubeletClientId);
  });

  it('answers 404 Request_ResourceNotFound with innerError', async () => {
    const res = await graph(`/servicePrincipals(appId='00000000-0000-4000-8000-000000000000')`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
    expect(res.body.error.message).toBe(
      "Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present.",
    );
    expect(res.body.error.innerError).toEqual({
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
      'request-id': res.headers['request-id'],
      'client-request-id': expect.any(String),
    });
  });
});

describe('service principal flow', () => {
  it('a new application is not found on reads, owners and addPassword while it replicates: 404 Request_ResourceNotFound with innerError, nothing added', async () => {
    sandbox.directory.readReplicationDelay = 4;
    const app = await graph('/applications', { method: 'POST', body: { displayName: 'acrbot-pull-replicating' } });
    expect(app.status).toBe(201);
    const { id, appId } = app.body as { id: string; appId: string };
    const early = [
      await graph(`/applications/${id}`),
      await graph(`/applications/${id}/owners`),
      await graph(`/applications(appId='${appId}')`),
      await graph(`/applications/${id}/addPassword`, { method: 'POST', body: { passwordCredential: {} } }),
    ];
    for (const [i, res] of early.entries()) {
      const key = i === 2 ? appId : id;
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        code: 'Request_ResourceNotFound',
        message: `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': res.headers['request-id'],
          'client-request-id': expect.any(String),
        },
      });
    }
    // The 404 addPassword added nothing.
    expect(sandbox.directory.getApplication(id)!.passwords).toEqual([]);
    // Creating its service principal is not delayed by this knob (that is `replicationDelay`, a 400).
    expect((await graph('/servicePrincipals', { method: 'POST', body: { appId } })).status).toBe(201);
    expect((await graph(`/applications/${id}`)).status).toBe(200);
    const pw = await graph(`/applications/${id}/addPassword`, { method: 'POST', body: { passwordCredential: {} } });
    expect(pw.status).toBe(200);
    expect(sandbox.directory.getApplication(id)!.passwords).toHaveLength(1);
    expect(sandbox.graph.requests.map((r) => `${r.operation} ${r.status}`)).toEqual([
      'applications.create 201',
      'applications.get 404',
      'applications.owners 404',
      'applications.getByAppId 404',
      'applications.addPassword 404',
      'servicePrincipals.create 201',
      'applications.get 200',
      'applications.addPassword 200',
    ]);
    expect((await graph(`/applications/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('the read delay applies to applications created through Graph (POST and upsert), deletion included, not to seeded ones', async () => {
    sandbox.directory.readReplicationDelay = 1;
    const seeded = sandbox.directory.addApplication({ displayName: 'seeded', ownerIds: [SANDBOX_BOT_OBJECT_ID] });
    expect((await graph(`/applications/${seeded.id}`)).status).toBe(200);
    const upserted = await graph(`/applications(uniqueName='acrbot-replicating-upsert')`, {
      method: 'PATCH',
      body: { displayName: 'upserted' },
      headers: { Prefer: 'create-if-missing' },
    });
    expect(upserted.status).toBe(201);
    expect((await graph(`/applications(uniqueName='acrbot-replicating-upsert')`)).status).toBe(404);
    expect((await graph(`/applications/${upserted.body.id}`)).status).toBe(200);
    const created = await graph('/applications', { method: 'POST', body: { displayName: 'deleted at once' } });
    // Not replicated yet, a delete finds nothing either: the 404 is no proof it is gone.
    expect((await graph(`/applications/${created.body.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(sandbox.directory.getApplication(created.body.id)).toBeDefined();
    expect((await graph(`/applications/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(sandbox.directory.getApplication(created.body.id)).toBeUndefined();
    sandbox.directory.deleteApplication(seeded.id);
    sandbox.directory.deleteApplication(upserted.body.id);
  });

  it('creates an app, waits out replication, creates its SP, adds and removes a password, deletes it', async () => {
    sandbox.directory.replicationDelay = 2;
    const app = await graph('/applications', { method: 'POST', body: { displayName: 'acrbot-pull-contosoacr' } });
    expect(app.status).toBe(201);
    expect(app.body).toMatchObject({ displayName: 'acrbot-pull-contosoacr', passwordCredentials: [] });
    expect(app.body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#applications\/\$entity$/);
    const appId: string = app.body.appId;

    for (let i = 0; i < 2; i++) {
      const early = await graph('/servicePrincipals', { method: 'POST', body: { appId } });
      expect(early.status).toBe(400);
      expect(early.body.error).toMatchObject({
        code: 'Request_BadRequest',
        message: `The appId '${appId}' of the service principal does not reference a valid application object.`,
      });
    }
    const sp = await graph('/servicePrincipals', { method: 'POST', body: { appId } });
    expect(sp.status).toBe(201);
    expect(sp.body).toMatchObject({ appId, accountEnabled: true, servicePrincipalNames: [appId] });
    // ARM sees the new principal at once.
    expect(sandbox.directory.principalKind(sp.body.id)).toBe('ServicePrincipal');

    const dup = await graph('/servicePrincipals', { method: 'POST', body: { appId } });
    expect(dup.status).toBe(409);

    const pw = await graph(`/applications/${app.body.id}/addPassword`, {
      method: 'POST',
      body: { passwordCredential: { displayName: 'acrbot', endDateTime: '2030-01-01T00:00:00Z' } },
    });
    expect(pw.status).toBe(200);
    expect(pw.body.secretText.length).toBeGreaterThanOrEqual(16);
    expect(pw.body.secretText.length).toBeLessThanOrEqual(64);
    expect(pw.body.hint).toBe(pw.body.secretText.slice(0, 3));
    expect(pw.body.endDateTime).toBe('2030-01-01T00:00:00.000Z');
    expect(sandbox.directory.verifyApplicationSecret(appId, pw.body.secretText)).toBe(true);

    const listed = await graph(`/applications/${app.body.id}`);
    expect(listed.body.passwordCredentials).toEqual([
      expect.objectContaining({ keyId: pw.body.keyId, secretText: null, hint: pw.body.hint }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(pw.body.secretText);

    const removed = await graph(`/applications(appId='${appId}')/removePassword`, {
      method: 'POST',
      body: { keyId: pw.body.keyId },
    });
    expect(removed.status).toBe(204);
    expect(sandbox.directory.verifyApplicationSecret(appId, pw.body.secretText)).toBe(false);

    const deleted = await graph(`/applications/${app.body.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await graph(`/servicePrincipals/${sp.body.id}`)).status).toBe(404);
    expect(sandbox.graph.requests.map((r) => r.operation)).toEqual([
      'applications.create',
      'servicePrincipals.create',
      'servicePrincipals.create',
      'servicePrincipals.create',
      'servicePrincipals.create',
      'applications.addPassword',
      'applications.get',
      'applications.removePassword',
      'applications.delete',
      'servicePrincipals.get',
    ]);
  });

  it('denies writes to applications the bot does not own (Application.ReadWrite.OwnedBy)', async () => {
    const legacyApp = [...sandbox.directory.applications.values()].find(
      (a) => a.appId === SANDBOX_CLUSTERS.legacy.servicePrincipalAppId,
    )!;
    const res = await graph(`/applications/${legacyApp.id}/addPassword`, { method: 'POST', body: {} });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect(
      (await graph(`/servicePrincipals/${SANDBOX_CLUSTERS.legacy.servicePrincipalObjectId}`, { method: 'DELETE' }))
        .status,
    ).toBe(403);
  });

  it('deletes a service principal of an owned app', async () => {
    const app = await graph('/applications', { method: 'POST', body: { displayName: 'acrbot-sp-delete' } });
    const sp = await graph('/servicePrincipals', { method: 'POST', body: { appId: app.body.appId } });
    expect((await graph(`/servicePrincipals/${sp.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(sandbox.directory.getServicePrincipal(sp.body.id)).toBeUndefined();
    expect(sandbox.directory.getApplication(app.body.id)).toBeDefined();
  });

  it('validates bodies', async () => {
    expect((await graph('/applications', { method: 'POST', body: {} })).body.error.code).toBe('Request_BadRequest');
    expect(
      (await graph('/servicePrincipals', { method: 'POST', body: { appId: '00000000-0000-4000-8000-000000000001' } }))
        .status,
    ).toBe(400);
  });
});

describe('group membership', () => {
  it('checkMemberGroups answers only the groups the user is in', async () => {
    const approver = await graph(`/users/${SANDBOX_USERS.approver.objectId}/checkMemberGroups`, {
      method: 'POST',
      body: { groupIds: [SANDBOX_APPROVER_GROUP_ID] },
    });
    expect(approver.status).toBe(200);
    expect(approver.body.value).toEqual([SANDBOX_APPROVER_GROUP_ID]);
    const outsider = await graph(`/directoryObjects/${SANDBOX_USERS.outsider.objectId}/checkMemberGroups`, {
      method: 'POST',
      body: { groupIds: [SANDBOX_APPROVER_GROUP_ID] },
    });
    expect(outsider.body.value).toEqual([]);
    expect(sandbox.graph.requests.map((r) => r.operation)).toEqual([
      'directoryObjects.checkMemberGroups',
      'directoryObjects.checkMemberGroups',
    ]);
  });

  it('is transitive through nested groups', async () => {
    const nested = '0b000000-0000-4000-8000-0000000000b1';
    sandbox.directory.addGroup({
      id: nested,
      displayName: 'platform team',
      members: [SANDBOX_USERS.requester.objectId],
    });
    sandbox.directory.addGroupMember(SANDBOX_APPROVER_GROUP_ID, nested);
    try {
      const res = await graph(`/users/${SANDBOX_USERS.requester.objectId}/checkMemberGroups`, {
        method: 'POST',
        body: { groupIds: [SANDBOX_APPROVER_GROUP_ID] },
      });
      expect(res.body.value).toEqual([SANDBOX_APPROVER_GROUP_ID]);
      const memberOf = await graph(`/users/${SANDBOX_USERS.requester.objectId}/transitiveMemberOf?$select=id`);
      expect(memberOf.body.value.map((g: { id: string }) => g.id).sort()).toEqual(
        [SANDBOX_APPROVER_GROUP_ID, nested].sort(),
      );
      expect(memberOf.body.value[0]).toEqual({ '@odata.type': '#microsoft.graph.group', id: expect.any(String) });
    } finally {
      sandbox.directory.removeGroupMember(SANDBOX_APPROVER_GROUP_ID, nested);
    }
  });

  it('answers 404 for an unknown user', async () => {
    const res = await graph('/users/00000000-0000-4000-8000-0000000000ff/checkMemberGroups', {
      method: 'POST',
      body: { groupIds: [SANDBOX_APPROVER_GROUP_ID] },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('protocol', () => {
  it('rejects a wrong bearer token with 401', async () => {
    const res = await graph(`/servicePrincipals/${SANDBOX_BOT_OBJECT_ID}`, { token: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('injects 429 with Retry-After, then recovers', async () => {
    sandbox.graph.faults.add({ operation: 'servicePrincipals.getByAppId', status: 429, count: 1 });
    const throttled = await graph(`/servicePrincipals(appId='${SANDBOX_CLUSTERS.legacy.servicePrincipalAppId}')`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('1');
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect((await graph(`/servicePrincipals(appId='${SANDBOX_CLUSTERS.legacy.servicePrincipalAppId}')`)).status).toBe(
      200,
    );
  });

  it('a fault afterApply carries the call out and answers the fault: the write happened, its answer is lost', async () => {
    sandbox.graph.faults.add({ operation: 'applications.create', status: 504, afterApply: true });
    const lost = await graph('/applications', { method: 'POST', body: { displayName: 'acrbot-lost-answer' } });
    expect(lost.status).toBe(504);
    const made = [...sandbox.directory.applications.values()].filter((a) => a.displayName === 'acrbot-lost-answer');
    expect(made).toHaveLength(1);
  });

  it('defaults a Request_BadRequest fault on servicePrincipals.create to the replication message', async () => {
    const app = await graph('/applications', { method: 'POST', body: { displayName: 'acrbot-fault' } });
    sandbox.graph.faults.add({ operation: 'servicePrincipals.create', status: 400 });
    const res = await graph('/servicePrincipals', { method: 'POST', body: { appId: app.body.appId } });
    expect(res.body.error.message).toBe(
      `The appId '${app.body.appId}' of the service principal does not reference a valid application object.`,
    );
  });
});

describe('application upsert by uniqueName (CONTRACTS §7a)', () => {
  const upsert = (uniqueName: string, displayName: string, create = true) =>
    graph(`/applications(uniqueName='${uniqueName}')`, {
      method: 'PATCH',
      body: { displayName },
      ...(create ? { headers: { Prefer: 'create-if-missing' } } : {}),
    });

  it('201 with the new application, then 204 on the same uniqueName; GET by uniqueName; owners = the caller', async () => {
    const first = await upsert('acrbot-upsert-1', 'first name');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ displayName: 'first name', uniqueName: 'acrbot-upsert-1' });
    const again = await upsert('acrbot-upsert-1', 'second name');
    expect(again.status).toBe(204);
    expect(again.body).toBeUndefined();
    const read = await graph(`/applications(uniqueName='acrbot-upsert-1')`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: first.body.id, displayName: 'second name', passwordCredentials: [] });
    const owners = await graph(`/applications/${first.body.id}/owners`);
    expect(owners.body.value).toEqual([
      { '@odata.type': '#microsoft.graph.servicePrincipal', id: SANDBOX_BOT_OBJECT_ID.toLowerCase() },
    ]);
    expect(sandbox.graph.requests.map((r) => `${r.operation} ${r.status}`)).toEqual([
      'applications.upsert 201',
      'applications.upsert 204',
      'applications.getByUniqueName 200',
      'applications.owners 200',
    ]);
  });

  it('404 without Prefer: create-if-missing when none exists; 403 for an existing one the caller does not own', async () => {
    expect((await upsert('acrbot-upsert-missing', 'x', false)).status).toBe(404);
    sandbox.directory.addApplication({
      displayName: 'someone else',
      uniqueName: 'acrbot-upsert-foreign',
      ownerIds: [SANDBOX_USERS.outsider.objectId],
    });
    const denied = await upsert('acrbot-upsert-foreign', 'mine now');
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    const owners = await graph(
      `/applications/${sandbox.directory.getApplicationByUniqueName('acrbot-upsert-foreign')!.id}/owners`,
    );
    expect(owners.body.value[0]['@odata.type']).toBe('#microsoft.graph.user');
  });
});
