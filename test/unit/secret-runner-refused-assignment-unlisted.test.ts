/**
 * G14: a resumed `--kind sp` run refuses the application an earlier attempt reused (someone else
 * holds it as well) and deletes the role assignment that attempt recorded, the application being
 * left for a person. The assignment not listed for the service principal is no proof it is gone
 * (a listing that lags the create, a create whose answer was lost): the run looks again at its
 * retry delays, deletes it once listed, and if it never is says so as undecided, not absent, and
 * no longer says "Nothing was granted".
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { ApplicationHolders } from '../../src/domain/secret-ownership';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { REGISTRY_ID } from './support/requests';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, OWN_SP_ID, failureOf, SP_ID, spRequest, spRunner } from './support/sp-runner';

const NAME = roleAssignmentName(REGISTRY_ID, SP_ID, 'role-guid');
const ASSIGNMENT: RoleAssignmentInfo = {
  id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
  name: NAME,
  scope: REGISTRY_ID,
  principalId: SP_ID,
  roleDefinitionId: '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/role-guid',
};
const EARLIER = [
  { kind: 'application' as const, id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' },
  { kind: 'servicePrincipal' as const, id: SP_ID, name: 'app-id-1' },
  { kind: 'roleAssignment' as const, id: ASSIGNMENT.id, name: NAME },
];
const someoneElse: ApplicationHolders = { ...ACRBOT, owners: [...ACRBOT.owners, { id: 'user-1', type: 'user' }] };

/** The listing answers `listings[i]` at its i-th call (the last one from then on). */
function ports(listings: RoleAssignmentInfo[][], deletes: string[]): SecretRunnerPorts {
  let calls = 0;
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created: false }),
      findServicePrincipal: async () => ({ id: SP_ID }),
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => someoneElse,
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      listForPrincipal: async () => listings[Math.min(calls++, listings.length - 1)],
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
    },
    kubernetes: { access: async () => ({ clusterName: 'aks-prod' }), precheck: async () => ({}) },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
}

describe('a refused reused application: its recorded role assignment not listed at first', () => {
  test('listed at a later look: deleted, the application left', async () => {
    const deletes: string[] = [];
    const slept: number[] = [];
    const { ctx, audited } = runContext(EARLIER);
    const err = await failureOf(spRunner(ports([[], [ASSIGNMENT]], deletes), slept, [5, 10]).run(spRequest(), ctx));
    expect(err.outcome.errorCode).toBe('graph.applicationNotOurs');
    expect(deletes).toEqual([`ra:${NAME}`]);
    expect(slept).toEqual([5]);
    expect(audited).toContain('credential.cleanup:deleted');
    expect(err.outcome.error).toMatch(/Nothing was granted/);
  });

  test('never listed: not called absent, and the failure says it could not be deleted', async () => {
    const deletes: string[] = [];
    const slept: number[] = [];
    const { ctx, audited } = runContext(EARLIER);
    const err = await failureOf(spRunner(ports([[]], deletes), slept, [5, 10]).run(spRequest(), ctx));
    expect(deletes).toEqual([]);
    expect(slept).toEqual([5, 10]);
    expect(audited).toContain('credential.cleanup:unconfirmed');
    expect(audited).not.toContain('credential.cleanup:absent');
    expect(err.outcome.error).not.toMatch(/Nothing was granted/);
    expect(err.outcome.error).toContain(`role assignment ${NAME}`);
  });
});
