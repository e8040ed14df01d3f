/**
 * A `--kind sp` credential's application is deleted for good (Entra keeps a deleted application
 * and its service principal for 30 days, restorable with its passwords and counted against
 * acrbot's directory object quota): `GraphServicePrincipals.deleteApplication` against the Graph
 * emulator, whose deleted items and owner quota behave as Entra's.
 */
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { useSandboxGraph } from '../helpers/sandbox-graph';

let sandbox: Sandbox;
let graph: GraphClient;
let sps: GraphServicePrincipals;
let n = 0;

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
  sps = new GraphServicePrincipals(graph, [1, 1, 1], async () => {});
});
beforeEach(() => {
  sandbox.directory.ownerQuota = undefined;
});

/** An application of acrbot's with its service principal, as the secret runner makes them. */
async function credential(): Promise<{ id: string; spId: string }> {
  n += 1;
  const app = await sps.upsertApplication(`acrbot-purge-${n}`, `acrbot purge ${n}`);
  const sp = await sps.createServicePrincipal(app.appId);
  return { id: app.id, spId: sp.id };
}

/** The status `GET /directory/deletedItems/{id}` answers. */
async function deletedItemStatus(id: string): Promise<number> {
  return graph.request('GET', `/directory/deletedItems/${id}`).then(
    (r) => r.status,
    (e: { status: number }) => e.status,
  );
}

describe('deleteApplication', () => {
  test('deletes the application and its service principal for good: nothing is left to restore', async () => {
    const { id, spId } = await credential();
    await sps.deleteApplication(id);
    expect(sandbox.directory.getApplication(id)).toBeUndefined();
    expect(await deletedItemStatus(id)).toBe(404);
    expect(await deletedItemStatus(spId)).toBe(404);
    expect(sandbox.directory.deletedItems.size).toBe(0);
  });

  test('the owner quota does not fill up with deleted credentials', async () => {
    // Entra's quota is 250; a few here show the same: without the purge the third round is refused.
    sandbox.directory.ownerQuota = sandbox.directory.objectsCreatedBy(sandbox.graph.callerObjectId) + 4;
    for (let round = 0; round < 5; round++) await sps.deleteApplication((await credential()).id);
  });

  test('a deleted item not visible yet right after the delete is asked for again', async () => {
    const { id } = await credential();
    sandbox.graph.faults.add({ operation: 'directory.deletedItems.delete', status: 404, count: 2, pathIncludes: id });
    await sps.deleteApplication(id);
    expect(sandbox.directory.deletedItems.has(id)).toBe(false);
  });

  test('still not visible once the retries are spent: fails as no absence, and the next try purges it', async () => {
    const { id } = await credential();
    sandbox.graph.faults.add({ operation: 'directory.deletedItems.delete', status: 404, count: 4, pathIncludes: id });
    const err = await sps.deleteApplication(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'PermanentDeletePending', statusCode: undefined });
    expect((err as Error).message).toContain('restorable');
    expect(sandbox.directory.deletedItems.get(id)?.type).toBe('application');
    // The clean-up's next try: the application is gone, its deleted item is there and is purged.
    await sps.deleteApplication(id);
    expect(sandbox.directory.deletedItems.has(id)).toBe(false);
  });

  test('none there, live or deleted: the port’s 404, which the caller reads as not found', async () => {
    const { id } = await credential();
    await sps.deleteApplication(id);
    await expect(sps.deleteApplication(id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(sps.deleteApplication('3c000000-0000-4000-8000-00000000d0d0')).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('the Graph emulator’s deleted items', () => {
  test('a deleted application and its service principal wait in deleted items, counted against the quota', async () => {
    const { id, spId } = await credential();
    await graph.request('DELETE', `/applications/${id}`);
    const app = await graph.request<Record<string, unknown>>('GET', `/directory/deletedItems/${id}`);
    expect(app.body).toMatchObject({ '@odata.type': '#microsoft.graph.application', id });
    expect(app.body!['deletedDateTime']).toEqual(expect.any(String));
    expect(await deletedItemStatus(spId)).toBe(200);
    const listed = await graph.request<{ value: { id: string }[] }>(
      'GET',
      '/directory/deletedItems/microsoft.graph.application?$select=id',
    );
    expect(listed.body!.value).toContainEqual({ id });
    sandbox.directory.ownerQuota = sandbox.directory.objectsCreatedBy(sandbox.graph.callerObjectId);
    await expect(sps.upsertApplication('acrbot-purge-over-quota', 'over quota')).rejects.toMatchObject({
      statusCode: 400,
      code: 'Directory_QuotaExceeded',
    });
    for (const item of [id, spId]) await graph.request('DELETE', `/directory/deletedItems/${item}`);
    expect(await deletedItemStatus(id)).toBe(404);
    await expect(sps.upsertApplication('acrbot-purge-over-quota', 'over quota')).resolves.toMatchObject({
      created: true,
    });
  });

  test('with OwnedBy, only what the caller owned can be deleted for good', async () => {
    const foreign = sandbox.directory.addApplication({ displayName: 'someone else’s' });
    sandbox.directory.deleteApplication(foreign.id);
    await expect(graph.request('DELETE', `/directory/deletedItems/${foreign.id}`)).rejects.toMatchObject({
      status: 403,
      code: 'Authorization_RequestDenied',
    });
    expect(sandbox.directory.deletedItems.has(foreign.id)).toBe(true);
  });
});
