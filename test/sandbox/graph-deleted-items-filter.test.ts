/** The emulator's deleted items listing honours `$filter` (appId eq), as Graph's "List deleted items" does. */
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphServicePrincipals } from '../../src/integrations/graph/graph-service-principals';
import { useSandboxGraph } from '../helpers/sandbox-graph';

let graph: GraphClient;
let sps: GraphServicePrincipals;

useSandboxGraph((started) => {
  ({ graph } = started);
  sps = new GraphServicePrincipals(graph, [1], async () => {});
});

test('deleted service principals filtered by appId: only that one', async () => {
  const made = [];
  for (const name of ['acrbot-filter-a', 'acrbot-filter-b']) {
    const app = await sps.upsertApplication(name, name);
    const sp = await sps.createServicePrincipal(app.appId);
    await graph.request('DELETE', `/applications/${app.id}`);
    made.push({ appId: app.appId, spId: sp.id });
  }
  const filter = encodeURIComponent(`appId eq '${made[1]!.appId.toUpperCase()}'`);
  const found = await graph.listAll<{ id: string }>(
    `/directory/deletedItems/microsoft.graph.servicePrincipal?$filter=${filter}&$select=id`,
  );
  expect(found).toEqual([{ id: made[1]!.spId }]);
});

test('an unsupported filter is refused as Graph refuses it', async () => {
  await expect(
    graph.request(
      'GET',
      `/directory/deletedItems/microsoft.graph.servicePrincipal?$filter=${encodeURIComponent('tags/any(t:t eq 1)')}`,
    ),
  ).rejects.toMatchObject({ status: 400 });
});
