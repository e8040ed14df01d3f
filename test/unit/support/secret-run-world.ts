/**
 * A secret run against fakes, shared by the tests of whose secret a run may replace: acrbot
 * requests that wrote a secret, ports whose cluster holds one (noting every call and write), the
 * run context that keeps what was recorded and audited, and the request being run.
 */
import type { SecretPlan } from '../../../src/domain/plan';
import type { PullSecretWrite } from '../../../src/domain/ports';
import type { AccessRequest, CreatedObject } from '../../../src/domain/request';
import { pullSecretRecordId } from '../../../src/domain/secret-ownership';
import { SecretValue } from '../../../src/domain/secret-value';
import type { RunContext } from '../../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../../src/flows/secret-runner';
import { createLogger } from '../../../src/observability/logger';
import { OUTSIDER, pendingRequest, REGISTRY_ID, secretPlan } from './requests';

/** The runner's clock, and when the run context records what it created. */
export const NOW = '2025-01-16T09:00:00.000Z';

/** A succeeded acrbot request (another person's) that wrote the secret `uid`, with its token. */
export function writer(id: string, uid: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  const plan = secretPlan({ replaces: null });
  const token = `acrbot-${id.toLowerCase()}`;
  return pendingRequest({
    id,
    requester: OUTSIDER,
    state: 'succeeded',
    plan,
    created: [
      { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${token}`, name: token, recordedAt: '2025-01-16T08:00:00.000Z' },
      {
        kind: 'pullSecret',
        id: pullSecretRecordId(plan),
        name: 'acr-auth',
        uid,
        recordedAt: '2025-01-16T08:00:00.000Z',
      },
    ] as CreatedObject[],
    ...overrides,
  });
}

/**
 * A runner whose cluster holds the secret `labelledBy` wrote (uid `uid`), or none, with `stored` as
 * acrbot's records. `calls` notes token creations and deletions and each write (`create` or
 * `replace@<resourceVersion>`); `writes` keeps what each write was given.
 */
export function world(stored: AccessRequest[], secret?: { labelledBy: string; uid: string }) {
  const calls: string[] = [];
  const writes: PullSecretWrite[] = [];
  const ports = {
    tokens: {
      getToken: async (_r: unknown, name: string) =>
        stored.some((r) => `acrbot-${r.id.toLowerCase()}` === name && !calls.includes(`deleteToken:${name}`))
          ? { id: `${REGISTRY_ID}/tokens/${name}`, provisioningState: 'Succeeded' }
          : undefined,
      getScopeMap: async () => undefined,
      scopeMapFor: async () => ({ id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
      createToken: async (_r: unknown, name: string) => {
        calls.push(`createToken:${name}`);
        return { id: `${REGISTRY_ID}/tokens/${name}` };
      },
      generatePassword: async () => ({ username: 'u', password: new SecretValue('pw') }),
      deleteToken: async (_r: unknown, name: string) => {
        calls.push(`deleteToken:${name}`);
        return {};
      },
      deleteScopeMap: async (_r: unknown, name: string) => {
        calls.push(`deleteScopeMap:${name}`);
        return {};
      },
    },
    servicePrincipals: {},
    roleAssignments: {},
    kubernetes: {
      access: async () => ({ clusterName: 'aks-prod' }),
      precheck: async () =>
        secret
          ? {
              existing: {
                requestIdLabel: secret.labelledBy.toLowerCase(),
                writers: [],
                uid: secret.uid,
                resourceVersion: '7',
              },
            }
          : {},
      write: async (_a: unknown, input: PullSecretWrite) => {
        writes.push(input);
        calls.push(input.replaceResourceVersion ? `replace@${input.replaceResourceVersion}` : 'create');
        return {
          action: input.replaceResourceVersion ? 'replaced' : 'created',
          serviceAccountPatched: false,
          uid: secret?.uid ?? 'uid-new',
        };
      },
    },
    requests: { get: async (id: string) => stored.find((r) => r.id === id.toUpperCase()) },
  } as unknown as SecretRunnerPorts;
  const runner = new SecretRunner(
    ports,
    { delaysMs: [], sleep: async () => undefined },
    {
      reader: { getCluster: async () => ({ localAccountsDisabled: true, aadEnabled: true }) } as never,
      allowLocalAccountClusters: false,
    },
    () => new Date(NOW),
  );
  return { runner, calls, writes };
}

/** A run context keeping what the run recorded as created (`records`) and audited (`audited`). */
export function context() {
  const records: CreatedObject[] = [];
  const audited: Array<{ action: string; outcome: string; detail?: string }> = [];
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    checkLease: async () => undefined,
    audit: async (e) => void audited.push({ action: e.action, outcome: e.outcome, detail: e.detail }),
    recordCreated: async (o) => void records.push({ ...o, recordedAt: NOW } as CreatedObject),
    created: () => [...records],
    log: createLogger({ level: 'silent' }),
  };
  return { ctx, records, audited };
}

/** The request being run, with `replaces` as its plan recorded it (omitted: a plan stored before the field). */
export function requestReplacing(replaces: SecretPlan['replaces'] | 'absent', overrides: Partial<AccessRequest> = {}) {
  const plan = replaces === 'absent' ? secretPlan() : secretPlan({ replaces });
  return pendingRequest({ id: 'R-RRRRRRRR', state: 'executing', plan, ...overrides });
}

/** The error a run that must be refused rejects with; a run that succeeds fails the test. */
export async function refusalOf(run: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return run.then(
    () => {
      throw new Error('expected the run to be refused');
    },
    (err: { code?: string; message: string }) => err,
  );
}
