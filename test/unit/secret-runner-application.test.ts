/**
 * `--kind sp`: an application Graph shows with a problem right after acrbot created it (its
 * owners not replicated yet) is looked at again briefly, and when the problem stays it is deleted
 * again rather than abandoned; an application acrbot did not just create is left for a person,
 * but the role assignment acrbot recorded for it goes either way (G14, G15).
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { ApplicationHolders } from '../../src/domain/secret-ownership';
import { CloudApiError } from '../../src/domain/ports';
import { SecretValue } from '../../src/domain/secret-value';
import { RunFailure } from '../../src/flows/executor';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, clusterWriting, failureOf, OWN_SP_ID, SP_ID, spRequest, spRunner } from './support/sp-runner';
import { REGISTRY_ID, secretPlan } from './support/requests';

/** Graph shows no owner yet (replication). */
const NOBODY: ApplicationHolders = { ...ACRBOT, owners: [] };

/**
 * Fake ports: Graph answers `created` to the upsert and the inspections in turn (the last one
 * repeats); ARM lists `listed` for the service principal.
 */
function fakePorts(
  created: boolean,
  inspections: ApplicationHolders[],
  deletes: string[],
  listed: RoleAssignmentInfo[] = [],
): SecretRunnerPorts {
  let inspected = 0;
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created }),
      findServicePrincipal: async () => ({ id: SP_ID }),
      createServicePrincipal: async () => ({ id: SP_ID }),
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => inspections[Math.min(inspected++, inspections.length - 1)],
      addPassword: async () => ({ keyId: 'key-1', secret: new SecretValue('pw-not-logged') }),
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      create: async () => ({ id: 'ra', requestId: 'arm-1' }),
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
      listForPrincipal: async () => listed,
    },
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

/** The runner's retry delays (noted, not waited). */
const DELAYS = [1, 2, 3, 4, 5, 6, 7];

const context = runContext;

