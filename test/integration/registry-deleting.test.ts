/**
 * A registry ARM is deleting (`provisioningState` Deleting) is still answered by GET and the
 * listings until the delete finishes, and any access made on it then goes with it (or is left
 * behind). A grant or a secret asked for on it is refused when planned (audited as a plan
 * refusal, nothing pending), and one whose registry began to be deleted after the plan fails
 * before its first write. Other states (Failed after an update that did not go through) are not
 * refused: the registry still serves pulls.
 */
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { setRegistryProvisioningState, type RegistryProvisioningState } from '../../src/sandbox/arm/registries';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { azureWrites, replyMatching } from '../helpers/refusal-checks';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const REQUEST_ID = /R-[2-9A-HJKMNP-TV-Z]{8}/;

describe('requests on a registry that is being deleted', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const writes = (harness: Harness) => azureWrites(harness, contosoId);

  const setState = (harness: Harness, state: RegistryProvisioningState) =>
    setRegistryProvisioningState(harness.app.sandbox!.arm.state.getRegistry(contosoId)!, state);

  test.each([
    ['grant', 'grant aks-prod contosoacr deploy payments-api'],
    ['secret', 'secret aks-prod contosoacr --namespace payments pull for payments-api'],
  ])('%s asked while it is deleted: refused, audited as a plan refusal, nothing pending or written', async (_, cmd) => {
    h = await startHarness();
    setState(h, 'Deleting');
    const before = writes(h);
    const seq = (await h.app.audit.latest(1))[0]?.seq ?? 0;
    const text = await replyMatching(h, cmd, /being deleted/);
    expect(text).toContain('Registry contosoacr is being deleted (provisioningState Deleting); nothing was requested');
    expect(writes(h)).toEqual(before);
    expect(await h.app.store.listByState(['pending'], 10)).toEqual([]);
    const entries = (await h.app.audit.latest(20)).filter((e) => e.seq > seq);
    expect(entries.map((e) => [e.action, e.outcome, e.actor.objectId])).toEqual([
      ['plan.refused', 'registry.deleting', users.requester.objectId],
    ]);
  });

  test.each<RegistryProvisioningState>(['Failed', 'Canceled', 'Updating'])(
    'a registry whose last operation is %s is not refused',
    async (state) => {
      h = await startHarness();
      setState(h, state);
      const grant = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
      expect(grant.state).toBe('pending');
    },
  );

  test('grant: deleted between plan and approval, the run fails before the role assignment and says so', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    setState(h, 'Deleting');
    const before = writes(h);
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('recheck.registryDeleting');
    expect(done.outcome?.error).toContain(
      'Registry contosoacr is being deleted (provisioningState Deleting; this began after the request was planned), so nothing was granted',
    );
    expect(writes(h)).toEqual(before);
    expect(done.created ?? []).toEqual([]);
    await h.connector.waitFor(
      (c) =>
        /the new request needs approving again/.test(cardText(c.activity)) &&
        /is being deleted/.test(cardText(c.activity)),
      5000,
      'a card saying the registry is being deleted',
    );
  });

  test('secret: deleted between plan and approval, the run fails before any credential, audited', async () => {
    h = await startHarness();
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /Pull secret /,
    );
    const id = REQUEST_ID.exec(text)![0];
    setState(h, 'Deleting');
    const before = writes(h);
    const k8sBefore = h.app.sandbox!.kubernetes['aks-prod'].requests.length;
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('recheck.registryDeleting');
    expect(done.outcome?.error).toContain(
      'Registry contosoacr is being deleted (provisioningState Deleting; this began after the request was planned), so nothing was created',
    );
    expect(writes(h)).toEqual(before);
    expect(h.app.sandbox!.kubernetes['aks-prod'].requests.length).toBe(k8sBefore);
    expect(done.created ?? []).toEqual([]);
    const refusal = (await h.app.audit.forRequest(id)).find((e) => e.outcome === 'refused');
    expect(refusal).toMatchObject({ action: 'azure.write.token', detail: 'recheck.registryDeleting' });
    await h.connector.waitFor(
      (c) =>
        /the new request needs approving again/.test(cardText(c.activity)) &&
        /is being deleted/.test(cardText(c.activity)),
      5000,
      'a card saying the registry is being deleted',
    );
  });

  test('secret: a re-read of the registry that fails does not fail a run that can succeed', async () => {
    h = await startHarness();
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /Pull secret /,
    );
    const id = REQUEST_ID.exec(text)![0];
    const arm = h.app.sandbox!.arm;
    const reads = () => arm.requests.filter((r: { operation: string }) => r.operation === 'registries.get').length;
    const readsBefore = reads();
    arm.faults.add({
      operation: 'registries.get',
      status: 403,
      code: 'AuthorizationFailed',
      pathIncludes: 'contosoacr',
    });
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(reads()).toBeGreaterThan(readsBefore);
    expect(done.state).toBe('succeeded');
    expect(arm.state.listTokens(contosoId)).toHaveLength(1);
  });

  test('check says the registry is being deleted and that requests for it are refused', async () => {
    h = await startHarness();
    setState(h, 'Deleting');
    const text = await replyMatching(h, 'check aks-prod contosoacr', /contosoacr/);
    expect(text).toContain(
      'Registry contosoacr is being deleted (provisioningState Deleting): pulls from it will stop, and every way of pulling from it goes with it; acrbot refuses requests for it.',
    );
  });
});
