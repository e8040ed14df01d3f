/**
 * Routes of `Microsoft.ContainerService/managedClusters` (CONTRACTS §1).
 */
import { ok, type ArmRoute } from './arm-route';
import { clusterToWire, type ClusterRecord } from './clusters';
import { buildKubeconfig } from './kubeconfig';
import { page } from './paging';

const RG = 'subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters';
const READ = 'Microsoft.ContainerService/managedClusters/read';

/** Cluster routes. */
export function clusterRoutes(): ArmRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'subscriptions/{sub}/providers/Microsoft.ContainerService/managedClusters',
      operation: 'managedClusters.list',
      action: READ,
      handle: (ctx) => {
        ctx.state.requireResourceGroup(ctx.params['sub']!);
        const sub = ctx.params['sub']!.toLowerCase();
        return ok(
          page(
            ctx,
            ctx.state.listClusters().filter((c) => c.subscriptionId.toLowerCase() === sub),
            clusterToWire,
          ),
        );
      },
    },
    {
      method: 'GET',
      pattern: RG,
      operation: 'managedClusters.listByResourceGroup',
      action: READ,
      handle: (ctx) => {
        const { sub, rg } = ctx.params as { sub: string; rg: string };
        ctx.state.requireResourceGroup(sub, rg);
        const inGroup = (c: ClusterRecord) =>
          c.subscriptionId.toLowerCase() === sub.toLowerCase() && c.resourceGroup.toLowerCase() === rg.toLowerCase();
        return ok(page(ctx, ctx.state.listClusters().filter(inGroup), clusterToWire));
      },
    },
    {
      method: 'GET',
      pattern: `${RG}/{name}`,
      operation: 'managedClusters.get',
      action: READ,
      handle: (ctx) =>
        ok(clusterToWire(ctx.state.requireCluster(ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!))),
    },
    {
      method: 'POST',
      pattern: `${RG}/{name}/listClusterUserCredential`,
      operation: 'managedClusters.listClusterUserCredential',
      action: 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
      handle: (ctx) =>
        credentialReply(
          ctx.state.requireCluster(ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!),
          'user',
          ctx.query.get('format'),
          ctx.state.defaultApiServerCaPem,
        ),
    },
    {
      method: 'POST',
      pattern: `${RG}/{name}/listClusterAdminCredential`,
      operation: 'managedClusters.listClusterAdminCredential',
      action: 'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      handle: (ctx) =>
        credentialReply(
          ctx.state.requireCluster(ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!),
          'admin',
          null,
          ctx.state.defaultApiServerCaPem,
        ),
    },
  ];
}

function credentialReply(
  c: ClusterRecord,
  kind: 'user' | 'admin',
  format: string | null,
  defaultCaPem: string | undefined,
) {
  const yaml = buildKubeconfig(
    { ...c, apiServerCaPem: c.apiServerCaPem ?? defaultCaPem },
    { kind, ...(format ? { format } : {}) },
  );
  return ok({
    kubeconfigs: [
      { name: kind === 'admin' ? 'clusterAdmin' : 'clusterUser', value: Buffer.from(yaml).toString('base64') },
    ],
  });
}
