/**
 * ARM's 403 LinkedAuthorizationFailed on a run's write: acrbot's identity may write on the target
 * but lacks a permission on a resource the request links to. The card says so in a sentence of
 * its own, with the ids to look it up by, and never quotes ARM's message (it names the linked
 * scope and acrbot's principal); the log line keeps that message, so the scope is found there.
 */
import type { CloudApiError } from '../../src/domain/ports';
import { UserFacingError } from '../../src/domain/errors';
import { SecretValue } from '../../src/domain/secret-value';
import { RunFailure, type RunContext } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { LogCapture } from '../helpers/log-capture';
import { armWriteError } from './support/arm-rest-error';
import { grantRunnerOver } from './support/grant-runner-over';
import { grantPlan, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const REQUEST_ID = '4f1c2d3e-0000-4000-8000-00000000a001';
const CORRELATION_ID = '7a8b9c0d-0000-4000-8000-00000000c002';
/** The linked scope ARM names: in the log, never on a card. */
const LINKED_SCOPE =
  '/subscriptions/2f0c0000-0000-4000-8000-0000000000aa/resourceGroups/rg-linked-hidden/providers/Microsoft.Authorization/roleDefinitions/9a9a0000-0000-4000-8000-000000000009';
const ARM_MESSAGE =
  "The client '0b000000-0000-4000-8000-0000000000b1' with object id '0b000000-0000-4000-8000-0000000000b1' has " +
  `permission to perform action 'Microsoft.Authorization/roleAssignments/write' on scope '${REGISTRY_ID}'; however, ` +
  `it does not have permission to perform action(s) 'Microsoft.Authorization/roleDefinitions/read' on the linked ` +
  `scope(s) '${LINKED_SCOPE}' (respectively) or the linked scope(s) are invalid.`;

const linked = (): CloudApiError =>
  armWriteError(403, 'LinkedAuthorizationFailed', ARM_MESSAGE, {
    requestId: REQUEST_ID,
    correlationRequestId: CORRELATION_ID,
  });

/** A card's text says neither the linked scope nor any of ARM's own words. */
function expectNoArmText(text: string): void {
  expect(text).not.toContain(LINKED_SCOPE);
  expect(text).not.toContain('rg-linked-hidden');
  expect(text).not.toContain('0b000000-0000-4000-8000-0000000000b1');
  expect(text).not.toContain('however');
}

/** The one log line `msg`, as written. */
function logLine(logs: LogCapture, msg: string): string {
  const lines = logs.lines.filter((l) => (JSON.parse(l) as { msg?: string }).msg === msg);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

function context(logs: LogCapture): RunContext {
  return {
    requestId: 'R-UNITTEST',
    audit: async () => undefined,
    recordCreated: async () => undefined,
    created: () => [],
    checkLease: async () => undefined,
    log: logs.logger(),
  };
}

describe('LinkedAuthorizationFailed on the role assignment PUT (grant)', () => {
  const plan = grantPlan();

  function grant(putError: CloudApiError) {
    let reads = 0;
    const runner = grantRunnerOver(plan, {
      create: async () => {
        throw putError;
      },
      listForPrincipal: async () => {
        reads++;
        return [];
      },
    });
    const logs = new LogCapture();
    const run = () => runner.run(pendingRequest({ state: 'executing', plan }), context(logs));
    return { run, logs, reads: () => reads };
  }

  test('its own sentence: linked resource, nothing granted, request and correlation ids; no read-back', async () => {
    const t = grant(linked());
    const err = await t.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'bot.linkedAuthorizationFailed' });
    const text = (err as Error).message;
    expect(text).toBe(
      `Azure refused the role assignment on registry ${plan.registry.name} (LinkedAuthorizationFailed): acrbot's ` +
        'identity may do that there, but the request also refers to another resource on which it lacks a ' +
        "permission. Nothing was granted. acrbot's log names that resource and the permission; the platform team " +
        `can find the entry with Azure request id ${REQUEST_ID} (correlation id ${CORRELATION_ID} in the Activity ` +
        "Log), give acrbot's identity that permission, and then the requester can ask for it again (the new request needs approving again).",
    );
    expectNoArmText(text);
    // A refusal: nothing was made, so nothing is read back.
    expect(t.reads()).toBe(0);
  });

  test("the log line names the linked scope (ARM's message, on the error's cause)", async () => {
    const t = grant(linked());
    await t.run().catch(() => undefined);
    const line = logLine(t.logs, 'grant failed in Azure');
    expect(line).toContain(LINKED_SCOPE);
    expect(line).toContain('"code":"LinkedAuthorizationFailed"');
    expect(line).not.toContain('test-token-not-logged');
  });
});

describe('LinkedAuthorizationFailed on the credential create (secret)', () => {
  function secret(createError: CloudApiError) {
    const deletes: string[] = [];
    const ports = {
      tokens: {
        getScopeMap: async () => undefined,
        getToken: async () => undefined,
        scopeMapFor: async () => ({ id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
        createToken: async () => {
          throw createError;
        },
        generatePassword: async () => ({ username: 'u', password: new SecretValue('pw-not-logged') }),
        deleteToken: async (_r: unknown, name: string) => {
          deletes.push(`token:${name}`);
          return {};
        },
        deleteScopeMap: async (_r: unknown, name: string) => {
          deletes.push(`scopeMap:${name}`);
          return {};
        },
      },
      servicePrincipals: {},
      roleAssignments: {},
      kubernetes: {
        access: async () => ({ clusterName: 'aks-prod' }),
        precheck: async () => ({}),
      },
      requests: { get: async () => undefined },
    } as unknown as SecretRunnerPorts;
    const runner = new SecretRunner(
      ports,
      { delaysMs: [], sleep: async () => undefined },
      {
        reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
        allowLocalAccountClusters: false,
      },
      // The day the fixtures' plans were made: their credential expiry lies ahead.
      () => new Date('2025-01-15T09:00:00.000Z'),
    );
    const logs = new LogCapture();
    const run = () =>
      runner.run(pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() }), context(logs));
    return { run, logs };
  }

  test('its own sentence on the outcome, the ids to look it up by, no ARM text', async () => {
    const t = secret(linked());
    const err = await t.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailure);
    const { error } = (err as RunFailure).outcome;
    expect(error).toMatch(
      new RegExp(
        `^Azure refused to create the credential on registry contosoacr \\(LinkedAuthorizationFailed\\): acrbot's ` +
          'identity may do that there, but the request also refers to another resource on which it lacks a ' +
          'permission\\. ',
      ),
    );
    expect(error).toContain(`Azure request id ${REQUEST_ID} (correlation id ${CORRELATION_ID} in the Activity Log)`);
    expect(error).toContain('and then ask again.');
    expectNoArmText(error!);
  });

  test('the log line names the linked scope', async () => {
    const t = secret(linked());
    await t.run().catch(() => undefined);
    const line = logLine(t.logs, 'secret flow failed in Azure');
    expect(line).toContain(LINKED_SCOPE);
    expect(line).not.toContain('test-token-not-logged');
  });
});
