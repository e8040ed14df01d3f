/**
 * A pull secret for a namespace the cluster does not have is planned with a warning on its card
 * (the namespace may be made before approval), not refused; the run still checks for itself
 * (G15: the plan's read is a hint only). End to end: server, Kubernetes emulator, test clock.
 */
import { requestCard } from '../../src/views/request-view';
import { callsWithText, users } from '../helpers/harness';
import { h, requestExtension, start, useLifecycleHooks } from '../helpers/lifecycle';

const MISSING = 'aks-dev contosoacr --namespace web pull for web';
const WARNING =
  /At \d{4}-\d\d-\d\d \d\d:\d\d UTC namespace web did not exist in cluster aks-dev: create it before approving/;

const cardOf = async (id: string) => JSON.stringify(requestCard((await h.app.store.get(id))!, { showActions: true }));

describe('a pull secret planned for a namespace the cluster does not have', () => {
  useLifecycleHooks();

  test('its card warns while pending and approvers can still approve; made in time, the run succeeds', async () => {
    await start();
    h.connector.clear();
    const { id } = await h.requestSecret(users.requester, MISSING);
    const request = (await h.app.store.get(id))!;
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toMatch(WARNING);
    // The card the bot sent carries the warning, and so does its redraw from the store.
    expect(callsWithText(h.connector, WARNING).length).toBeGreaterThan(0);
    expect(await cardOf(id)).toMatch(WARNING);
    // The team makes the namespace before approving: the warning was only a hint.
    h.app.sandbox!.kubernetes['aks-dev'].createNamespace('web');
    await h.click(users.approver, 'approve', { requestId: id });
    expect((await h.settle(id)).state).toBe('succeeded');
    // Decided: the card no longer shows it.
    expect(await cardOf(id)).not.toMatch(WARNING);
    // Its extension, pending, says nothing of a check its original's run has since passed.
    const extensionId = await requestExtension(id, '--for 60d still deploying');
    const extension = (await h.app.store.get(extensionId))!;
    expect(extension.state).toBe('pending');
    expect(extension.plan.kind === 'secret' && extension.plan.targetCheck).toBeFalsy();
    expect(await cardOf(extensionId)).not.toMatch(WARNING);
  });

  test('a namespace that exists: no warning', async () => {
    await start();
    h.connector.clear();
    const { id } = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments pull for payments');
    const request = (await h.app.store.get(id))!;
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toBeUndefined();
    expect(await cardOf(id)).not.toContain('"Check"');
    expect(callsWithText(h.connector, /did not exist in cluster/)).toHaveLength(0);
  });

  test('a cluster that refuses the read (403): no warning, and the plan goes on', async () => {
    await start();
    h.app.sandbox!.kubernetes['aks-dev'].faults.inject({ verb: 'get', resource: 'namespaces', status: 403, times: 1 });
    const { id } = await h.requestSecret(users.requester, MISSING);
    const request = (await h.app.store.get(id))!;
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'secret' && request.plan.targetCheck).toBeUndefined();
  });

  test('still missing at approval: the run refuses, as before', async () => {
    await start();
    const { id } = await h.requestSecret(users.requester, MISSING);
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toMatch(/Namespace web does not exist in cluster aks-dev/);
    // Refused by the run's own check, before any credential exists.
    const actions = (await h.app.audit.forRequest(id)).map((e) => e.action);
    expect(actions).not.toContain('azure.write.token');
  });
});
