/**
 * G15/G17: a pull secret whose replacing request (a separate request whose approved plan replaces
 * it) is still running: its write landed (the secret, the same object, now carries its label) but
 * its answer was lost, and its run is under way (its execution lease held). Revoking the replaced
 * request leaves that secret and its service-account entry alone: the running write holds them,
 * unlike a write that failed or whose extension run waits to be resumed. Through the real server,
 * the scheduler and the ARM and Kubernetes emulators.
 */
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  stateOnceClickWorkDone,
  useLifecycleHooks,
} from '../helpers/lifecycle';

describe('a revoke while the request replacing its secret is running', () => {
  useLifecycleHooks();

  test('the secret under the running request’s label and its entry are left in place, recorded notOurs', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 1d pull for payments-api',
    );
    const uid = k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid;
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 2d pull for payments-api',
    );
    expect((await h.app.store.get(later.id))!.plan).toMatchObject({ replaces: { requestId: id } });
    // Not carried out, and answered 504: the run stops with the write unconfirmed.
    k8s.faults.inject({ method: 'PUT', resource: 'secrets', status: 504, times: Infinity });
    await h.click(users.approver, 'approve', { requestId: later.id });
    await h.app.services.executor.drain();
    expect((await h.app.store.get(later.id))!).toMatchObject({ state: 'executing', waiting: expect.anything() });
    expect(await actions(later.id)).toContain('kubernetes.write.secret:unconfirmed');

    // The write landed after all: the same object, the replacing request's label and data.
    const put = k8s.requests.findLast((r) => r.method === 'PUT' && r.path.endsWith('/secrets/acr-auth'));
    const sent = put!.body as { metadata: Record<string, unknown> };
    k8s.seedObject('secrets', { ...sent, metadata: { ...sent.metadata, uid } } as never);
    // Another instance resumed it and is running it now.
    const running = await h.app.stores.leases.acquire(`exec:${later.id}`, 'another-instance', 10 * MINUTE);
    expect(running).toBeDefined();

    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked in a build log' });
    expect(await stateOnceClickWorkDone(id)).toBe('revoked');
    const kept = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.secret');
    expect(kept).toMatchObject({ outcome: 'notOurs' });
    expect(kept?.detail).toContain(`its label names ${later.id}; left in place`);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toMatchObject({
      metadata: { uid, labels: { 'acrbot.io/request-id': later.id } },
    });
    const account = k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as {
      imagePullSecrets?: { name: string }[];
    };
    expect(account.imagePullSecrets).toEqual([{ name: 'acr-auth' }]);
  });
});
