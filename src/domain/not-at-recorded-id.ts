/**
 * A cluster or registry Azure no longer has at the id acrbot recorded (ARM answered 404). A
 * registry may be deleted or moved to another resource group or subscription (a move changes its
 * id and keeps its name; ARM cannot tell the two apart), so its sentence names both, as the
 * revocation's audit entry does (grant-revocation.ts), and says what to do if it was moved:
 * acrbot reads only where it was given Reader (docs/deploy.md), and a moved registry needs a new
 * request, planned where it is now. An AKS cluster cannot be moved (Azure does not support moving
 * managed clusters), so a cluster's sentence says it no longer exists, as the drift check's note
 * does (cluster-gone.ts), and that only one made again under its name can be asked for. One
 * sentence for `extend` (access-actions.ts) and an approved run's re-check (grant-runner.ts). Pure.
 */

/**
 * "Registry contosoacr is no longer at its recorded id: deleted, or moved to another resource
 * group or subscription, so `notDone`. If it was moved, give acrbot Reader where it is now and
 * ask again with "@acrbot grant aks-prod contosoacr REASON…"."; a cluster's: "Cluster aks-prod no
 * longer exists (deleted), so `notDone`. If it is created again, ask again with "@acrbot grant
 * aks-prod contosoacr REASON…"." `notDone`: what was therefore not done, lowercase, no full stop.
 * The command names the pair bare: an id it was typed with is the old one. `withCommand: false`
 * leaves the command out (a cluster's sentence then ends at `notDone`, a registry's after "where
 * it is now"), for a failure whose card adds the new request's command itself (request-view.ts,
 * GONE_CODES), with the request's term.
 */
export function notAtRecordedId(
  kind: 'cluster' | 'registry',
  pair: { cluster: { name: string }; registry: { name: string } },
  notDone: string,
  withCommand = true,
): string {
  const command = `"@acrbot grant ${pair.cluster.name} ${pair.registry.name} REASON…"`;
  if (kind === 'cluster')
    return (
      `Cluster ${pair.cluster.name} no longer exists (deleted), so ${notDone}.` +
      (withCommand ? ` If it is created again, ask again with ${command}.` : '')
    );
  return (
    `Registry ${pair.registry.name} is no longer at its recorded id: deleted, or moved to another resource group or subscription, ` +
    `so ${notDone}. If it was moved, give acrbot Reader where it is now${withCommand ? ` and ask again with ${command}` : ''}.`
  );
}
