/**
 * Routes of `Microsoft.ContainerService/managedClusters` (CONTRACTS §1).
 */
import { ok, type ArmRoute } from './arm-route';
import { clusterToWire, type ClusterRecord } from './clusters';
import { buildKubeconfig } from './kubeconfig';
import { readRoutes } from './read-routes';

const RG = 'subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters';

/** Cluster routes. */
export function clusterRoutes(): ArmRoute[] {
  return [
    ...readRoutes({
      type: 'Microsoft.ContainerService/managedClusters',
      operation: 'managedClusters',
      list: (state) => state.listClusters(),
      require: (state, sub, rg, name) => state.requireCluster(sub, rg, name),
      toWire: clusterToWire,
    }),
    // User and admin credentials differ in the role name and in `format` (user credentials only).
    ...(['User', 'Admin'] as const).map((kind): ArmRoute => ({
      method: 'POST',
      pattern: `${RG}/{name}/listCluster${kind}Credential`,
      operation: `managedClusters.listCluster${kind}Credential`,
      action: `Microsoft.ContainerService/managedClusters/listCluster${kind}Credential/action`,
      handle: (ctx) =>
        credentialReply(
          ctx.state.requireCluster(ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!),
          kind === 'User' ? 'user' : 'admin',
          kind === 'User' ? ctx.query.get('format') : null,
          ctx.state.defaultApiServerCaPem,
        ),
    })),
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
