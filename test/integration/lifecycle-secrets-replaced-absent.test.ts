/**
 * G17: a separate, approved request for a secret target whose secret acrbot wrote for an earlier,
 * still-active request, but which was deleted from the cluster outside acrbot since (GitOps, a
 * person), replaces that request all the same: its credential still pulls, and acrbot's records
 * say whose it is (G15), so the run retires it and the earlier request ends as replaced. A secret
 * at that name which is not acrbot's is refused as before.
 */
import { users } from '../helpers/harness';
import {
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  runDueAfter,
  secretServicePrincipal,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const serviceAccountEntries = (k8s: { getObject(r: 'serviceaccounts', ns: string, n: string): unknown }) =>
  (k8s.getObject('serviceaccounts', 'payments', 'default') as { imagePullSecrets?: { name: string }[] })
    .imagePullSecrets ?? [];

describe('a secret deleted outside acrbot, then asked for again', () => {
  useLifecycleHooks();

  test('the new request replaces the earlier one: its token is deleted, it ends, and the new secret and entry stay', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api',
    );
    const firstTokens = tokens();
    expect(firstTokens).toHaveLength(1);
    // GitOps prunes it; the service account's entry stays.
    expect(k8s.deleteObject('secrets', 'payments', 'acr-auth')).toBe(true);
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 2h pull for payments-api',
    );
    expect((await h.app.store.get(later.id))!.plan).toMatchObject({ replaces: { requestId: first } });
    await h.click(users.approver, 'approve', { requestId: later.id });
    const done = await h.settle(later.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.retired).toEqual({ requestId: first, credential: 'deleted' });
    expect(done.outcome?.summary).toContain('The secret was no longer in the cluster and was written anew.');
    await h.app.services.background.drain();

    // The earlier token no longer pulls, and the earlier request no longer holds access.
    expect(tokens()).toHaveLength(1);
    expect(tokens()).not.toContain(firstTokens[0]);
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    // Its revocation left what the new request holds: the secret and the entry.
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.labels?.['acrbot.io/request-id']).toBe(later.id);
    expect(serviceAccountEntries(k8s)).toEqual([{ name: 'acr-auth' }]);
    expect((await h.app.audit.forRequest(first)).find((e) => e.action === 'access.revoke.secret')).toMatchObject({
      outcome: 'kept',
    });

    // The new request's own end removes them.
    await runDueAfter(3 * 60 * MINUTE);
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(serviceAccountEntries(k8s)).toEqual([]);
    expect(tokens()).toEqual([]);
  });

  test('--kind sp: the earlier application is retired once the new role has had time to apply, and its request ends', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --kind sp --for 1h pull for payments-api',
    );
    const { appId, directory } = secretServicePrincipal(k8s);
    expect(k8s.deleteObject('secrets', 'payments', 'acr-auth')).toBe(true);
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --kind sp --for 2h pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: later.id });
    const done = await h.settle(later.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.retired).toMatchObject({ requestId: first });
    await h.app.services.background.drain();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    // Gone by the time the clean-up job (or the revocation) has run.
    await runDueAfter(30 * MINUTE);
    expect(directory.getServicePrincipalByAppId(appId)).toBeUndefined();
    expect((await h.app.store.get(later.id))!.state).toBe('succeeded');
  });

  test('a secret at that name that is not acrbot\u2019s object: refused as before, the earlier request keeps its access', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
    );
    const firstTokens = tokens();
    // GitOps takes the name over with an object of its own (no acrbot label, another uid).
    k8s.deleteObject('secrets', 'payments', 'acr-auth');
    k8s.seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'acr-auth', namespace: 'payments', labels: { 'app.kubernetes.io/managed-by': 'flux' } },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 2h pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: later.id });
    const done = await h.settle(later.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('kubernetes.foreignSecret');
    await h.app.services.background.drain();
    expect((await h.app.store.get(first))!.state).toBe('succeeded');
    expect(tokens()).toEqual(firstTokens);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'flux',
    });
  });

  test('no earlier request for that name: the secret is created and nothing is retired', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --name other-auth --for 1h pull for payments-api',
    );
    const firstTokens = tokens();
    advance(MINUTE);
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 2h pull for payments-api',
    );
    expect((await h.app.store.get(later.id))!.plan).toMatchObject({ replaces: null });
    await h.click(users.approver, 'approve', { requestId: later.id });
    const done = await h.settle(later.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.secret?.action).toBe('created');
    expect(done.outcome?.retired).toBeUndefined();
    await h.app.services.background.drain();
    expect((await h.app.store.get(first))!.state).toBe('succeeded');
    expect(tokens()).toEqual(expect.arrayContaining(firstTokens));
    expect(k8s.getObject('secrets', 'payments', 'other-auth')).toBeDefined();
  });
});
