/**
 * The `--kind sp` clean-up deletes the role assignment recorded under its name only when it is
 * the one acrbot made (G15): held by the service principal of acrbot's application, with the role
 * the deterministic name was derived from, on the recorded scope. The name is a predictable
 * UUIDv5, so an assignment made again under it for another principal or role is left in place.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { ResourceGoneError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { CredentialRef } from '../../src/domain/secret-credential';
import { deleteCredential } from '../../src/flows/credential-deletion';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { REGISTRY_ID, SUB } from './support/requests';

const APP_OBJECT_ID = '00000000-0000-4000-8000-0000000000a1';
const APP_ID = '00000000-0000-4000-8000-0000000000c1';
const SP_ID = '00000000-0000-4000-8000-0000000000b2';
const OTHER_PRINCIPAL = '00000000-0000-4000-8000-0000000000e5';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const NAME = roleAssignmentName(REGISTRY_ID, SP_ID, ACR_PULL);

const ref: CredentialRef = {
  kind: 'sp',
  applicationId: APP_OBJECT_ID,
  appId: APP_ID,
  roleAssignment: { scope: REGISTRY_ID, name: NAME, subscriptionId: SUB },
};

function assignment(principalId: string, role = ACR_PULL, scope = REGISTRY_ID): RoleAssignmentInfo {
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
    name: NAME,
    scope,
    principalId,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
  };
}

/**
 * Azure as a table of role assignments by name (names are unique, as in ARM): the principal's
 * listing shows its own at or above the scope; Graph knows acrbot's application and its service
 * principal unless `spGone`.
 */
function azure(assignments: RoleAssignmentInfo[], options: { spGone?: boolean; registryGone?: boolean } = {}) {
  const table = new Map(assignments.map((a) => [a.name, a]));
  const deletes: string[] = [];
  const ports = {
    servicePrincipals: {
      findServicePrincipal: async (appId: string) => (appId === APP_ID && !options.spGone ? { id: SP_ID } : undefined),
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return { requestId: 'graph-delete', purgeRequestId: 'graph-purge' };
      },
    },
    roleAssignments: {
      listForPrincipal: async (scope: string, principalId: string) => {
        if (options.registryGone) throw new ResourceGoneError('registry', 'registry contosoacr', 'ResourceNotFound');
        return [...table.values()].filter(
          (a) =>
            a.principalId === principalId && scope.toLowerCase().startsWith(a.scope.toLowerCase().replace(/\/$/, '')),
        );
      },
      delete: async (input: { name: string }) => {
        deletes.push(`ra:${input.name}`);
        table.delete(input.name);
        return { requestId: 'arm-delete' };
      },
    },
  } as unknown as SecretRunnerPorts;
  return { ports, table, deletes };
}

