/**
 * Routes of `Microsoft.ContainerService/managedClusters` (CONTRACTS §1), with the stop and start
 * operations (AKS REST reference, Managed Clusters - Stop / Start).
 */
import { randomUUID } from 'node:crypto';
import { ok, type ArmRoute } from './arm-route';
import { clusterToWire, setClusterPowerState, type ClusterRecord } from './clusters';
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
    // Stop and start are long-running POSTs: AKS answers 202 with a `Location` to poll. The
    // emulator applies the change at once, so the first poll finds the operation done (204).
    ...(['stop', 'start'] as const).map((verb): ArmRoute => ({
      method: 'POST',
      pattern: `${RG}/{name}/${verb}`,
      operation: `managedClusters.${verb}`,
      action: `Microsoft.ContainerService/managedClusters/${verb}/action`,
      handle: (ctx) => {
        const c = ctx.state.requireCluster(ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!);
        setClusterPowerState(c, verb === 'stop' ? 'Stopped' : 'Running');
        const apiVersion = encodeURIComponent(ctx.query.get('api-version') ?? '');
        const location = `${ctx.baseUrl}/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService/locations/${c.location}/operationresults/${randomUUID()}?api-version=${apiVersion}`;
        return { status: 202, headers: { Location: location, 'Retry-After': '0' } };
      },
    })),
    {
      method: 'GET',
      pattern: 'subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{location}/operationresults/{id}',
      operation: 'managedClusters.operationResults',
      // Every operation the emulator accepts has finished by the time it is polled.
      handle: () => ({ status: 204 }),
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
