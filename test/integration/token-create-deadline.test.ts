/**
 * G14: a token create Azure is still running when acrbot's deadline passes. The run fails, and
 * its clean-up must not count the token as deleted while its create may still land: ARM shows
 * it `Creating` (and refuses a DELETE 409), or has not stored it yet (404), or answers a DELETE
 * that the create then overtakes. The clean-up stays pending until the create has ended, then
 * its job deletes the token and scope map and marks it done; the registry ends with neither.
 * The real secret runner and executor, with the real ARM adapter over HTTPS against the ARM
 * emulator (the token create's deadline passes once ACR has accepted it and its status is
 * polled, an event rather than a guess at the machine's speed), and client-node against the
 * Kubernetes emulator.
 */
import type { SecretPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { retryCleanupOf, type CleanupDeps } from '../../src/flows/credential-cleanup';
import { Executor } from '../../src/flows/executor';
import type { JobSpec } from '../../src/flows/scheduler';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { ArmRegistryTokens, OPERATION_TIMED_OUT } from '../../src/integrations/azure/arm-registry-tokens';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import type { HoldRule } from '../../src/sandbox/arm/long-running-writes';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';
import { FakeClock, MINUTE } from '../unit/support/fake-clock';
import { APPROVER, pendingRequest, secretPlan } from '../unit/support/requests';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('a token create still running at its deadline is cleaned up only once it has ended', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    sandbox.arm.state.longRunning.clear();
    sandbox.arm.faults.clear();
  });

  /**
   * The bot's side: memory stores, the real runner and executor, adapters over the sandbox. The
   * token create's deadline is `tokenCreateDeadline`; every other operation has the default one.
   */
  function bot(tokenCreateDeadline: AbortSignal) {
    const { conn, reader } = sandboxArm(sandbox);
    const clock = new FakeClock(new Date());
    const store = new MemoryRequestStore();
    const audit = new MemoryAuditLog(clock);
    const log = createLogger({ level: 'silent' });
    const ports = {
      // The emulator never ends a held create: polled until the test's deadline passes.
      tokens: new ArmRegistryTokens(reader, {
        operationDeadline: (what) => (what === 'token create' ? tokenCreateDeadline : undefined),
      }),
      kubernetes: new KubePullSecrets((s) => reader.aksClient(s), conn.credential, undefined, 50),
      requests: store,
      // The token kind touches neither.
      servicePrincipals: undefined,
      roleAssignments: undefined,
    } as unknown as SecretRunnerPorts;
    const runner = new SecretRunner(
      ports,
      { delaysMs: [], sleep: async () => undefined },
      { reader, allowLocalAccountClusters: false },
    );
    const executor = new Executor(
      store,
      audit,
      clock,
      { grant: { run: async () => ({ summary: 'unused', azureRequestIds: [] }) }, secret: runner },
      { requestChanged: async () => undefined },
      log,
      { leases: new MemoryLeaseStore(() => clock.now()), owner: 'test', ttlMs: MINUTE },
    );
    const rescheduled: JobSpec[] = [];
    const deps: CleanupDeps = {
      store,
      audit,
      ports,
      clock,
      log,
      reschedule: async (job) => void rescheduled.push(job),
    };
    return { store, audit, executor, deps, rescheduled };
  }

  /** An approved request for a pull secret in aks-prod with a token limited to one repository. */
  function approved(id: string): AccessRequest {
    const base = secretPlan();
    const plan: SecretPlan = {
      ...base,
      cluster: { ...base.cluster, aadEnabled: true },
      repositories: ['payments/api'],
      secretName: `acr-${id.toLowerCase()}`,
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
    return pendingRequest({
      id,
      state: 'approved',
      version: 2,
      plan,
      decision: { approved: true, by: APPROVER, at: new Date().toISOString() },
    });
  }

  const registryHas = (name: string) => ({
    token: sandbox.arm.state.listTokens(contosoId).some((t) => t.name === name),
    scopeMap: !!sandbox.arm.state.getRegistry(contosoId)?.scopeMaps.has(name),
  });

  const cases: Array<[string, Omit<HoldRule, 'operation'>]> = [
    ['ARM shows it Creating and refuses a DELETE 409 meanwhile', {}],
    ['ARM shows it Creating and answers a DELETE that the create then overtakes', { deleteWhileCreating: 'overtaken' }],
    ['ARM has taken the create but not stored the token yet (404)', { visible: false }],
  ];

  test.each(cases)('%s', async (_what, rule) => {
    const deadline = new AbortController();
    const { store, audit, executor, deps, rescheduled } = bot(deadline.signal);
    const request = approved(
      rule.visible === false ? 'R-HHHHHHHH' : rule.deleteWhileCreating ? 'R-OOOOOOOO' : 'R-CCCCCCCC',
    );
    const name = `acrbot-${request.id.toLowerCase()}`;
    const held = sandbox.arm.state.longRunning.hold({ operation: 'tokens.create', pathIncludes: name, ...rule });
    // ACR accepted the create (201 Creating) and acrbot polls its status: the deadline passes.
    const polled = sandbox.arm.faults.hold({ operation: 'tokens.operationStatus', pathIncludes: name });
    void polled.arrived.then(() => deadline.abort());
    await store.create(request);
    await executor.schedule(request.id);
    await executor.drain();

    // The run gave up at its deadline; the clean-up is pending, the token not called deleted.
    const failed = (await store.get(request.id))!;
    expect(failed.state).toBe('failed');
    expect(failed.outcome).toMatchObject({ errorCode: OPERATION_TIMED_OUT, cleanup: 'pending' });
    expect(failed.outcome?.error).toMatch(/could not be deleted yet; it is recorded for clean-up/);
    const cleanups = () =>
      audit.forRequest(request.id).then((es) => es.filter((e) => e.action === 'credential.cleanup'));
    expect(await cleanups()).toMatchObject([
      {
        outcome: 'pending',
        detail: rule.visible === false ? expect.stringMatching(/not found yet after a create/) : 'WriteInProgress',
      },
    ]);
    expect(registryHas(name).token).toBe(rule.visible !== false);

    // Its job, due before the create has ended: nothing is marked done, no token deleted.
    const early = retryCleanupOf(request.id, deps);
    if (rule.visible === false) {
      // Not found this soon after a create Azure did not answer: looked at again later.
      await early;
      expect(rescheduled).toMatchObject([{ id: `cleanup.credential:${request.id}` }]);
    } else await expect(early).rejects.toMatchObject({ code: 'WriteInProgress' });
    expect((await store.get(request.id))?.outcome?.cleanup).toBe('pending');
    expect((await cleanups()).map((e) => e.outcome)).toEqual(['pending']);
    // A token shown Creating gets no DELETE, which its create could overtake.
    const deletes = () => sandbox.arm.requests.filter((r) => r.operation === 'tokens.delete' && r.path.includes(name));
    if (rule.visible !== false) expect(deletes()).toEqual([]);

    // The create ends: the next run of the job deletes what it made and marks the clean-up done.
    held.finish();
    await retryCleanupOf(request.id, deps);
    expect((await store.get(request.id))?.outcome?.cleanup).toBe('deleted');
    expect((await cleanups()).at(-1)).toMatchObject({ outcome: 'deleted' });
    expect(registryHas(name)).toEqual({ token: false, scopeMap: false });
  });
});
