/**
 * G14: a failed secret run whose credential could not be deleted gets its `cleanup.credential`
 * job as the run ends (flows.ts), not at the next start's sweep, even when telling the cards or
 * the lifecycle of the failure throws: before, the job was stored only after both had succeeded.
 * Their failure is still reported (the executor logs the follow-up as failed).
 */
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

describe('the clean-up job of a failed run is stored whatever the cards and the lifecycle do', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  /** A token secret on aks-dev whose secret write is forbidden and whose token cannot be deleted. */
  async function failWithCleanupPending(what: string) {
    h.app.sandbox!.kubernetes['aks-dev'].rbac.deny({ namespace: 'payments', resource: 'secrets', verb: 'create' });
    h.app.sandbox!.arm.faults.add({
      operation: 'tokens.delete',
      status: 503,
      count: Infinity,
      headers: { 'Retry-After': '0' },
    });
    const request = await h.requestSecret(users.requester, `aks-dev contosoacr --namespace payments ${what}`);
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.cleanup).toBe('pending');
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(1);
    return done;
  }

  test('the cards of the failure throw: the job exists', async () => {
    const messenger = h.app.services.messenger;
    const requestChanged = messenger.requestChanged.bind(messenger);
    const thrown: unknown[] = [];
    messenger.requestChanged = async (request, change) => {
      if (request.state !== 'failed') return requestChanged(request, change);
      const err = new Error('Teams is down');
      thrown.push(err);
      throw err;
    };
    const done = await failWithCleanupPending('cards fail');
    expect(thrown).toHaveLength(1);
    expect(await h.app.stores.schedule.get(`cleanup.credential:${done.id}`)).toMatchObject({
      kind: 'cleanup.credential',
      requestId: done.id,
    });
  });

  test('the lifecycle throws: the job exists', async () => {
    const lifecycle = h.app.services.lifecycle.flow;
    const requestChanged = lifecycle.requestChanged.bind(lifecycle);
    const thrown: unknown[] = [];
    lifecycle.requestChanged = async (request) => {
      if (request.state !== 'failed') return requestChanged(request);
      const err = new Error('schedule store is down');
      thrown.push(err);
      throw err;
    };
    const done = await failWithCleanupPending('lifecycle fails');
    expect(thrown).toHaveLength(1);
    expect(await h.app.stores.schedule.get(`cleanup.credential:${done.id}`)).toMatchObject({
      kind: 'cleanup.credential',
      requestId: done.id,
    });
  });
});
