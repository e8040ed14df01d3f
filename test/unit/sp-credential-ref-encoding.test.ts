/**
 * The reference a `--kind sp` run gives its credential and the one rebuilt from the request's
 * records (credentialOf) carry the service principal's object id alike, in the same key order:
 * the two are compared as encoded text (retirePrevious: "the credential this request uses"), for
 * a fresh run and for a resumed one whose earlier attempt recorded the role assignment.
 */
import { roleAssignmentName } from '../../src/domain/identifiers';
import { encodeCredentialRef } from '../../src/domain/secret-credential';
import { credentialOf } from '../../src/domain/secret-ownership';
import { SecretValue } from '../../src/domain/secret-value';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { REGISTRY_ID } from './support/requests';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, clusterWriting, OWN_SP_ID, SP_ID, spRequest, spRunner } from './support/sp-runner';

const NAME = roleAssignmentName(REGISTRY_ID, SP_ID, 'role-guid');

function ports(created: boolean): SecretRunnerPorts {
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created }),
      findServicePrincipal: async () => ({ id: SP_ID }),
      createServicePrincipal: async () => ({ id: SP_ID }),
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => ACRBOT,
      addPassword: async () => ({ keyId: 'key-1', secret: new SecretValue('pw-not-logged') }),
      deleteApplication: async () => ({}),
    },
    roleAssignments: {
      create: async () => ({ id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}` }),
      delete: async () => ({}),
      listForPrincipal: async () => [],
    },
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

test.each([
  ['a fresh run', true, []],
  [
    'a run resumed after its earlier attempt recorded the role assignment',
    false,
    [
      { kind: 'application' as const, id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' },
      {
        kind: 'roleAssignment' as const,
        id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
        name: NAME,
      },
    ],
  ],
])('%s: the run’s reference encodes as the one rebuilt from its records', async (_, fresh, earlier) => {
  const { ctx, created } = runContext(earlier);
  const request = spRequest();
  const outcome = await spRunner(ports(fresh), [], []).run(request, ctx);
  const rebuilt = credentialOf({ ...request, created: created() });
  expect(rebuilt).toMatchObject({ servicePrincipalId: SP_ID, roleAssignment: { name: NAME } });
  expect(outcome.credentialRef).toBe(encodeCredentialRef(rebuilt!));
});
