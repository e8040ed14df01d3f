/**
 * A resumed token run that reuses the token its earlier attempt created (found enabled on the
 * same scope map) still audits that the token was created when the earlier attempt died before
 * its own "created" entry (mid-PUT), and writes no second one when that attempt had written it:
 * both attempts write the entry under one idempotency key.
 */
import { LeaseLostError } from '../../src/domain/ports';
import { type AuditEvent, checkedIdempotencyKey } from '../../src/domain/audit-chain';
import { SecretValue } from '../../src/domain/secret-value';
import type { RunContext } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';
import { runContext } from './support/run-context';
import { clusterWriting } from './support/sp-runner';

const SCOPE_MAP_ID = `${REGISTRY_ID}/scopeMaps/_repositories_pull`;

/** Token ports whose `createToken` lands the token and then, while `dieInPut`, never answers (the process died). */
function ports(state: { dieInPut: boolean; tokens: Set<string> }): SecretRunnerPorts {
  const id = (name: string) => `${REGISTRY_ID}/tokens/${name}`;
  return {
    tokens: {
      getScopeMap: async () => undefined,
      getToken: async (_r: unknown, name: string) =>
        state.tokens.has(name)
          ? { id: id(name), status: 'enabled', provisioningState: 'Succeeded', scopeMapId: SCOPE_MAP_ID }
          : undefined,
      scopeMapFor: async () => ({ id: SCOPE_MAP_ID, created: false }),
      createToken: async (_r: unknown, name: string) => {
        state.tokens.add(name);
        if (state.dieInPut) throw new LeaseLostError('exec:R-AAAAAAAA');
        return { id: id(name), status: 'enabled', requestId: 'arm-1' };
      },
      generatePassword: async () => ({ username: 'acrbot-token', password: new SecretValue('pw-not-logged') }),
      deleteToken: async () => ({}),
      deleteScopeMap: async () => ({}),
    },
    servicePrincipals: {},
    roleAssignments: {},
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

function runner(p: SecretRunnerPorts): SecretRunner {
  return new SecretRunner(
    p,
    { delaysMs: [], sleep: async () => undefined },
    {
      reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
      allowLocalAccountClusters: false,
    },
    () => new Date('2025-01-15T09:00:00.000Z'),
  );
}

type Entry = Pick<AuditEvent, 'action' | 'outcome'> & Partial<Pick<AuditEvent, 'detail' | 'idempotencyKey'>>;

/** A run context shared by both attempts, its audit skipping a key already written (as the executor's does). */
function context(failAction?: string) {
  const entries: Entry[] = [];
  const fail = { action: failAction };
  const ctx: RunContext = {
    ...runContext().ctx,
    requestId: 'R-AAAAAAAA',
    audit: async (event) => {
      if (event.action === fail.action) throw new LeaseLostError('exec:R-AAAAAAAA');
      // As the audit chain checks it: an over-long key fails the append.
      if (event.idempotencyKey !== undefined) checkedIdempotencyKey(event.idempotencyKey);
      if (event.idempotencyKey && entries.some((e) => e.idempotencyKey === event.idempotencyKey)) return;
      entries.push(event);
    },
  };
  return { ctx, entries, fail };
}

const request = () => pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() });
const tokenEntries = (entries: Entry[]) => entries.filter((e) => e.action.startsWith('azure.write.'));

test('the earlier attempt died mid-PUT: the resumed run audits the token created before its password', async () => {
  const state = { dieInPut: true, tokens: new Set<string>() };
  const { ctx, entries } = context();
  await expect(runner(ports(state)).run(request(), ctx)).rejects.toBeInstanceOf(LeaseLostError);
  expect(state.tokens.size).toBe(1);
  expect(tokenEntries(entries)).toEqual([]);
  state.dieInPut = false;
  await runner(ports(state)).run(request(), ctx);
  const written = tokenEntries(entries);
  expect(written.map((e) => `${e.action}:${e.outcome}`)).toEqual([
    'azure.write.token:created',
    'azure.write.generateCredentials:password1',
  ]);
  expect(written[0]!.detail).toMatch(/earlier attempt/);
});

test('the earlier attempt audited the token: the resumed run writes no second "created" entry', async () => {
  const state = { dieInPut: false, tokens: new Set<string>() };
  const { ctx, entries, fail } = context('azure.write.generateCredentials');
  await expect(runner(ports(state)).run(request(), ctx)).rejects.toBeInstanceOf(LeaseLostError);
  fail.action = undefined;
  await runner(ports(state)).run(request(), ctx);
  expect(tokenEntries(entries).map((e) => `${e.action}:${e.outcome}`)).toEqual([
    'azure.write.token:created',
    'azure.write.generateCredentials:password1',
  ]);
  expect(tokenEntries(entries)[0]!.detail).toBeUndefined();
});

test("the outcome names the token and its registry, not the token's resource path", async () => {
  const state = { dieInPut: false, tokens: new Set<string>() };
  const { ctx } = context();
  const outcome = await runner(ports(state)).run(request(), ctx);
  expect(outcome.summary).toContain('with ACR token acrbot-r-aaaaaaaa on registry ');
  expect(outcome.summary).not.toContain('/subscriptions/');
});
