/** A GrantRunner over fake ports, for the tests of what a run says when Azure answers badly. */
import type { GrantPlan } from '../../../src/domain/plan';
import type { AzureResourceReader, RoleAssignmentPort } from '../../../src/domain/ports';
import type { GrantPlanner } from '../../../src/flows/grant-planner';
import { GrantRunner } from '../../../src/flows/grant-runner';

/**
 * A runner for `plan`: the role assignment PUT is `create`, the principal's listing
 * `listForPrincipal` (none by default), the cluster re-read `getCluster` (as planned by default);
 * the registry reads as planned and the identity resolves to the plan's.
 */
export function grantRunnerOver(
  plan: GrantPlan,
  ports: {
    create: RoleAssignmentPort['create'];
    listForPrincipal?: RoleAssignmentPort['listForPrincipal'];
    getCluster?: () => Promise<unknown>;
  },
): GrantRunner {
  const roleAssignments: RoleAssignmentPort = {
    listForPrincipal: ports.listForPrincipal ?? (async () => []),
    create: ports.create,
    canAssignRoles: async () => true,
    delete: async () => ({}),
    scopeExists: async () => true,
  };
  const azure = {
    getCluster: ports.getCluster ?? (async () => ({ id: plan.cluster.id, name: plan.cluster.name })),
    getRegistry: async () => ({ id: plan.registry.id, roleAssignmentMode: plan.registry.roleAssignmentMode }),
  } as unknown as AzureResourceReader;
  const planner = { resolveIdentity: async () => plan.identity } as unknown as GrantPlanner;
  return new GrantRunner(azure, roleAssignments, planner, [], async () => undefined);
}
