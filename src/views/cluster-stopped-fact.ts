/**
 * What a grant's card says of a cluster ARM reported stopped when it was planned
 * (GrantPlan.clusterStopped): the role is granted all the same, but no pod runs to pull with it
 * until the cluster is started, as `check` says. Said in the past, like the registry's network:
 * the cluster may have been started since. Its own file so every card of the plan (the request
 * card and the outcome card, request-view.ts) says it in the same words.
 */
import type { Plan } from '../domain/plan';
import { inertText } from './inert-text';

/** The card's row for a grant planned on a stopped cluster; none otherwise (and on older plans). */
export function clusterStoppedFacts(plan: Plan): Array<{ label: string; value: string }> {
  if (plan.kind !== 'grant' || !plan.clusterStopped) return [];
  // Its start command quotes the resource group, which is user text (the Cluster row above
  // carries its look-alike warning): the line is made inert.
  return [{ label: 'Cluster state', value: inertText(`When this was requested: ${plan.clusterStopped}`) }];
}
