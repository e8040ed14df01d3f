/**
 * A secret run replaces (and retires the credential of) only the earlier request its approved plan
 * names (`plan.replaces`, shown on the card as "Replaces secret … from R-…"): a secret another
 * request wrote after the plan (a race), or one the plan did not record (a plan stored before the
 * field existed), is refused before any credential exists, and nothing is overwritten or deleted.
 */
import type { SecretPlan } from '../../src/domain/plan';
import type { AccessRequest, CreatedObject } from '../../src/domain/request';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import { SecretValue } from '../../src/domain/secret-value';
import type { RunContext } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { createLogger } from '../../src/observability/logger';
import { OUTSIDER, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const NOW = '2025-01-16T09:00:00.000Z';
const P_ID = 'R-PPPPPPPP';
const P_TOKEN = 'acrbot-r-pppppppp';

/** A succeeded acrbot request (another person's) that wrote the secret `uid`, with its token. */
function writer(id: string, uid: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
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

/** Ports whose cluster holds the secret `labelledBy` wrote (uid `uid`), or none; notes every write. */
function world(stored: AccessRequest[], secret?: { labelledBy: string; uid: string }) {
  const calls: string[] = [];
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
      deleteToken: async (_r: unknown, name: string) => void calls.push(`deleteToken:${name}`),
      deleteScopeMap: async (_r: unknown, name: string) => void calls.push(`deleteScopeMap:${name}`),
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
      write: async (_a: unknown, input: { replaceResourceVersion?: string }) => {
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
  return { runner, calls };
}

function context() {
  const records: CreatedObject[] = [];
  const audited: Array<{ action: string; outcome: string; detail?: string }> = [];
  const ctx: RunContext = {
    checkLease: async () => undefined,
    audit: async (e) => void audited.push({ action: e.action, outcome: e.outcome, detail: e.detail }),
    recordCreated: async (o) => void records.push({ ...o, recordedAt: NOW } as CreatedObject),
    created: () => [...records],
    log: createLogger({ level: 'silent' }),
  };
  return { ctx, records, audited };
}

/** The request being run, with `replaces` as its plan recorded it (omitted: a plan stored before the field). */
function requestReplacing(replaces: SecretPlan['replaces'] | 'absent', overrides: Partial<AccessRequest> = {}) {
  const plan = replaces === 'absent' ? secretPlan() : secretPlan({ replaces });
  return pendingRequest({ id: 'R-RRRRRRRR', state: 'executing', plan, ...overrides });
}

async function refusalOf(run: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return run.then(
    () => {
      throw new Error('expected the run to be refused');
    },
    (err: { code?: string; message: string }) => err,
  );
}

describe('the run replaces only the secret the approved plan names (F1)', () => {
  test('race: approved as "create", another request wrote the secret since: refused before any credential', async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx, records, audited } = context();
    const err = await refusalOf(runner.run(requestReplacing(null), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain(`acrbot wrote for request ${P_ID}`);
    expect(err.message).toContain('the approved plan replaces no secret');
    expect(err.message).toMatch(/Ask again/);
    // Nothing created, written or deleted: P's secret and token stay, and P keeps its access.
    expect(calls).toEqual([]);
    expect(records).toEqual([]);
    expect(audited).toEqual([expect.objectContaining({ action: 'kubernetes.write.secret', outcome: 'refused' })]);
  });

  test('the plan names an earlier request, and a later one replaced it since: refused', async () => {
    const O = writer('R-QQQQQQQQ', 'uid-P');
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([O, P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing({ requestId: O.id, uid: 'uid-P' }), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain(`the approved plan replaces the secret of ${O.id}`);
    expect(calls).toEqual([]);
  });

  test('the plan names the request, but its secret is another object now: refused', async () => {
    // P's resumed write made a new object (deleted and created again) after this plan.
    const P = writer(P_ID, 'uid-P2');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P2' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing({ requestId: P_ID, uid: 'uid-P1' }), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(calls).toEqual([]);
  });

  test('control: the plan names the request whose secret it is: replaced, and its token retired', async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const outcome = await runner.run(requestReplacing({ requestId: P_ID, uid: 'uid-P' }), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toEqual(['createToken:acrbot-r-rrrrrrrr', 'replace@7', `deleteToken:${P_TOKEN}`]);
  });
});

describe('a plan stored before it recorded what it replaces (legacy): unknown, never another request', () => {
  test("another request's secret is refused, not replaced", async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(requestReplacing('absent'), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain('the approved plan does not record which secret it replaces');
    expect(calls).toEqual([]);
  });

  test('no secret there: created as before', async () => {
    const { runner, calls } = world([]);
    const { ctx } = context();
    const outcome = await runner.run(requestReplacing('absent'), ctx);
    expect(outcome.secret?.action).toBe('created');
    expect(calls).toEqual(['createToken:acrbot-r-rrrrrrrr', 'create']);
  });
});

describe("an extension rotates its original's secret (its plan is the original's, copied)", () => {
  const O_ID = 'R-QQQQQQQQ';
  // The copied plan says what the original replaced when it was planned: not what the extension replaces.
  const extension = () => requestReplacing(null, { extendsRequestId: O_ID });

  test("the original's secret: replaced, the original's token retired", async () => {
    const O = writer(O_ID, 'uid-O');
    const { runner, calls } = world([O], { labelledBy: O_ID, uid: 'uid-O' });
    const { ctx } = context();
    const outcome = await runner.run(extension(), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toContain('deleteToken:acrbot-r-qqqqqqqq');
  });

  test('the secret an earlier extension of the same original wrote: replaced', async () => {
    const E1 = writer('R-EEEEEEEE', 'uid-O', { extendsRequestId: O_ID });
    const { runner, calls } = world([E1], { labelledBy: E1.id, uid: 'uid-O' });
    const { ctx } = context();
    const outcome = await runner.run(extension(), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(calls).toContain('deleteToken:acrbot-r-eeeeeeee');
  });

  test("another request's secret: refused", async () => {
    const P = writer(P_ID, 'uid-P');
    const { runner, calls } = world([P], { labelledBy: P_ID, uid: 'uid-P' });
    const { ctx } = context();
    const err = await refusalOf(runner.run(extension(), ctx));
    expect(err.code).toBe('secret.replacementNotApproved');
    expect(err.message).toContain(`this request extends ${O_ID}, not ${P_ID}`);
    expect(calls).toEqual([]);
  });
});
