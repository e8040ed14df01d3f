/**
 * The role assignment a `--kind sp` request recorded is deleted only when it is the one acrbot
 * made (G15): its name is a predictable UUIDv5, so the runner checks the assignment listed under
 * it for the service principal (scope, and the role the name was derived from) before deleting it,
 * on the refused-application path as the clean-up does; one made again under the name for another
 * role is left in place and audited as refused, for an operator, and the failed run says so.
 */
import { createHash } from 'node:crypto';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { CreatedObject } from '../../src/domain/request';
import type { ApplicationHolders } from '../../src/domain/secret-ownership';
import { SecretValue } from '../../src/domain/secret-value';
import type { RunContext } from '../../src/flows/executor';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { createLogger } from '../../src/observability/logger';
import { REGISTRY_ID, secretPlan } from './support/requests';
import { ACRBOT, APP_ID, clusterWriting, failureOf, OWN_SP_ID, SP_ID, spRequest, spRunner } from './support/sp-runner';

const NAME = roleAssignmentName(REGISTRY_ID, SP_ID, 'role-guid');
const ROLE_DEFINITIONS = '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions';
const assignment = (role: string): RoleAssignmentInfo => ({
  id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
  name: NAME,
  scope: REGISTRY_ID,
  principalId: SP_ID,
  roleDefinitionId: `${ROLE_DEFINITIONS}/${role}`,
});

function ports(inspection: ApplicationHolders, listed: RoleAssignmentInfo[], deletes: string[]): SecretRunnerPorts {
  return {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created: false }),
      findServicePrincipal: async () => ({ id: SP_ID }),
      createServicePrincipal: async () => ({ id: SP_ID }),
      findApplication: async () => undefined,
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => inspection,
      addPassword: async () => ({ keyId: 'key-1', secret: new SecretValue('pw-not-logged') }),
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      create: async () => {
        throw Object.assign(new Error('refused'), { name: 'CloudApiError' });
      },
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return { requestId: `arm-delete-${deletes.length}` };
      },
      listForPrincipal: async () => listed,
    },
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

/** A context holding an earlier attempt's application and role assignment; audit entries kept whole. */
function context() {
  const created: CreatedObject[] = [
    { kind: 'application', id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef', recordedAt: 'x' },
    {
      kind: 'roleAssignment',
      id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
      name: NAME,
      recordedAt: 'x',
    },
  ];
  const audited: { action: string; outcome: string; detail?: string }[] = [];
  const keys: (string | undefined)[] = [];
  const whole: Parameters<RunContext['audit']>[0][] = [];
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    audit: async (e) => {
      audited.push({ action: e.action, outcome: e.outcome, detail: e.detail });
      keys.push(e.idempotencyKey);
      whole.push(e);
    },
    recordCreated: async (o) => void created.push({ ...o, recordedAt: 'y' } as CreatedObject),
    created: () => [...created],
    checkLease: async () => undefined,
    log: createLogger({ level: 'silent' }),
  };
  return { ctx, audited, keys, whole };
}

const someoneElse: ApplicationHolders = { ...ACRBOT, owners: [...ACRBOT.owners, { id: 'user-1', type: 'user' }] };
const plan = secretPlan({ credentialKind: 'sp', role: { id: 'role-guid', name: 'AcrPull' } });

describe('a refused application: its recorded role assignment', () => {
  test('the one acrbot made (its principal, scope and role): deleted', async () => {
    const deletes: string[] = [];
    const { ctx, audited } = context();
    await failureOf(
      spRunner(ports(someoneElse, [assignment('role-guid')], deletes), [], []).run({ ...spRequest(), plan }, ctx),
    );
    expect(deletes).toEqual([`ra:${NAME}`]);
    expect(audited).toContainEqual(expect.objectContaining({ action: 'credential.cleanup', outcome: 'deleted' }));
  });

  test("its deletion entry names the assignment's ARM id and carries the DELETE's request id", async () => {
    const deletes: string[] = [];
    const { ctx, whole } = context();
    await failureOf(
      spRunner(ports(someoneElse, [assignment('role-guid')], deletes), [], []).run({ ...spRequest(), plan }, ctx),
    );
    expect(whole.filter((e) => e.action === 'credential.cleanup')).toEqual([
      expect.objectContaining({
        outcome: 'deleted',
        targetIds: [assignment('role-guid').id],
        correlationIds: ['arm-delete-1'],
      }),
    ]);
  });

  test('made again under the name for another role: left in place, audited as refused for an operator', async () => {
    const deletes: string[] = [];
    const { ctx, audited, whole } = context();
    await failureOf(
      spRunner(ports(someoneElse, [assignment('owner-role')], deletes), [], []).run({ ...spRequest(), plan }, ctx),
    );
    expect(deletes).toEqual([]);
    // Named by its ARM id, from the recorded scope and name.
    expect(whole.find((e) => e.outcome === 'refused')?.targetIds).toEqual([assignment('owner-role').id]);
    expect(audited).toContainEqual({
      action: 'credential.cleanup',
      outcome: 'refused',
      detail: expect.stringMatching(new RegExp(`^role assignment ${NAME} on .*left in place for an operator$`)),
    });
  });

  test('not listed for the service principal: nothing deleted, said undecided (not absent)', async () => {
    const deletes: string[] = [];
    const { ctx, audited } = context();
    await failureOf(spRunner(ports(someoneElse, [], deletes), [], []).run({ ...spRequest(), plan }, ctx));
    expect(deletes).toEqual([]);
    expect(audited).toContainEqual(expect.objectContaining({ action: 'credential.cleanup', outcome: 'unconfirmed' }));
  });
});

describe("a failed run's clean-up that finds the assignment is not acrbot's", () => {
  test('the application is deleted, the assignment left, audited as refused and said in the failure', async () => {
    const deletes: string[] = [];
    const { ctx, audited, keys } = context();
    // acrbot's application this time, so the run goes on to assign the role, which Azure refuses:
    // the clean-up deletes the application and finds the assignment re-made for another role.
    const err = await failureOf(
      spRunner(ports(ACRBOT, [assignment('owner-role')], deletes), [], []).run({ ...spRequest(), plan }, ctx),
    );
    expect(deletes).toEqual([`app:${APP_ID}`]);
    expect(audited).toContainEqual({
      action: 'credential.cleanup',
      outcome: 'refused',
      detail: expect.stringMatching(/left in place for an operator$/),
    });
    expect(err.outcome.error).toMatch(new RegExp(`acrbot left the role assignment ${NAME} on .* in place`));
    // Keyed as the request's clean-up job keys the same refusal: whichever of the two (a resumed
    // run, the job) records it first, the audit log holds it once.
    const refusal = audited.findIndex((e) => e.outcome === 'refused');
    const reason = createHash('sha256').update(audited[refusal]!.detail!).digest('hex').slice(0, 32);
    expect(keys[refusal]).toBe(`credential.cleanup.refused:R-UNITTEST:${reason}`);
  });
});
