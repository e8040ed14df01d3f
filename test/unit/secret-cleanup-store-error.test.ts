/**
 * G14 under a passing store error: a secret run whose secret write is refused deletes its token,
 * or records it for the clean-up job. The lease check right before that clean-up must not let a
 * store error (a renewal answered 503, the lease still unexpired) escape the clean-up: the
 * failure would then be stored as `internal`, without `cleanup` or `credentialRef`, and the
 * token would stay in Azure until its own expiry with nothing recorded to delete it. With too
 * little of the lease left for the delete (LeaseMarginError), the token is kept and recorded for
 * the clean-up job; only a lease another instance took stops the clean-up with nothing recorded.
 */
import { UserFacingError } from '../../src/domain/errors';
import { LeaseLostError, LeaseMarginError, type LeaseStore } from '../../src/domain/ports';
import { SecretValue } from '../../src/domain/secret-value';
import { Executor, RunFailure } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, SECOND } from './support/fake-clock';
import { APPROVER, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';
import { runContext } from './support/run-context';
import { ACRBOT, APP_ID, OWN_SP_ID, SP_ID, spRequest, spRunner } from './support/sp-runner';

const TOKEN = 'acrbot-r-aaaaaaaa';

/** Ports whose token is made and whose secret write Kubernetes refuses (calling `onWrite` first). */
function fakePorts(deletes: string[], onWrite: () => void = () => undefined): SecretRunnerPorts {
  const created = new Set<string>();
  return {
    tokens: {
      getScopeMap: async () => undefined,
      getToken: async (_r: unknown, name: string) =>
        created.has(name) && !deletes.includes(`token:${name}`)
          ? { id: `${REGISTRY_ID}/tokens/${name}`, provisioningState: 'Succeeded' }
          : undefined,
      scopeMapFor: async () => ({ id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
      createToken: async (_r: unknown, name: string) => {
        created.add(name);
        return { id: `${REGISTRY_ID}/tokens/${name}`, requestId: 'arm-1' };
      },
      generatePassword: async () => ({ username: 'acrbot-token', password: new SecretValue('pw-not-logged') }),
      deleteToken: async (_r: unknown, name: string) => {
        deletes.push(`token:${name}`);
        return {};
      },
      deleteScopeMap: async (_r: unknown, name: string) => {
        deletes.push(`scopeMap:${name}`);
        return {};
      },
    },
    servicePrincipals: { upsertApplication: async () => ({}), deleteApplication: async () => ({}) },
    roleAssignments: { delete: async () => ({}) },
    kubernetes: {
      access: async () => ({ clusterName: 'aks-prod' }),
      precheck: async () => ({}),
      write: async () => {
        onWrite();
        throw new UserFacingError('kubernetes.forbidden', 'acrbot may not create secrets in payments');
      },
    },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
}

function secretRunner(ports: SecretRunnerPorts, clock: FakeClock): SecretRunner {
  return new SecretRunner(
    ports,
    { delaysMs: [], sleep: async () => undefined },
    {
      reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
      allowLocalAccountClusters: false,
    },
    () => clock.now(),
  );
}

/**
 * Runs a secret request through the executor, its secret write refused `writeAfterMs` after the
 * lease's last renewal; the next renewal (the clean-up's check) is answered 503.
 */
async function runWithRenewalFailingAtCleanUp(writeAfterMs: number) {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const memoryLeases = new MemoryLeaseStore(() => clock.now());
  let failNextRenewal = false;
  let renewalFailed = false;
  const leases: LeaseStore = {
    acquire: (key, owner, ttlMs) => memoryLeases.acquire(key, owner, ttlMs),
    release: (lease) => memoryLeases.release(lease),
    holder: (key) => memoryLeases.holder(key),
    renew: async (lease, ttlMs) => {
      if (failNextRenewal) {
        failNextRenewal = false;
        renewalFailed = true;
        throw new Error('store: 503 ServerBusy');
      }
      return memoryLeases.renew(lease, ttlMs);
    },
  };
  const deletes: string[] = [];
  const ports = fakePorts(deletes, () => {
    clock.advance(writeAfterMs);
    failNextRenewal = true;
  });
  const audit = new MemoryAuditLog(clock);
  const executor = new Executor(
    store,
    audit,
    clock,
    { grant: { run: async () => Promise.reject(new Error('not a grant')) }, secret: secretRunner(ports, clock) },
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
    { leases, owner: 'instance-a', ttlMs: 60 * SECOND },
  );
  await store.create(
    pendingRequest({
      id: 'R-AAAAAAAA',
      state: 'approved',
      version: 2,
      plan: secretPlan(),
      decision: { approved: true, by: APPROVER, at: '2025-01-15T09:00:00.000Z' },
    }),
  );
  await executor.schedule('R-AAAAAAAA');
  await executor.drain();
  return { after: await store.get('R-AAAAAAAA'), deletes, renewalFailed, audit };
}

test('executor: a renewal answered 503 on the check before the clean-up still deletes the token, and the failure says so', async () => {
  // 10 s after the last renewal: 50 s of the 60 s lease are left, within the margin.
  const { after, deletes, renewalFailed } = await runWithRenewalFailingAtCleanUp(10 * SECOND);
  expect(renewalFailed).toBe(true);
  expect(after?.state).toBe('failed');
  expect(after?.outcome).toMatchObject({ errorCode: 'kubernetes.forbidden', cleanup: 'deleted' });
  expect(after?.outcome?.credentialRef).toBeUndefined();
  expect(deletes).toContain(`token:${TOKEN}`);
});

test('executor: a renewal answered 503 with too little of the lease left keeps the token, recorded for the clean-up job', async () => {
  // 25 s after the last renewal: 35 s of the 60 s lease are left, short of the margin
  // (lease-guard.ts SAFE_FRACTION), so the clean-up's check refuses the delete.
  const { after, deletes, renewalFailed, audit } = await runWithRenewalFailingAtCleanUp(25 * SECOND);
  expect(renewalFailed).toBe(true);
  // Nobody else held the run: it ends failed, its token not deleted but recorded for the clean-up job.
  expect(after?.state).toBe('failed');
  expect(after?.outcome).toMatchObject({ errorCode: 'kubernetes.forbidden', cleanup: 'pending' });
  expect(JSON.parse(after!.outcome!.credentialRef!)).toEqual([
    expect.objectContaining({ kind: 'token', tokenName: TOKEN }),
  ]);
  expect(deletes).toEqual([]);
  // The audit says why it was left (not a bare "error"), naming no secret.
  const pending = (await audit.latest(50)).filter((e) => e.action === 'credential.cleanup');
  expect(pending).toHaveLength(1);
  expect(pending[0]).toMatchObject({ outcome: 'pending', targetIds: [`${REGISTRY_ID}/tokens/${TOKEN}`] });
  expect(pending[0].detail).toBe(
    'not deleted: the lease store could not be reached to confirm this run still held its lease; left for the clean-up job',
  );
  expect(pending[0].detail).not.toContain('pw-not-logged');
});

test('runner: a lease check failing otherwise than by a lost lease leaves the token pending for the clean-up job', async () => {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const deletes: string[] = [];
  const { ctx, audited } = runContext();
  ctx.checkLease = async () => Promise.reject(new Error('store: 503 ServerBusy'));
  const request = pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() });
  const err = await secretRunner(fakePorts(deletes), clock)
    .run(request, ctx)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(RunFailure);
  const outcome = (err as RunFailure).outcome;
  expect(outcome).toMatchObject({ errorCode: 'kubernetes.forbidden', cleanup: 'pending' });
  expect(JSON.parse(outcome.credentialRef!)).toEqual([expect.objectContaining({ kind: 'token', tokenName: TOKEN })]);
  // Nothing was deleted without a lease check that passed; the clean-up job takes it.
  expect(deletes).toEqual([]);
  expect(audited).toContain('credential.cleanup:pending');
});

test('runner: the same check before deleting the role assignment of a refused application fails the run as refused, the delete audited as failed', async () => {
  const deletes: string[] = [];
  const assignmentName = '11111111-2222-4333-8444-555555555555';
  // An earlier attempt created the application and its role assignment; the application now has another owner.
  const { ctx, audited } = runContext([
    { kind: 'application', id: APP_ID, name: 'acrbot-r-bbbbbbbb-0123456789abcdef' },
    {
      kind: 'roleAssignment',
      id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}`,
      name: assignmentName,
    },
  ]);
  ctx.checkLease = async () => Promise.reject(new Error('store: 503 ServerBusy'));
  const ports = {
    tokens: {},
    servicePrincipals: {
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created: false }),
      findServicePrincipal: async () => ({ id: SP_ID }),
      ownServicePrincipalId: async () => OWN_SP_ID,
      inspectApplication: async () => ({ ...ACRBOT, owners: [...ACRBOT.owners, { id: 'user-1', type: 'user' }] }),
    },
    roleAssignments: {
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
    },
    kubernetes: { access: async () => ({ clusterName: 'aks-prod' }), precheck: async () => ({}) },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
  const err = await spRunner(ports, [], [])
    .run(spRequest(), ctx)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(RunFailure);
  expect((err as RunFailure).outcome).toMatchObject({ errorCode: 'graph.applicationNotOurs' });
  expect(deletes).toEqual([]);
  expect(audited).toContain('credential.cleanup:failed');
});

test("runner: a lease taken over at the clean-up's check stops the run, nothing deleted or recorded (the new holder resumes)", async () => {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const deletes: string[] = [];
  const { ctx, audited } = runContext();
  // Taken over while the (refused) secret write ran: every check after it fails.
  let takenOver = false;
  ctx.checkLease = async () => {
    if (takenOver) throw new LeaseLostError('exec:R-AAAAAAAA');
  };
  const request = pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() });
  const ports = fakePorts(deletes, () => (takenOver = true));
  const err = await secretRunner(ports, clock)
    .run(request, ctx)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(LeaseLostError);
  expect(err).not.toBeInstanceOf(LeaseMarginError);
  expect(deletes).toEqual([]);
  expect(audited).not.toContain('credential.cleanup:pending');
});
