/**
 * A cluster or registry Azure no longer has at the id acrbot recorded. ARM cannot tell a deleted
 * resource from one moved to another resource group or subscription (a move changes its id and
 * keeps its name), so the sentence names both, as the revocation's audit entry does
 * (grant-revocation.ts), and says what to do if it was moved: acrbot reads only where it was
 * given Reader (docs/deploy.md), and a moved resource needs a new request, planned where it is
 * now. One sentence for `extend` (access-actions.ts) and an approved run's re-check
 * (grant-runner.ts). Pure.
 */

/**
 * "Registry contosoacr is no longer at its recorded id: deleted, or moved to another resource
 * group or subscription, so `notDone`. If it was moved, give acrbot Reader where it is now and
 * ask again with "@acrbot grant aks-prod contosoacr REASON…"." `notDone`: what was therefore not
 * done, lowercase, no full stop. The command names the pair bare: an id it was typed with is the
 * old one. `withCommand: false` stops after "where it is now", for a failure whose card adds the
 * new request's command itself (request-view.ts, GONE_CODES), with the request's term.
 */
export function notAtRecordedId(
  kind: 'cluster' | 'registry',
  pair: { cluster: { name: string }; registry: { name: string } },
  notDone: string,
  withCommand = true,
): string {
  const subject = kind === 'cluster' ? `Cluster ${pair.cluster.name}` : `Registry ${pair.registry.name}`;
  const command = withCommand
    ? ` and ask again with "@acrbot grant ${pair.cluster.name} ${pair.registry.name} REASON…"`
    : '';
  return (
    `${subject} is no longer at its recorded id: deleted, or moved to another resource group or subscription, ` +
    `so ${notDone}. If it was moved, give acrbot Reader where it is now${command}.`
  );
}