describe('an application with a problem right after acrbot created it', () => {
  test('no owner yet (replication), then acrbot: looked at again and used', async () => {
    const deletes: string[] = [];
    const slept: number[] = [];
    const { ctx } = context();
    const outcome = await spRunner(
      fakePorts(true, [NOBODY, NOBODY, ACRBOT], deletes),
      slept,
      [1, 2, 3, 4, 5, 6, 7],
    ).run(spRequest(), ctx);
    expect(outcome.secret?.action).toBe('created');
    expect(slept).toEqual([1, 2]);
    expect(deletes).toEqual([]);
  });

  test('still no owner after the brief retries: the application it created is deleted again, not abandoned', async () => {
    const deletes: string[] = [];
    const slept: number[] = [];
    const { ctx, audited } = context();
    const err = await failureOf(spRunner(fakePorts(true, [NOBODY], deletes), slept, DELAYS).run(spRequest(), ctx));
    expect(err).toBeInstanceOf(RunFailure);
    const outcome = (err as RunFailure).outcome;
    expect(outcome).toMatchObject({ errorCode: 'graph.applicationNotOurs', cleanup: 'deleted' });
    expect(outcome.error).toMatch(/it has no owner/);
    expect(outcome.error).toMatch(/deleted again/);
    expect(slept).toEqual([1, 2, 3]);
    expect(deletes).toEqual([`app:${APP_ID}`]);
    expect(audited).toContain('credential.cleanup:deleted');
  });

  test('Graph answers 204 under the name this run has just chosen (its 201 lost, the upsert resent): still the new application, deleted again when the problem stays', async () => {
    const deletes: string[] = [];
    const slept: number[] = [];
    const { ctx, audited } = context();
    const err = await failureOf(spRunner(fakePorts(false, [NOBODY], deletes), slept, DELAYS).run(spRequest(), ctx));
    expect((err as RunFailure).outcome).toMatchObject({ errorCode: 'graph.applicationNotOurs', cleanup: 'deleted' });
    expect(slept).toEqual([1, 2, 3]);
    expect(deletes).toEqual([`app:${APP_ID}`]);
    expect(audited).toContain('graph.write.application:created');
  });

  test('an application acrbot did not just create, with another owner: left for a person, its recorded role assignment deleted', async () => {
    const deletes: string[] = [];
    const slept: number[] = [];
    const plan = secretPlan({ credentialKind: 'sp', role: { id: 'role-guid', name: 'AcrPull' } });
    // The name acrbot derives for its service principal and the plan's role.
    const assignmentName = roleAssignmentName(REGISTRY_ID, SP_ID, 'role-guid');
    // An earlier attempt of this request created the application and its role assignment.
    const { ctx, audited } = context([
      { kind: 'application', id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' },
      {
        kind: 'roleAssignment',
        id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}`,
        name: assignmentName,
      },
    ]);
    const someoneElse: ApplicationHolders = {
      ...ACRBOT,
      owners: [...ACRBOT.owners, { id: 'user-1', type: 'user' }],
    };
    const err = await failureOf(
      spRunner(
        fakePorts(false, [someoneElse], deletes, [
          {
            id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}`,
            name: assignmentName,
            scope: REGISTRY_ID,
            principalId: SP_ID,
            roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/role-guid`,
          },
        ]),
        slept,
        DELAYS,
      ).run({ ...spRequest(), plan }, ctx),
    );
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome).toMatchObject({ errorCode: 'graph.applicationNotOurs', cleanup: 'none' });
    expect(slept).toEqual([]);
    expect(deletes).toEqual([`ra:${assignmentName}`]);
    expect(audited).toContain('credential.cleanup:deleted');
  });
});

describe('a write Azure did not answer', () => {
  test('is not called a refusal: no status, so the outcome says Azure did not confirm it', async () => {
    const deletes: string[] = [];
    const ports = fakePorts(true, [ACRBOT], deletes);
    ports.servicePrincipals.addPassword = async () => {
      throw new CloudApiError('OperationTimedOut', undefined, 'addPassword did not finish in time', 'graph-req-1');
    };
    const err = await failureOf(spRunner(ports, [], DELAYS).run(spRequest(), context().ctx));
    const outcome = (err as RunFailure).outcome;
    expect(outcome.errorCode).toBe('OperationTimedOut');
    expect(outcome.error).toMatch(/^Azure did not confirm creating the credential \(OperationTimedOut\).*graph-req-1/);
    expect(outcome.error).not.toMatch(/refused/);
  });
});

describe('an application someone else can act as, on a resumed run that recorded it (G15)', () => {
  const FIC_ID = '00000000-0000-4000-8000-0000000000f1';
  const SP_KEY = '00000000-0000-4000-8000-0000000000f2';
  const sp = ACRBOT.servicePrincipal!;
  test.each<[string, ApplicationHolders, RegExp]>([
    [
      'a federated identity credential acrbot did not create',
      {
        ...ACRBOT,
        federatedCredentials: [
          {
            id: FIC_ID,
            name: 'ci',
            issuer: 'https://token.actions.githubusercontent.com',
            subject: 'repo:evil/x:ref:main',
          },
        ],
      },
      new RegExp(`federated identity credential acrbot did not create \\(${FIC_ID}\\)`),
    ],
    [
      'a password on its service principal',
      { ...ACRBOT, servicePrincipal: { ...sp, passwordKeyIds: [SP_KEY] } },
      /a password on its service principal/,
    ],
    [
      'another owner of its service principal',
      { ...ACRBOT, servicePrincipal: { ...sp, owners: [...sp.owners, { id: 'user-1', type: 'user' }] } },
      /a service principal owner other than acrbot/,
    ],
    [
      "a sole service principal owner that is not acrbot's",
      { ...ACRBOT, owners: [{ id: 'other-sp', type: 'servicePrincipal' }] },
      /an owner other than acrbot/,
    ],
  ])(
    '%s: refused, its service principal inspected, no password added, no role assigned',
    async (_what, holders, message) => {
      const calls: string[] = [];
      const ports = fakePorts(false, [holders], calls);
      const inspected: unknown[][] = [];
      ports.servicePrincipals.inspectApplication = async (...args: unknown[]) => (inspected.push(args), holders);
      ports.servicePrincipals.addPassword = async () => {
        calls.push('addPassword');
        return { keyId: 'key-1', secret: new SecretValue('pw-not-logged') };
      };
      ports.roleAssignments.create = async () => {
        calls.push('roleAssignment');
        return { id: 'ra', requestId: 'arm-1' } as never;
      };
      const { ctx } = context([{ kind: 'application', id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' }]);
      const err = await failureOf(spRunner(ports, [], DELAYS).run(spRequest(), ctx));
      const outcome = (err as RunFailure).outcome;
      expect(outcome).toMatchObject({ errorCode: 'graph.applicationNotOurs', cleanup: 'none' });
      expect(outcome.error).toMatch(message);
      // Foreign text (issuers, subjects) stays out of the card.
      expect(outcome.error).not.toMatch(/evil|githubusercontent/);
      expect(inspected).toEqual([[APP_ID, SP_ID]]);
      expect(calls).toEqual([]);
    },
  );

  test("acrbot's own object id unknown: nothing is created", async () => {
    const calls: string[] = [];
    const ports = fakePorts(true, [ACRBOT], calls);
    ports.servicePrincipals.ownServicePrincipalId = async () => {
      throw new Error('no oid claim');
    };
    ports.servicePrincipals.upsertApplication = async () => {
      calls.push('upsertApplication');
      return { id: APP_ID, appId: 'app-id-1', created: true };
    };
    const err = await failureOf(spRunner(ports, [], DELAYS).run(spRequest(), context().ctx));
    expect((err as RunFailure).outcome.errorCode).toBe('graph.ownIdentityUnknown');
    expect(calls).toEqual([]);
  });
});
