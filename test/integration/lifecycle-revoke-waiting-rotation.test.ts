/**
 * G17 end to end: a pull secret revoked by hand (a leaked token) while its extension's rotation
 * waits to be resumed (the write of the secret got no clear answer: the run stays `executing`
 * for up to a day). The revocation does not wait for it: the original's credential is deleted on
 * the first attempt, and the rotation, resumed, finds its original revoked, fails and deletes its
 * own credential. A rotation whose run is under way (its execution lease held) is still waited
 * for. A rotation whose write landed although its answer was lost (the secret, same uid, now
 * carries its label) neither keeps the secret nor its service-account entry alive: acrbot's
 * records say that object is the original's and that the rotation replaced it. Through the real
 * server, the scheduler and the ARM and Kubernetes emulators.
 */
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  MINUTE,
  advance,
  grantedSecretOnAksDev,
  actions,
  stateOnceClickWorkDone,
  tokens,
  requestExtension,
  oneRevocationAttempt,
} from '../helpers/lifecycle';

describe('a revoke while a rotation waits to be resumed (G17)', () => {
  useLifecycleHooks();

  /** A secret, and its extension approved, whose rotation wrote the secret and lost the answer. */
  async function rotationWaiting(options = '') {
    const { id, k8s } = await grantedSecretOnAksDev(
      `aks-dev contosoacr --namespace payments${options} --for 1d pull for payments-api`,
    );
    const extensionId = await requestExtension(id, '--for 2d rollout still running');
    // Not carried out, and answered 504: the read back finds the secret unchanged, so the write
    // may still land; every later try too (a resume between the steps below changes nothing).
    k8s.faults.inject({ method: 'PUT', resource: 'secrets', status: 504, times: Infinity });
    await h.click(users.approver, 'approve', { requestId: extensionId });
    await h.app.services.executor.drain();
    expect((await h.app.store.get(extensionId))!).toMatchObject({
      state: 'executing',
      waiting: { reason: expect.stringMatching(/secret payments\/acr-auth/) },
    });
    expect(await actions(extensionId)).toContain('kubernetes.write.secret:unconfirmed');
    expect(tokens().sort()).toEqual([`acrbot-${id.toLowerCase()}`, `acrbot-${extensionId.toLowerCase()}`].sort());
    return { id, k8s, extensionId };
  }

  test('the original’s token is deleted on the first attempt; the rotation, resumed, fails and deletes its own token', async () => {
    const { id, k8s, extensionId } = await rotationWaiting();

    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked in a build log' });
    expect(await stateOnceClickWorkDone(id)).toBe('revoked');
    expect(await actions(id)).not.toContain('access.revoke.deferred:deferred');
    expect(await actions(id)).toContain('access.revoke.credential:deleted');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();

    await h.app.services.executor.resumeInterrupted();
    const failed = await h.settle(extensionId);
    expect(failed).toMatchObject({ state: 'failed', outcome: { errorCode: 'extend.notActive' } });
    expect(failed.outcome?.error).toMatch(new RegExp(`Request ${id} no longer has active access`));
    expect(tokens()).toEqual([]);
    expect((await h.app.store.get(id))!.access?.expiresAt).toBe('2026-12-01T10:00:00.000Z');
  });

  test('a rotation whose run is under way (its execution lease held) is waited for: the revocation is deferred, then finishes', async () => {
    const { id, extensionId } = await rotationWaiting();
    // Another instance resumed it and is running it now.
    const leases = h.app.stores.leases;
    const running = (await leases.acquire(`exec:${extensionId}`, 'another-instance', 10 * MINUTE))!;
    expect(running).toBeDefined();

    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked in a build log' });
    expect(await stateOnceClickWorkDone(id)).toBe('succeeded');
    expect(await actions(id)).toContain('access.revoke.deferred:deferred');
    expect(tokens()).toContain(`acrbot-${id.toLowerCase()}`);

    // That run stopped again (the cluster still gives no clear answer): the retry goes on.
    await leases.release(running);
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
  });

  /**
   * The rotation's PUT that was answered 504 lands after all (a write may still land): the secret,
   * the same object (uid) the original wrote, now holds what the rotation sent, its label included.
   */
  function rotationWriteLands(k8s: Awaited<ReturnType<typeof rotationWaiting>>['k8s'], extensionId: string) {
    const put = k8s.requests.findLast((r) => r.method === 'PUT' && r.path.endsWith('/secrets/acr-auth'));
    const sent = put!.body as { metadata: Record<string, unknown> };
    const uid = k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid;
    k8s.seedObject('secrets', { ...sent, metadata: { ...sent.metadata, uid } } as never);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata).toMatchObject({
      uid,
      labels: { 'acrbot.io/request-id': extensionId },
    });
  }

  const entries = (k8s: Awaited<ReturnType<typeof rotationWaiting>>['k8s']) =>
    (
      (k8s.getObject('serviceaccounts', 'payments', 'default') as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? []
    ).map((e) => e.name);

  test('a rotation whose write landed although its answer was lost: the revocation deletes the secret under its label, and the entry', async () => {
    const { id, k8s, extensionId } = await rotationWaiting(' --service-account default');
    expect(entries(k8s)).toEqual(['acr-auth']);
    rotationWriteLands(k8s, extensionId);

    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked in a build log' });
    expect(await stateOnceClickWorkDone(id)).toBe('revoked');
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.serviceAccount:patched']),
    );
    const deleted = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.secret');
    expect(deleted?.detail).toMatch(new RegExp(`labelled by ${extensionId}, .* waits to be resumed and fails then`));
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(entries(k8s)).toEqual([]);

    await h.app.services.executor.resumeInterrupted();
    expect(await h.settle(extensionId)).toMatchObject({ state: 'failed', outcome: { errorCode: 'extend.notActive' } });
    expect(tokens()).toEqual([]);
  });

  test('the same, the rotation failing between two attempts of the revocation: the retry deletes the secret', async () => {
    const { id, k8s, extensionId } = await rotationWaiting(' --service-account default');
    rotationWriteLands(k8s, extensionId);
    // The first attempt cannot read the secret: the credential goes, the cluster step is retried.
    k8s.faults.inject({ method: 'GET', resource: 'secrets', name: 'acr-auth', status: 403 });
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked in a build log' });
    await oneRevocationAttempt(id);
    expect(await actions(id)).toContain('access.revoke.secret:failed');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);

    // Resumed meanwhile, the rotation finds its original being revoked: it fails, its token deleted.
    await h.app.services.executor.resumeInterrupted();
    expect(await h.settle(extensionId)).toMatchObject({ state: 'failed', outcome: { errorCode: 'extend.notActive' } });
    expect(tokens()).toEqual([]);

    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    const deleted = (await h.app.audit.forRequest(id)).find(
      (e) => e.action === 'access.revoke.secret' && e.outcome === 'deleted',
    );
    expect(deleted?.detail).toMatch(new RegExp(`labelled by ${extensionId}, .*; it failed$`));
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(entries(k8s)).toEqual([]);
  });
});
