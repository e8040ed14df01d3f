/**
 * The service principal's purge after `deleteApplication` has purged the application: best
 * effort (its failure must not turn a deletion already done into a failure the retry then reads
 * as "absent"), and a retry that finds the application only in deleted items still purges the
 * service principal, found among deleted items by appId.
 */
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import type { Logger } from '../../src/observability/logger';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { useSandboxGraph } from '../helpers/sandbox-graph';

let sandbox: Sandbox;
let graph: GraphClient;
let sps: GraphServicePrincipals;
let warnings: { obj: Record<string, unknown>; msg: string }[];
let n = 0;

useSandboxGraph((started) => {
  ({ sandbox, graph } = started);
  const log = { warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }) };
  sps = new GraphServicePrincipals(graph, [1, 1, 1], async () => {}, undefined, log as unknown as Logger);
});
beforeEach(() => {
  warnings = [];
  sandbox.graph.faults.clear();
});

async function credential(): Promise<{ id: string; appId: string; spId: string }> {
  n += 1;
  const app = await sps.upsertApplication(`acrbot-purge-sp-${n}`, `acrbot purge sp ${n}`);
  const sp = await sps.createServicePrincipal(app.appId);
  return { id: app.id, appId: app.appId, spId: sp.id };
}

test('the service principal purge failing after the application is purged: success, logged, not thrown', async () => {
  const { id, spId } = await credential();
  sandbox.graph.faults.add({ operation: 'directory.deletedItems.delete', status: 503, count: 50, pathIncludes: spId });
  await sps.deleteApplication(id);
  expect(sandbox.directory.deletedItems.has(id)).toBe(false);
  expect(sandbox.directory.deletedItems.get(spId)?.type).toBe('servicePrincipal');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.obj['err']).toBeInstanceOf(Error);
  expect(warnings[0]!.obj['applicationId']).toBe(id);
});

test('a refused service principal purge (403) does not fail the deletion either', async () => {
  const { id, spId } = await credential();
  sandbox.graph.faults.add({ operation: 'directory.deletedItems.delete', status: 403, count: 1, pathIncludes: spId });
  await expect(sps.deleteApplication(id)).resolves.toEqual({
    requestId: expect.any(String),
    purgeRequestId: expect.any(String),
  });
  expect(sandbox.directory.deletedItems.has(id)).toBe(false);
});

test('the retry after PermanentDeletePending purges the service principal too (found by appId)', async () => {
  const { id, spId } = await credential();
  sandbox.graph.faults.add({ operation: 'directory.deletedItems.delete', status: 404, count: 4, pathIncludes: id });
  await expect(sps.deleteApplication(id)).rejects.toMatchObject({ code: 'PermanentDeletePending' });
  expect(sandbox.directory.deletedItems.get(spId)?.type).toBe('servicePrincipal');
  await sps.deleteApplication(id);
  expect(sandbox.directory.deletedItems.has(id)).toBe(false);
  expect(sandbox.directory.deletedItems.has(spId)).toBe(false);
  expect(warnings).toEqual([]);
});

test('a retry whose service principal search fails still reports the application deleted', async () => {
  const { id, spId } = await credential();
  sandbox.graph.faults.add({ operation: 'directory.deletedItems.delete', status: 404, count: 4, pathIncludes: id });
  await expect(sps.deleteApplication(id)).rejects.toMatchObject({ code: 'PermanentDeletePending' });
  sandbox.graph.faults.add({
    operation: 'directory.deletedItems.get',
    status: 403,
    count: 1,
    pathIncludes: 'microsoft.graph.servicePrincipal',
  });
  await sps.deleteApplication(id);
  expect(sandbox.directory.deletedItems.has(id)).toBe(false);
  expect(sandbox.directory.deletedItems.get(spId)?.type).toBe('servicePrincipal');
  expect(warnings).toHaveLength(1);
});