describe('deleteCredential: the role assignment of a --kind sp credential', () => {
  test("the recorded one (acrbot's service principal, the name's role, the registry): deleted, then the application", async () => {
    const t = azure([assignment(SP_ID)]);
    const result = await deleteCredential(t.ports, ref);
    expect(t.deletes).toEqual([`ra:${NAME}`, `app:${APP_OBJECT_ID}`]);
    expect(t.table.has(NAME)).toBe(false);
    expect(result).toEqual({
      found: true,
      deleted: [NAME, APP_OBJECT_ID],
      notFound: [],
      notOurs: [],
      applicationId: APP_OBJECT_ID,
      // The DELETEs' request ids, for the entry that records them: the assignment's, then Graph's two.
      requestIds: ['arm-delete', 'graph-delete', 'graph-purge'],
    });
  });

  test('made again under the recorded name for another principal: survives; only the application is deleted', async () => {
    const foreign = assignment(OTHER_PRINCIPAL);
    const t = azure([foreign]);
    const result = await deleteCredential(t.ports, ref);
    expect(t.deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    expect(t.table.get(NAME)).toBe(foreign);
    // Not among acrbot's service principal's assignments: nothing of acrbot's under that name.
    expect(result).toEqual({
      found: true,
      deleted: [APP_OBJECT_ID],
      notFound: [NAME],
      notOurs: [],
      applicationId: APP_OBJECT_ID,
      requestIds: ['graph-delete', 'graph-purge'],
    });
  });

  test.each([
    ['another role (Owner)', assignment(SP_ID, OWNER)],
    ['another scope (the subscription)', assignment(SP_ID, ACR_PULL, `/subscriptions/${SUB}`)],
  ])('under the recorded name for acrbot’s service principal but %s: not ours, survives', async (_, other) => {
    const t = azure([other]);
    const result = await deleteCredential(t.ports, ref);
    expect(t.deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    expect(t.table.get(NAME)).toBe(other);
    expect(result).toEqual({
      found: true,
      deleted: [APP_OBJECT_ID],
      notFound: [],
      notOurs: [NAME],
      applicationId: APP_OBJECT_ID,
      requestIds: ['graph-delete', 'graph-purge'],
    });
  });

  test('gone already (an earlier try, or with its registry): nothing to delete, the application still is', async () => {
    for (const t of [azure([]), azure([assignment(SP_ID)], { registryGone: true })]) {
      const result = await deleteCredential(t.ports, ref);
      expect(t.deletes).toEqual([`app:${APP_OBJECT_ID}`]);
      expect(result).toEqual({
        found: true,
        deleted: [APP_OBJECT_ID],
        notFound: [NAME],
        notOurs: [],
        applicationId: APP_OBJECT_ID,
        requestIds: ['graph-delete', 'graph-purge'],
      });
    }
  });

  test('without a recorded service principal id (an older reference), one Graph does not show vouches for nothing: no assignment deleted', async () => {
    const t = azure([assignment(SP_ID)], { spGone: true });
    const result = await deleteCredential(t.ports, ref);
    expect(t.deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    expect(result).toMatchObject({ deleted: [APP_OBJECT_ID], notFound: [NAME] });
  });
});

describe('deleteCredential: the role assignment of a --kind sp credential whose service principal id is recorded', () => {
  const recorded: CredentialRef = { ...ref, servicePrincipalId: SP_ID };

  test('its application deleted outside acrbot (Graph shows no service principal): found by the recorded id, deleted', async () => {
    const t = azure([assignment(SP_ID)], { spGone: true });
    const result = await deleteCredential(t.ports, recorded);
    expect(t.deletes).toEqual([`ra:${NAME}`, `app:${APP_OBJECT_ID}`]);
    expect(t.table.has(NAME)).toBe(false);
    expect(result).toEqual({
      found: true,
      deleted: [NAME, APP_OBJECT_ID],
      notFound: [],
      notOurs: [],
      applicationId: APP_OBJECT_ID,
      // The DELETEs' request ids, for the entry that records them: the assignment's, then Graph's two.
      requestIds: ['arm-delete', 'graph-delete', 'graph-purge'],
    });
  });

  test('made again under the recorded name for another principal, or another role: survives all the same', async () => {
    const foreign = azure([assignment(OTHER_PRINCIPAL)], { spGone: true });
    expect(await deleteCredential(foreign.ports, recorded)).toMatchObject({ notFound: [NAME], notOurs: [] });
    expect(foreign.table.has(NAME)).toBe(true);
    const owner = azure([assignment(SP_ID, OWNER)], { spGone: true });
    expect(await deleteCredential(owner.ports, recorded)).toMatchObject({ notFound: [], notOurs: [NAME] });
    expect(owner.table.has(NAME)).toBe(true);
  });

  test('not listed for the recorded principal: not found, nothing deleted but the application', async () => {
    const t = azure([], { spGone: true });
    const result = await deleteCredential(t.ports, recorded);
    expect(t.deletes).toEqual([`app:${APP_OBJECT_ID}`]);
    expect(result).toEqual({
      found: true,
      deleted: [APP_OBJECT_ID],
      notFound: [NAME],
      notOurs: [],
      applicationId: APP_OBJECT_ID,
      requestIds: ['graph-delete', 'graph-purge'],
    });
  });
});

describe('deleteCredential: the application of a --kind sp credential', () => {
  test('Graph finds none under its id (the port’s 404): not found, never reported deleted', async () => {
    const t = azure([]);
    (t.ports.servicePrincipals as { deleteApplication: unknown }).deleteApplication = async () => {
      throw new CloudApiError('Request_ResourceNotFound', 404, 'application delete failed', 'graph-404');
    };
    const result = await deleteCredential(t.ports, { ...ref, roleAssignment: undefined });
    // The 404's request id too: the entry shows which answer said it was gone.
    expect(result).toEqual({
      found: false,
      deleted: [],
      notFound: [APP_OBJECT_ID],
      notOurs: [],
      applicationId: APP_OBJECT_ID,
      requestIds: ['graph-404'],
    });
  });

  test('any other failure is thrown, for the clean-up to try again', async () => {
    const t = azure([]);
    const refused = new CloudApiError('Unknown', undefined, 'application deleted, but not deleted permanently yet');
    (t.ports.servicePrincipals as { deleteApplication: unknown }).deleteApplication = async () => {
      throw refused;
    };
    await expect(deleteCredential(t.ports, { ...ref, roleAssignment: undefined })).rejects.toBe(refused);
  });
});
