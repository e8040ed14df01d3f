/**
 * G14: a resumed `--kind sp` run whose earlier attempt recorded and made the role assignment, then
 * stopped before the secret write. When the resumed run fails after finding its application
 * again (addPassword refused, the service principal lookup failing), its clean-up deletes the
 * recorded role assignment with the application, as a run failing before that step does. The
 * assignment is read first: it is deleted as the one the service principal holds under its name.
 */
import { roleAssignmentName } from '../../src/domain/identifiers';
import { CloudApiError } from '../../src/domain/ports';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { REGISTRY_ID } from './support/requests';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, OWN_SP_ID, failureOf, SP_ID, spRequest, spRunner } from './support/sp-runner';

// The name acrbot derives for the plan's role (spRequest) given to the service principal.
const ASSIGNMENT = roleAssignmentName(REGISTRY_ID, SP_ID, 'role-guid');
const MARKER = 'acrbot image pull R-BBBBBBBB 0f0f0f0f-0000-4000-8000-000000000001';

/** What attempt 1 recorded: application, service principal, its password, the role assignment. */
const EARLIER = [
  { kind: 'application' as const, id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' },
  { kind: 'servicePrincipal' as const, id: SP_ID, name: 'app-id-1' },
  { kind: 'applicationPassword' as const, id: 'key-0', name: MARKER },
  {
    kind: 'roleAssignment' as const,
    id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}`,
    name: ASSIGNMENT,
  },
];

/**
 * Graph finds the application again (204); `fail` says which call of the resumed run fails (the
 * service principal lookup only once: the clean-up's own lookup is answered).
 */
function fakePorts(fail: 'addPassword' | 'findServicePrincipal', deletes: string[]): SecretRunnerPorts {
  const refused = () => new CloudApiError('Authorization_RequestDenied', 403, 'refused', 'graph-req-1');
  let lookups = 0;
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created: false }),
      findServicePrincipal: async () => {
        if (fail === 'findServicePrincipal' && lookups++ === 0)
          throw new CloudApiError('ServiceUnavailable', 503, 'down', 'graph-req-2');
        return { id: SP_ID };
      },
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => ({ ...ACRBOT, passwordKeyIds: ['key-0'] }),
      addPassword: async () => {
        throw refused();
      },
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      create: async () => {
        throw new Error('the resumed run must not get this far');
      },
      listForPrincipal: async (scope: string, principalId: string) => [
        {
          id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}`,
          name: ASSIGNMENT,
          scope,
          principalId,
          roleDefinitionId: '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/role-guid',
        },
      ],
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
    },
    kubernetes: {
      access: async () => ({ clusterName: 'aks-prod' }),
      precheck: async () => ({}),
    },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
}

describe('a resumed --kind sp run failing after it found its application again', () => {
  test.each(['addPassword', 'findServicePrincipal'] as const)(
    '%s fails: the recorded role assignment is deleted with the application',
    async (fail) => {
      const deletes: string[] = [];
      const { ctx, audited } = runContext(EARLIER);
      const err = await failureOf(spRunner(fakePorts(fail, deletes), [], []).run(spRequest(), ctx));
      expect(err.outcome).toMatchObject({ cleanup: 'deleted' });
      expect(deletes).toEqual([`ra:${ASSIGNMENT}`, `app:${APP_ID}`]);
      expect(audited).toContain('credential.cleanup:deleted');
    },
  );
});

describe("a resumed --kind sp run that cannot read acrbot's own object id", () => {
  test('the earlier attempt’s role assignment and application are deleted, and the outcome says so', async () => {
    const deletes: string[] = [];
    const ports = fakePorts('addPassword', deletes);
    ports.servicePrincipals.ownServicePrincipalId = async () => {
      throw new Error('managed identity token endpoint unavailable');
    };
    const { ctx, audited } = runContext(EARLIER);
    const err = await failureOf(spRunner(ports, [], []).run(spRequest(), ctx));
    expect(err.outcome).toMatchObject({ errorCode: 'graph.ownIdentityUnknown', cleanup: 'deleted' });
    expect(deletes).toEqual([`ra:${ASSIGNMENT}`, `app:${APP_ID}`]);
    expect(audited).toContain('credential.cleanup:deleted');
    expect(err.outcome.error).not.toMatch(/Nothing was created/);
    expect(err.outcome.error).toMatch(/earlier attempt of this request had created was deleted/);
  });

  test('a clean-up that fails is recorded for the clean-up job with the credential', async () => {
    const deletes: string[] = [];
    const ports = fakePorts('addPassword', deletes);
    ports.servicePrincipals.ownServicePrincipalId = async () => {
      throw new Error('managed identity token endpoint unavailable');
    };
    ports.servicePrincipals.deleteApplication = async () => {
      throw new CloudApiError('ServiceUnavailable', 503, 'down', 'graph-req-3');
    };
    const { ctx } = runContext(EARLIER);
    const err = await failureOf(spRunner(ports, [], []).run(spRequest(), ctx));
    expect(err.outcome).toMatchObject({ errorCode: 'graph.ownIdentityUnknown', cleanup: 'pending' });
    expect(JSON.parse(err.outcome.credentialRef!)).toEqual([
      expect.objectContaining({ kind: 'sp', applicationId: APP_ID, roleAssignment: expect.anything() }),
    ]);
    expect(err.outcome.error).not.toMatch(/Nothing was created/);
  });
});
